"""A realistic mix under load: saturation throughput, then p50/p99 and errors at 80 % of it.

``warmmap serve`` runs as in production: ``WORKERS`` worker processes, each engine's pool sized
so that all of them together stay within a share of the server's ``max_connections``, on the
demo dataset (``warmmap demo --no-serve`` into the database ``warmmap_bench_load``, once). The
load comes from locust (headless, ``bench/load_locust.py``, in its own virtual environment
``bench/.venv-locust`` that ``make bench`` installs): 80 % nearest stations at random points of
Chengdu, Pudong and Yichun, 15 % vector tiles at z 10-15 of several layers, 5 % coverage gaps
and communities and riders' cases (the queue and one case with a grid manager's key, a few
reports posted). Riders report from many addresses; here one client sends every report, so
the hourly report limit is raised out of the way (it is still checked on every report).

1. Saturation: closed-loop users (each sends its next request when it has an answer), stepped
   up until two steps in a row add less than 5 % to the best throughput, or a request fails.
2. At 80 % of that throughput, paced (locust's ``constant_throughput``) with four times the
   users of the saturating step, so that a slow answer (a city's gaps, up to 0.8 s) does not
   hold a user back and lower the offered load: p50, p99 and errors.

Baseline, in the same run: locust users asking only ``GET /healthz`` (the fixed cost of a
request through the same server and client), at the saturating step's number of users.

``WARMMAP_BENCH_SCALE`` (default 1) scales each step's duration: 0.1 runs in about a minute.
"""

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import psycopg2
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bench.cases_data import request_bodies
from bench.harness import bench_database, running_server
from geo_api.auth import create_key
from geo_api.database import sqlalchemy_url
from geo_api.vocab.amenities import AMENITIES

SCALE = float(os.environ.get("WARMMAP_BENCH_SCALE", "1.0"))
STEP_S = max(5, round(20 * min(SCALE, 1.0)))
STEADY_S = max(10, round(60 * min(SCALE, 1.0)))
USERS = (4, 8, 16, 32, 64, 128) if SCALE >= 0.5 else (4, 16, 64)
RAMP_S = 3  # users start over this many seconds, not in one burst
RISE = 1.05  # a step saturates when it does not add 5 % to the best throughput so far
WORKERS = max(2, os.cpu_count() or 2)
CONNECTION_SHARE = 0.5  # of max_connections; other clients (psql, loads, refreshes) need some
BENCH_DB = "warmmap_bench_load"
CITIES = ("510100", "310115", "230700")  # Chengdu, Pudong (a district), Yichun
LAYERS = ("stations", "outlets", "communities", "gaps")
LOCUST = Path(__file__).parent / ".venv-locust" / "bin" / "locust"
LOCUSTFILE = Path(__file__).with_name("load_locust.py")


def prepare() -> str:
    """Return the URL of the bench database, the demo installed by ``warmmap demo`` once."""
    url = bench_database(BENCH_DB)
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM coverage_cells")
        (cells,) = cursor.fetchone()
    if not cells:
        with tempfile.TemporaryDirectory() as folder:
            env = os.environ | {"WARMMAP_DATABASE_URL": url}
            command = [sys.executable, "-m", "warmmap_cli", "demo", "--no-serve", "--out", folder]
            subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return url


def pool_size(url: str) -> int:
    """Connections per engine: two engines a worker, each up to twice its pool (overflow)."""
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        (max_connections,) = cursor.fetchone()
    return max(2, int(int(max_connections) * CONNECTION_SHARE) // (WORKERS * 2 * 2))


def load_plan(url: str) -> dict[str, Any]:
    """What the users ask: city extents, layers, amenities, a grid manager's key, cases."""
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cities = []
        for adcode in CITIES:
            cursor.execute(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                "(SELECT ST_Extent(geom) AS e FROM admin_areas WHERE adcode = %s) AS x",
                (adcode,),
            )
            cities.append({"adcode": adcode, "bbox": list(cursor.fetchone())})
        cursor.execute(
            "SELECT id FROM cases WHERE district_adcode LIKE '5101%%' ORDER BY id LIMIT 500"
        )
        case_ids = [row[0] for row in cursor.fetchall()]
    engine = create_engine(sqlalchemy_url(url))
    with Session(engine) as session, session.begin():
        key = create_key(session, "bench load", "grid_manager", ["510100"])
    engine.dispose()
    return {
        "cities": cities,
        "layers": list(LAYERS),
        "amenities": list(AMENITIES),
        "manager_key": key,
        "case_ids": case_ids,
        "reports": request_bodies(url, 200),
    }


def _number(value: str) -> float:
    return float(value) if value not in ("", "N/A") else 0.0


def locust(
    base: str, plan_path: str, users: int, seconds: int, rate: float = 0, user_class: str = "Rider"
) -> dict[str, Any]:
    """Run locust headless: ``users`` (each paced at ``rate`` per second if given) started
    over ``RAMP_S``, then measured for ``seconds`` (the counts restart once all have started).
    """
    with tempfile.TemporaryDirectory() as folder:
        prefix = f"{folder}/run"
        spawn_rate = max(1.0, users / RAMP_S)
        command = [
            str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "--host", base, "-u", str(users),
            "-r", f"{spawn_rate:g}", "-t", f"{seconds + RAMP_S}s", "--reset-stats",
            "--csv", prefix, "--only-summary", "--loglevel", "WARNING",
            "--exit-code-on-error", "0", "--stop-timeout", "10", user_class,
        ]  # fmt: skip
        env = os.environ | {"WARMMAP_LOAD_PLAN": plan_path, "WARMMAP_LOAD_RATE": str(rate)}
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)
        with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
            rows = {row["Name"]: row for row in csv.DictReader(f)}
        with open(f"{prefix}_failures.csv", encoding="utf-8") as f:
            failures = [f"{r['Occurrences']}x {r['Name']}: {r['Error']}" for r in csv.DictReader(f)]

    def figures(row: dict[str, str]) -> dict[str, Any]:
        return {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "per_s": round(_number(row["Requests/s"]), 1),
            "p50_ms": _number(row["50%"]),
            "p99_ms": _number(row["99%"]),
        }

    total = rows.pop("Aggregated")
    return {
        "users": users,
        **figures(total),
        "by_request": {name: figures(row) for name, row in sorted(rows.items())},
        "failure_kinds": failures[:10],
    }


