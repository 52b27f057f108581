"""One city of the demo dataset (etl.demo.build, WGS-84 truth) written straight into tables.

The benchmark and the notebook test need Chengdu's demo data in a database of their own. The
demo's files go through the ETL in ``warmmap demo``; here the same generated rows are inserted
directly, so these measurements do not depend on the loader.
"""

from typing import Any

from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Engine, text

from etl.demo import DEFAULT_SEED, build

AREA = text(
    "INSERT INTO admin_areas (adcode, name, level, parent_adcode, geom, source, synthetic) "
    "VALUES (:adcode, :name, :level, :parent, ST_GeomFromText(:wkt, 4326), 'demo', :synthetic)"
)
STATION = text(
    "INSERT INTO stations (source, external_id, name, kind, status, geom, synthetic) "
    "VALUES ('demo', :external_id, :name, :kind, 'open', "
    "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), true)"
)
OUTLET = text(
    "INSERT INTO outlets (source, external_id, name, kind, riders, geom, synthetic) "
    "VALUES ('demo', :external_id, :name, :kind, :riders, "
    "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), true)"
)


def multi_wkt(geom: BaseGeometry) -> str:
    return (MultiPolygon([geom]) if geom.geom_type == "Polygon" else geom).wkt


def load_demo_city(
    engine: Engine, adcode: str = "510100", seed: int = DEFAULT_SEED
) -> dict[str, Any]:
    """Insert one demo city's areas, stations and outlets; return their counts."""
    demo = build(seed)
    areas = next(a for a in demo.areas if a.city.adcode == adcode)
    key = areas.city.key
    rows = [areas.boundary, *areas.districts, *areas.streets, *areas.communities]
    stations = demo.points[key, "stations"]
    outlets = demo.points[key, "outlets"]
    with engine.begin() as connection:
        connection.execute(
            AREA,
            [
                {
                    "adcode": a.adcode,
                    "name": a.name,
                    "level": a.level,
                    "parent": a.parent_adcode if a is not areas.boundary else None,
                    "wkt": multi_wkt(a.geom),
                    "synthetic": a.synthetic,
                }
                for a in rows
            ],
        )
        connection.execute(
            STATION, stations[["external_id", "name", "kind", "lon", "lat"]].to_dict("records")
        )
        records = outlets[["external_id", "name", "kind", "riders", "lon", "lat"]].to_dict(
            "records"
        )
        connection.execute(OUTLET, [r | {"riders": int(r["riders"])} for r in records])
    return {
        "areas": len(rows),
        "stations": len(stations),
        "outlets": len(outlets),
        "riders": int(outlets["riders"].sum()),
    }
