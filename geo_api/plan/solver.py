"""Maximal covering (MCLP) and partial set covering, exact with HiGHS, or greedy plus swap.

The problem is given as cover sets: for each candidate site, the demand groups it covers (only
demand not already covered by an open station). With ``y`` continuous in [0, 1] and ``x``
binary, ``y_g <= sum x_j`` makes every integral ``x`` give the true covered weight, so the MIP
is exact while only the sites are integer.
"""

from dataclasses import dataclass, field

import highspy
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CoverProblem:
    """Demand weights per group, and for each candidate the groups it covers."""

    weights: FloatArray
    covers: list[npt.NDArray[np.int64]]

    @property
    def n_candidates(self) -> int:
        """Return the number of candidate sites."""
        return len(self.covers)

    def covered_weight(self, chosen: list[int]) -> float:
        """Return the weight covered by the sites ``chosen``."""
        if not chosen:
            return 0.0
        groups = np.unique(np.concatenate([self.covers[j] for j in chosen]))
        return float(self.weights[groups].sum())


@dataclass
class Solution:
    """Chosen sites (indices into the candidates) and how good they are known to be."""

    chosen: list[int]
    objective: float
    optimal: bool
    solver: str
    bound: float
    notes: list[str] = field(default_factory=list)


def greedy(problem: CoverProblem, p: int) -> list[int]:
    """Return up to ``p`` sites, each the one adding the most uncovered weight."""
    covered = np.zeros(len(problem.weights), dtype=bool)
    chosen: list[int] = []
    for _ in range(min(p, problem.n_candidates)):
        gains = [
            -1.0 if j in chosen else float(problem.weights[cover[~covered[cover]]].sum())
            for j, cover in enumerate(problem.covers)
        ]
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        chosen.append(best)
        covered[problem.covers[best]] = True
    return chosen


def swap_improve(problem: CoverProblem, chosen: list[int]) -> list[int]:
    """Exchange one chosen site for an unchosen one while that covers more (1-opt)."""
    chosen = list(chosen)
    value = problem.covered_weight(chosen)
    improved = True
    while improved:
        improved = False
        for position in range(len(chosen)):
            for candidate in range(problem.n_candidates):
                if candidate in chosen:
                    continue
                trial = [*chosen[:position], candidate, *chosen[position + 1 :]]
                trial_value = problem.covered_weight(trial)
                if trial_value > value + 1e-9:
                    chosen, value, improved = trial, trial_value, True
    return chosen


def greedy_swap(problem: CoverProblem, p: int) -> Solution:
    """Solve by greedy plus swap; the bound is the greedy guarantee, value / (1 - 1/e)."""
    first = greedy(problem, p)
    bound = min(problem.covered_weight(first) / (1 - 1 / np.e), float(problem.weights.sum()))
    chosen = swap_improve(problem, first)
    return Solution(chosen, problem.covered_weight(chosen), False, "greedy+swap", bound)


def _model(problem: CoverProblem) -> highspy.Highs:
    """Return HiGHS with x (binary sites) then y (groups, [0, 1]) and rows y_g <= sum x."""
    n_sites, n_groups = problem.n_candidates, len(problem.weights)
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    inf = highspy.kHighsInf
    highs.addVars(n_sites + n_groups, np.zeros(n_sites + n_groups), np.ones(n_sites + n_groups))
    highs.changeColsIntegrality(
        n_sites,
        np.arange(n_sites, dtype=np.int32),
        np.full(n_sites, highspy.HighsVarType.kInteger),
    )
    # Row g: y_g - sum_{j covers g} x_j <= 0, assembled column-wise from the cover sets.
    sites_of: list[list[int]] = [[] for _ in range(n_groups)]
    for j, cover in enumerate(problem.covers):
        for g in cover:
            sites_of[int(g)].append(j)
    starts: list[int] = []
    indices: list[int] = []
    values: list[float] = []
    for g, sites in enumerate(sites_of):
        starts.append(len(indices))
        indices += [n_sites + g, *sites]
        values += [1.0] + [-1.0] * len(sites)
    highs.addRows(
        n_groups,
        np.full(n_groups, -inf),
        np.zeros(n_groups),
        len(indices),
        np.array(starts, dtype=np.int32),
        np.array(indices, dtype=np.int32),
        np.array(values),
    )
    return highs


