"""Tiny factories that go through the real data layer."""

import itertools
from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy.orm import Session

from geo_api.models import Station

_serial = itertools.count(1)
DAY = 24 * 60


def daily(start_min: int, end_min: int) -> list[list[int]]:
    """Weekly intervals for the same hours every day; past midnight split at the day boundary."""
    intervals = []
    for day in range(7):
        if end_min > start_min:
            intervals.append([day * DAY + start_min, day * DAY + end_min])
        else:
            intervals.append([day * DAY + start_min, (day + 1) * DAY])
            following = (day + 1) % 7
            intervals.append([following * DAY, following * DAY + end_min])
    return sorted(intervals)


def make_station(
    session: Session, lon: float = 104.066, lat: float = 30.657, **overrides: Any
) -> Station:
    """Insert a station at WGS-84 ``lon, lat`` and return it."""
    number = next(_serial)
    values: dict[str, Any] = {
        "source": "test",
        "external_id": f"t{number}",
        "name": f"暖新驿站 {number}",
        "kind": "warm_station",
        "amenities": ["rest", "water"],
        "status": "open",
        "geom": from_shape(Point(lon, lat), srid=4326),
        "source_x": lon,
        "source_y": lat,
    }
    values.update(overrides)
    station = Station(**values)
    session.add(station)
    session.flush()
    return station
