"""The auto-assigner's core against brute force: optimal, integral, honest about infeasibility."""

import itertools

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import linear_sum_assignment

from geo_api.assignments.candidates import Arcs, costs, nearest_graph
from geo_api.assignments.certificate import NotOptimal, prove
from geo_api.assignments.geodesy import ecef, geodesic_m, geodesic_mm
from geo_api.assignments.problem import NO_LIAISON, Problem, single_group
from geo_api.assignments.solver import assign

BOX = ((104.0, 30.6), (104.1, 30.7))


def points(rng, n):
    return rng.uniform(*BOX, size=(n, 2))


def distance_matrix(problem):
    n, m = problem.n, problem.m
    flat = geodesic_mm(np.repeat(problem.outlets, m, axis=0), np.tile(problem.liaisons, (n, 1)))
    return flat.reshape(n, m)


def eligibility(problem):
    groups = problem.outlet_groups.toarray()
    return groups[:, problem.liaison_group]


def brute_force_cost(problem):
    """Optimal total (mm) by the Hungarian method on the capacity-expanded matrix."""
    big = 10**13
    matrix = np.where(eligibility(problem), distance_matrix(problem), big)
    expanded = np.repeat(matrix, problem.capacity, axis=1)
    rows, cols = linear_sum_assignment(expanded)
    total = expanded[rows, cols].sum()
    return None if total >= big else int(total)


def exhaustive(problem, key):
    """Every feasible plan of a tiny problem (all m**n of them), the best by ``key``.

    ``key(moves, total_mm)`` ranks plans; ``moves`` counts outlets off their current liaison.
    """
    dist, ok = distance_matrix(problem), eligibility(problem)
    n, m = problem.n, problem.m
    plans = np.array(list(itertools.product(range(m), repeat=n)), dtype=np.int64)
    rows = np.arange(n)
    feasible = ok[rows, plans].all(axis=1)
    loads = np.stack([(plans == j).sum(axis=1) for j in range(m)], axis=1)
    feasible &= (loads <= problem.capacity).all(axis=1)
    if not feasible.any():
        return None
    plans = plans[feasible]
    totals = dist[rows, plans].sum(axis=1)
    current = problem.current_or_none()
    has = current != NO_LIAISON
    moves = (plans[:, has] != current[has]).sum(axis=1)
    return min(key(int(a), int(b)) for a, b in zip(moves, totals, strict=True))


def plan_cost(problem, plan):
    return int(distance_matrix(problem)[np.arange(problem.n), plan.assigned].sum())


@pytest.mark.parametrize(
    ("seed", "n", "m", "capacity"),
    [(0, 30, 8, 5), (1, 40, 8, 5), (2, 60, 12, 5), (3, 25, 5, 5), (4, 90, 30, 3), (5, 12, 4, 3)],
)
def test_optimal_against_the_hungarian_method(seed, n, m, capacity):
    rng = np.random.default_rng(seed)
    problem = single_group(points(rng, n), points(rng, m), capacity)
    plan = assign(problem)
    assert plan.feasible
    assert plan_cost(problem, plan) == brute_force_cost(problem)
    assert plan.proof["primal_cost_mm"] == plan.proof["dual_bound_mm"]
    assert (np.bincount(plan.assigned, minlength=m) <= capacity).all()


def test_capacity_forced_case_needs_far_liaisons_and_is_still_optimal():
    # Everyone sits next to liaison 0, which has room for 2 of 9; the rest must travel.
    rng = np.random.default_rng(11)
    outlets = np.array([104.0, 30.6]) + rng.normal(0, 0.001, size=(9, 2))
    liaisons = np.array([[104.0, 30.6], [104.05, 30.65], [104.09, 30.69], [104.02, 30.68]])
    problem = single_group(outlets, liaisons, 2)
    problem = Problem(
        problem.outlets,
        problem.liaisons,
        np.array([2, 2, 3, 2]),
        problem.liaison_group,
        problem.outlet_groups,
    )
    plan = assign(problem, k=1)  # k=1: the first graph cannot even place everyone
    assert plan.feasible
    assert plan_cost(problem, plan) == brute_force_cost(problem)
    assert plan_cost(problem, plan) == exhaustive(problem, lambda moves, total: total)
    # Whoever is not on liaison 0 passed it full.
    away = plan.assigned != 0
    assert (plan.nearer_full[away] >= 1).all()


@pytest.mark.parametrize("seed", range(6))
def test_sparse_graph_widens_until_proven(seed):
    rng = np.random.default_rng(100 + seed)
    problem = single_group(points(rng, 40), points(rng, 10), 4)
    plan = assign(problem, k=1)
    assert plan_cost(problem, plan) == brute_force_cost(problem)


def grouped_problem(rng, n=8, current=None, keep=False, capacity=(2, 2, 3)):
    """Two communities (groups 0, 1) and their street (group 2)."""
    outlets = points(rng, n)
    liaisons = points(rng, 3)
    in_community = rng.integers(0, 2, n)
    rows = np.r_[np.arange(n), np.arange(n)]
    cols = np.r_[in_community, np.full(n, 2)]
    groups = sparse.csr_matrix((np.ones(2 * n, bool), (rows, cols)), shape=(n, 3))
    return Problem(
        outlets,
        liaisons,
        np.array(capacity),
        np.array([0, 1, 2]),
        groups,
        current=np.array(current) if current is not None else np.zeros(0, np.int64),
        keep_existing=keep,
    )


