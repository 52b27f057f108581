"""Issue 3: load 1,000,000 generated outlets from CSV with ``warmmap load``, against ogr2ogr
loading the same file into a plain table, ``ogr2ogr -append`` into ``outlets`` itself, and a
bare COPY of the same rows; with a reader asking for the nearest outlets during each load.

They run on databases of their own (``warmmap_bench_etl_load*``), recreated each run.
``warmmap load`` does everything a user's load does: reads and checks every row (coordinates,
China's extent, swapped lon/lat, enumerations, duplicates), computes H3 cells, COPYs into
staging and upserts into ``outlets`` with all its indexes, in one transaction.
ogr2ogr loads into a new table with its default GiST index on the geometry (created after the
rows, as ogr2ogr does); COPY loads into a table without any index or geometry.
``ogr2ogr -append`` loads into the empty ``outlets`` table of a migrated database of its
own (``warmmap_bench_etl_load_append``) with all its indexes, keys and triggers, as a user of
this schema would without warmmap: through COPY (every column with a default given, else GDAL
falls back to one INSERT per row) and in one transaction, right after warmmap's first load.
During ``warmmap load`` and ``ogr2ogr -append`` a reader process asks for the 5 nearest outlets
of random points back to back (``bench.readers``); its p99 and maximum show whether the load
made readers wait.
"""

import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psycopg2
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from bench.harness import bench_database, drop_bench_database
from bench.readers import latency_summary, readers_during
from etl.load import BatchResult, load_file
from etl.normalize.table import normalize
from etl.read.tables import read_table
from geo_api.database import sqlalchemy_url

ROWS = 1_000_000
SEED = 20261123
DATABASE = "warmmap_bench_etl_load"
APPEND_DATABASE = "warmmap_bench_etl_load_append"
# Where outlets cluster: (lon, lat, share of rows, spread in degrees).
CITIES = [
    (104.066, 30.657, 0.25, 0.12),  # Chengdu
    (121.544, 31.221, 0.25, 0.10),  # Pudong
    (116.397, 39.909, 0.20, 0.15),  # Beijing
    (113.264, 23.129, 0.15, 0.12),  # Guangzhou
    (128.841, 47.727, 0.05, 0.20),  # Yichun
    (108.940, 34.341, 0.10, 0.12),  # Xi'an
]
BRANDS = ["顺丰", "京东", "中通", "圆通", "美团", "饿了么", "滴滴", "货拉拉", None]
KINDS = ["express", "food_delivery", "ride_hailing", "freight", "other"]


def reader_points(n: int = 2000) -> np.ndarray:
    """Random points around the same cities, for the reader during the loads."""
    rng = np.random.default_rng(SEED + 1)
    city = rng.choice(len(CITIES), size=n, p=[c[2] for c in CITIES])
    centre = np.array([(c[0], c[1]) for c in CITIES])[city]
    spread = np.array([c[3] for c in CITIES])[city][:, None]
    return centre + rng.normal(0, 1, (n, 2)) * spread


def scale() -> float:
    return float(os.environ.get("WARMMAP_BENCH_SCALE", "1.0"))


def generate_csv(path: Path, n: int) -> None:
    """Write n outlets in WGS-84 with English headers; the same seed gives the same file."""
    rng = np.random.default_rng(SEED)
    city = rng.choice(len(CITIES), size=n, p=[c[2] for c in CITIES])
    centre = np.array([(c[0], c[1]) for c in CITIES])[city]
    spread = np.array([c[3] for c in CITIES])[city]
    lon = (centre[:, 0] + rng.normal(0, 1, n) * spread).round(6)
    lat = (centre[:, 1] + rng.normal(0, 1, n) * spread).round(6)
    frame = pd.DataFrame(
        {
            "id": [f"O{i:07d}" for i in range(n)],
            "name": [f"网点{i}" for i in range(n)],
            "brand": rng.choice(np.array(BRANDS, dtype=object), n),
            "kind": rng.choice(KINDS, n),
            "riders": rng.integers(0, 40, n),
            "address": [f"{i % 997}号" for i in range(n)],
            "lon": lon,
            "lat": lat,
        }
    )
    frame.to_csv(path, index=False)


