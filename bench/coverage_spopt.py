"""PySAL spopt's MCLP on a saved instance; run by bench/coverage.py in bench/.venv-spopt.

Usage: python coverage_spopt.py INSTANCE.npz. Prints one JSON line: seconds, objective, sites.
This file must not import warmmap: it runs in the benchmark's own environment.
"""

import json
import sys
import time

import numpy as np
import pulp
from spopt.locate import MCLP


def main(path: str) -> None:
    instance = np.load(path)
    cost, weights = instance["cost_m"], instance["weights"]
    radius_m, p = float(instance["radius_m"]), int(instance["p"])
    started = time.perf_counter()
    model = MCLP.from_cost_matrix(cost, weights, radius_m, p_facilities=p)
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    seconds = time.perf_counter() - started
    sites = [j for j, var in enumerate(model.fac_vars) if var.value() > 0.5]
    covered = (cost[:, sites] <= radius_m).any(axis=1)
    print(
        json.dumps(
            {
                "seconds": round(seconds, 3),
                "objective": float(weights[covered].sum()),
                "sites": sites,
                "status": pulp.LpStatus[model.problem.status],
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
