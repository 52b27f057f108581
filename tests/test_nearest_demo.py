"""/stations/nearest on the demo dataset, loaded through the ETL, served without overrides."""

import random
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pyproj import Geod
from sqlalchemy import text

from geo_api.coords import wgs84_to_gcj02
from geo_api.main import create_app
from geo_api.settings import DEFAULT_TIMEZONE, Settings
from geo_api.stations.inputs import parse_at
from geo_api.vocab.hours import minute_of_week

GEOD = Geod(ellps="WGS84")
AT = "2026-11-23T22:40:00+08:00"


@pytest.fixture(scope="module")
def demo_client(demo_database_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=demo_database_url))
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def demo_stations(demo_engine) -> list[dict]:
    sql = text(
        "SELECT id, amenities, hours, is_24h, ST_X(geom) AS lon, ST_Y(geom) AS lat "
        "FROM stations WHERE status = 'open'"
    )
    with demo_engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(sql)]


def expected(stations, lon, lat, k, amenity, minute):
    def open_now(s):
        if s["is_24h"] or s["hours"] is None:
            return s["is_24h"] or None
        return any(start <= minute < end for start, end in s["hours"])

    matching = [s for s in stations if (amenity is None or amenity in s["amenities"])
                and (minute is None or open_now(s) is True)]  # fmt: skip
    lons = np.array([s["lon"] for s in matching])
    lats = np.array([s["lat"] for s in matching])
    _, _, d = GEOD.inv(np.full_like(lons, lon), np.full_like(lats, lat), lons, lats)
    order = np.argsort(d, kind="stable")[:k]
    return [matching[i]["id"] for i in order], [float(d[i]) for i in order]


def test_demo_answers_match_a_brute_force_over_the_loaded_stations(demo_client, demo_stations):
    assert len(demo_stations) > 400
    rng = random.Random(5)
    minute = minute_of_week(parse_at(AT), DEFAULT_TIMEZONE)
    for _ in range(25):
        station = rng.choice(demo_stations)
        lon, lat = (
            station["lon"] + rng.uniform(-0.05, 0.05),
            station["lat"] + rng.uniform(-0.05, 0.05),
        )
        gcj_lon, gcj_lat = (float(v) for v in wgs84_to_gcj02(lon, lat))
        amenity = rng.choice([None, "charging", "toilet"])
        open_only = rng.random() < 0.5
        params = {"lon": gcj_lon, "lat": gcj_lat, "crs": "gcj02", "k": 5, "at": AT}
        if amenity:
            params["amenity"] = amenity
        if open_only:
            params["open_now"] = "true"
        response = demo_client.get("/stations/nearest", params=params)
        assert response.status_code == 200, response.text
        features = response.json()["features"]
        ids, distances = expected(
            demo_stations, lon, lat, 5, amenity, minute if open_only else None
        )
        assert [f["id"] for f in features] == ids
        for feature, distance_m in zip(features, distances, strict=True):
            assert feature["properties"]["distance_m"] == pytest.approx(distance_m, abs=0.05)
            if open_only:
                assert feature["properties"]["open_now"] is True
