"""A small synthetic city for the coverage and planning tests, built through the real models."""

from dataclasses import dataclass, field

import numpy as np
from shapely.geometry import MultiPolygon, Polygon, box
from sqlalchemy.orm import Session

from geo_api.models import AdminArea, Outlet, Station

CITY = "519900"
WEST, SOUTH, EAST, NORTH = 104.00, 30.60, 104.10, 30.68


@dataclass
class SmallCity:
    adcode: str
    areas: dict[str, tuple[str, Polygon]] = field(default_factory=dict)
    stations: list[Station] = field(default_factory=list)
    outlets: list[Outlet] = field(default_factory=list)


def multipolygon(polygon: Polygon) -> str:
    return "SRID=4326;" + MultiPolygon([polygon]).wkt


def make_area(session: Session, adcode: str, level: str, polygon: Polygon, parent: str | None):
    session.add(
        AdminArea(
            adcode=adcode,
            name=f"{level} {adcode}",
            level=level,
            parent_adcode=parent,
            geom=multipolygon(polygon),
            source="test",
            synthetic=True,
        )
    )
    session.flush()


def _add(session: Session, model, prefix: str, lon: float, lat: float, values: dict):
    n = session.info.setdefault(f"{prefix}_seq", [0])
    n[0] += 1
    row = model(
        **{
            "source": "test",
            "external_id": f"{prefix}{n[0]}",
            "name": f"{model.__name__.lower()} {n[0]}",
            "geom": f"SRID=4326;POINT({lon} {lat})",
        }
        | values
    )
    session.add(row)
    session.flush()
    return row


def make_station(session: Session, lon: float, lat: float, **overrides) -> Station:
    values = {"kind": "warm_station", "status": "open"} | overrides
    return _add(session, Station, "s", lon, lat, values)


def make_outlet(session: Session, lon: float, lat: float, riders: int, **overrides) -> Outlet:
    values = {"kind": "express", "riders": riders} | overrides
    return _add(session, Outlet, "o", lon, lat, values)


def build_city(
    session: Session, seed: int = 7, n_stations: int = 4, n_outlets: int = 40
) -> SmallCity:
    """A 10 km by 9 km city: two streets, four communities and one community of 60 m."""
    rng = np.random.default_rng(seed)
    city = SmallCity(CITY)
    mid_lon, mid_lat = (WEST + EAST) / 2, (SOUTH + NORTH) / 2
    make_area(session, CITY, "city", box(WEST, SOUTH, EAST, NORTH), None)
    streets = {
        "519900001": box(WEST, SOUTH, mid_lon, NORTH),
        "519900002": box(mid_lon, SOUTH, EAST, NORTH),
    }
    for code, polygon in streets.items():
        make_area(session, code, "street", polygon, CITY)
        city.areas[code] = ("street", polygon)
    communities = {
        "519900001001": box(WEST, SOUTH, mid_lon, mid_lat),
        "519900001002": box(WEST, mid_lat, mid_lon, NORTH),
        "519900002001": box(mid_lon, SOUTH, EAST, mid_lat),
        "519900002002": box(mid_lon, mid_lat, EAST, NORTH),
        # Far smaller than an H3 cell at res 9: it must still get one.
        "519900002003": box(104.0801, 30.6201, 104.0807, 30.6206),
    }
    for code, polygon in communities.items():
        make_area(session, code, "community", polygon, code[:9])
        city.areas[code] = ("community", polygon)
    for _ in range(n_stations):
        lon, lat = rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH)
        city.stations.append(make_station(session, lon, lat))
    city.stations.append(make_station(session, mid_lon, mid_lat, status="closed"))
    for _ in range(n_outlets):
        lon, lat = (
            rng.uniform(WEST + 0.001, EAST - 0.001),
            rng.uniform(SOUTH + 0.001, NORTH - 0.001),
        )
        city.outlets.append(make_outlet(session, lon, lat, int(rng.integers(0, 30))))
    return city
