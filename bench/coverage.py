"""Issue 5: the planner's MCLP against PySAL spopt, and Chengdu's refresh against geopandas.

(a) 2,000 demand points, 200 candidates, p=20, 2 km; (b) 10,000 demand, 500 candidates, p=30,
1.5 km. Both sides get the same geodesic cost matrix and weights (one seed), and no time limit:
warmmap's side (reduce the cover sets, HiGHS MIP) in this process, spopt's (PuLP + CBC) in its
own environment, bench/.venv-spopt, which ``make bench`` creates.

The refresh is timed on Chengdu's demo data (etl.demo.install.build) at res 9 in a database of
its own; the baseline finds the nearest open station of the same cell centres with geopandas'
``sjoin_nearest`` in UTM 48N (planar metres).
"""

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import h3
import numpy as np
from pyproj import Geod
from shapely.geometry import Polygon
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from bench.harness import bench_database
from etl.demo.defaults import DEFAULT_SEED
from etl.demo.install import install_demo
from geo_api.coverage import DEFAULT_RES
from geo_api.coverage.refresh import refresh_city
from geo_api.database import sqlalchemy_url
from geo_api.plan.deadline import Deadline
from geo_api.plan.instance import reduce_problem
from geo_api.plan.solver import solve_mclp

SEED = 2026
SPOPT_PYTHON = Path(__file__).parent / ".venv-spopt" / "bin" / "python"
CASES = {"a": (2000, 200, 20, 2000.0), "b": (10000, 500, 30, 1500.0)}
BENCH_DB = "warmmap_bench_coverage"
# Ours and the baseline run in turns this many times; the medians are compared.
ROUNDS = 3
CHENGDU = "510100"


def scale() -> float:
    return float(os.environ.get("WARMMAP_BENCH_SCALE", "1.0"))


def make_instance(n_demand: int, n_sites: int, rng: np.random.Generator) -> dict[str, Any]:
    """Demand clustered around a few centres of a Chengdu-sized area, sites spread over it."""
    centres = rng.uniform((103.7, 30.4), (104.4, 30.9), size=(12, 2))
    which = rng.integers(0, len(centres), n_demand)
    demand = centres[which] + rng.normal(0, 0.04, size=(n_demand, 2))
    sites = rng.uniform(demand.min(axis=0), demand.max(axis=0), size=(n_sites, 2))
    weights = np.clip(np.round(rng.lognormal(2.5, 0.8, n_demand)), 1, 300)
    d = np.repeat(demand, n_sites, axis=0)
    s = np.tile(sites, (n_demand, 1))
    _, _, cost = Geod(ellps="WGS84").inv(d[:, 0], d[:, 1], s[:, 0], s[:, 1])
    return {"cost_m": cost.reshape(n_demand, n_sites), "weights": weights}


def solve_ours(cost_m: np.ndarray, weights: np.ndarray, radius_m: float, p: int) -> dict[str, Any]:
    started = time.perf_counter()
    d_idx, c_idx = np.nonzero(cost_m <= radius_m)
    problem, columns = reduce_problem(weights, d_idx, c_idx)
    solution = solve_mclp(problem, p, Deadline(24 * 3600))
    seconds = time.perf_counter() - started
    sites = [columns[j] for j in solution.chosen]
    covered = (cost_m[:, sites] <= radius_m).any(axis=1)
    return {
        "seconds": round(seconds, 3),
        "objective": float(weights[covered].sum()),
        "optimal": solution.optimal,
        "solver": solution.solver,
        "groups": len(problem.weights),
        "columns": problem.n_candidates,
    }


