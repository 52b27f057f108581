"""Coverage gaps: H3 cells with riders and no open station within the threshold."""

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.coverage.areas import load_city
from geo_api.coverage.refresh import check_res
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

# A station or outlet written after the refresh may change the answer; deleted rows cannot be
# seen here, which is why refreshed_at is always given.
FRESHNESS = """
SELECT max(refreshed_at) AS refreshed_at,
       greatest(
           (SELECT max(updated_at) FROM stations),
           (SELECT max(updated_at) FROM outlets)
       ) > max(refreshed_at) AS stale
FROM coverage_cells WHERE city_adcode = :city AND res = :res
"""


def coverage_gaps(
    session: Session, city: str, res: int, threshold_m: float, min_riders: int, limit: int
) -> dict[str, Any]:
    """Return the gap cells of ``city`` as a GeoJSON FeatureCollection, most riders first."""
    check_res(res)
    load_city(session, city)
    freshness = session.execute(text(FRESHNESS), {"city": city, "res": res}).one()
    if freshness.refreshed_at is None:
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
    return {
        "type": "FeatureCollection",
        "city": city,
        "res": res,
        "threshold_m": threshold_m,
        "refreshed_at": freshness.refreshed_at.isoformat(),
        "stale": bool(freshness.stale),
        "features": features,
    }
