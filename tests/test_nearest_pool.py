"""The service's own path to the nearest stations: the asyncpg pool, the re-rank in Python, and
the ASGI shortcut, on committed data in a database of their own (no test transaction here).

- The pool's answers equal a brute force over every station (pyproj's Geod) with every filter,
  also when the first candidates are too few and the search must widen.
- ``open_now`` evaluated in Python equals the SQL function ``warmmap_open_at``.
- The shortcut answers exactly what the documented route answers, byte for byte, and leaves
  what it is not sure about to the route.
"""

import asyncio
import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from geo_api import vocab
from geo_api.database import sqlalchemy_url
from geo_api.main import create_app
from geo_api.migrate import alembic_config
from geo_api.models import Station
from geo_api.nearest_shortcut import NearestShortcut, parse_request
from geo_api.read_pool import ReadPool
from geo_api.settings import Settings
from geo_api.stations import nearest
from geo_api.stations.nearest import NearestQuery, PoolCandidates, open_at, search_nearest
from tests.dbutil import create_database, drop_database
from tests.factories import make_station
from tests.test_nearest import CHENGDU, assert_same, brute_force, random_hours, random_points


@pytest.fixture(scope="module")
def committed() -> Iterator[tuple[Settings, list[Station]]]:
    """A database of its own with 300 committed stations over Chengdu."""
    from alembic import command

    url = create_database("warmmap_test_pool")
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(sqlalchemy_url(url))
    rng = random.Random(20261130)
    with Session(engine, expire_on_commit=False) as session:
        for _ in range(300):
            make_station(
                session,
                lon=rng.uniform(CHENGDU[0], CHENGDU[2]),
                lat=rng.uniform(CHENGDU[1], CHENGDU[3]),
                kind="rider_center" if rng.random() < 0.03 else rng.choice(vocab.STATION_KINDS[:4]),
                amenities=rng.sample(vocab.AMENITIES, rng.randint(0, 5)),
                status="open" if rng.random() < 0.9 else "closed",
                address=rng.choice([None, "锦江区 春熙路 1 号", "a, b; c:d|e"]),
                **random_hours(rng),
            )
        session.commit()
        stations = list(session.scalars(select(Station)).all())
    engine.dispose()
    yield Settings(database_url=url), stations
    drop_database(url)


def random_queries(rng: random.Random, n: int) -> list[NearestQuery]:
    return [
        NearestQuery(
            lon=lon,
            lat=lat,
            k=rng.choice([1, 5, 12, 50]),
            amenities=tuple(rng.sample(["charging", "water", "toilet", "wifi"], rng.randint(0, 2))),
            kind=rng.choice([None, None, "rider_center", "union_station"]),
            open_only=rng.random() < 0.4,
            minute_of_week=rng.randrange(7 * 24 * 60),
            max_distance_m=rng.choice([None, None, 800.0, 5000.0]),
        )
        for lon, lat in random_points(rng, n)
    ]


async def pool_searches(settings: Settings, queries: list[NearestQuery]) -> list:
    pool = ReadPool(settings)
    try:
        reader = PoolCandidates(pool)
        return [await search_nearest(reader, query) for query in queries]
    finally:
        await pool.close()


