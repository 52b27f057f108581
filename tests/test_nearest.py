"""GET /stations/nearest against a brute force over every station (pyproj's Geod)."""

import random

import numpy as np
import pytest
from pyproj import Geod
from sqlalchemy import select

from geo_api import vocab
from geo_api.models import Station
from geo_api.stations.nearest import NearestQuery, nearest_stations
from tests.factories import daily, make_station

GEOD = Geod(ellps="WGS84")
CHENGDU = (103.95, 30.55, 104.20, 30.78)  # lon/lat box of the generated stations
MONDAY_NOON = 12 * 60


def random_hours(rng: random.Random) -> dict:
    choice = rng.random()
    if choice < 0.2:
        return {"hours": None, "is_24h": False}
    if choice < 0.3:
        return {"hours": None, "is_24h": True}
    if choice < 0.5:
        return {"hours": daily(22 * 60, 2 * 60), "is_24h": False}
    return {"hours": daily(9 * 60, 18 * 60), "is_24h": False}


@pytest.fixture
def city(session):
    """A few hundred stations spread over Chengdu, a few closed, kinds and amenities at random."""
    rng = random.Random(20261123)
    for _ in range(400):
        make_station(
            session,
            lon=rng.uniform(CHENGDU[0], CHENGDU[2]),
            lat=rng.uniform(CHENGDU[1], CHENGDU[3]),
            # rider_center is rare: a filter that excludes almost every station
            kind="rider_center" if rng.random() < 0.03 else rng.choice(vocab.STATION_KINDS[:4]),
            amenities=rng.sample(vocab.AMENITIES, rng.randint(0, 5)),
            status="open" if rng.random() < 0.9 else rng.choice(["closed", "suspended"]),
            **random_hours(rng),
        )
    return session.scalars(select(Station)).all()


def open_at(station: Station, minute: int) -> bool | None:
    if station.is_24h:
        return True
    if station.hours is None:
        return None
    return any(start <= minute < end for start, end in station.hours)


def brute_force(stations, query: NearestQuery) -> list[tuple[int, float]]:
    matching = [
        s
        for s in stations
        if s.status == "open"
        and (query.kind is None or s.kind == query.kind)
        and set(query.amenities) <= set(s.amenities)
        and (not query.open_only or open_at(s, query.minute_of_week) is True)
    ]
    if not matching:
        return []
    lons = np.array([s.source_x for s in matching])
    lats = np.array([s.source_y for s in matching])
    _, _, distances = GEOD.inv(
        np.full_like(lons, query.lon), np.full_like(lats, query.lat), lons, lats
    )
    ranked = sorted(zip(distances, [s.id for s in matching], strict=True))
    if query.max_distance_m is not None:
        ranked = [(d, i) for d, i in ranked if d <= query.max_distance_m]
    return [(i, d) for d, i in ranked[: query.k]]


def assert_same(found, expected):
    assert [s.id for s in found] == [i for i, _ in expected]
    for station, (_, distance_m) in zip(found, expected, strict=True):
        assert station.distance_m == pytest.approx(distance_m, abs=0.01)


def random_points(rng: random.Random, n: int):
    """Points inside the city, along its edges and well outside it."""
    for _ in range(n):
        where = rng.random()
        if where < 0.5:
            yield rng.uniform(CHENGDU[0], CHENGDU[2]), rng.uniform(CHENGDU[1], CHENGDU[3])
        elif where < 0.85:
            edge = rng.choice([CHENGDU[0], CHENGDU[2]])
            yield edge + rng.uniform(-0.02, 0.02), rng.uniform(CHENGDU[1], CHENGDU[3])
        else:
            yield rng.uniform(100, 110), rng.uniform(25, 35)


def test_plain_query_matches_brute_force(session, city):
    rng = random.Random(1)
    for lon, lat in random_points(rng, 40):
        query = NearestQuery(lon=lon, lat=lat, k=rng.choice([1, 5, 12, 50]))
        assert_same(nearest_stations(session, query), brute_force(city, query))


