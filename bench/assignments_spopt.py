"""PySAL spopt's capacitated p-median with every facility fixed; run by bench/assignments.py.

Usage: python assignments_spopt.py INSTANCE.npz. Prints one JSON line: seconds, objective,
each client's facility, status. Must not import warmmap: it runs in bench/.venv-spopt.
"""

import json
import sys
import time

import numpy as np
import pulp
from spopt.locate import PMedian


def main(path: str) -> None:
    instance = np.load(path)
    cost, capacity = instance["cost_m"], int(instance["capacity"])
    n, m = cost.shape
    started = time.perf_counter()
    model = PMedian.from_cost_matrix(
        cost,
        np.ones(n),
        p_facilities=m,
        facility_capacities=np.full(m, capacity),
        predefined_facilities_arr=np.arange(m),
        # Every facility fixed open; "fulfill" would force each to be filled to capacity.
        fulfill_predefined_fac=False,
    )
    built = time.perf_counter()
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    seconds = time.perf_counter() - started
    assignment = [
        next(j for j in range(m) if (model.cli_assgn_vars[i][j].value() or 0) > 0.5)
        for i in range(n)
    ]
    print(json.dumps({
        "seconds": round(seconds, 3),
        "model_build_s": round(built - started, 3),
        "solve_s": round(seconds - (built - started), 3),
        "objective_model": float(pulp.value(model.problem.objective)),
        "status": pulp.LpStatus[model.problem.status],
        "assignment": assignment,
    }))  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1])