def pool_answers(settings: Settings, queries: list[NearestQuery]) -> list:
    """Run the searches on an event loop of their own, in a thread: the browser tests' Playwright
    keeps a loop running in the main thread, where ``asyncio.run`` refuses to start another."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, pool_searches(settings, queries)).result()


def test_the_pool_answers_like_brute_force(committed):
    settings, stations = committed
    queries = random_queries(random.Random(3), 60)
    for query, found in zip(queries, pool_answers(settings, queries), strict=True):
        assert_same(found, brute_force(stations, query))
        by_id = {s.id: s for s in stations}
        assert [s.open_now for s in found] == [
            open_at(by_id[s.id].hours, by_id[s.id].is_24h, query.minute_of_week) for s in found
        ]


def test_too_few_first_candidates_widen_and_stay_exact(committed, monkeypatch):
    settings, stations = committed
    monkeypatch.setattr(nearest, "FIRST_EXTRA_CANDIDATES", 0)  # the first query asks for k
    queries = [replace(q, max_distance_m=None) for q in random_queries(random.Random(4), 30)]
    for query, found in zip(queries, pool_answers(settings, queries), strict=True):
        assert_same(found, brute_force(stations, query))


def test_open_now_in_python_is_the_sql_function(committed):
    settings, stations = committed
    engine = create_engine(sqlalchemy_url(settings.database_url))
    minutes = [*random.Random(5).sample(range(7 * 24 * 60), 40), 0, 10079, 22 * 60, 2 * 60]
    sql = text(
        "SELECT s.id, m, warmmap_open_at(s.hours, s.is_24h, m) FROM stations AS s, "
        "unnest(CAST(:minutes AS int[])) AS m"
    )
    with engine.connect() as connection:
        rows = connection.execute(sql, {"minutes": minutes}).all()
    engine.dispose()
    by_id = {s.id: s for s in stations}
    assert len(rows) == len(stations) * len(minutes)
    for station_id, minute, in_sql in rows:
        assert open_at(by_id[station_id].hours, by_id[station_id].is_24h, minute) is in_sql


AT = "2026-11-23T22:40:00+08:00"


def random_requests(rng: random.Random, n: int) -> list[dict]:
    requests = []
    for lon, lat in random_points(rng, n):
        params: dict = {"lon": round(lon, 6), "lat": round(lat, 6)}
        if rng.random() < 0.5:
            params["k"] = rng.choice([1, 5, 12, 50])
        if rng.random() < 0.3:
            params["amenity"] = rng.sample(["charging", "充电", "water", "wifi"], rng.randint(1, 2))
        if rng.random() < 0.2:
            params["kind"] = rng.choice(["union_station", "骑手之家"])
        if rng.random() < 0.3:
            params["open_now"] = "true"
        if rng.random() < 0.2:
            params["max_distance_m"] = rng.choice([500, 2500.5])
        if rng.random() < 0.3:
            params["out_crs"] = rng.choice(["gcj02", "bd09"])
        requests.append(params)
    return requests


# Requests the shortcut leaves to the route, with the route's status: its answer or error.
LEFT_TO_THE_ROUTE = [
    ({"lon": "1.04e2", "lat": 30.66}, 200),
    ({"lon": 104.06, "lat": 30.66, "open_now": "1"}, 200),
    ({"lon": 104.06, "lat": 30.66, "k": 51}, 422),
    ({"lon": 104.06, "lat": 30.66, "k": 0}, 422),
    ({"lon": 104.06, "lat": 30.66, "amenity": "swimming"}, 422),
    ({"lon": 104.06, "lat": 30.66, "kind": ""}, 422),
    ({"lon": "inf", "lat": 30.66}, 422),
    ({"lon": 30.66, "lat": 104.06}, 422),
    ({"lon": 104.06, "lat": 30.66, "crs": "mars"}, 422),
    ({"lon": 104.06, "lat": 30.66, "max_distance_m": 0}, 422),
    ({"lon": 104.06, "lat": 30.66, "at": "tomorrow"}, 422),
    ({"lat": 30.66}, 422),
    ({"lon": 104.06, "lat": 30.66, "out_crs": "cgcs2000"}, 422),
]


def test_the_shortcut_answers_as_the_route_does(committed):
    settings, _ = committed
    with_shortcut = create_app(settings)
    route_only = create_app(settings)
    route_only.user_middleware = [
        m for m in route_only.user_middleware if m.cls is not NearestShortcut
    ]
    assert len(route_only.user_middleware) == len(with_shortcut.user_middleware) - 1
    requests = [(params, 200) for params in random_requests(random.Random(6), 60)]
    # the random requests are the shortcut's to answer, not left to the route
    assert all(parse_request(urlencode(p, doseq=True)) for p, _ in requests)
    with TestClient(with_shortcut) as fast, TestClient(route_only) as routed:
        for params, status in requests + LEFT_TO_THE_ROUTE:
            query_string = urlencode({"at": AT, **params}, doseq=True)
            path = "/stations/nearest?" + query_string
            a, b = fast.get(path), routed.get(path)
            assert (a.status_code, b.status_code, a.content) == (status, status, b.content), path
            assert a.headers["content-type"] == b.headers["content-type"]
            if status == 422:
                assert list(a.json()) == ["detail"], path
