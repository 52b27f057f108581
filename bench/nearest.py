"""``/stations/nearest`` through HTTP under load against the same KNN SQL issued directly.

200,000 stations (``WARMMAP_BENCH_SCALE`` scales them and the run time) over China, weighted to
cities. HTTP: ``warmmap serve --workers 2`` loaded by wrk with ``CONCURRENCY`` connections over
many random points. Baseline: the exact SQL the route runs (``geo_api.stations.nearest``), issued
through psycopg2 from ``CONCURRENCY`` threads, each with its own connection, for as long.
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg2

from bench.harness import running_server
from bench.nearest_data import bench_url, prepare, query_points
from geo_api.settings import get_settings
from geo_api.stations.nearest import NearestQuery, nearest_params, nearest_sql
from geo_api.vocab.hours import minute_of_week

SCALE = float(os.environ.get("WARMMAP_BENCH_SCALE", "1.0"))
STATIONS = max(1000, int(200_000 * SCALE))
DURATION_S = max(3, round(10 * min(SCALE, 1.0)))
CONCURRENCY = 16
K = 5
AT = "2026-11-23T22:40:00+08:00"  # the rider of the issue: 22:40 with 8 % battery
VARIANTS: dict[str, dict[str, Any]] = {
    "plain": {},
    "amenity=charging": {"amenity": "charging"},
    "open_now=true": {"open_now": "true", "at": AT},
}
LUA = Path(__file__).with_name("nearest.lua")


def _query(lon: float, lat: float, params: dict[str, Any]) -> NearestQuery:
    return NearestQuery(
        lon=lon,
        lat=lat,
        k=K,
        amenities=(params["amenity"],) if "amenity" in params else (),
        open_only="open_now" in params,
        minute_of_week=minute_of_week(
            datetime.fromisoformat(params.get("at", AT)), get_settings().timezone
        ),
    )


def _psycopg2_sql(sql: str) -> str:
    """SQLAlchemy's ``:name`` placeholders as psycopg2's ``%(name)s`` (not ``::casts``)."""
    return re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql)


def bare_sql(points: list[tuple[float, float]], params: dict[str, Any]) -> dict[str, Any]:
    """Run the route's SQL from CONCURRENCY threads for DURATION_S; return rate and latencies."""
    sql = _psycopg2_sql(nearest_sql(_query(*points[0], params)))
    latencies_ms: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + DURATION_S

    def worker(offset: int) -> None:
        connection = psycopg2.connect(bench_url())
        connection.autocommit = True
        cursor, mine, i = connection.cursor(), [], offset
        while time.monotonic() < deadline:
            query = _query(*points[i % len(points)], params)
            start = time.perf_counter()
            cursor.execute(sql, nearest_params(query, K + 16))
            cursor.fetchall()
            mine.append((time.perf_counter() - start) * 1000)
            i += 7
        connection.close()
        with lock:
            latencies_ms.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n * 101,)) for n in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies_ms)
    return {
        "requests": len(ordered),
        "per_s": round(len(ordered) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered), 3),
        "p99_ms": round(ordered[int(len(ordered) * 0.99)], 3),
    }