@pytest.mark.parametrize("seed", range(8))
def test_scopes_limit_who_may_serve_whom(seed):
    problem = grouped_problem(np.random.default_rng(seed))
    plan = assign(problem)
    best = exhaustive(problem, lambda moves, total: total)
    if best is None:
        assert not plan.feasible
        return
    assert plan.feasible
    assert eligibility(problem)[np.arange(problem.n), plan.assigned].all()
    assert plan_cost(problem, plan) == best


def test_nearer_full_counts_every_nearer_liaison_that_is_full():
    rng = np.random.default_rng(5)
    problem = single_group(points(rng, 30), points(rng, 9), 4)
    plan = assign(problem, k=2)
    dist = distance_matrix(problem)
    loads = np.bincount(plan.assigned, minlength=problem.m)
    for i, j in enumerate(plan.assigned):
        nearer = dist[i] < dist[i, j]
        assert plan.nearer_full[i] == int((nearer & (loads >= 4)).sum())
        # At an optimum every nearer liaison is full.
        assert plan.nearer_full[i] == int(nearer.sum())
    assert np.allclose(
        plan.distance_m, geodesic_m(problem.outlets, problem.liaisons[plan.assigned])
    )


def test_keep_existing_moves_nothing_when_capacity_allows():
    rng = np.random.default_rng(21)
    problem = single_group(points(rng, 9), points(rng, 4), 4)
    current = np.array([3, 3, 2, NO_LIAISON, NO_LIAISON, 1, 0, NO_LIAISON, 2])
    kept = Problem(**{**problem.__dict__, "current": current, "keep_existing": True})
    plan = assign(kept)
    has = current != NO_LIAISON
    assert (plan.assigned[has] == current[has]).all()
    assert not plan.moved.any()
    # Among plans that keep everyone, the new outlets got the cheapest places.
    best = exhaustive(kept, lambda moves, total: (moves, total))
    assert best == (0, plan_cost(kept, plan))


def test_keep_existing_moves_the_fewest_when_capacity_forces_it():
    rng = np.random.default_rng(22)
    problem = single_group(points(rng, 7), points(rng, 3), 3)
    # Liaison 0 holds 5 outlets but may take 3: two must move, and no more than two.
    current = np.array([0, 0, 0, 0, 0, NO_LIAISON, 1])
    kept = Problem(**{**problem.__dict__, "current": current, "keep_existing": True})
    plan = assign(kept)
    assert int(plan.moved.sum()) == 2
    assert plan.proof["moves"] == 2
    best = exhaustive(kept, lambda moves, total: (moves, total))
    assert best == (2, plan_cost(kept, plan))


def test_infeasible_says_how_many_and_who():
    rng = np.random.default_rng(3)
    problem = grouped_problem(rng, n=12, capacity=(1, 1, 2))
    plan = assign(problem)
    assert not plan.feasible
    assert plan.shortfall is not None
    assert plan.shortfall.served == 4 and plan.shortfall.capacity == 4
    assert len(plan.shortfall.short_outlets) > 0
    assert (plan.assigned == NO_LIAISON).all()


def test_an_outlet_no_liaison_may_serve_is_named():
    outlets = np.array([[104.01, 30.61], [104.02, 30.62]])
    groups = sparse.csr_matrix(np.array([[True, False], [False, False]]))
    problem = Problem(outlets, np.array([[104.0, 30.6]]), np.array([5]), np.array([0]), groups)
    plan = assign(problem)
    assert not plan.feasible
    assert list(plan.shortfall.no_liaison) == [1]


def test_the_certificate_refuses_a_plan_that_can_be_improved():
    rng = np.random.default_rng(9)
    problem = single_group(points(rng, 6), points(rng, 6), 1)
    graph = nearest_graph(problem, 6)
    dist = distance_matrix(problem)
    rows, cols = linear_sum_assignment(-dist)  # the longest assignment, far from optimal
    arcs: Arcs = graph.arcs
    keys = arcs.keys(problem.m)
    chosen = np.searchsorted(keys, rows * problem.m + cols)
    with pytest.raises(NotOptimal):
        prove(arcs, chosen, problem.capacity, problem.m)


def test_chords_never_exceed_geodesics():
    rng = np.random.default_rng(1)
    a, b = rng.uniform((73, 18), (135, 53), (500, 2)), rng.uniform((73, 18), (135, 53), (500, 2))
    chord = np.linalg.norm(ecef(a) - ecef(b), axis=1)
    assert (chord <= geodesic_m(a, b)).all()


def test_costs_add_the_move_price_only_off_the_current_liaison():
    rng = np.random.default_rng(2)
    problem = single_group(points(rng, 2), points(rng, 2), 2)
    kept = Problem(
        **{**problem.__dict__, "current": np.array([0, NO_LIAISON]), "keep_existing": True}
    )
    arcs = costs(kept, np.array([0, 0, 1]), np.array([0, 1, 1]), penalty=10**9)
    assert list(arcs.cost - arcs.distance_mm) == [0, 10**9, 0]
