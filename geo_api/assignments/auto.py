"""``POST /assignments/auto``: plan the scope's assignments optimally, explain them, apply them.

Only outlets whose liaison changes are listed; applying ends the assignments they replace
(``auto_moved`` for one that held, ``stale`` for one that no longer did) and starts the new ones
with ``method = 'auto'``, all in the request's transaction, one audit row per outlet changed.
"""

from collections import Counter

import numpy as np
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geo_api import audit
from geo_api.assignments.problem import NO_LIAISON
from geo_api.assignments.schemas import AreaShortfall, AutoRequest, AutoResult, PlannedAssignment
from geo_api.assignments.scope_problem import ScopeProblem, scope_problem
from geo_api.assignments.solver import Plan, assign
from geo_api.auth import Principal
from geo_api.errors import Conflict
from geo_api.models import AuditLog

# One auto-assignment at a time: two plans computed from the same state would collide.
LOCK = text("SELECT pg_advisory_xact_lock(hashtext('warmmap.assignments.auto'))")
END = text("""
    UPDATE outlet_liaisons SET ended_at = now(), ended_by = :actor,
        ended_reason = CASE WHEN outlet_id = ANY(:moved) THEN 'auto_moved' ELSE 'stale' END
    WHERE outlet_id = ANY(:outlets) AND role = :role AND ended_at IS NULL
""")
START = text("""
    INSERT INTO outlet_liaisons (outlet_id, liaison_id, role, assigned_by, method)
    SELECT o, l, :role, :actor, 'auto' FROM unnest(CAST(:outlets AS bigint[]),
                                                   CAST(:liaisons AS bigint[])) AS p(o, l)
""")
AREAS_SHOWN = 5


def auto_assign(session: Session, request: AutoRequest, principal: Principal) -> AutoResult:
    """Plan (and unless ``dry_run`` apply) the optimal assignment of the request's scope."""
    principal.require_scope(request.scope_adcode)
    if not request.dry_run:
        session.execute(LOCK)
    scoped = scope_problem(
        session,
        request.scope_adcode,
        request.role,
        request.max_per_liaison,
        request.keep_existing,
    )
    plan = assign(scoped.problem)
    result = _result(request, scoped, plan)
    if plan.feasible and not request.dry_run and result.assignments:
        _apply(session, request, result, principal)
        result.applied = True
    return result


def _planned(
    request: AutoRequest, scoped: ScopeProblem, plan: Plan, changed: np.ndarray
) -> list[PlannedAssignment]:
    current = scoped.problem.current_or_none()
    return [
        PlannedAssignment(
            outlet_id=int(scoped.outlet_ids[i]),
            liaison_id=int(scoped.liaison_ids[plan.assigned[i]]),
            distance_m=round(float(plan.distance_m[i]), 1),
            nearer_full=int(plan.nearer_full[i]),
            previous_liaison_id=scoped.current_ids[i],
            forced_by_capacity=bool(request.keep_existing and current[i] != NO_LIAISON),
        )
        for i in changed
    ]


def _result(request: AutoRequest, scoped: ScopeProblem, plan: Plan) -> AutoResult:
    problem = scoped.problem
    changed = np.flatnonzero(plan.assigned != problem.current_or_none())
    assignments = _planned(request, scoped, plan, changed) if plan.feasible else []
    proof = dict(plan.proof) | {
        "plan_distance_m": round(plan.total_distance_m, 1),
        "liaisons_without_base": scoped.without_base,
    }
    result = AutoResult(
        feasible=plan.feasible,
        reason=None if plan.feasible else _reason(request, scoped, plan),
        applied=False,
        scope_adcode=request.scope_adcode,
        role=request.role,
        outlets=problem.n,
        kept=problem.n - len(assignments) if plan.feasible else 0,
        liaisons=problem.m,
        capacity=int(problem.capacity.sum()),
        assignments=assignments,
        total_distance_m=round(float(plan.distance_m[changed].sum()), 1) if plan.feasible else 0.0,
        unassigned=[] if plan.feasible else _without(scoped),
        short_areas=[] if plan.feasible else _short_areas(scoped, plan),
        optimal=plan.feasible,
        proof=proof,
    )
    return result


def _without(scoped: ScopeProblem) -> list[int]:
    """Return the outlets that have no current liaison of the role that holds."""
    current = scoped.problem.current_or_none()
    return [int(i) for i in scoped.outlet_ids[current == NO_LIAISON]]


def _short_areas(scoped: ScopeProblem, plan: Plan) -> list[AreaShortfall]:
    assert plan.shortfall is not None
    short = Counter(scoped.outlet_areas[i] for i in plan.shortfall.short_outlets)
    bare = {scoped.outlet_areas[i] for i in plan.shortfall.no_liaison}
    return [
        AreaShortfall(adcode=area, outlets=count, without_any_liaison=area in bare)
        for area, count in sorted(short.items(), key=lambda item: (-item[1], item[0]))
    ]


def _listed(areas: list[str]) -> str:
    shown = ", ".join(areas[:AREAS_SHOWN])
    more = len(areas) - AREAS_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _reason(request: AutoRequest, scoped: ScopeProblem, plan: Plan) -> str:
    """Say in one line why not every outlet can get a liaison."""
    assert plan.shortfall is not None
    problem, shortfall = scoped.problem, plan.shortfall
    line = (
        f"infeasible: {problem.n} outlets in {request.scope_adcode} need a {request.role} "
        f"liaison but at most {shortfall.served} can get one: the {problem.m} active "
        f"{request.role} liaisons serving them have {shortfall.capacity} places at "
        f"max_per_liaison {request.max_per_liaison}"
    )
    bare = sorted({scoped.outlet_areas[i] for i in shortfall.no_liaison})
    if bare:
        return line + f"; no active {request.role} liaison serves {_listed(bare)}"
    short = [a.adcode for a in _short_areas(scoped, plan)]
    return line + f"; short of places in {_listed(short)}"


def _apply(
    session: Session, request: AutoRequest, result: AutoResult, principal: Principal
) -> None:
    outlets = [a.outlet_id for a in result.assignments]
    moved = [a.outlet_id for a in result.assignments if a.forced_by_capacity]
    params = {"actor": principal.actor, "role": request.role, "outlets": outlets}
    try:
        with session.begin_nested():
            session.execute(END, params | {"moved": moved})
            liaisons = [a.liaison_id for a in result.assignments]
            session.execute(START, params | {"liaisons": liaisons})
    except IntegrityError:  # a manual assignment landed between the plan and its application
        raise Conflict("assignments of the scope changed while planning; run it again") from None
    rows = [
        {
            "actor": principal.actor,
            "action": "assign",
            "entity": "outlet",
            "entity_id": str(a.outlet_id),
            "detail": {
                "role": request.role,
                "from_liaison_id": a.previous_liaison_id,
                "to_liaison_id": a.liaison_id,
                "method": "auto",
                "distance_m": a.distance_m,
            },
        }
        for a in result.assignments
    ]
    session.execute(insert(AuditLog), rows)
    summary = request.model_dump() | {"assigned": len(outlets), "moved": moved}
    audit.record(session, principal.actor, "auto_assign", "outlet_liaisons", None, summary)
