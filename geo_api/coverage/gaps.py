"""Coverage gaps: H3 cells with riders and no open station within the threshold."""

import json

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.changes import changed_since
from geo_api.coverage.areas import load_city
from geo_api.coverage.refresh import check_res
from geo_api.coverage.schemas import GapCollection
from geo_api.errors import NotFound

GAP_CELLS = """
SELECT h3, ST_AsGeoJSON(geom, 7) AS geometry, outlets, riders,
       nearest_station_id, nearest_station_m
FROM coverage_cells
WHERE city_adcode = :city AND res = :res AND riders >= :min_riders
  AND (nearest_station_m IS NULL OR nearest_station_m > :threshold_m)
ORDER BY riders DESC, outlets DESC, h3
LIMIT :limit
"""

REFRESHED_AT = """
SELECT max(refreshed_at) FROM coverage_cells WHERE city_adcode = :city AND res = :res
"""
# A station or outlet of the city written or deleted after the refresh may change the answer.
# Stations of a neighbouring city can be an edge cell's nearest too; their changes are not
# tracked here, which is why refreshed_at is always given.
STALE_IF_CHANGED = ["stations", "outlets"]


def coverage_gaps(
    session: Session, city: str, res: int, threshold_m: float, min_riders: int, limit: int
) -> GapCollection:
    """Return the gap cells of ``city`` as a GeoJSON FeatureCollection, most riders first."""
    check_res(res)
    load_city(session, city)
    refreshed_at = session.execute(text(REFRESHED_AT), {"city": city, "res": res}).scalar()
    if refreshed_at is None:
        raise NotFound(
            f"no coverage cells for city {city} at res {res}: "
            f"run warmmap coverage refresh --city {city} --res {res}"
        )
    rows = session.execute(
        text(GAP_CELLS),
        {
            "city": city,
            "res": res,
            "threshold_m": threshold_m,
            "min_riders": max(min_riders, 1),
            "limit": limit,
        },
    ).mappings()
    features = [
        {
            "type": "Feature",
            "id": row["h3"],
            "geometry": json.loads(row["geometry"]),
            "properties": {
                "h3": row["h3"],
                "outlets": row["outlets"],
                "riders": row["riders"],
                "nearest_station_id": row["nearest_station_id"],
                "nearest_station_m": row["nearest_station_m"],
            },
        }
        for row in rows
    ]
    # Validated as a whole, in pydantic's core: tens of thousands of cells stay cheap.
    return GapCollection.model_validate(
        {
            "city": city,
            "res": res,
            "threshold_m": threshold_m,
            "refreshed_at": refreshed_at,
            "stale": changed_since(session, STALE_IF_CHANGED, city, refreshed_at),
            "features": features,
        }
    )
