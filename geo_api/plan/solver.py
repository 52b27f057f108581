"""Maximal covering (MCLP) and partial set covering, exact with HiGHS, or greedy plus swap.

The problem is given as cover sets: for each candidate site, the demand groups it covers (only
demand not already covered by an open station). With ``y`` continuous in [0, 1] and ``x``
binary, ``y_g <= sum x_j`` makes every integral ``x`` give the true covered weight, so the MIP
is exact while only the sites are integer.
"""

import math
from dataclasses import dataclass, field

import highspy
import numpy as np
import numpy.typing as npt

from geo_api.plan.deadline import Deadline

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


def swap_improve(
    problem: CoverProblem, chosen: list[int], deadline: Deadline | None = None
) -> tuple[list[int], bool]:
    """Exchange one chosen site for an unchosen one while that covers more (1-opt).

    Return the sites and whether the search ended in a local optimum; it stops early, keeping
    every exchange made so far, when the deadline passes.
    """
    chosen = list(chosen)
    value = problem.covered_weight(chosen)
    improved = True
    while improved:
        improved = False
        for position in range(len(chosen)):
            if deadline is not None and deadline.expired:
                return chosen, False
            for candidate in range(problem.n_candidates):
                if candidate in chosen:
                    continue
                trial = [*chosen[:position], candidate, *chosen[position + 1 :]]
                trial_value = problem.covered_weight(trial)
                if trial_value > value + 1e-9:
                    chosen, value, improved = trial, trial_value, True
    return chosen, True


def greedy_swap(problem: CoverProblem, p: int, deadline: Deadline | None = None) -> Solution:
    """Solve by greedy plus swap; the bound is the greedy guarantee, value / (1 - 1/e)."""
    first = greedy(problem, p)
    bound = min(problem.covered_weight(first) / (1 - 1 / np.e), float(problem.weights.sum()))
    if deadline is not None and deadline.expired and first:
        note = "no time was left to improve the greedy sites by swaps"
        return Solution(first, problem.covered_weight(first), False, "greedy", bound, [note])
    chosen, finished = swap_improve(problem, first, deadline)
    notes = [] if finished else ["the swap improvement stopped at the time limit"]
    return Solution(chosen, problem.covered_weight(chosen), False, "greedy+swap", bound, notes)


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


@dataclass(frozen=True)
class MipRun:
    """What one HiGHS run gave: its best sites (if any), proof, dual bound, why it stopped."""

    chosen: list[int] | None
    optimal: bool
    dual_bound: float
    note: str


def _run(highs: highspy.Highs, n_sites: int, deadline: Deadline) -> MipRun:
    """Run HiGHS with what is left of ``deadline``; return its best solution and the proof."""
    limit_s = deadline.remaining_s()
    if limit_s <= 0.0:
        note = f"the {deadline.limit_s:g} s time limit ran out before HiGHS could start"
        return MipRun(None, False, math.nan, note)
    highs.setOptionValue("time_limit", limit_s)
    highs.run()
    deadline.record(limit_s, highs.getRunTime())
    status = highs.getModelStatus()
    info = highs.getInfo()
    optimal = status == highspy.HighsModelStatus.kOptimal
    if status == highspy.HighsModelStatus.kTimeLimit:
        note = f"HiGHS stopped without proof at the {deadline.limit_s:g} s time limit"
    else:
        note = f"HiGHS stopped without proof: {highs.modelStatusToString(status)}"
    if info.primal_solution_status != 2:  # 2 is kSolutionStatusFeasible
        return MipRun(None, False, math.nan, note)
    x = np.asarray(highs.getSolution().col_value[:n_sites])
    chosen = [int(j) for j in np.flatnonzero(x > 0.5)]
    return MipRun(chosen, optimal, float(info.mip_dual_bound), "" if optimal else note)


