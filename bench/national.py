"""Issue 15: warmmap at the scale of China on one node, against the same city on its own.

``etl.demo.national`` writes 200,000 stations and 2,000,000 outlets inside China's real city
and district boundaries (synthetic streets, points dense in urban districts); every file goes
through ``load_file``, as ``warmmap load`` would load it, into ``warmmap_bench_national``. The
rows of one large city (Chengdu, 510100) are loaded alone into ``warmmap_bench_national_city``:
the city-scale figure each national one is compared with (goal: within 1.5x). Measured on each:
the load time, the city's coverage refresh, ``/stations/nearest`` p50/p99 through HTTP (random
outlets' positions: across every province for the nation, in the city for the city),
``/coverage/gaps`` and ``/coverage/communities`` of the city, the server's resident memory
(``warmmap serve --workers 2``, every process) and the database's size.
``WARMMAP_BENCH_SCALE`` (or ``python -m bench.national --scale 0.01``) scales the counts.
"""

import argparse
import json
import os
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psycopg2
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bench.harness import (
    RESULTS,
    bench_database,
    running_server,
    summary,
    time_calls,
    write_result,
)
from bench.nearest import warmmap_paths, wrk
from etl.demo.national import OUTLETS, SOURCE, STATIONS, NationalFile, write_national
from etl.load import load_file
from geo_api.coverage.refresh import refresh_coverage
from geo_api.database import sqlalchemy_url

DATABASE = "warmmap_bench_national"
CITY_DATABASE = "warmmap_bench_national_city"
CITY = "510100"
SEED = 20261130
NEAREST_CALLS = 400
AREA_CALLS = 20
WRK_S = 10
# wrk runs of WRK_S each; the median of their p50s and p99s, the mean of their rates, is the
# figure (a single p99 at 16 connections on two cores moves by 2x from run to run).
WRK_ROUNDS = 3
# Cities whose community coverage (by street) is asked once each on the national database:
# "any city", not only Chengdu. Drawn with SEED from the loaded cities.
OTHER_CITIES = 30


def scale() -> float:
    return float(os.environ.get("WARMMAP_BENCH_SCALE", "1.0"))


def city_subset(
    folder: Path, files: list[NationalFile], city: str, out: Path
) -> list[NationalFile]:
    """Copy the rows of one city (its boundaries, stations and outlets) into ``out``."""

    out.mkdir(parents=True, exist_ok=True)
    kept = []
    for file in files:
        if file.kind == "boundaries":
            collection = json.loads((folder / file.name).read_text("utf-8"))
            collection["features"] = [
                f for f in collection["features"]
                if f["properties"]["adcode"][:4] == city[:4]
            ]  # fmt: skip
            (out / file.name).write_text(json.dumps(collection, ensure_ascii=False), "utf-8")
            kept.append(NationalFile(file.name, file.kind, file.level, len(collection["features"])))
        else:
            frame = pd.read_csv(folder / file.name, dtype=str)
            part = frame[frame["id"].str.slice(3, 7) == city[:4]]
            if len(part):
                part.to_csv(out / file.name, index=False)
                kept.append(NationalFile(file.name, file.kind, rows=len(part)))
    return kept


def load_all(url: str, folder: Path, files: list[NationalFile]) -> dict[str, Any]:
    """Load every file through ``load_file``; return seconds per kind and in all."""
    engine = create_engine(sqlalchemy_url(url))
    seconds: dict[str, float] = {}
    rows: dict[str, int] = {}
    for file in files:
        start = time.perf_counter()
        result = load_file(
            engine, file.kind, folder / file.name, crs="wgs84", source=SOURCE, level=file.level
        )
        key = file.level or file.kind
        seconds[key] = seconds.get(key, 0.0) + time.perf_counter() - start
        rows[key] = rows.get(key, 0) + result.inserted
    engine.dispose()
    return {
        "load_s": round(sum(seconds.values()), 2),
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "rows": rows,
    }


def refresh(url: str, city: str) -> dict[str, Any]:
    """Refresh the city's coverage cells as ``warmmap coverage refresh`` does; time it."""
    engine = create_engine(sqlalchemy_url(url))
    start = time.perf_counter()
    with Session(engine) as session, session.begin():
        result = refresh_coverage(session, city, 9, "bench")
    seconds = time.perf_counter() - start
    engine.dispose()
    return {"refresh_s": round(seconds, 2), "cells": result.cells}