def test_filters_match_brute_force(session, city):
    rng = random.Random(2)
    for lon, lat in random_points(rng, 60):
        query = NearestQuery(
            lon=lon,
            lat=lat,
            k=rng.choice([1, 5, 10]),
            amenities=tuple(rng.sample(["charging", "water", "toilet", "wifi"], rng.randint(0, 2))),
            kind=rng.choice([None, None, "rider_center", "union_station"]),
            open_only=rng.random() < 0.5,
            minute_of_week=rng.randrange(7 * 24 * 60),
            max_distance_m=rng.choice([None, 800.0, 5000.0]),
        )
        assert_same(nearest_stations(session, query), brute_force(city, query))


def test_filters_that_exclude_most_stations_still_return_k(session, city):
    rare = [s for s in city if s.kind == "rider_center" and s.status == "open"]
    assert 3 <= len(rare) < 30
    query = NearestQuery(lon=104.07, lat=30.66, k=3, kind="rider_center")
    found = nearest_stations(session, query)
    assert len(found) == 3
    assert_same(found, brute_force(city, query))


def test_closed_and_suspended_stations_are_never_returned(session, city):
    query = NearestQuery(lon=104.07, lat=30.66, k=50)
    statuses = {s.id: s.status for s in city}
    assert {statuses[s.id] for s in nearest_stations(session, query)} == {"open"}


def test_max_distance_bounds_the_answer(session):
    make_station(session, lon=104.0, lat=30.0)
    far = make_station(session, lon=104.1, lat=30.0)
    query = NearestQuery(lon=104.0, lat=30.0001, k=5, max_distance_m=5000)
    assert [s.id for s in nearest_stations(session, query)] != [] and far.id not in {
        s.id for s in nearest_stations(session, query)
    }


def test_sphere_and_spheroid_disagree_and_the_spheroid_wins(session):
    # Near 30°N a degree of latitude is shorter on the spheroid than on the mean sphere, and a
    # degree of longitude longer: a station due east that the sphere ranks first is farther
    # on the spheroid than the one due north.
    lon, lat = 104.0, 30.0
    north_lat = lat + 0.01
    east_lon = lon + float(0.999 * 0.01 / np.cos(np.radians(lat)))
    north = make_station(session, lon=lon, lat=north_lat)
    east = make_station(session, lon=east_lon, lat=lat)
    sphere = Geod(a=6371008.8, b=6371008.8)
    assert sphere.inv(lon, lat, east_lon, lat)[2] < sphere.inv(lon, lat, lon, north_lat)[2]
    assert GEOD.inv(lon, lat, lon, north_lat)[2] < GEOD.inv(lon, lat, east_lon, lat)[2]
    found = nearest_stations(session, NearestQuery(lon=lon, lat=lat, k=1))
    assert [s.id for s in found] == [north.id]
    assert [s.id for s in nearest_stations(session, NearestQuery(lon=lon, lat=lat, k=2))] == [
        north.id,
        east.id,
    ]


def test_a_ring_of_equidistant_stations_forces_widening_and_stays_exact(session):
    # 80 stations on a 1 km circle: the sphere ranks them by direction differently from the
    # spheroid, so the first candidates are not the answer and the query must widen.
    lon, lat = 104.0, 30.0
    azimuths = np.linspace(0, 360, 80, endpoint=False)
    ends_lon, ends_lat, _ = GEOD.fwd(
        np.full(80, lon), np.full(80, lat), azimuths, np.full(80, 1000.0)
    )
    stations = [
        make_station(session, lon=float(x), lat=float(y) + 0.0000001 * i)
        for i, (x, y) in enumerate(zip(ends_lon, ends_lat, strict=True))
    ]
    query = NearestQuery(lon=lon, lat=lat, k=3)
    assert_same(nearest_stations(session, query), brute_force(stations, query))