def wrk(
    base: str, points: list[tuple[float, float]], params: dict[str, Any], duration_s: int = 0
) -> dict[str, Any]:
    """Load ``base`` with wrk over every point; return rate and latencies."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as paths:
        for lon, lat in points:
            query = {"lon": lon, "lat": lat, "k": K, **params}
            paths.write(f"/stations/nearest?{urlencode(query)}\n")
    seconds = duration_s or DURATION_S
    command = ["wrk", "-t2", f"-c{CONCURRENCY}", f"-d{seconds}s", "--latency", "-s", str(LUA)]
    output = subprocess.run(
        [*command, base, "--", paths.name], capture_output=True, text=True, check=True
    ).stdout
    os.unlink(paths.name)
    found = json.loads(output.split("WRK_JSON", 1)[1].strip().splitlines()[0])
    elapsed_s = found["duration_us"] / 1e6
    return {
        "requests": found["requests"],
        "per_s": round(found["requests"] / elapsed_s, 1),
        "p50_ms": round(found["p50_us"] / 1000, 3),
        "p99_ms": round(found["p99_us"] / 1000, 3),
        "errors": found["socket_errors"] + found["non_2xx"],
    }


# A filter that excludes 99.9 % of the stations: the plan must still not scan the table.
SELECTIVE = {"amenity": ["legal_aid", "canteen", "parking"], "kind": "rider_center"}


def _nodes(plan: dict[str, Any]) -> list[str]:
    name = plan["Node Type"] + (f" on {plan['Index Name']}" if "Index Name" in plan else "")
    return [name] + [n for child in plan.get("Plans", []) for n in _nodes(child)]


def plans(points: list[tuple[float, float]]) -> dict[str, Any]:
    """EXPLAIN ANALYZE of each variant at one point: the plan's nodes and its time."""
    connection = psycopg2.connect(bench_url())
    cursor = connection.cursor()
    found = {}
    for name, params in {**VARIANTS, "selective kind+3 amenities": SELECTIVE}.items():
        query = _query(*points[0], params)
        if name.startswith("selective"):
            query = NearestQuery(
                lon=query.lon, lat=query.lat, k=K, amenities=tuple(SELECTIVE["amenity"]),
                kind=str(SELECTIVE["kind"]),
            )  # fmt: skip
        sql = "EXPLAIN (ANALYZE, FORMAT JSON) " + _psycopg2_sql(nearest_sql(query))
        cursor.execute(sql, nearest_params(query, K + 16))
        (explained,) = cursor.fetchone()
        nodes = _nodes(explained[0]["Plan"])
        found[name] = {
            "nodes": nodes,
            "seq_scan": any(n.startswith("Seq Scan") for n in nodes),
            "execution_ms": explained[0]["Execution Time"],
        }
    connection.close()
    return found


def warm_cache(points: list[tuple[float, float]]) -> None:
    """Touch every page the measured queries read, so neither side pays for a cold cache."""
    connection = psycopg2.connect(bench_url())
    cursor = connection.cursor()
    sql = _psycopg2_sql(nearest_sql(_query(*points[0], {})))
    for lon, lat in points:
        cursor.execute(sql, nearest_params(_query(lon, lat, {}), K + 16))
        cursor.fetchall()
    connection.close()


def run() -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing: `make bench` installs it (apt-get install wrk)")
    # Other jobs share the machine; their load is part of the story of the numbers.
    load_before = os.getloadavg()[0]
    data = prepare(STATIONS)
    points = query_points(5000)
    explained = plans(points)
    warm_cache(points)
    variants = {}
    with running_server(bench_url(), workers=2) as base:
        for name, params in VARIANTS.items():
            wrk(base, points[:500], params, duration_s=3)  # warm up the workers and their pools
            http = wrk(base, points, params)
            bare = bare_sql(points, params)
            variants[name] = {
                "http": http,
                "bare_sql": bare,
                "ratio_per_s": round(bare["per_s"] / http["per_s"], 2),
            }
    return {
        **data,
        "k": K,
        "concurrency": CONCURRENCY,
        "duration_s": DURATION_S,
        "server": "warmmap serve --workers 2",
        "load": "wrk -t2, many random points",
        "variants": variants,
        "plans": explained,
        "load_average_1m": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "goal": "ratio_per_s (bare SQL / HTTP) <= 2",
    }


def report(result: dict[str, Any]) -> str:
    lines = [f"nearest: {result['stations']} stations, k={result['k']}, "
             f"{result['concurrency']} concurrent, {result['duration_s']} s each"]  # fmt: skip
    for name, v in result["variants"].items():
        h, b = v["http"], v["bare_sql"]
        lines.append(
            f"  {name:17} HTTP {h['per_s']:8.1f}/s p50 {h['p50_ms']:.2f} p99 {h['p99_ms']:.2f} ms"
            f" | SQL {b['per_s']:8.1f}/s p50 {b['p50_ms']:.2f} p99 {b['p99_ms']:.2f} ms"
            f" | SQL/HTTP {v['ratio_per_s']}x"
        )
    for name, plan in result["plans"].items():
        lines.append(f"  plan {name}: {' > '.join(plan['nodes'])} ({plan['execution_ms']} ms)")
    return "\n".join(lines)
