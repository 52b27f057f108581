"""Issue 9: the auto-assigner against spopt's capacitated p-median, and at a province's scale.

(a) 1,500 outlets, 300 liaisons, capacity 6. Both sides get the same instance; spopt (PySAL,
    PuLP + CBC, in bench/.venv-spopt, its own process) gets the full matrix of geodesic distances
    on WGS-84 (pyproj's Geod, as warmmap's own distances), as a ``PMedian`` with p = every
    liaison, each one predefined (every facility fixed) and its capacity. Both plans are scored
    on that same matrix; warmmap's time includes computing its own distances.
(b) 100,000 outlets and 10,000 liaisons over a province (Sichuan's extent, clustered around 40
    towns), capacity 12, solved in a child process: wall time, peak resident memory
    (getrusage), and the proof (dual bound equal to the plan's cost, in whole millimetres).

The machine is shared: the load average and the busiest other processes are recorded with
the result.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from geo_api.assignments.geodesy import geodesic_m
from geo_api.assignments.problem import single_group
from geo_api.assignments.solver import assign

SEED = 2026
SPOPT_PYTHON = Path(__file__).parent / ".venv-spopt" / "bin" / "python"
SMALL = (1500, 300, 6)
RUNS = 5
PROVINCE = (100_000, 10_000, 12)
CHENGDU_BOX = ((103.85, 30.45), (104.25, 30.85))
SICHUAN_BOX = ((102.0, 28.5), (106.5, 32.5))


def clustered(rng: np.random.Generator, n: int, centres: np.ndarray, spread: float) -> np.ndarray:
    return centres[rng.integers(0, len(centres), n)] + rng.normal(0, spread, size=(n, 2))


def small_instance() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    centres = rng.uniform(*CHENGDU_BOX, size=(8, 2))
    n, m, _ = SMALL
    return clustered(rng, n, centres, 0.03), clustered(rng, m, centres, 0.03)


def province_instance() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED + 1)
    centres = rng.uniform(*SICHUAN_BOX, size=(40, 2))
    n, m, _ = PROVINCE
    return clustered(rng, n, centres, 0.15), clustered(rng, m, centres, 0.15)


def machine_load() -> dict[str, Any]:
    """What else ran: the load average and the five busiest processes besides this one."""
    top = subprocess.run(
        ["ps", "-eo", "pcpu,rss,comm", "--sort=-pcpu"], capture_output=True, text=True
    ).stdout.splitlines()[1:6]
    return {"loadavg": list(os.getloadavg()), "busiest": [" ".join(t.split()) for t in top]}


def solve_spopt(path: Path) -> dict[str, Any]:
    output = subprocess.run(
        [str(SPOPT_PYTHON), str(Path(__file__).parent / "assignments_spopt.py"), str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def run_small() -> dict[str, Any]:
    outlets, liaisons = small_instance()
    n, m, capacity = SMALL
    matrix = geodesic_m(np.repeat(outlets, m, axis=0), np.tile(liaisons, (n, 1))).reshape(n, m)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "instance.npz"
        np.savez(path, cost_m=matrix, capacity=capacity)
        spopt = solve_spopt(path)
    # Five runs (the machine is shared; a single tenth of a second is noisy): the median counts.
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        plan = assign(single_group(outlets, liaisons, capacity))
        times.append(time.perf_counter() - started)
    seconds = float(np.median(times))
    ours = float(matrix[np.arange(n), plan.assigned].sum())
    theirs = float(matrix[np.arange(n), np.array(spopt.pop("assignment"))].sum())
    return {
        "outlets": n,
        "liaisons": m,
        "capacity": capacity,
        "warmmap": {"seconds": round(seconds, 4), "runs_s": [round(t, 4) for t in times],
                    "objective_m": round(ours, 3),
                    "proof": plan.proof},
        "spopt": spopt | {"objective_m": round(theirs, 3)},
        # Plans are optimal in whole millimetres: they may differ by under 1 mm per outlet.
        "same_objective": abs(ours - theirs) <= n * 1e-3,
        "time_ratio": round(spopt["seconds"] / max(seconds, 1e-9), 1),
    }  # fmt: skip


def run_province() -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, "-m", "bench.assignments_province"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    ).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def run() -> dict[str, Any]:
    before = machine_load()
    small = run_small()
    province = run_province()
    return {"machine_load_before": before, "small": small, "province": province,
            "machine_load_after": machine_load()}  # fmt: skip


def report(result: dict[str, Any]) -> str:
    s, p = result["small"], result["province"]
    return "\n".join([
        f"assignments (a) {s['outlets']} outlets x {s['liaisons']} liaisons, capacity "
        f"{s['capacity']}: warmmap {s['warmmap']['seconds']:.3f} s (objective "
        f"{s['warmmap']['objective_m']:.1f} m, {s['warmmap']['proof']['status']}) vs spopt "
        f"PMedian {s['spopt']['seconds']:.1f} s ({s['spopt']['solve_s']:.1f} s of it CBC; "
        f"objective {s['spopt']['objective_m']:.1f} m, "
        f"{s['spopt']['status']}) -> {s['time_ratio']}x faster, same objective: "
        f"{s['same_objective']}",
        f"assignments (b) {p['outlets']} outlets x {p['liaisons']} liaisons, capacity "
        f"{p['capacity']}: {p['seconds']:.1f} s, peak {p['peak_rss_mb']:.0f} MB, "
        f"{p['proof']['status']} (dual bound {p['proof']['dual_bound_mm']} mm = plan "
        f"{p['proof']['primal_cost_mm']} mm, {p['proof']['rounds']} rounds, "
        f"{p['proof']['arcs']} arcs)",
    ])  # fmt: skip