def saturation(base: str, plan_path: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Step the closed-loop users up until throughput stops rising or requests fail."""
    steps: list[dict[str, Any]] = []
    best: dict[str, Any] | None = None
    flat = 0  # steps in a row that did not rise: two, since other jobs on the machine add noise
    for users in USERS:
        step = locust(base, plan_path, users, STEP_S)
        steps.append(step)
        flat = 0 if best is None or step["per_s"] >= RISE * best["per_s"] else flat + 1
        if best is None or step["per_s"] > best["per_s"]:
            best = step
        if step["failures"] or flat == 2:
            break
    assert best is not None
    return steps, best


def run() -> dict[str, Any]:
    if not LOCUST.exists():
        raise RuntimeError(f"{LOCUST} is missing: `make bench` installs locust there")
    load_before = os.getloadavg()[0]
    url = prepare()
    pool = pool_size(url)
    plan = load_plan(url)
    env = {"WARMMAP_DB_POOL_SIZE": str(pool), "WARMMAP_REPORTS_PER_HOUR": str(10**9)}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as plan_file:
        json.dump(plan, plan_file)
    try:
        with running_server(url, workers=WORKERS, env=env) as base:
            locust(base, plan_file.name, 8, 5)  # warm up the workers, their pools and caches
            steps, best = saturation(base, plan_file.name)
            users = 4 * best["users"]
            target = 0.8 * best["per_s"]
            steady = locust(base, plan_file.name, users, STEADY_S, rate=target / users)
            baseline = locust(base, plan_file.name, best["users"], STEP_S, user_class="Baseline")
    finally:
        os.unlink(plan_file.name)
    return {
        "database": BENCH_DB,
        "server": f"warmmap serve --workers {WORKERS}, WARMMAP_DB_POOL_SIZE={pool}",
        "load": "locust --headless, FastHttpUser: 80 % nearest, 15 % tiles, 5 % gaps, "
        "communities, cases",
        "step_s": STEP_S,
        "steady_s": STEADY_S,
        "steps": steps,
        "saturation": {"users": best["users"], "per_s": best["per_s"]},
        "baseline_healthz": baseline,
        "ratio_per_s": round(baseline["per_s"] / best["per_s"], 2),
        "at_80_percent": {"target_per_s": round(target, 1), **steady},
        "load_average_1m": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "goal": "no failed request at 80 % of saturation",
    }


def report(result: dict[str, Any]) -> str:
    lines = [f"load: {result['server']}; {result['load']}"]
    for step in result["steps"]:
        lines.append(
            f"  {step['users']:4} users {step['per_s']:8.1f}/s p50 {step['p50_ms']:.0f} "
            f"p99 {step['p99_ms']:.0f} ms, {step['failures']} failed"
        )
    sat, at80 = result["saturation"], result["at_80_percent"]
    lines.append(f"  saturation {sat['per_s']}/s at {sat['users']} users")
    base = result["baseline_healthz"]
    lines.append(
        f"  baseline /healthz at {base['users']} users: {base['per_s']}/s, p50 "
        f"{base['p50_ms']:.0f} p99 {base['p99_ms']:.0f} ms; healthz/mix {result['ratio_per_s']}x"
    )
    lines.append(
        f"  at 80 % ({at80['target_per_s']}/s asked, {at80['users']} users): {at80['per_s']}/s, "
        f"p50 {at80['p50_ms']:.0f} ms, p99 {at80['p99_ms']:.0f} ms, "
        f"{at80['failures']} failed of {at80['requests']}"
    )
    for name, figures in at80["by_request"].items():
        lines.append(
            f"    {name:12} {figures['requests']:7} p50 {figures['p50_ms']:.0f} "
            f"p99 {figures['p99_ms']:.0f} ms, {figures['failures']} failed"
        )
    return "\n".join(lines)
