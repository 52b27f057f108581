"""(b) of bench/assignments.py in a process of its own, so its peak memory is its own.

Prints one JSON line: seconds, peak resident memory, the plan's total and its proof.
"""

import json
import resource
import time

from bench.assignments import PROVINCE, province_instance
from geo_api.assignments.problem import single_group
from geo_api.assignments.solver import assign


def main() -> None:
    outlets, liaisons = province_instance()
    n, m, capacity = PROVINCE
    baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    plan = assign(single_group(outlets, liaisons, capacity))
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "outlets": n, "liaisons": m, "capacity": capacity, "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak_mb, 1), "rss_before_solving_mb": round(baseline_mb, 1),
        "feasible": plan.feasible, "total_distance_m": round(plan.total_distance_m, 1),
        "max_nearer_full": int(plan.nearer_full.max()), "proof": plan.proof,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
