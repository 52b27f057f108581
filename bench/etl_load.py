"""Issue 3: load 1,000,000 generated outlets from CSV with ``warmmap load``, against ogr2ogr
loading the same file into a plain table and a bare COPY of the same rows.

All three run on a database of their own (``warmmap_bench_etl_load``), recreated each run.
``warmmap load`` does everything a user's load does: reads and checks every row (coordinates,
China's extent, swapped lon/lat, enumerations, duplicates), computes H3 cells, COPYs into
staging and upserts into ``outlets`` with all its indexes, in one transaction.
ogr2ogr loads into a new table with its default GiST index on the geometry (created after the
rows, as ogr2ogr does); COPY loads into a table without any index or geometry.
"""

import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psycopg2
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from bench.harness import bench_database, drop_bench_database
from etl.load import BatchResult, load_file
from etl.normalize.table import normalize
from etl.read.tables import read_table
from geo_api.database import sqlalchemy_url

ROWS = 1_000_000
SEED = 20261123
DATABASE = "warmmap_bench_etl_load"
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


def warmmap_load(url: str, csv: Path) -> dict[str, float]:
    """``load_file`` as ``warmmap load outlets`` calls it: first into the empty table, then the
    same file again (every row unchanged); read and normalize are also timed on their own."""
    engine = create_engine(sqlalchemy_url(url))
    stages: list[dict[str, float]] = []
    handler = StageHandler(stages)
    logging.getLogger("etl.load").addHandler(handler)
    logging.getLogger("etl.load").setLevel(logging.INFO)

    def load() -> BatchResult:
        return load_file(engine, "outlets", csv, crs="wgs84")

    first_s, first = timed(load)
    reload_s, again = timed(load)
    logging.getLogger("etl.load").removeHandler(handler)
    print(f"  warmmap: {first}\n  reload: {again}", file=sys.stderr)
    read_s, table = timed(lambda: read_table(csv))
    normalize_s, _ = timed(lambda: normalize("outlets", table, crs="wgs84", source="default"))
    engine.dispose()
    return {
        "load_s": first_s,
        "reload_s": reload_s,
        "read_s": read_s,
        "normalize_s": normalize_s,
        "rejected": first.rejected,
        "load_stages_s": stages[0],
        "reload_stages_s": stages[1],
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
            warmmap = warmmap_load(url, csv)
            ogr_s = ogr2ogr(url, csv)
            copy_s = bare_copy(url, csv)
            size_mb = csv.stat().st_size / 1e6
    finally:
        # A million rows three times over: not worth keeping between runs.
        drop_bench_database(DATABASE)
    warmmap_s = warmmap["load_s"]
    return {
        "rows": n,
        "csv_mb": round(size_mb, 1),
        "generate_s": round(generate_s, 2),
        "measured": {"name": "load_file outlets, empty table", "seconds": round(warmmap_s, 2)},
        "warmmap": {k: round(v, 2) if isinstance(v, float) else v for k, v in warmmap.items()},
        "baselines": {
            "ogr2ogr": {"name": "ogr2ogr -f PostgreSQL, GiST index", "seconds": round(ogr_s, 2)},
            "copy": {"name": "COPY into a plain table, no index", "seconds": round(copy_s, 2)},
        },
        "ratio_vs_ogr2ogr": round(warmmap_s / ogr_s, 2),
        "ratio_vs_copy": round(warmmap_s / copy_s, 2),
    }


def report(result: dict[str, Any]) -> str:
    b = result["baselines"]
    stages = ", ".join(f"{k} {v}" for k, v in result["warmmap"]["load_stages_s"].items())
    return (
        f"etl_load: {result['rows']} outlets: warmmap load {result['measured']['seconds']} s, "
        f"ogr2ogr {b['ogr2ogr']['seconds']} s, COPY {b['copy']['seconds']} s -> "
        f"{result['ratio_vs_ogr2ogr']}x ogr2ogr, {result['ratio_vs_copy']}x COPY ({stages})"
    )
