"""The sparse candidate graph: each outlet's k nearest eligible liaisons, and how to widen it.

Each scope group gets a KD-tree of its liaisons' ECEF points; an outlet's candidates are its k
nearest in every group that may serve it (all of a group with k or fewer liaisons). For every
outlet the graph also records a lower bound of the distance to any eligible liaison left out:
the k-th chord distance of each truncated group (chords never exceed geodesics). The certificate
(``certificate.py``) compares that bound with the outlet's dual price to prove that no left-out
arc could improve the plan, or names the arcs to add.
"""

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from geo_api.assignments.geodesy import MM_PER_M, ecef, geodesic_mm
from geo_api.assignments.problem import NO_LIAISON, Problem

NO_BOUND = np.iinfo(np.int64).max // 8


@dataclass
class Arcs:
    """Outlet-liaison arcs with their distance (mm) and cost (mm, plus the price of a move)."""

    outlet: np.ndarray
    liaison: np.ndarray
    distance_mm: np.ndarray
    cost: np.ndarray

    def keys(self, m: int) -> np.ndarray:
        """Return one int64 key per arc (outlet * m + liaison)."""
        return self.outlet * m + self.liaison

    def __len__(self) -> int:
        return len(self.outlet)


@dataclass
class Graph:
    """The candidate arcs, the bound on left-out arcs per outlet, and the move penalty."""

    arcs: Arcs
    bound_mm: np.ndarray  # (n,) every left-out eligible arc is at least this long
    move_penalty: int
    outlet_ecef: np.ndarray
    liaison_tree: cKDTree
    sorted_keys: np.ndarray  # the arcs' keys, sorted, to tell new arcs from known ones

    def has(self, keys: np.ndarray, m: int) -> np.ndarray:
        """Return, per key, whether the graph holds that arc already."""
        found = np.searchsorted(self.sorted_keys, keys)
        found[found == len(self.sorted_keys)] = 0
        if len(self.sorted_keys) == 0:
            return np.zeros(len(keys), dtype=bool)
        return np.asarray(self.sorted_keys[found] == keys)


def move_penalty(problem: Problem) -> int:
    """Return a price of moving a kept assignment larger than any total distance it could save.

    Any two plans differ in total distance by less than n times the largest distance between
    any outlet and any liaison, which is below pi/2 times the largest chord; both bounded from
    the ECEF points' spread around their centroid. Minimising distance plus this price per move
    therefore minimises the number of moves first, then the distance.
    """
    if not problem.keep_existing or problem.n == 0:
        return 0
    points = ecef(np.vstack([problem.outlets, problem.liaisons]))
    radius_m = float(np.linalg.norm(points - points.mean(axis=0), axis=1).max())
    longest_mm = int(np.ceil(np.pi / 2 * 2 * radius_m * MM_PER_M)) + 1
    return problem.n * longest_mm + 1


def costs(problem: Problem, outlet: np.ndarray, liaison: np.ndarray, penalty: int) -> Arcs:
    """Return the arcs ``outlet`` -> ``liaison`` with exact distances and costs."""
    distance = geodesic_mm(problem.outlets[outlet], problem.liaisons[liaison])
    cost = distance.copy()
    if penalty:
        current = problem.current_or_none()[outlet]
        cost[(current != NO_LIAISON) & (current != liaison)] += penalty
    return Arcs(outlet, liaison, distance, cost)


def nearest_graph(problem: Problem, k: int) -> Graph:
    """Return each outlet's k nearest eligible liaisons per group, and its current one."""
    outlet_ecef = ecef(problem.outlets)
    liaison_ecef = ecef(problem.liaisons)
    bound_mm = np.full(problem.n, NO_BOUND, dtype=np.int64)
    outlets_of = problem.outlet_groups.tocsc()
    pairs_o, pairs_l = [], []
    for group in np.unique(problem.liaison_group):
        members = np.flatnonzero(problem.liaison_group == group)
        served = outlets_of[:, group].indices.astype(np.int64)
        if len(served) == 0 or len(members) == 0:
            continue
        if len(members) <= k:
            pairs_o.append(np.repeat(served, len(members)))
            pairs_l.append(np.tile(members, len(served)))
            continue
        chord, index = cKDTree(liaison_ecef[members]).query(
            outlet_ecef[served], k=[*range(1, k + 1)]
        )
        pairs_o.append(np.repeat(served, k))
        pairs_l.append(members[index].ravel())
        kth_mm = np.floor(chord[:, -1] * MM_PER_M).astype(np.int64)
        bound_mm[served] = np.minimum(bound_mm[served], kth_mm)
    current = problem.current_or_none()
    kept = np.flatnonzero(current != NO_LIAISON) if problem.keep_existing else np.zeros(0, int)
    pairs_o.append(kept)
    pairs_l.append(current[kept])
    keys = np.sort(np.concatenate(pairs_o) * problem.m + np.concatenate(pairs_l))
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys
    penalty = move_penalty(problem)
    arcs = costs(problem, keys // max(problem.m, 1), keys % max(problem.m, 1), penalty)
    return Graph(arcs, bound_mm, penalty, outlet_ecef, cKDTree(liaison_ecef), keys)


def arcs_within(graph: Graph, problem: Problem, outlets: np.ndarray, radius_mm: np.ndarray) -> Arcs:
    """Return the eligible arcs not yet in the graph from ``outlets`` to liaisons within reach.

    A liaison is within reach when its chord distance is at most ``radius_mm``; every liaison
    whose geodesic distance is that short is among them.
    """
    found = graph.liaison_tree.query_ball_point(
        graph.outlet_ecef[outlets], radius_mm / MM_PER_M + 1e-3
    )
    sizes = np.fromiter((len(f) for f in found), dtype=np.int64, count=len(found))
    outlet = np.repeat(outlets, sizes)
    liaison = np.concatenate([np.asarray(f, dtype=np.int64) for f in found] or [np.zeros(0, int)])
    fresh = problem.eligible(outlet, liaison) & ~graph.has(outlet * problem.m + liaison, problem.m)
    return costs(problem, outlet[fresh], liaison[fresh], graph.move_penalty)


def add_arcs(graph: Graph, extra: Arcs, m: int) -> None:
    """Add ``extra`` (arcs the graph does not hold) to the graph's arcs."""
    a = graph.arcs
    graph.sorted_keys = np.sort(np.concatenate([graph.sorted_keys, extra.keys(m)]))
    graph.arcs = Arcs(
        np.concatenate([a.outlet, extra.outlet]),
        np.concatenate([a.liaison, extra.liaison]),
        np.concatenate([a.distance_mm, extra.distance_mm]),
        np.concatenate([a.cost, extra.cost]),
    )
