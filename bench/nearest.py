"""``/stations/nearest`` through HTTP against the plain KNN a DBA would write, and against tipg.

200,000 stations (``WARMMAP_BENCH_SCALE`` scales them and the run time) over China, weighted to
cities; riders ask from random points of Chengdu. C load generators on every side, 16
connections each, measured in the same run (``ROUNDS`` rounds, sides alternating):

- ``knn``: pgbench (``-M prepared``) running ``SELECT id, name, geom FROM stations ORDER BY
  geom::geography <-> p LIMIT 5`` for a random Chengdu point: the baseline (goal: HTTP within 2x).
- ``candidates``: pgbench running warmmap's own candidate query (``nearest_sql``), to show what
  of the time is the database's.
- ``warmmap``: wrk against ``warmmap serve --workers 2`` (granian) over the same points, plain
  and with filters; and plain with ``--server uvicorn`` (uvloop, httptools), to show the server's
  share.
- ``floor``: wrk against ``bench.nearest_floor``, a bare ASGI callable served as warmmap is
  (granian, two workers, uvloop) answering the plain KNN's rows from an asyncpg pool as GeoJSON:
  the least any Python server on this stack can do, so ``knn / floor`` is the price of HTTP and
  Python on this machine and ``floor / warmmap`` what warmmap itself adds.
- ``tipg``: wrk against tipg 1.6.1 (``bench/.venv-tipg``, two uvicorn workers) publishing the
  plain KNN as a function collection (``tipg_nearest.nearest(lon, lat, k)``) on the same
  database.
"""

import json
import os
import shutil
import statistics
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np
import psycopg2
import psycopg2.extras

from bench.harness import TIPG_PYTHON, floor_server, running_server, tipg_server
from bench.nearest_data import bench_url, prepare
from geo_api.settings import get_settings
from geo_api.stations.nearest import (
    NearestQuery,
    first_limit,
    nearest_params,
    nearest_sql,
    positional,
    rerank,
)
from geo_api.vocab.hours import minute_of_week

SCALE = float(os.environ.get("WARMMAP_BENCH_SCALE", "1.0"))
STATIONS = max(1000, int(200_000 * SCALE))
DURATION_S = max(3, round(10 * min(SCALE, 1.0)))
ROUNDS = 2
CONCURRENCY = 16
K = 5
SEED = 20261130
CHENGDU = (103.90, 30.50, 104.25, 30.80)  # lon/lat box of the riders' points
AT = "2026-11-23T22:40:00+08:00"  # the rider of the issue: 22:40 with 8 % battery
VARIANTS: dict[str, dict[str, Any]] = {
    "plain": {},
    "amenity=charging": {"amenity": "charging"},
    "open_now=true": {"open_now": "true", "at": AT},
}
LUA = Path(__file__).with_name("nearest.lua")
KNN_SQL = (
    "SELECT id, name, geom FROM stations ORDER BY geom::geography <-> "
    "ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326)::geography LIMIT 5"
)
TIPG_FUNCTION = """
CREATE SCHEMA IF NOT EXISTS tipg_nearest;
CREATE OR REPLACE FUNCTION tipg_nearest.nearest(
    lon double precision DEFAULT 104.0657, lat double precision DEFAULT 30.6595,
    k integer DEFAULT 5
) RETURNS TABLE (id bigint, name text, geom geometry(Point, 4326))
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT s.id, s.name, s.geom FROM public.stations AS s
    ORDER BY s.geom::geography <-> ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography
    LIMIT k
$$;
"""


def chengdu_points(n: int) -> list[tuple[float, float]]:
    """Random points of Chengdu, uniform in its box."""
    rng = np.random.default_rng(SEED)
    lon = rng.uniform(CHENGDU[0], CHENGDU[2], n)
    lat = rng.uniform(CHENGDU[1], CHENGDU[3], n)
    return [(round(float(x), 6), round(float(y), 6)) for x, y in zip(lon, lat, strict=True)]


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


def _pgbench_point() -> list[str]:
    (west, south, east, north) = CHENGDU
    return [
        f"\\set lon {west} + random(0, 1000000) * {(east - west) / 1e6:.10f}",
        f"\\set lat {south} + random(0, 1000000) * {(north - south) / 1e6:.10f}",
    ]


def _candidates_script() -> str:
    """Warmmap's candidate query (no filter) for pgbench, with a random point."""
    sql, names = positional(nearest_sql(_query(0, 0, {})))
    values = {**nearest_params(_query(0, 0, {}), first_limit(K)), "lon": ":lon", "lat": ":lat"}
    for number, name in reversed(list(enumerate(names, start=1))):
        sql = sql.replace(f"${number}", str(values[name]))
    return "\n".join([*_pgbench_point(), " ".join(sql.split()) + ";"])