def reader_points(url: str, n: int) -> np.ndarray:
    """Positions of n outlets spread evenly over the loaded ones (where riders ask), n x 2."""
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(geom), ST_Y(geom) FROM outlets WHERE "
            "mod(id, greatest(1, (SELECT count(*) FROM outlets) / %s)) = 0 ORDER BY id LIMIT %s",
            (n, n),
        )
        points = np.array(cursor.fetchall(), dtype=float)
    connection.close()
    return np.random.default_rng(SEED).permutation(points)


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:
        return bytes(response.read())


def requests(base: str, points: np.ndarray, city: str) -> dict[str, Any]:
    """Nearest under wrk and from one client (each at the next point); gaps and communities
    of the city from one client."""
    calls = iter(range(10**9))

    def nearest() -> bytes:
        lon, lat = points[next(calls) % len(points)]
        return get(f"{base}/stations/nearest?lon={lon}&lat={lat}&k=5")

    paths = warmmap_paths([(float(lon), float(lat)) for lon, lat in points], {})
    wrk(base, paths[:500], duration_s=3)  # warm up the workers and their pools
    return {
        "nearest": wrk_rounds(base, paths),
        "nearest_one_client": summary(time_calls(nearest, NEAREST_CALLS, warmup=50)),
        "gaps": summary(
            time_calls(lambda: get(f"{base}/coverage/gaps?city={city}"), AREA_CALLS, warmup=3)
        ),
        "communities": summary(
            time_calls(
                lambda: get(f"{base}/coverage/communities?city={city}&level=street"),
                AREA_CALLS,
                warmup=3,
            )
        ),
    }


def sample_cities(url: str, n: int) -> list[str]:
    """Up to ``n`` loaded cities other than CITY, drawn with SEED."""
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT adcode FROM admin_areas WHERE level = 'city' AND adcode <> %s ORDER BY adcode",
            (CITY,),
        )
        adcodes = [row[0] for row in cursor.fetchall()]
    connection.close()
    rng = np.random.default_rng(SEED)
    return sorted(rng.choice(adcodes, size=min(n, len(adcodes)), replace=False).tolist())


def any_city(base: str, cities: list[str]) -> dict[str, Any]:
    """Community coverage by street of each of ``cities`` once, from one client: the spread."""
    timings: dict[str, float] = {}
    outlets: dict[str, int] = {}
    for city in cities:
        started = time.perf_counter()
        answer = json.loads(get(f"{base}/coverage/communities?city={city}&level=street"))
        timings[city] = (time.perf_counter() - started) * 1000
        outlets[city] = answer["totals"]["outlets"]
    largest = max(outlets, key=lambda city: outlets[city])
    return {
        "cities": len(cities),
        **summary(list(timings.values())),
        "largest": {"city": largest, "outlets": outlets[largest], "ms": round(timings[largest], 1)},
        "per_city_ms": {city: round(ms, 1) for city, ms in timings.items()},
    }


def wrk_rounds(base: str, paths: list[str]) -> dict[str, Any]:
    """Run wrk WRK_ROUNDS times; the median latencies and mean rate, with every round."""
    rounds = [wrk(base, paths, duration_s=WRK_S) for _ in range(WRK_ROUNDS)]
    return {
        "requests": sum(r["requests"] for r in rounds),
        "per_s": round(statistics.mean(r["per_s"] for r in rounds), 1),
        "p50_ms": round(statistics.median(r["p50_ms"] for r in rounds), 3),
        "p99_ms": round(statistics.median(r["p99_ms"] for r in rounds), 3),
        "errors": sum(r["errors"] for r in rounds),
        "rounds": rounds,
    }


def server_rss_mb(port: str) -> float:
    """Resident memory of the server listening on ``port`` and all its child processes."""
    parents: dict[int, int] = {}
    root = None
    marker = f"warmmap_cli\0serve\0--port\0{port}\0".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            if marker in (entry / "cmdline").read_bytes():
                root = int(entry.name)
        except OSError:
            continue
    tree = {root} if root else set()
    while True:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        if not more:
            break
        tree |= more
    total_kb = 0
    for pid in tree:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
    return round(total_kb / 1024, 1)


def database_mb(url: str) -> float:
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]  # type: ignore[index]
    connection.close()
    return round(size / 1e6, 1)


