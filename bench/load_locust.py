"""Locust users of the load scenario (``bench/load.py`` runs ``locust --headless -f`` on this).

It runs in locust's own virtual environment (bench/.venv-locust: gevent patches the process),
so it imports nothing of warmmap. What to ask comes from the JSON file named by
``WARMMAP_LOAD_PLAN``: the demo cities' extents, map layers, amenities, keys and case ids.
``WARMMAP_LOAD_RATE`` (requests per second per user, 0: none) paces the users for the run at
80 % of saturation; without it each user sends its next request as soon as it has an answer.

The mix, by task weight: 80 % nearest stations at random points of a random city (a random
amenity filter one time in four), 15 % vector tiles at z 10-15 in the cities, several layers,
5 % the rest: coverage gaps and communities, the case queue with a grid manager's key, one
case, and a few reports posted. ``Baseline`` users only ask ``/healthz``: the fixed cost of a
request, and what this client can drive on this machine.
"""

import json
import math
import os
import random
from itertools import count
from typing import Any

from locust import FastHttpUser, constant, constant_throughput, task

with open(os.environ["WARMMAP_LOAD_PLAN"], encoding="utf-8") as plan_file:
    PLAN: dict[str, Any] = json.load(plan_file)
RATE = float(os.environ.get("WARMMAP_LOAD_RATE", "0"))
SEEDS = count(int(os.environ.get("WARMMAP_LOAD_SEED", "2026")))


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The WebMercatorQuad tile at zoom ``z`` that holds ``lon, lat``."""
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return min(x, n - 1), min(y, n - 1)


class Rider(FastHttpUser):
    """One client of the mix; each has its own seeded random stream, so runs repeat."""

    wait_time = constant_throughput(RATE) if RATE > 0 else constant(0)

    def on_start(self) -> None:
        self.rng = random.Random(next(SEEDS))

    def point(self) -> tuple[str, float, float]:
        city = self.rng.choice(PLAN["cities"])
        west, south, east, north = city["bbox"]
        return city["adcode"], self.rng.uniform(west, east), self.rng.uniform(south, north)

    @task(800)
    def nearest(self) -> None:
        _, lon, lat = self.point()
        params: dict[str, Any] = {"lon": round(lon, 6), "lat": round(lat, 6), "k": 5}
        if self.rng.random() < 0.25:
            params["amenity"] = self.rng.choice(PLAN["amenities"])
        self.client.get("/stations/nearest", params=params, name="nearest")

    @task(150)
    def tile(self) -> None:
        _, lon, lat = self.point()
        z = self.rng.randint(10, 15)
        x, y = tile_of(lon, lat, z)
        layer = self.rng.choice(PLAN["layers"])
        self.client.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt", name="tile")

    @task(20)
    def gaps(self) -> None:
        city = self.rng.choice(PLAN["cities"])["adcode"]
        self.client.get("/coverage/gaps", params={"city": city, "limit": 200}, name="gaps")

    @task(10)
    def communities(self) -> None:
        city = self.rng.choice(PLAN["cities"])["adcode"]
        self.client.get("/coverage/communities", params={"city": city}, name="communities")

    @task(10)
    def case_queue(self) -> None:
        headers = {"X-API-Key": PLAN["manager_key"]}
        self.client.get("/cases", params={"limit": 50}, headers=headers, name="cases queue")

    @task(5)
    def case(self) -> None:
        headers = {"X-API-Key": PLAN["manager_key"]}
        case_id = self.rng.choice(PLAN["case_ids"])
        self.client.get(f"/cases/{case_id}", headers=headers, name="case")

    @task(5)
    def report(self) -> None:
        body = dict(self.rng.choice(PLAN["reports"]))
        self.client.post("/cases", json=body, name="report case")


class Baseline(FastHttpUser):
    """The baseline: ``GET /healthz`` only, as fast as answers come."""

    wait_time = constant(0)

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="healthz")