def pgbench(script: str, url: str) -> dict[str, Any]:
    """Run ``script`` with pgbench, CONCURRENCY clients, prepared statements; rate and latency."""
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as file:
        file.write(script + "\n")
    command = ["pgbench", "-n", "-M", "prepared", "-c", str(CONCURRENCY), "-j", "2",
               "-T", str(DURATION_S), "-f", file.name, url]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(file.name)
    found = dict(line.split(" = ", 1) for line in output.splitlines() if " = " in line)
    return {
        "per_s": round(float(found["tps"].split()[0]), 1),
        "latency_avg_ms": round(float(found["latency average"].split()[0]), 3),
    }


def wrk(base: str, paths: list[str], duration_s: int = 0) -> dict[str, Any]:
    """Load ``base`` with wrk cycling through ``paths``; return rate and latencies."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as file:
        file.write("\n".join(paths) + "\n")
    seconds = duration_s or DURATION_S
    command = ["wrk", "-t2", f"-c{CONCURRENCY}", f"-d{seconds}s", "--latency", "-s", str(LUA)]
    output = subprocess.run(
        [*command, base, "--", file.name], capture_output=True, text=True, check=True
    ).stdout
    os.unlink(file.name)
    found = json.loads(output.split("WRK_JSON", 1)[1].strip().splitlines()[0])
    elapsed_s = found["duration_us"] / 1e6
    return {
        "requests": found["requests"],
        "per_s": round(found["requests"] / elapsed_s, 1),
        "p50_ms": round(found["p50_us"] / 1000, 3),
        "p99_ms": round(found["p99_us"] / 1000, 3),
        "errors": found["socket_errors"] + found["non_2xx"],
    }


def warmmap_paths(points: list[tuple[float, float]], params: dict[str, Any]) -> list[str]:
    return [
        f"/stations/nearest?{urlencode({'lon': x, 'lat': y, 'k': K, **params})}" for x, y in points
    ]


def floor_paths(points: list[tuple[float, float]]) -> list[str]:
    return [f"/?{urlencode({'lon': x, 'lat': y})}" for x, y in points]


def tipg_paths(points: list[tuple[float, float]]) -> list[str]:
    return [
        f"/collections/tipg_nearest.nearest/items?{urlencode({'lon': x, 'lat': y, 'k': K})}"
        for x, y in points
    ]


def tipg_env(url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "TIPG_DB_SCHEMAS": '["tipg_nearest"]',
        "TIPG_DB_MAX_CONN_SIZE": "10",
    }


def second_queries(points: list[tuple[float, float]]) -> dict[str, float]:
    """Share of requests whose first candidates were not enough (a second, wider query)."""
    connection = psycopg2.connect(bench_url())
    cursor = connection.cursor(cursor_factory=psycopg2.extras.RealDictCursor)
    shares = {}
    for name, params in VARIANTS.items():
        widened = 0
        for lon, lat in points:
            query = _query(lon, lat, params)
            limit = first_limit(K)
            cursor.execute(_psycopg2_sql(nearest_sql(query)), nearest_params(query, limit))
            widened += rerank(cursor.fetchall(), query, limit) is None
        shares[name] = round(widened / len(points), 4)
    connection.close()
    return shares


def _psycopg2_sql(sql: str) -> str:
    sql, names = positional(sql)
    for number, name in reversed(list(enumerate(names, start=1))):
        sql = sql.replace(f"${number}", f"%({name})s")
    return sql


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
        cursor.execute(sql, nearest_params(query, first_limit(K)))
        (explained,) = cursor.fetchone()
        nodes = _nodes(explained[0]["Plan"])
        found[name] = {
            "nodes": nodes,
            "seq_scan": any(n.startswith("Seq Scan") for n in nodes),
            "execution_ms": explained[0]["Execution Time"],
        }
    connection.close()
    return found


def prepare_tipg(url: str) -> None:
    connection = psycopg2.connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(TIPG_FUNCTION)
    connection.close()


def warm_cache(url: str, points: list[tuple[float, float]]) -> None:
    """Touch every page the measured queries read, so no side pays for a cold cache."""
    connection = psycopg2.connect(url)
    cursor = connection.cursor()
    for lon, lat in points:
        cursor.execute(KNN_SQL.format(lon=lon, lat=lat).replace("LIMIT 5", "LIMIT 40"))
    connection.close()


def _mean(runs: list[dict[str, Any]], key: str = "per_s") -> float:
    return round(statistics.mean(r[key] for r in runs), 1)


def run() -> dict[str, Any]:
    if shutil.which("wrk") is None or shutil.which("pgbench") is None:
        raise RuntimeError("wrk or pgbench is missing: `make bench` installs wrk")
    if not TIPG_PYTHON.exists():
        raise RuntimeError("tipg's venv is missing: `make bench` creates bench/.venv-tipg")
    load_before = os.getloadavg()[0]
    data = prepare(STATIONS)
    url = bench_url()
    prepare_tipg(url)
    points = chengdu_points(5000)
    explained = plans(points)
    widened = second_queries(points[:1000])
    warm_cache(url, points)
    knn_script = "\n".join([*_pgbench_point(), KNN_SQL.format(lon=":lon", lat=":lat") + ";"])
    runs: dict[str, list[dict[str, Any]]] = {"knn": [], "candidates": [], "floor": [], "tipg": []}
    runs |= {f"warmmap {name}": [] for name in VARIANTS} | {"warmmap plain, uvicorn": []}
    for _ in range(ROUNDS):
        runs["knn"].append(pgbench(knn_script, url))
        runs["candidates"].append(pgbench(_candidates_script(), url))
        with floor_server(url) as base:
            paths = floor_paths(points)
            wrk(base, paths[:500], duration_s=2)
            runs["floor"].append(wrk(base, paths))
        with running_server(url, workers=2) as base:
            for name, params in VARIANTS.items():
                paths = warmmap_paths(points, params)
                wrk(base, paths[:500], duration_s=2)  # warm up the workers and their pools
                runs[f"warmmap {name}"].append(wrk(base, paths))
        with running_server(url, workers=2, args=("--server", "uvicorn")) as base:
            paths = warmmap_paths(points, {})
            wrk(base, paths[:500], duration_s=2)
            runs["warmmap plain, uvicorn"].append(wrk(base, paths))
        with tipg_server(tipg_env(url)) as base:
            wrk(base, tipg_paths(points[:500]), duration_s=2)
            runs["tipg"].append(wrk(base, tipg_paths(points)))
    knn, ours, tipg = _mean(runs["knn"]), _mean(runs["warmmap plain"]), _mean(runs["tipg"])
    floor = _mean(runs["floor"])
    return {
        **data,
        "k": K,
        "points": "5,000 random points of Chengdu " + str(CHENGDU),
        "concurrency": CONCURRENCY,
        "duration_s": DURATION_S,
        "rounds": ROUNDS,
        "server": "warmmap serve --workers 2",
        "tipg": "tipg 1.6.1, uvicorn --workers 2, function collection tipg_nearest.nearest",
        "knn_sql": KNN_SQL,
        "runs": runs,
        "per_s": {name: _mean(r) for name, r in runs.items()},
        "knn_over_warmmap": round(knn / ours, 2),
        "knn_over_floor": round(knn / floor, 2),
        "floor_over_warmmap": round(floor / ours, 2),
        "warmmap_over_tipg": round(ours / tipg, 2),
        "second_query_share": widened,
        "plans": explained,
        "load_average_1m": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "goal": "knn_over_warmmap <= 2 (HTTP within 2x the plain KNN); warmmap_over_tipg > 1",
    }


def report(result: dict[str, Any]) -> str:
    lines = [
        f"nearest: {result['stations']} stations, k={result['k']}, {result['concurrency']} "
        f"connections, {result['duration_s']} s x {result['rounds']} rounds"
    ]
    for name, runs in result["runs"].items():
        rates = ", ".join(f"{r['per_s']:.0f}" for r in runs)
        tail = f" p99 {runs[-1]['p99_ms']:.2f} ms" if "p99_ms" in runs[-1] else ""
        lines.append(f"  {name:26} {result['per_s'][name]:8.1f}/s  ({rates}){tail}")
    lines.append(
        f"  plain KNN / warmmap {result['knn_over_warmmap']}x (goal <= 2); "
        f"warmmap / tipg {result['warmmap_over_tipg']}x; "
        f"plain KNN / floor {result['knn_over_floor']}x, floor / warmmap "
        f"{result['floor_over_warmmap']}x; "
        f"second queries {result['second_query_share']}"
    )
    for name, plan in result["plans"].items():
        lines.append(f"  plan {name}: {' > '.join(plan['nodes'])} ({plan['execution_ms']} ms)")
    return "\n".join(lines)
