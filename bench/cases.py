"""``POST /cases`` with routing and the duplicate check, against 1,000,000 existing cases.

Three measures in one run, each for ``DURATION_S`` with ``CONCURRENCY`` connections, on
``warmmap serve --workers 2`` (the hourly limit raised out of the way, still checked):

- ``riders``: a fair Python client whose connections come from 16 different loopback
  addresses (127.0.0.10-25), so 16 riders report at once, each rate-limited on its own;
- ``one_client``: wrk (``cases.lua`` posts the bodies) from 127.0.0.1 alone: the per-client
  lock that keeps the hourly limit exact makes one client's reports wait for each other;
- ``domain`` (the baseline): ``geo_api.cases.reporting.report_case`` called directly from 16
  threads with their own sessions and clients, each call committed: the same work without HTTP.

``plans``: EXPLAIN ANALYZE of the routing statements, the duplicate search and the rate
limit's count at one point, also written as text to ``bench/results/cases_plans.txt``.
The cases the run adds are deleted at its end, so runs start from the same million.
"""

import http.client
import json
import os
import shutil
import statistics
import subprocess
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg2
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bench.cases_data import bodies_file, prepare, request_bodies
from bench.harness import RESULTS, running_server
from geo_api.cases import duplicates, ratelimit, routing
from geo_api.cases.reporting import Reporter, report_case
from geo_api.cases.schemas import CaseCreate
from geo_api.database import sqlalchemy_url

SCALE = float(os.environ.get("WARMMAP_BENCH_SCALE", "1.0"))
EXISTING = max(10_000, int(1_000_000 * SCALE))
DURATION_S = max(3, round(10 * min(SCALE, 1.0)))
CONCURRENCY = 16
UNLIMITED = {"WARMMAP_REPORTS_PER_HOUR": str(10**9)}
LUA = Path(__file__).with_name("cases.lua")
PLANS_TXT = RESULTS / "cases_plans.txt"


def _summary(latencies_ms: list[float], elapsed_s: float, errors: int) -> dict[str, Any]:
    ordered = sorted(latencies_ms)
    return {
        "requests": len(ordered),
        "per_s": round(len(ordered) / elapsed_s, 1),
        "p50_ms": round(statistics.median(ordered), 3),
        "p99_ms": round(ordered[int(len(ordered) * 0.99)], 3),
        "errors": errors,
    }


def _threads(work, n: int) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def riders(base: str, bodies: list[dict[str, Any]]) -> dict[str, Any]:
    """POST from CONCURRENCY keep-alive connections, each from its own loopback address."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + DURATION_S

    def work(i: int) -> None:
        connection = http.client.HTTPConnection(
            host, int(port), source_address=(f"127.0.0.{10 + i}", 0)
        )
        mine, n, bad = [], i * 131, 0
        while time.monotonic() < deadline:
            body = json.dumps(bodies[n % len(bodies)]).encode()
            start = time.perf_counter()
            connection.request("POST", "/cases", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            mine.append((time.perf_counter() - start) * 1000)
            bad += response.status != 201
            n += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    return _summary(latencies, _threads(work, CONCURRENCY), errors[0])


def one_client(base: str, bodies: list[dict[str, Any]]) -> dict[str, Any]:
    """Load with wrk from 127.0.0.1: every report comes from one client."""
    path = bodies_file(bodies)
    command = ["wrk", "-t2", f"-c{CONCURRENCY}", f"-d{DURATION_S}s", "--latency", "-s", str(LUA)]
    output = subprocess.run([*command, base, "--", path], capture_output=True, text=True,
                            check=True).stdout  # fmt: skip
    os.unlink(path)
    found = json.loads(output.split("WRK_JSON", 1)[1].strip().splitlines()[0])
    elapsed_s = found["duration_us"] / 1e6
    return {
        "requests": found["requests"],
        "per_s": round(found["requests"] / elapsed_s, 1),
        "p50_ms": round(found["p50_us"] / 1000, 3),
        "p99_ms": round(found["p99_us"] / 1000, 3),
        "errors": found["socket_errors"] + found["non_2xx"],
    }


def domain(url: str, bodies: list[dict[str, Any]]) -> dict[str, Any]:
    """Call ``report_case`` from CONCURRENCY threads, each call its own committed transaction."""
    engine = create_engine(sqlalchemy_url(url), pool_size=CONCURRENCY)
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + DURATION_S

    def work(i: int) -> None:
        mine, n = [], i * 131
        reporter = Reporter(f"bench-domain-{i}", 10**9)
        while time.monotonic() < deadline:
            body = CaseCreate(**bodies[n % len(bodies)])
            start = time.perf_counter()
            with Session(engine) as session, session.begin():
                report_case(session, body, None, reporter, "bench")
            mine.append((time.perf_counter() - start) * 1000)
            n += 1
        with lock:
            latencies.extend(mine)

    summary = _summary(latencies, _threads(work, CONCURRENCY), 0)
    engine.dispose()
    return summary


def _nodes(plan: dict[str, Any]) -> list[str]:
    name = plan["Node Type"]
    for key in ("Index Name", "Relation Name"):
        if key in plan:
            name += f" on {plan[key]}"
            break
    return [name] + [n for child in plan.get("Plans", []) for n in _nodes(child)]


def _psycopg2(sql: str) -> str:
    import re

    return re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql)


def plans(url: str, body: dict[str, Any]) -> dict[str, Any]:
    """EXPLAIN ANALYZE each statement of a report at ``body``'s point; text plans to a file."""
    lon, lat = body["lon"], body["lat"]
    connection = psycopg2.connect(url)
    cursor = connection.cursor()
    cursor.execute(_psycopg2(str(routing.LOCATE)), {"lon": lon, "lat": lat})
    community = cursor.fetchone()[0]
    statements = {
        "locate (routing)": (routing.LOCATE, {"lon": lon, "lat": lat}),
        "route rule": (routing.ROUTE, {"category": "no_rider_entry",
                                       "ancestors": routing.ancestors(community)}),
        "handler liaison": (routing.LIAISON, {"role": "community",
                                              "ancestors": routing.ancestors(community)[:-1]}),
        "duplicates within 100 m, 7 days": (duplicates.NEARBY, {
            "lon": lon, "lat": lat, "category": "no_rider_entry", "radius_m": 100.0, "days": 7,
            "at": datetime.now(UTC), "limit": 10}),
        "rate limit count": (ratelimit.RECENT, {"client_hash": "0" * 64}),
    }  # fmt: skip
    found, texts = {}, []
    for name, (statement, params) in statements.items():
        sql = _psycopg2(str(statement))
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        (explained,) = cursor.fetchone()
        nodes = _nodes(explained[0]["Plan"])
        found[name] = {
            "nodes": nodes,
            "seq_scan": any(n.startswith("Seq Scan") for n in nodes),
            "execution_ms": explained[0]["Execution Time"],
        }
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        texts.append(f"-- {name}\n" + "\n".join(r[0] for r in cursor.fetchall()))
    connection.close()
    PLANS_TXT.write_text("\n\n".join(texts) + "\n", encoding="utf-8")
    return found