def _run(highs: highspy.Highs, n_sites: int, time_limit_s: float) -> tuple[list[int] | None, bool]:
    """Run HiGHS; return the chosen sites of its best solution (if any) and whether optimal."""
    highs.setOptionValue("time_limit", float(time_limit_s))
    highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    if info.primal_solution_status != 2:  # 2 is kSolutionStatusFeasible
        return None, False
    x = np.asarray(highs.getSolution().col_value[:n_sites])
    return [int(j) for j in np.flatnonzero(x > 0.5)], status == highspy.HighsModelStatus.kOptimal


def solve_mclp(problem: CoverProblem, p: int, time_limit_s: float = 20.0) -> Solution:
    """Choose at most ``p`` sites covering the most weight: HiGHS MIP, else greedy plus swap."""
    n_sites, n_groups = problem.n_candidates, len(problem.weights)
    if n_sites == 0 or n_groups == 0:
        return Solution([], 0.0, True, "trivial", 0.0)
    highs = _model(problem)
    highs.changeColsCost(
        n_groups, np.arange(n_sites, n_sites + n_groups, dtype=np.int32), problem.weights
    )
    highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
    ones = np.ones(n_sites)
    highs.addRow(-highspy.kHighsInf, float(p), n_sites, np.arange(n_sites, dtype=np.int32), ones)
    chosen, optimal = _run(highs, n_sites, time_limit_s)
    if chosen is not None and optimal:
        value = problem.covered_weight(chosen)
        return Solution(chosen, value, True, "highs-mip", value)
    fallback = greedy_swap(problem, p)
    dual_bound = highs.getInfo().mip_dual_bound
    if np.isfinite(dual_bound):
        fallback.bound = min(fallback.bound, float(dual_bound))
    if chosen is not None and problem.covered_weight(chosen) > fallback.objective:
        fallback = Solution(chosen, problem.covered_weight(chosen), False, "highs-mip", 0.0)
        fallback.bound = float(dual_bound)
    fallback.notes.append(f"HiGHS stopped at the {time_limit_s:g} s limit without proof")
    return fallback


def solve_cover(problem: CoverProblem, need: float, time_limit_s: float = 20.0) -> Solution:
    """Choose the fewest sites covering at least ``need`` weight (``need`` must be reachable)."""
    n_sites, n_groups = problem.n_candidates, len(problem.weights)
    if need <= 0:
        return Solution([], 0.0, True, "trivial", 0.0)
    highs = _model(problem)
    highs.changeColsCost(n_sites, np.arange(n_sites, dtype=np.int32), np.ones(n_sites))
    groups = np.arange(n_sites, n_sites + n_groups, dtype=np.int32)
    highs.addRow(float(need) - 1e-6, highspy.kHighsInf, n_groups, groups, problem.weights)
    chosen, optimal = _run(highs, n_sites, time_limit_s)
    if chosen is None:
        chosen = greedy_until(problem, need)
        optimal = False
    bound = highs.getInfo().mip_dual_bound if optimal else float("nan")
    value = problem.covered_weight(chosen)
    return Solution(chosen, value, optimal, "highs-mip" if optimal else "greedy", float(bound))


def greedy_until(problem: CoverProblem, need: float) -> list[int]:
    """Return greedy sites until ``need`` weight is covered (the set-cover fallback)."""
    chosen = greedy(problem, problem.n_candidates)
    for k in range(1, len(chosen) + 1):
        if problem.covered_weight(chosen[:k]) >= need - 1e-6:
            return chosen[:k]
    return chosen