def timed(call: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = call()
    return time.perf_counter() - start, value


class StageHandler(logging.Handler):
    """Collects the stage timings load_file logs."""

    def __init__(self, stages: list[dict[str, float]]) -> None:
        super().__init__()
        self.stages = stages

    def emit(self, record: logging.LogRecord) -> None:
        # A single mapping argument becomes record.args itself.
        self.stages.append(dict(record.args))  # type: ignore[arg-type]


def warmmap_load(url: str, csv: Path, baselines: Callable[[], Any]) -> dict[str, Any]:
    """``load_file`` as ``warmmap load outlets`` calls it: first into the empty table, then as
    a second source's batch (every key new) into the full table, then the first source again
    (every row unchanged); read and normalize are also timed on their own.

    ``baselines`` runs right after the first load, so that the machine's load, which drifts
    over minutes, is as alike as it can be for both.
    """
    engine = create_engine(sqlalchemy_url(url))
    stages: list[dict[str, float]] = []
    handler = StageHandler(stages)
    logging.getLogger("etl.load").addHandler(handler)
    logging.getLogger("etl.load").setLevel(logging.INFO)

    def load(source: str = "outlets") -> BatchResult:
        return load_file(engine, "outlets", csv, crs="wgs84", source=source)

    points = reader_points()
    with readers_during(url, points) as during_load:
        first_s, first = timed(load)
    measured = baselines()
    with readers_during(url, points) as idle:
        time.sleep(5)
    with readers_during(url, points) as during_second:
        second_s, _ = timed(lambda: load("second"))
    reload_s, again = timed(load)
    logging.getLogger("etl.load").removeHandler(handler)
    print(f"  warmmap: {first}\n  reload: {again}", file=sys.stderr)
    read_s, table = timed(lambda: read_table(csv))
    normalize_s, _ = timed(lambda: normalize("outlets", table, crs="wgs84", source="default"))
    engine.dispose()
    return {
        "baselines": measured,
        "load_s": first_s,
        "reload_s": reload_s,
        "read_s": read_s,
        "normalize_s": normalize_s,
        "rejected": first.rejected,
        "readers_during_load": latency_summary(during_load),
        "readers_idle_after": latency_summary(idle),
        "second_source_s": second_s,
        "readers_during_second_source": latency_summary(during_second),
        "load_stages_s": stages[0],
        "second_source_stages_s": stages[1],
        "reload_stages_s": stages[2],
    }


def ogr2ogr(url: str, csv: Path) -> float:
    parts = make_url(url)
    pg = (
        f"PG:dbname={parts.database} host={parts.host} port={parts.port or 5432} "
        f"user={parts.username}"
    )
    argv = [
        "ogr2ogr", "-f", "PostgreSQL", pg, str(csv), "-nln", "ogr_outlets", "-overwrite",
        "-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat", "-a_srs", "EPSG:4326",
        "-lco", "SPATIAL_INDEX=GIST",
    ]  # fmt: skip
    seconds, done = timed(lambda: subprocess.run(argv, capture_output=True, text=True))
    if done.returncode != 0:
        raise RuntimeError(f"ogr2ogr failed: {done.stderr.strip()}")
    return seconds


def ogr2ogr_append(url: str, csv: Path) -> dict[str, Any]:
    """``ogr2ogr -append`` into an empty ``outlets``; its time and the readers' latencies."""
    parts = make_url(url)
    pg = (
        f"PG:dbname={parts.database} host={parts.host} port={parts.port or 5432} "
        f"user={parts.username}"
    )
    # Every column with a default is given: GDAL uses COPY only when no unset field has one.
    sql = (
        f"SELECT id AS external_id, name, brand, kind, CAST(riders AS integer) AS riders, "
        "address, 'ogr2ogr' AS source, 'wgs84' AS source_crs, 0 AS synthetic, '{}' AS extra, "
        "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') AS created_at, "
        "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') AS updated_at, "
        f'GEOMETRY FROM "{csv.stem}"'
    )
    argv = [
        "ogr2ogr", "-f", "PostgreSQL", pg, str(csv), "-append", "-nln", "outlets",
        "-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat", "-a_srs", "EPSG:4326",
        "--config", "PG_USE_COPY", "YES", "-gt", "unlimited", "-dialect", "sqlite", "-sql", sql,
    ]  # fmt: skip
    with readers_during(url, reader_points()) as during:
        seconds, done = timed(lambda: subprocess.run(argv, capture_output=True, text=True))
    if done.returncode != 0:
        raise RuntimeError(f"ogr2ogr -append failed: {done.stderr.strip()}")
    return {"seconds": seconds, "readers_during_load": latency_summary(during)}


def bare_copy(url: str, csv: Path) -> float:
    connection = psycopg2.connect(url)
    with connection, connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE copy_outlets (id text, name text, brand text, kind text, "
            "riders integer, address text, lon double precision, lat double precision)"
        )

        def copy() -> None:
            with csv.open(encoding="utf-8") as handle:
                cursor.copy_expert("COPY copy_outlets FROM STDIN WITH (FORMAT csv, HEADER)", handle)

        seconds, _ = timed(copy)
    connection.close()
    return seconds


def run() -> dict[str, Any]:
    n = int(ROWS * scale())
    url = bench_database(DATABASE, fresh=True)
    try:
        with tempfile.TemporaryDirectory() as folder:
            csv = Path(folder) / "outlets.csv"
            generate_s, _ = timed(lambda: generate_csv(csv, n))
            append_url = bench_database(APPEND_DATABASE, fresh=True)

            def baselines() -> tuple[float, dict[str, Any], float]:
                return ogr2ogr(url, csv), ogr2ogr_append(append_url, csv), bare_copy(url, csv)

            warmmap = warmmap_load(url, csv, baselines)
            ogr_s, append, copy_s = warmmap.pop("baselines")
            size_mb = csv.stat().st_size / 1e6
    finally:
        # A million rows three times over: not worth keeping between runs.
        drop_bench_database(DATABASE)
        drop_bench_database(APPEND_DATABASE)
    warmmap_s = warmmap["load_s"]
    return {
        "rows": n,
        "csv_mb": round(size_mb, 1),
        "generate_s": round(generate_s, 2),
        "measured": {"name": "load_file outlets, empty table", "seconds": round(warmmap_s, 2)},
        "warmmap": {k: round(v, 2) if isinstance(v, float) else v for k, v in warmmap.items()},
        "baselines": {
            "ogr2ogr": {"name": "ogr2ogr -f PostgreSQL, GiST index", "seconds": round(ogr_s, 2)},
            "ogr2ogr_append": {
                "name": "ogr2ogr -append into outlets, same indexes, keys and triggers, COPY",
                "seconds": round(append["seconds"], 2),
                "readers_during_load": append["readers_during_load"],
            },
            "copy": {"name": "COPY into a plain table, no index", "seconds": round(copy_s, 2)},
        },
        "ratio_vs_ogr2ogr": round(warmmap_s / ogr_s, 2),
        "ratio_vs_ogr2ogr_append": round(warmmap_s / append["seconds"], 2),
        "ratio_vs_copy": round(warmmap_s / copy_s, 2),
    }


def report(result: dict[str, Any]) -> str:
    b = result["baselines"]
    w = result["warmmap"]
    stages = ", ".join(f"{k} {v}" for k, v in result["warmmap"]["load_stages_s"].items())
    return (
        f"etl_load: {result['rows']} outlets: warmmap load {result['measured']['seconds']} s, "
        f"ogr2ogr {b['ogr2ogr']['seconds']} s, ogr2ogr -append "
        f"{b['ogr2ogr_append']['seconds']} s, COPY {b['copy']['seconds']} s -> "
        f"{result['ratio_vs_ogr2ogr']}x ogr2ogr, {result['ratio_vs_ogr2ogr_append']}x "
        f"-append, {result['ratio_vs_copy']}x COPY ({stages}); readers' p99/max during "
        f"warmmap load {w['readers_during_load'].get('p99_ms')}/"
        f"{w['readers_during_load'].get('max_ms')} ms, during a second source's batch into "
        f"the full table ({round(w['second_source_s'], 1)} s) "
        f"{w['readers_during_second_source'].get('p99_ms')}/"
        f"{w['readers_during_second_source'].get('max_ms')} ms, during -append "
        f"{b['ogr2ogr_append']['readers_during_load'].get('p99_ms')}/"
        f"{b['ogr2ogr_append']['readers_during_load'].get('max_ms')} ms, idle "
        f"{w['readers_idle_after'].get('p99_ms')} ms"
    )