def _clean_up(url: str, keep_up_to: int) -> int:
    connection = psycopg2.connect(url)
    connection.autocommit = True
    cursor = connection.cursor()
    cursor.execute("DELETE FROM cases WHERE id > %s", (keep_up_to,))
    removed = cursor.rowcount
    cursor.execute("VACUUM ANALYZE cases")
    connection.close()
    return removed


def run() -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing: `make bench` installs it (apt-get install wrk)")
    load_before = os.getloadavg()[0]
    data = prepare(EXISTING)
    from bench.harness import bench_database

    url = bench_database(data["database"])
    connection = psycopg2.connect(url)
    cursor = connection.cursor()
    cursor.execute("SELECT max(id) FROM cases")
    (max_id,) = cursor.fetchone()
    connection.close()
    bodies = request_bodies(url, 5000)
    explained = plans(url, bodies[0])
    with running_server(url, workers=2, env=UNLIMITED) as base:
        riders(base, bodies[:200])  # warm up the workers, their pools and the caches
        measured = {"riders": riders(base, bodies), "one_client": one_client(base, bodies)}
    measured["domain"] = domain(url, bodies)
    added = _clean_up(url, max_id)
    return {
        **data,
        "concurrency": CONCURRENCY,
        "duration_s": DURATION_S,
        "server": "warmmap serve --workers 2",
        "variants": measured,
        "baseline": "domain: report_case without HTTP, 16 threads",
        "ratio_domain_over_riders": round(
            measured["domain"]["per_s"] / measured["riders"]["per_s"], 2
        ),
        "plans": explained,
        "plans_text": str(PLANS_TXT.relative_to(RESULTS.parent.parent)),
        "cases_added_and_removed": added,
        "load_average_1m": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    }


def report(result: dict[str, Any]) -> str:
    lines = [f"cases: POST /cases against {result['existing_cases']:,} cases, "
             f"{result['concurrency']} concurrent, {result['duration_s']} s each"]  # fmt: skip
    for name, v in result["variants"].items():
        lines.append(
            f"  {name:10} {v['per_s']:8.1f}/s p50 {v['p50_ms']:.2f} p99 {v['p99_ms']:.2f} ms "
            f"({v['requests']} requests, {v['errors']} errors)"
        )
    lines.append(f"  domain/riders {result['ratio_domain_over_riders']}x")
    for name, plan in result["plans"].items():
        lines.append(f"  plan {name}: {' > '.join(plan['nodes'])} ({plan['execution_ms']} ms)")
    return "\n".join(lines)
