import itertools

import numpy as np
import pytest

from geo_api.plan.solver import CoverProblem, greedy_swap, solve_cover, solve_mclp


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