def mclp_exact(problem: CoverProblem, p: int, deadline: Deadline) -> MipRun:
    """Run HiGHS on the maximal covering problem with at most ``p`` sites."""
    n_sites, n_groups = problem.n_candidates, len(problem.weights)
    highs = _model(problem)
    highs.changeColsCost(
        n_groups, np.arange(n_sites, n_sites + n_groups, dtype=np.int32), problem.weights
    )
    highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
    ones = np.ones(n_sites)
    highs.addRow(-highspy.kHighsInf, float(p), n_sites, np.arange(n_sites, dtype=np.int32), ones)
    return _run(highs, n_sites, deadline)


def solve_mclp(problem: CoverProblem, p: int, deadline: Deadline | None = None) -> Solution:
    """Choose at most ``p`` sites covering the most weight: HiGHS MIP, else greedy plus swap.

    Without proof within the deadline, the answer is the better of HiGHS' incumbent and greedy
    plus swap, ``solver`` naming the one it is, with the tighter of HiGHS' dual bound and the
    greedy guarantee as ``bound``.
    """
    deadline = deadline or Deadline()
    if problem.n_candidates == 0 or len(problem.weights) == 0:
        return Solution([], 0.0, True, "trivial", 0.0)
    run = mclp_exact(problem, p, deadline)
    if run.chosen is not None and run.optimal:
        value = problem.covered_weight(run.chosen)
        return Solution(run.chosen, value, True, "highs-mip", value)
    fallback = greedy_swap(problem, p, deadline)
    bound = min(fallback.bound, run.dual_bound) if math.isfinite(run.dual_bound) else fallback.bound
    incumbent = problem.covered_weight(run.chosen) if run.chosen is not None else -1.0
    if run.chosen is not None and incumbent > fallback.objective:
        solution = Solution(run.chosen, incumbent, False, "highs-mip", bound)
    else:
        solution = Solution(fallback.chosen, fallback.objective, False, fallback.solver, bound)
        solution.notes += fallback.notes
    solution.notes.insert(0, run.note)
    return solution


def solve_cover(problem: CoverProblem, need: float, deadline: Deadline | None = None) -> Solution:
    """Choose the fewest sites covering at least ``need`` weight (``need`` must be reachable).

    Without proof within the deadline, the answer is whichever of HiGHS' incumbent and the
    greedy sites needs fewer sites (then covers more), ``solver`` naming the one it is; ``bound``
    is then the fewest sites any answer needs as far as HiGHS proved (NaN when unknown).
    """
    deadline = deadline or Deadline()
    n_sites, n_groups = problem.n_candidates, len(problem.weights)
    if need <= 0:
        return Solution([], 0.0, True, "trivial", 0.0)
    highs = _model(problem)
    highs.changeColsCost(n_sites, np.arange(n_sites, dtype=np.int32), np.ones(n_sites))
    groups = np.arange(n_sites, n_sites + n_groups, dtype=np.int32)
    highs.addRow(float(need) - 1e-6, highspy.kHighsInf, n_groups, groups, problem.weights)
    run = _run(highs, n_sites, deadline)
    if run.chosen is not None and run.optimal:
        value = problem.covered_weight(run.chosen)
        return Solution(run.chosen, value, True, "highs-mip", float(len(run.chosen)))
    fewest = math.ceil(run.dual_bound - 1e-6) if math.isfinite(run.dual_bound) else math.nan
    candidates = [(greedy_until(problem, need), "greedy")]
    if run.chosen is not None:
        candidates.insert(0, (run.chosen, "highs-mip"))
    # Fewer sites first, then more weight; on a tie HiGHS' answer, listed first, stays.
    chosen, solver = min(candidates, key=lambda c: (len(c[0]), -problem.covered_weight(c[0])))
    value = problem.covered_weight(chosen)
    return Solution(chosen, value, False, solver, float(fewest), [run.note])


def greedy_until(problem: CoverProblem, need: float) -> list[int]:
    """Return greedy sites until ``need`` weight is covered (the set-cover fallback)."""
    chosen = greedy(problem, problem.n_candidates)
    for k in range(1, len(chosen) + 1):
        if problem.covered_weight(chosen[:k]) >= need - 1e-6:
            return chosen[:k]
    return chosen
