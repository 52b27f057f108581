"""The auto-assigner's problem read from the database: a scope's outlets and their liaisons.

Outlets: every outlet whose area (community, else district) lies in the scope, with its current
liaison of the role when that assignment still holds. Liaisons: the active ones of the role
whose scope contains some part of the scope or lies inside it, based at their given point or
their scope area's representative point. Their places left are ``max_per_liaison`` less their
current outlets outside the scope, which the plan does not touch.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.areas import contains, like_patterns
from geo_api.assignments.problem import NO_LIAISON, Problem
from geo_api.liaisons.scopes import ancestors, related_filter
from geo_api.outlets.records import AREA

OUTLETS = f"""
    SELECT o.id, ST_X(o.geom) AS lon, ST_Y(o.geom) AS lat, {AREA} AS area,
           cur.liaison_id AS current_id
    FROM outlets o
    LEFT JOIN LATERAL (
      SELECT ol.liaison_id FROM outlet_liaisons ol
      WHERE ol.outlet_id = o.id AND ol.role = :role AND ol.ended_at IS NULL
    ) cur ON true
    WHERE {AREA} LIKE ANY(:patterns)
    ORDER BY o.id
"""
LIAISONS = f"""
    SELECT l.id, l.scope_adcode,
           coalesce(ST_X(l.geom), ST_X(p.point)) AS lon,
           coalesce(ST_Y(l.geom), ST_Y(p.point)) AS lat,
           (SELECT count(*) FROM outlet_liaisons ol JOIN outlets o ON o.id = ol.outlet_id
            WHERE ol.liaison_id = l.id AND ol.ended_at IS NULL
              AND NOT {AREA} LIKE ANY(:patterns)) AS outside_load
    FROM liaisons l
    LEFT JOIN LATERAL (
      SELECT ST_PointOnSurface(a.geom) AS point FROM admin_areas a WHERE a.adcode = l.scope_adcode
    ) p ON l.geom IS NULL
    WHERE l.active AND l.role = :role AND {{related}}
    ORDER BY l.id
"""


@dataclass
class ScopeProblem:
    """A problem with the ids and areas behind its indices."""

    problem: Problem
    outlet_ids: np.ndarray
    outlet_areas: list[str]
    current_ids: list[int | None]  # the outlet's current liaison of the role, valid or not
    liaison_ids: np.ndarray
    without_base: list[int]  # liaisons with neither a base point nor a known scope area


def _groups(areas: list[str], scopes: list[str]) -> tuple[np.ndarray, sparse.csr_matrix]:
    """Return each liaison's group (its scope) and which groups may serve each outlet."""
    distinct, liaison_group = np.unique(np.array(scopes, dtype=object), return_inverse=True)
    group_of = {scope: g for g, scope in enumerate(distinct)}
    # The scopes holding an area are the area and its ancestors: look those up, then confirm.
    by_area = {
        a: [group_of[c] for c in (a, *ancestors(a)) if c in group_of and contains(c, a)]
        for a in set(areas)
    }
    rows = [i for i, a in enumerate(areas) for _ in by_area[a]]
    cols = [g for a in areas for g in by_area[a]]
    matrix = sparse.csr_matrix(
        (np.ones(len(rows), dtype=bool), (rows, cols)), shape=(len(areas), len(distinct))
    )
    return liaison_group.astype(np.int64), matrix


def _read(session: Session, scope: str, role: str) -> tuple[list[Any], list[Any]]:
    params: dict[str, Any] = {"role": role, "patterns": like_patterns([scope])}
    outlets = list(session.execute(text(OUTLETS), params).all())
    related, related_params = related_filter([scope])
    sql = LIAISONS.format(related=related)
    liaisons = list(session.execute(text(sql), params | related_params).all())
    return outlets, liaisons


def scope_problem(
    session: Session, scope: str, role: str, max_per_liaison: int, keep_existing: bool
) -> ScopeProblem:
    """Return the problem of assigning ``role`` liaisons to the outlets of ``scope``."""
    outlets, rows = _read(session, scope, role)
    without_base = [r.id for r in rows if r.lon is None]
    liaisons = [r for r in rows if r.lon is not None]
    index = {r.id: j for j, r in enumerate(liaisons)}
    areas = [o.area for o in outlets]
    liaison_group, outlet_groups = _groups(areas, [r.scope_adcode for r in liaisons])
    # An assignment is kept only while it holds: its liaison active (so listed) and covering.
    current = np.array(
        [
            index[o.current_id]
            if o.current_id in index
            and contains(liaisons[index[o.current_id]].scope_adcode, o.area)
            else NO_LIAISON
            for o in outlets
        ],
        dtype=np.int64,
    )
    outside = np.array([r.outside_load for r in liaisons], dtype=np.int64)
    problem = Problem(
        outlets=np.array([(o.lon, o.lat) for o in outlets], dtype=np.float64).reshape(-1, 2),
        liaisons=np.array([(r.lon, r.lat) for r in liaisons], dtype=np.float64).reshape(-1, 2),
        capacity=np.maximum(0, max_per_liaison - outside),
        liaison_group=liaison_group,
        outlet_groups=outlet_groups,
        current=current,
        keep_existing=keep_existing,
    )
    return ScopeProblem(
        problem=problem,
        outlet_ids=np.array([o.id for o in outlets], dtype=np.int64),
        outlet_areas=areas,
        current_ids=[o.current_id for o in outlets],
        liaison_ids=np.array([r.id for r in liaisons], dtype=np.int64),
        without_base=without_base,
    )
