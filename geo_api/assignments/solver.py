"""The auto-assigner's core: an optimal transportation plan on a sparse graph, with its proof.

1. Feasibility is decided exactly on the full graph by an aggregated max flow (``flow.py``).
2. The candidate graph holds each outlet's k nearest eligible liaisons (``candidates.py``).
3. OR-Tools solves the min-cost flow on it; if the graph is too thin to place every outlet,
   k doubles.
4. Dual prices are derived from the plan (``certificate.py``). Outlets priced above the bound of
   their left-out arcs are checked against every liaison within reach; arcs that could improve
   the plan are added and the flow solved again. When none is left, the dual is feasible for the
   full graph, its objective equals the plan's cost, and the plan is optimal.
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from geo_api.assignments.candidates import Graph, add_arcs, arcs_within, nearest_graph
from geo_api.assignments.certificate import Duals, NotOptimal, priced_above_bound, prove, violated
from geo_api.assignments.flow import Flow, Shortfall, full_shortfall, solve_flow
from geo_api.assignments.geodesy import geodesic_m
from geo_api.assignments.problem import NO_LIAISON, Problem

FIRST_K = 8
MAX_ROUNDS = 100


@dataclass
class Plan:
    """The answer of ``assign``: per outlet its liaison, distance and explanation; the proof."""

    assigned: np.ndarray  # liaison index per outlet, NO_LIAISON when infeasible
    distance_m: np.ndarray
    nearer_full: np.ndarray  # eligible liaisons nearer than the assigned one that are full
    moved: np.ndarray  # outlets whose current liaison changes
    feasible: bool
    shortfall: Shortfall | None = None
    proof: dict[str, Any] = field(default_factory=dict)

    @property
    def total_distance_m(self) -> float:
        """Return the plan's total distance in metres."""
        return float(self.distance_m.sum())


def assign(problem: Problem, k: int = FIRST_K) -> Plan:
    """Return the plan of least total distance placing every outlet, proven optimal.

    Raises
    ------
    NotOptimal
        If the proof fails, which would be a bug of the solver, never a property of the input.
    """
    n = problem.n
    empty = np.zeros(n, dtype=np.int64)
    shortfall = full_shortfall(problem)
    if shortfall.served < n:
        no_plan = np.full(n, NO_LIAISON, dtype=np.int64)
        return Plan(no_plan, np.zeros(n), empty, np.zeros(n, bool), False, shortfall)
    if n == 0:
        return Plan(empty, np.zeros(0), empty, np.zeros(0, bool), True, proof={"status": "empty"})
    graph, flow, duals, rounds = _solve_certified(problem, k)
    return _plan(problem, graph, flow, duals, rounds)


def _penalties(problem: Problem, graph: Graph) -> np.ndarray:
    has_current = problem.current_or_none() != NO_LIAISON
    return np.where(has_current, graph.move_penalty, 0).astype(np.int64)


def _solve_certified(problem: Problem, k: int) -> tuple[Graph, Flow, Duals, int]:
    graph = nearest_graph(problem, k)
    penalties = _penalties(problem, graph)
    for rounds in range(1, MAX_ROUNDS + 1):
        flow = solve_flow(problem, graph.arcs)
        if not flow.complete:  # the full graph fits everyone: this one is too thin
            k *= 2
            graph = nearest_graph(problem, k)
            continue
        duals = prove(graph.arcs, flow.arc_of_outlet, problem.capacity, problem.m)
        suspects = priced_above_bound(duals, graph.bound_mm, penalties)
        extra = arcs_within(graph, problem, suspects, duals.outlet[suspects] - penalties[suspects])
        better = violated(duals, extra)
        if not better.any():
            return graph, flow, duals, rounds
        # Every arc within reach of a suspect, not only those violated now: the next plan's
        # prices move, and arcs next to the violated ones are the likeliest to be needed then.
        add_arcs(graph, extra, problem.m)
    raise NotOptimal(f"no proof of optimality after {MAX_ROUNDS} rounds")


def _plan(problem: Problem, graph: Graph, flow: Flow, duals: Duals, rounds: int) -> Plan:
    assigned = flow.assigned
    dual_bound = duals.objective(problem.capacity)
    if dual_bound != flow.cost:
        raise NotOptimal(f"duality gap {flow.cost - dual_bound} mm")
    current = problem.current_or_none()
    moves = int(((current != NO_LIAISON) & (assigned != current)).sum())
    proof = {
        "status": "optimal",
        "method": "min-cost flow (OR-Tools) on k-nearest candidates, certified by a feasible dual",
        "first_k": FIRST_K,
        "arcs": len(graph.arcs),
        "rounds": rounds,
        "price_iterations": duals.iterations,
        "primal_cost_mm": flow.cost,
        "dual_bound_mm": dual_bound,
        "move_penalty_mm": graph.move_penalty,
        "moves": moves,
    }
    return Plan(
        assigned=assigned,
        distance_m=geodesic_m(problem.outlets, problem.liaisons[assigned]),
        nearer_full=_nearer_full(problem, graph, flow),
        moved=(current != NO_LIAISON) & (assigned != current),
        feasible=True,
        proof=proof,
    )


def _nearer_full(problem: Problem, graph: Graph, flow: Flow) -> np.ndarray:
    """Count, per outlet, the eligible liaisons nearer than its own that the plan fills."""
    arcs = graph.arcs
    loads = np.bincount(flow.assigned, minlength=problem.m)
    full = loads >= problem.capacity
    own_mm = arcs.distance_mm[flow.arc_of_outlet]
    nearer = (arcs.distance_mm < own_mm[arcs.outlet]) & full[arcs.liaison]
    counts = np.bincount(arcs.outlet[nearer], minlength=problem.n)
    # Left-out liaisons can be nearer only where the own distance reaches the bound.
    unsure = np.flatnonzero(own_mm >= graph.bound_mm)
    if len(unsure):
        extra = arcs_within(graph, problem, unsure, own_mm[unsure])
        hit = (extra.distance_mm < own_mm[extra.outlet]) & full[extra.liaison]
        counts += np.bincount(extra.outlet[hit], minlength=problem.n)
    return counts