def solve_spopt(path: Path) -> dict[str, Any]:
    output = subprocess.run(
        [str(SPOPT_PYTHON), str(Path(__file__).parent / "coverage_spopt.py"), str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    result.pop("sites")
    return result


def run_mclp() -> dict[str, Any]:
    results = {}
    for name, (n_demand, n_sites, p, radius_m) in CASES.items():
        n_demand, n_sites = max(50, int(n_demand * scale())), max(10, int(n_sites * scale()))
        instance = make_instance(n_demand, n_sites, np.random.default_rng(SEED))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "instance.npz"
            np.savez(path, radius_m=radius_m, p=p, **instance)
            spopt = solve_spopt(path)
        ours = solve_ours(instance["cost_m"], instance["weights"], radius_m, p)
        results[name] = {
            "demand": n_demand,
            "candidates": n_sites,
            "p": p,
            "radius_m": radius_m,
            "warmmap": ours,
            "spopt": spopt,
            "time_ratio": round(spopt["seconds"] / max(ours["seconds"], 1e-6), 1),
            "same_objective": abs(ours["objective"] - spopt["objective"]) < 1e-6,
        }
    return results


def chengdu_database() -> str:
    """The benchmark's own database with the demo loaded through the ETL, created once."""
    url = bench_database(BENCH_DB)
    engine = create_engine(sqlalchemy_url(url))
    with engine.connect() as connection:
        loaded = connection.execute(
            text("SELECT 1 FROM admin_areas WHERE adcode = :c"), {"c": CHENGDU}
        ).first()
    if not loaded:
        with tempfile.TemporaryDirectory() as folder:
            install_demo(engine, Path(folder), DEFAULT_SEED)  # loads analyse their tables
    engine.dispose()
    return url


def sjoin_nearest_baseline(engine: Any, res: int) -> dict[str, Any]:
    """The same cells' nearest open station with geopandas, in UTM 48N (planar metres).

    ``join_s`` is the nearest join alone (read stations, project, sjoin_nearest); ``write_s``
    adds what a refresh also does: the cells' polygons and results written with ``to_postgis``.
    """
    with engine.connect() as connection:
        cells = (
            connection.execute(
                text(
                    "SELECT h3 FROM coverage_cells WHERE city_adcode = :c AND res = :r ORDER BY h3"
                ),
                {"c": CHENGDU, "r": res},
            )
            .scalars()
            .all()
        )
    centres = np.array([h3.cell_to_latlng(c) for c in cells])
    polygons = [Polygon([(x, y) for y, x in h3.cell_to_boundary(c)]) for c in cells]
    started = time.perf_counter()
    stations = gpd.read_postgis(
        "SELECT id, geom FROM stations WHERE status = 'open'", engine, geom_col="geom"
    ).to_crs(32648)
    points = gpd.GeoDataFrame(
        {"h3": cells}, geometry=gpd.points_from_xy(centres[:, 1], centres[:, 0]), crs=4326
    ).to_crs(32648)
    joined = gpd.sjoin_nearest(points, stations, how="left", distance_col="distance_m")
    joined = joined[~joined.index.duplicated()]
    join_s = time.perf_counter() - started
    result = gpd.GeoDataFrame(
        {"h3": cells, "station_id": joined["id"].to_numpy(), "distance_m": joined["distance_m"]},
        geometry=polygons,
        crs=4326,
    )
    result.to_postgis("bench_sjoin_cells", engine, if_exists="replace", index=False)
    return {
        "join_s": join_s,
        "write_s": time.perf_counter() - started,
        "station_ids": joined["id"].to_numpy(),
    }


def server_cpu_s(engine: Any) -> float:
    """CPU seconds used so far by the PostgreSQL backends of the benchmark's database.

    Read from /proc: the server runs on this machine. On a loaded machine wall-clock times vary
    by half from run to run; CPU seconds (this process's plus its backends') do not.
    """
    with engine.connect() as connection:
        pids = connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).scalars()
        ticks = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def timed(engine: Any, call: Any) -> tuple[float, float, Any]:
    """Run ``call``; return its wall seconds, CPU seconds (client and server) and result."""
    server, client = server_cpu_s(engine), time.process_time()
    started = time.perf_counter()
    result = call()
    wall = time.perf_counter() - started
    cpu = time.process_time() - client + server_cpu_s(engine) - server
    return wall, cpu, result


def refresh_once(engine: Any, res: int) -> None:
    with Session(engine) as session, session.begin():
        refresh_city(session, CHENGDU, res)


def run_refresh() -> dict[str, Any]:
    """Ours and the baseline taken in turns, ``ROUNDS`` times each; medians and their ratio."""
    res = DEFAULT_RES if scale() >= 1 else DEFAULT_RES - 1
    url = chengdu_database()
    engine = create_engine(sqlalchemy_url(url), pool_size=2)
    with Session(engine) as session, session.begin():
        result = refresh_city(session, CHENGDU, res)  # warms the caches both sides read
    ours: dict[str, list[float]] = {"wall": [], "cpu": []}
    base: dict[str, list[float]] = {"wall": [], "cpu": [], "join": []}
    for _ in range(ROUNDS):
        wall, cpu, _ = timed(engine, lambda: refresh_once(engine, res))
        ours["wall"].append(wall)
        ours["cpu"].append(cpu)
        wall, cpu, baseline = timed(engine, lambda: sjoin_nearest_baseline(engine, res))
        base["wall"].append(wall)
        base["cpu"].append(cpu)
        base["join"].append(baseline["join_s"])
    with engine.connect() as connection:
        nearest = np.array(
            connection.execute(
                text(
                    "SELECT nearest_station_id FROM coverage_cells "
                    "WHERE city_adcode = :c AND res = :r ORDER BY h3"
                ),
                {"c": CHENGDU, "r": res},
            )
            .scalars()
            .all()
        )
    engine.dispose()
    median = {k: float(np.median(v)) for k, v in ours.items()}
    base_median = {k: float(np.median(v)) for k, v in base.items()}
    return {
        "city": CHENGDU,
        "res": res,
        "cells": result.cells,
        "cells_with_riders": result.cells_with_riders,
        "rounds": ROUNDS,
        "refresh_s": round(median["wall"], 2),
        "refresh_runs_s": [round(s, 2) for s in ours["wall"]],
        "refresh_cpu_s": round(median["cpu"], 2),
        "nearest_s": result.seconds_nearest,
        "sjoin_nearest_s": round(base_median["join"], 2),
        "sjoin_nearest_and_to_postgis_s": round(base_median["wall"], 2),
        "sjoin_nearest_and_to_postgis_runs_s": [round(s, 2) for s in base["wall"]],
        "sjoin_nearest_and_to_postgis_cpu_s": round(base_median["cpu"], 2),
        "ratio_to_geopandas": round(median["wall"] / base_median["wall"], 2),
        "cpu_ratio_to_geopandas": round(median["cpu"] / base_median["cpu"], 2),
        "same_nearest_share": round(float(np.mean(nearest == baseline["station_ids"])), 5),
    }


def run() -> dict[str, Any]:
    return {"scale": scale(), "mclp": run_mclp(), "refresh": run_refresh()}


def report(result: dict[str, Any]) -> str:
    lines = []
    for name, case in result["mclp"].items():
        ours, spopt = case["warmmap"], case["spopt"]
        lines.append(
            f"coverage MCLP ({name}) {case['demand']} demand x {case['candidates']} candidates, "
            f"p={case['p']}, {case['radius_m']:g} m: warmmap {ours['seconds']:.2f} s "
            f"(objective {ours['objective']:g}, {ours['solver']}, optimal {ours['optimal']}) vs "
            f"spopt {spopt['seconds']:.2f} s (objective {spopt['objective']:g}, {spopt['status']}) "
            f"-> {case['time_ratio']}x faster, same objective: {case['same_objective']}"
        )
    r = result["refresh"]
    lines.append(
        f"coverage refresh Chengdu res {r['res']}: {r['cells']} cells in {r['refresh_s']:.2f} s "
        f"(nearest stations {r['nearest_s']:.2f} s) vs geopandas sjoin_nearest + to_postgis "
        f"{r['sjoin_nearest_and_to_postgis_s']:.2f} s on the same cells (join alone "
        f"{r['sjoin_nearest_s']:.2f} s), medians of {r['rounds']} rounds taken in turns -> "
        f"{r['ratio_to_geopandas']}x; CPU (client and PostgreSQL) {r['refresh_cpu_s']:.2f} s vs "
        f"{r['sjoin_nearest_and_to_postgis_cpu_s']:.2f} s -> {r['cpu_ratio_to_geopandas']}x; "
        "same nearest station for "
        f"{100 * r['same_nearest_share']:.2f}% of cells (geopandas measures planar UTM metres)"
    )
    return "\n".join(lines)
