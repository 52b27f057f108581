import itertools

import numpy as np
import pytest

from geo_api.plan.deadline import Deadline
from geo_api.plan.solver import (
    CoverProblem,
    greedy,
    greedy_swap,
    greedy_until,
    solve_cover,
    solve_mclp,
)


def random_problem(seed, groups=25, sites=9, density=0.2):
    rng = np.random.default_rng(seed)
    weights = rng.integers(1, 30, groups).astype(float)
    covers = [np.flatnonzero(rng.random(groups) < density) for _ in range(sites)]
    return CoverProblem(weights, covers)


def exhaustive(problem, p):
    return max(
        problem.covered_weight(list(c))
        for c in itertools.combinations(range(problem.n_candidates), p)
    )


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("p", [1, 2, 4])
def test_mip_equals_exhaustive_and_greedy_swap_is_bounded(seed, p):
    problem = random_problem(seed)
    best = exhaustive(problem, p)
    exact = solve_mclp(problem, p)
    assert exact.optimal and exact.solver == "highs-mip"
    assert exact.objective == pytest.approx(best)
    assert len(exact.chosen) <= p
    heuristic = greedy_swap(problem, p)
    assert heuristic.objective <= best + 1e-9 <= heuristic.bound + 1e-9
    assert heuristic.objective >= (1 - 1 / np.e) * best - 1e-9


@pytest.mark.parametrize("seed", range(6))
def test_set_cover_is_minimal(seed):
    problem = random_problem(seed)
    everything = problem.covered_weight(list(range(problem.n_candidates)))
    need = 0.75 * everything
    smallest = next(
        k for k in range(problem.n_candidates + 1) if k and exhaustive(problem, k) >= need - 1e-9
    )
    solution = solve_cover(problem, need)
    assert solution.optimal
    assert len(solution.chosen) == smallest
    assert solution.objective >= need - 1e-9


def test_empty_problem_is_trivial():
    solution = solve_mclp(CoverProblem(np.zeros(0), []), 3)
    assert solution.chosen == [] and solution.objective == 0 and solution.optimal


def hard_problem(seed=1, groups=400, sites=120, density=0.05):
    """Random covering with near-equal weights: HiGHS proves no answer of it in 30 s."""
    rng = np.random.default_rng(seed)
    weights = rng.integers(5, 10, groups).astype(float)
    covers = [np.flatnonzero(rng.random(groups) < density) for _ in range(sites)]
    return CoverProblem(weights, covers)


def with_greedy_trap(problem, k=6, weight=1000.0):
    """Add the classic instance greedy gets wrong: two rows of 2**(k+1) - 2 heavy groups each.

    The rows are two sites; k more sites cover blocks of 2, 4, ..., 2**k columns of both rows.
    Each block covers a little more than a row, so greedy takes blocks (k sites) where two
    sites would do; HiGHS finds the rows at once but still cannot prove the random part.
    """
    columns = 2 ** (k + 1) - 2
    top = len(problem.weights) + np.arange(columns)
    bottom = top + columns
    covers = [top, bottom]
    start = 0
    for size in (2**i for i in range(1, k + 1)):
        covers.append(np.concatenate([top[start : start + size], bottom[start : start + size]]))
        start += size
    weights = np.concatenate([problem.weights, np.full(2 * columns, weight)])
    return CoverProblem(weights, [*problem.covers, *covers]), float(2 * columns * weight)


def test_an_unproven_highs_answer_is_reported_as_highs_with_its_bound():
    problem, _ = with_greedy_trap(hard_problem())
    deadline = Deadline(1.0)
    solution = solve_mclp(problem, 12, deadline)
    assert not solution.optimal and solution.solver == "highs-mip"
    assert solution.objective > greedy_swap(problem, 12).objective
    assert solution.objective == problem.covered_weight(solution.chosen)
    assert solution.objective <= solution.bound
    assert "HiGHS stopped without proof at the 1 s time limit" in solution.notes
    assert len(deadline.solves) == 1 and deadline.solves[0].limit_s <= 1.0


def test_an_unproven_highs_cover_is_not_called_greedy():
    problem, trap_weight = with_greedy_trap(hard_problem())
    core = hard_problem()
    need = trap_weight + 0.5 * core.covered_weight(list(range(core.n_candidates)))
    solution = solve_cover(problem, need, Deadline(1.0))
    greedy_sites = greedy_until(problem, need)
    assert not solution.optimal
    assert solution.solver == "highs-mip"
    assert len(solution.chosen) < len(greedy_sites)
    assert solution.objective >= need - 1e-6
    assert solution.bound <= len(solution.chosen)
    assert "HiGHS stopped without proof at the 1 s time limit" in solution.notes


@pytest.mark.parametrize("limit_s", [0.0, 0.01])
def test_mclp_under_a_tiny_limit_answers_no_worse_than_greedy_and_says_so(limit_s):
    problem = hard_problem()
    solution = solve_mclp(problem, 15, Deadline(limit_s))
    first = greedy(problem, 15)
    assert not solution.optimal
    assert solution.objective >= problem.covered_weight(first)
    assert solution.objective <= solution.bound
    assert any(f"{limit_s:g} s time limit" in note for note in solution.notes)
    if solution.solver == "greedy":
        # No time was left to improve the greedy sites: they are returned as they are.
        assert solution.chosen == first
        assert "no time was left to improve the greedy sites by swaps" in solution.notes
    else:
        assert solution.solver in ("highs-mip", "greedy+swap")


@pytest.mark.parametrize("limit_s", [0.0, 0.01])
def test_cover_under_a_tiny_limit_answers_no_worse_than_greedy_and_says_which(limit_s):
    problem = hard_problem()
    need = 0.9 * problem.covered_weight(list(range(problem.n_candidates)))
    solution = solve_cover(problem, need, Deadline(limit_s))
    greedy_sites = greedy_until(problem, need)
    assert not solution.optimal
    assert len(solution.chosen) <= len(greedy_sites)
    assert solution.objective >= need - 1e-6
    assert any(f"{limit_s:g} s time limit" in note for note in solution.notes)
    if solution.solver == "greedy":
        assert solution.chosen == greedy_sites
    else:
        assert solution.solver == "highs-mip"
    if limit_s == 0.0:
        assert solution.solver == "greedy" and np.isnan(solution.bound)


def test_each_solve_gets_only_what_the_earlier_ones_left():
    problem = random_problem(3, groups=60, sites=20)
    deadline = Deadline(5.0)
    for p in (1, 2, 3, 4):
        solve_mclp(problem, p, deadline)
    limits = [solve.limit_s for solve in deadline.solves]
    runs = [solve.run_s for solve in deadline.solves]
    assert len(limits) == 4 and all(run > 0 for run in runs)
    # The time HiGHS reports for the earlier solves is taken off each later limit, so the
    # solver's time over the request cannot pass the limit by more than the last overrun.
    for i, limit_s in enumerate(limits):
        assert sum(runs[:i]) + limit_s <= 5.0
