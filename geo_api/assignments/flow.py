"""The min-cost flow over the candidate graph (OR-Tools), and the exact feasibility test.

Nodes: outlets (supply 1 each), liaisons, and a sink (demand n). Arcs: outlet -> liaison with
capacity 1 and the arc's cost, liaison -> sink with the liaison's places. OR-Tools' cost-scaling
solver returns an integral optimum of this network, since its costs and capacities are integers.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from ortools.graph.python import max_flow, min_cost_flow
from scipy import sparse

from geo_api.assignments.candidates import Arcs
from geo_api.assignments.problem import NO_LIAISON, Problem

# OR-Tools multiplies costs by the number of nodes while scaling; keep that within int64.
COST_LIMIT = 2**62


@dataclass
class Flow:
    """A solved flow: each outlet's liaison (NO_LIAISON when the flow is short) and the cost."""

    assigned: np.ndarray
    arc_of_outlet: np.ndarray  # index into the arcs of each outlet's chosen arc, -1 if none
    cost: int
    complete: bool


def solve_flow(problem: Problem, arcs: Arcs) -> Flow:
    """Return a min-cost flow sending every outlet it can to a liaison with places left.

    When all outlets fit it is a minimum-cost assignment of all of them; otherwise the largest
    number that fit, at the least cost among such flows.
    """
    n, m = problem.n, problem.m
    if len(arcs) and int(arcs.cost.max()) * (n + m + 2) >= COST_LIMIT:
        raise OverflowError("distances too large for the flow solver")
    solver = min_cost_flow.SimpleMinCostFlow()
    sink = n + m
    liaisons = np.arange(m, dtype=np.int64)
    solver.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([arcs.outlet, n + liaisons]),
        np.concatenate([n + arcs.liaison, np.full(m, sink, dtype=np.int64)]),
        np.concatenate([np.ones(len(arcs), dtype=np.int64), problem.capacity]),
        np.concatenate([arcs.cost, np.zeros(m, dtype=np.int64)]),
    )
    supplies = np.zeros(n + m + 1, dtype=np.int64)
    supplies[:n] = 1
    supplies[sink] = -n
    solver.set_nodes_supplies(np.arange(n + m + 1), supplies)
    # Placing everyone is the rule (feasibility is checked first on the full graph), and plain
    # solve() is a fifth faster; only a graph too thin to place everyone needs the max flow.
    status = solver.solve()
    if status == solver.INFEASIBLE:
        status = solver.solve_max_flow_with_min_cost()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost flow ended with status {status}")
    used = np.flatnonzero(solver.flows(np.arange(len(arcs))) > 0)
    assigned = np.full(n, NO_LIAISON, dtype=np.int64)
    arc_of_outlet = np.full(n, -1, dtype=np.int64)
    assigned[arcs.outlet[used]] = arcs.liaison[used]
    arc_of_outlet[arcs.outlet[used]] = used
    cost = int(arcs.cost[used].sum())
    return Flow(assigned, arc_of_outlet, cost, bool(len(used) == n))


@dataclass
class Shortfall:
    """What the full graph cannot serve: how many outlets, and which ones are short."""

    served: int
    capacity: int
    short_outlets: np.ndarray  # outlets of the eligibility classes left (partly) unserved
    no_liaison: np.ndarray  # outlets no liaison may serve at all


def full_shortfall(problem: Problem) -> Shortfall:
    """Return how many outlets the full graph can serve, by an exact aggregated max flow.

    Liaisons of one group are interchangeable for feasibility, so the flow runs on classes of
    outlets with the same eligible groups, groups, and their total places: tiny, and exact.
    """
    rows = problem.outlet_groups.tolil().rows
    klass, signatures = pd.factorize(pd.Series([",".join(map(str, r)) for r in rows], dtype=object))
    n_groups = problem.outlet_groups.shape[1]
    places = np.bincount(problem.liaison_group, weights=problem.capacity, minlength=n_groups)
    sizes = np.bincount(klass, minlength=len(signatures))
    solver = max_flow.SimpleMaxFlow()
    source, sink = 0, 1 + len(signatures) + n_groups
    for k, signature in enumerate(signatures):
        solver.add_arc_with_capacity(source, 1 + k, int(sizes[k]))
        for group in (int(g) for g in signature.split(",") if g):
            solver.add_arc_with_capacity(1 + k, 1 + len(signatures) + group, int(sizes[k]))
    for group in range(n_groups):
        solver.add_arc_with_capacity(1 + len(signatures) + group, sink, int(places[group]))
    solver.solve(source, sink)
    sent = np.zeros(len(signatures), dtype=np.int64)
    for arc in range(solver.num_arcs()):
        if solver.tail(arc) == source:
            sent[solver.head(arc) - 1] = solver.flow(arc)
    eligible_places = sparse.csr_matrix(problem.outlet_groups, dtype=np.int64) @ places
    return Shortfall(
        served=int(solver.optimal_flow()),
        capacity=int(places.sum()),
        short_outlets=np.flatnonzero(sent[klass] < sizes[klass]),
        no_liaison=np.flatnonzero(np.asarray(eligible_places).ravel() == 0),
    )
