"""A city (or any admin area) and the areas below it, as the coverage queries see them."""

from dataclasses import dataclass

from shapely import wkb
from shapely.geometry.base import BaseGeometry
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.errors import NotFound

# The area and its descendants through parent_adcode; every coverage query starts here.
AREA_TREE_CTE = """
WITH RECURSIVE area_tree AS (
    SELECT adcode, name, level, geom FROM admin_areas WHERE adcode = :city
    UNION ALL
    SELECT a.adcode, a.name, a.level, a.geom
    FROM admin_areas a JOIN area_tree t ON a.parent_adcode = t.adcode
)
"""


@dataclass(frozen=True)
class City:
    """The root area of a coverage question: its code, name and boundary."""

    adcode: str
    name: str
    level: str
    boundary: BaseGeometry


def load_city(session: Session, adcode: str) -> City:
    """Return the admin area ``adcode`` with its boundary, or raise NotFound."""
    row = session.execute(
        text("SELECT adcode, name, level, ST_AsBinary(geom) FROM admin_areas WHERE adcode = :a"),
        {"a": adcode},
    ).one_or_none()
    if row is None:
        raise NotFound(f"city {adcode} is not among the admin areas: load its boundary first")
    return City(row[0], row[1], row[2], wkb.loads(bytes(row[3])))


def area_boundaries(session: Session, adcode: str) -> list[BaseGeometry]:
    """Return the boundary of ``adcode``, then of every area below it."""
    rows = session.execute(
        text(
            AREA_TREE_CTE
            + "SELECT ST_AsBinary(geom) FROM area_tree ORDER BY adcode <> :city, adcode"
        ),
        {"city": adcode},
    ).scalars()
    return [wkb.loads(bytes(row)) for row in rows]
