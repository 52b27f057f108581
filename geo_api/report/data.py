"""What a city's report map shows, read from the database as GeoJSON, WGS-84.

The numbers come from the same functions as the API (``coverage_gaps``, ``community_coverage``),
so the map and the answers agree. Boundaries are simplified by about 10 m and written with five
decimals (a metre) to keep the page light; the areas still meet edge to edge at any zoom a city
map is read at.
"""

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.coverage.areas import AREA_TREE_CTE, load_city
from geo_api.coverage.communities import COVERED_OUTLET, community_coverage
from geo_api.coverage.gaps import coverage_gaps

SIMPLIFY_DEG = 0.0001
_DIGITS = 5
# Every gap cell of a city: far more than any city has.
_ALL_CELLS = 200_000

BOUNDARIES = (
    AREA_TREE_CTE
    + f"""
SELECT adcode, name, level,
       ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, {SIMPLIFY_DEG}), {_DIGITS}) AS geometry,
       ST_X(ST_PointOnSurface(geom)) AS label_lon, ST_Y(ST_PointOnSurface(geom)) AS label_lat
FROM area_tree
WHERE level = ANY(CAST(:levels AS text[]))
ORDER BY adcode
"""
)
STATIONS = """
SELECT s.id, s.name, s.kind, s.status, s.address, s.phone, s.hours_text, s.amenities,
       ST_AsGeoJSON(s.geom, 6) AS geometry
FROM stations s JOIN admin_areas city ON city.adcode = :city
WHERE ST_Covers(city.geom, s.geom)
ORDER BY s.id
"""
OUTLETS = f"""
SELECT ou.id, ou.name, ou.brand, ou.kind, ou.riders, {COVERED_OUTLET} AS covered,
       ST_AsGeoJSON(ou.geom, 6) AS geometry
FROM outlets ou JOIN admin_areas city ON city.adcode = :city
WHERE ST_Covers(city.geom, ou.geom)
ORDER BY ou.id
"""


@dataclass
class CityReport:
    """Everything the report map draws for one city."""

    city: dict[str, Any]
    districts: dict[str, Any]
    streets: dict[str, Any]
    communities: dict[str, Any]
    stations: dict[str, Any]
    outlets: dict[str, Any]
    gaps: dict[str, Any]
    coverage: dict[str, Any]


def collection(rows: Any, properties: list[str]) -> dict[str, Any]:
    """Return a FeatureCollection of rows with a ``geometry`` column of GeoJSON text."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": json.loads(row["geometry"]),
                "properties": {name: row[name] for name in properties},
            }
            for row in rows
        ],
    }


def boundaries(session: Session, city: str, levels: list[str]) -> dict[str, dict[str, Any]]:
    """Return the city's areas of each of ``levels`` as FeatureCollections."""
    rows = session.execute(text(BOUNDARIES), {"city": city, "levels": levels}).mappings().all()
    fields = ["adcode", "name", "level", "label_lon", "label_lat"]
    return {level: collection([r for r in rows if r["level"] == level], fields) for level in levels}


def read_city(session: Session, city: str, res: int, threshold_m: float) -> CityReport:
    """Return the report's layers of ``city``: boundaries, points, gap cells, coverage."""
    root = load_city(session, city)
    areas = boundaries(session, city, [root.level, "district", "street", "community"])
    coverage = community_coverage(session, city, threshold_m, "community").model_dump(mode="json")
    by_code = {area["adcode"]: area for area in coverage["areas"]}
    for feature in areas["community"]["features"]:
        feature["properties"].update(by_code.get(feature["properties"]["adcode"], {}))
    params = {"city": city, "threshold_m": threshold_m}
    stations = session.execute(text(STATIONS), params).mappings().all()
    outlets = session.execute(text(OUTLETS), params).mappings().all()
    return CityReport(
        city=areas[root.level],
        districts=areas["district"],
        streets=areas["street"],
        communities=areas["community"],
        stations=collection(
            stations,
            ["id", "name", "kind", "status", "address", "phone", "hours_text", "amenities"],
        ),
        outlets=collection(outlets, ["id", "name", "brand", "kind", "riders", "covered"]),
        gaps=coverage_gaps(session, city, res, threshold_m, 1, _ALL_CELLS).model_dump(mode="json"),
        coverage=coverage,
    )
