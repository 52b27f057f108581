"""A proof that a plan on the sparse graph is optimal on the full one: a feasible dual.

The linear programme of the assignment is

    min sum c_ij x_ij   s.t.  sum_j x_ij = 1 (each outlet i),  sum_i x_ij <= q_j (each liaison j)

and its dual: max sum u_i - sum q_j v_j  s.t.  u_i - v_j <= c_ij on every arc,  v_j >= 0.

Given the flow's plan (outlet i on liaison s(i)), complementary slackness fixes u_i = c_i,s(i) +
v_s(i), and v_j = 0 for every liaison with places left. The remaining conditions are difference
constraints between liaisons, v_s(i) <= v_j + c_ij - c_i,s(i) for every arc (i, j), solved by
shortest paths towards the liaisons with places left (Bellman-Ford, vectorised with numpy). If
that yields v >= 0 everywhere, (u, v) is feasible for the candidate arcs and its objective equals
the plan's cost. An arc left out of the graph satisfies its constraint when c_ij >= u_i - v_j,
which holds whenever the outlet's lower bound on left-out arcs is at least u_i (v_j >= 0); only
outlets priced above their bound need a look at the liaisons within reach of u_i. With no arc
violated the dual is feasible for the full problem and the plan is optimal (weak duality), with
integers throughout.
"""

from dataclasses import dataclass

import numpy as np

from geo_api.assignments.candidates import NO_BOUND, Arcs

INFINITE = np.iinfo(np.int64).max // 4


@dataclass
class Duals:
    """Dual prices: per outlet (u, mm) and per liaison (v, mm); None entries if not proven."""

    outlet: np.ndarray
    liaison: np.ndarray
    iterations: int

    def objective(self, capacity: np.ndarray) -> int:
        """Return the dual objective sum u - sum q v, a lower bound of every plan's cost."""
        return int(self.outlet.sum()) - int((capacity * self.liaison).sum())


class NotOptimal(RuntimeError):
    """The plan admits an improving cycle: the flow solver did not return an optimum."""


def _shortest(v: np.ndarray, src: np.ndarray, dst: np.ndarray, w: np.ndarray) -> int:
    """Relax v[src] <= v[dst] + w in place until nothing changes; return the rounds taken."""
    if len(src) == 0:
        return 0
    order = np.argsort(src, kind="stable")
    src, dst, w = src[order], dst[order], w[order]
    starts = np.flatnonzero(np.r_[True, src[1:] != src[:-1]])
    heads = src[starts]
    for rounds in range(1, len(v) + 2):
        through = np.where(v[dst] >= INFINITE, INFINITE, v[dst] + w)
        best = np.minimum.reduceat(through, starts)
        better = best < v[heads]
        if not better.any():
            return rounds
        v[heads[better]] = best[better]
    raise NotOptimal("the plan's price constraints have a negative cycle")


def liaison_prices(
    arcs: Arcs, arc_of_outlet: np.ndarray, loads: np.ndarray, capacity: np.ndarray
) -> tuple[np.ndarray, int]:
    """Return v (mm) satisfying complementary slackness and every candidate arc's constraint."""
    chosen = arc_of_outlet[arcs.outlet]
    home = arcs.liaison[chosen]
    other = arcs.liaison != home
    src, dst = home[other], arcs.liaison[other]
    w = arcs.cost[other] - arcs.cost[chosen][other]
    v = np.where(loads < capacity, 0, INFINITE).astype(np.int64)
    rounds = _shortest(v, src, dst, w)
    if (v < 0).any():
        raise NotOptimal("a chain of moves towards a liaison with places left saves distance")
    closed = v >= INFINITE  # full liaisons from which no chain of moves reaches free places
    if closed.any():
        inside = closed[src] & closed[dst]
        base = np.where(closed, 0, v)
        rounds += _shortest(base, src[inside], dst[inside], w[inside])
        into = ~closed[src] & closed[dst]
        need = base[src[into]] - w[into] - base[dst[into]]
        shift = max(0, -int(base[closed].min()), int(need.max()) if len(need) else 0)
        v = np.where(closed, base + shift, v)
    return v, rounds


def prove(arcs: Arcs, arc_of_outlet: np.ndarray, capacity: np.ndarray, m: int) -> Duals:
    """Return duals that certify the plan optimal on ``arcs``.

    Raises
    ------
    NotOptimal
        When no such duals exist (the plan can be improved on the given arcs).
    """
    loads = np.bincount(arcs.liaison[arc_of_outlet], minlength=m)
    v, rounds = liaison_prices(arcs, arc_of_outlet, loads, capacity)
    u = arcs.cost[arc_of_outlet] + v[arcs.liaison[arc_of_outlet]]
    if (u[arcs.outlet] - v[arcs.liaison] > arcs.cost).any():
        raise NotOptimal("a candidate arc violates its dual constraint")
    return Duals(u, v, rounds)


def priced_above_bound(duals: Duals, bound_mm: np.ndarray, penalty_mm: np.ndarray) -> np.ndarray:
    """Return the outlets whose price exceeds the cheapest arc the graph may have left out."""
    limit = np.where(bound_mm >= NO_BOUND, INFINITE, bound_mm + penalty_mm)
    return np.flatnonzero(duals.outlet > limit)


def violated(duals: Duals, extra: Arcs) -> np.ndarray:
    """Return a mask of the left-out arcs whose dual constraint fails: they could improve."""
    return np.asarray(duals.outlet[extra.outlet] - duals.liaison[extra.liaison] > extra.cost)
