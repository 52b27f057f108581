"""Which district, street and community hold a point: codes and names for answers people read.

A planner reads "合成社区017-005, 合成街道017, 锦江区" where the data has a cell or a point. One
GiST probe of ``admin_areas`` per point finds every area holding it; each level keeps the smallest
code where areas overlap (they should not), as ``geo_api.areas.area_lookup`` does. A point in no
area of a level (outside the loaded boundaries, or a level not loaded) gets nulls for it.
"""

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.orm import Session

PLACE_LEVELS = ("district", "street", "community")
PLACE_FIELDS = tuple(f"{level}_{part}" for level in PLACE_LEVELS for part in ("adcode", "name"))


class Place(BaseModel):
    """The district, street and community holding a point (null outside loaded boundaries)."""

    district_adcode: str | None = Field(description="The district holding the point.")
    district_name: str | None
    street_adcode: str | None = Field(description="The street (or town) holding the point.")
    street_name: str | None
    community_adcode: str | None = Field(description="The community holding the point.")
    community_name: str | None


def _level_columns(level: str) -> str:
    return (
        f"min(a.adcode) FILTER (WHERE a.level = '{level}') AS {level}_adcode, "
        f"(array_agg(a.name ORDER BY a.adcode) FILTER (WHERE a.level = '{level}'))[1] "
        f"AS {level}_name"
    )


def place_join(point_sql: str, alias: str = "place") -> str:
    """Return a ``LEFT JOIN LATERAL`` adding ``PLACE_FIELDS`` for the point ``point_sql``.

    ``point_sql`` is an SQL expression of the query it joins (a column, ``ST_Centroid(c.geom)``),
    never text from a request.
    """
    columns = ",\n       ".join(_level_columns(level) for level in PLACE_LEVELS)
    return f"""
LEFT JOIN LATERAL (
    SELECT {columns}
    FROM admin_areas a
    WHERE a.level IN ('district', 'street', 'community') AND ST_Intersects(a.geom, {point_sql})
) AS {alias} ON true"""


PLACES_OF_POINTS = (
    """
SELECT {fields}
FROM unnest(CAST(:lons AS float8[]), CAST(:lats AS float8[])) WITH ORDINALITY AS p(lon, lat, i)
"""
    + place_join("ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)")
    + "\nORDER BY p.i"
).format(fields=", ".join(f"place.{field}" for field in PLACE_FIELDS))


def places_of(session: Session, lons: list[float], lats: list[float]) -> list[dict[str, Any]]:
    """Return, per WGS-84 point, its district, street and community codes and names."""
    if not lons:
        return []
    rows = session.execute(text(PLACES_OF_POINTS), {"lons": lons, "lats": lats}).mappings()
    return [dict(row) for row in rows]


def place_values(row: Any) -> dict[str, Any]:
    """Return the ``PLACE_FIELDS`` of a result row (a mapping)."""
    return {field: row[field] for field in PLACE_FIELDS}