def measure(
    name: str, folder: Path | None, files: list[NationalFile], before: dict[str, Any] | None
) -> dict[str, Any]:
    """Load ``files`` into a fresh database ``name``, refresh the city, serve and measure.

    With ``before`` (the figures of an earlier run), the database is reused as that run left
    it and only the requests, memory and size are measured again.
    """
    url = bench_database(name, fresh=before is None)
    result: dict[str, Any] = {"files": len(files)}
    if before is None:
        assert folder is not None
        result |= load_all(url, folder, files)
        result |= refresh(url, CITY)
    else:
        keep = ("files", "load_s", "seconds", "rows", "refresh_s", "cells")
        result |= {k: before[k] for k in keep}
    points = reader_points(url, 2000)
    cities = sample_cities(url, OTHER_CITIES)
    with running_server(url, workers=2) as base:
        result["requests"] = requests(base, points, CITY)
        if len(cities) > 1:
            result["communities_any_city"] = any_city(base, cities)
        result["server_rss_mb"] = server_rss_mb(base.rsplit(":", 1)[1])
    result["database_mb"] = database_mb(url)
    return result


def run(reuse: bool = False) -> dict[str, Any]:
    """Generate, load and measure; ``reuse`` keeps the databases and load figures of the last
    run (``bench/results/national.json``) and measures the requests again."""
    stations, outlets = int(STATIONS * scale()), int(OUTLETS * scale())
    if reuse:
        before = json.loads((RESULTS / "national.json").read_text("utf-8"))
        national = measure(DATABASE, None, [], before["national"])
        city = measure(CITY_DATABASE, None, [], before["city"])
        generate_s = before["generate_s"]
    else:
        with tempfile.TemporaryDirectory() as tmp:
            folder, city_folder = Path(tmp) / "national", Path(tmp) / "city"
            start = time.perf_counter()
            files = write_national(folder, seed=SEED, stations=stations, outlets=outlets)
            generate_s = time.perf_counter() - start
            city_files = city_subset(folder, files, CITY, city_folder)
            national = measure(DATABASE, folder, files, None)
            city = measure(CITY_DATABASE, city_folder, city_files, None)
    ratios = {
        f"{what}_{q}": round(national["requests"][what][q] / city["requests"][what][q], 2)
        for what in ("nearest", "nearest_one_client", "gaps", "communities")
        for q in ("p50_ms", "p99_ms")
    }
    ratios["refresh"] = round(national["refresh_s"] / city["refresh_s"], 2)
    # A rate: the city's over the nation's, so that above 1 is slower here too.
    ratios["nearest_per_s"] = round(
        city["requests"]["nearest"]["per_s"] / national["requests"]["nearest"]["per_s"], 2
    )
    return {
        "scale": scale(),
        "stations": stations,
        "outlets": outlets,
        "generate_s": round(generate_s, 1),
        "reused_databases": reuse,
        "national": national,
        "city": {"adcode": CITY, **city},
        "ratios_national_to_city": ratios,
    }


def report(result: dict[str, Any]) -> str:
    n, c, r = result["national"], result["city"], result["ratios_national_to_city"]
    q = n["requests"]
    return (
        f"national: {result['stations']} stations, {result['outlets']} outlets loaded in "
        f"{n['load_s']} s ({n['seconds']}); nearest (wrk) {q['nearest']['per_s']} req/s "
        f"({r['nearest_per_s']}x the city's), p50/p99 {q['nearest']['p50_ms']}/"
        f"{q['nearest']['p99_ms']} ms ({r['nearest_p50_ms']}x/{r['nearest_p99_ms']}x), "
        f"one client p50/p99 {q['nearest_one_client']['p50_ms']}/"
        f"{q['nearest_one_client']['p99_ms']} ms, "
        f"gaps p50 {q['gaps']['p50_ms']} ms ({r['gaps_p50_ms']}x), communities p50 "
        f"{q['communities']['p50_ms']} ms ({r['communities_p50_ms']}x), refresh of {CITY} "
        f"{n['refresh_s']} s ({r['refresh']}x), server {n['server_rss_mb']} MB "
        f"(city {c['server_rss_mb']} MB), database {n['database_mb']} MB "
        f"(city {c['database_mb']} MB)"
        + (
            f"; communities of {n['communities_any_city']['cities']} other cities p50/p99 "
            f"{n['communities_any_city']['p50_ms']}/{n['communities_any_city']['p99_ms']} ms"
            if "communities_any_city" in n
            else ""
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=None, help="share of the full counts")
    parser.add_argument("--reuse", action="store_true", help="measure the last run's databases")
    args = parser.parse_args()
    if args.scale is not None:
        os.environ["WARMMAP_BENCH_SCALE"] = str(args.scale)
    outcome = run(args.reuse)
    print(report(outcome), f"[{write_result('national', outcome)}]", flush=True)
