"""The lifecycle of a case (GB/T 30428): who may move it where, and what each move records.

上报 reported → 立案 accepted → 派遣 dispatched → 处置 resolved → 核查 verified → 结案 closed,
with the side exits rejected and duplicate (merged into a surviving case). A grid manager whose
scope holds the case, or an admin, makes the moves of ``MANAGER_MOVES``; the reporter, by token,
confirms a resolution (verified) or reopens it (back to dispatched) within ``REOPEN_DAYS`` of
it. Every move is a ``case_events`` row; a verified case earns its reporter points.
"""

from datetime import datetime, timedelta
from typing import Any

from geoalchemy2.shape import to_shape
from shapely.geometry import Point as ShapelyPoint
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo_api import audit
from geo_api.auth import Principal
from geo_api.cases import points
from geo_api.cases.routing import route_rule
from geo_api.errors import Conflict, Forbidden, InvalidInput, NotFound
from geo_api.models import Case, CaseEvent

MANAGER_MOVES: dict[str, frozenset[str]] = {
    "reported": frozenset({"accepted", "rejected", "duplicate"}),
    "accepted": frozenset({"dispatched", "rejected", "duplicate"}),
    "dispatched": frozenset({"resolved", "rejected", "duplicate"}),
    "resolved": frozenset({"verified", "dispatched"}),
    "verified": frozenset({"closed", "dispatched"}),
    "closed": frozenset(),
    "rejected": frozenset(),
    "duplicate": frozenset(),
}
REPORTER_MOVES: dict[str, frozenset[str]] = {
    "resolved": frozenset({"verified", "dispatched"}),
    "verified": frozenset({"dispatched"}),
    "closed": frozenset({"dispatched"}),
}
REOPEN_DAYS = 7
RESOLVED_STATES = ("resolved", "verified", "closed")


def case_area(case: Case) -> str:
    """Return the smallest area that holds the case: scopes are checked against it."""
    return case.community_adcode or case.street_adcode or case.district_adcode or case.routed_adcode


def lon_lat(geom: object) -> tuple[float, float]:
    """Return the longitude and latitude of a stored point."""
    point = to_shape(geom)  # type: ignore[arg-type]
    assert isinstance(point, ShapelyPoint)
    return point.x, point.y


def get_case(session: Session, case_id: int, *, lock: bool = False) -> Case:
    """Return case ``case_id`` (locked for update when ``lock``), or raise NotFound."""
    query = select(Case).where(Case.id == case_id)
    case = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if case is None:
        raise NotFound(f"no case {case_id}")
    return case


def require_manager(principal: Principal, case: Case) -> None:
    """Raise Forbidden unless ``principal`` is an admin or a grid manager whose scope holds it."""
    if principal.role not in ("grid_manager", "admin"):
        raise Forbidden(f"role {principal.role} may not move cases; it needs grid_manager or admin")
    principal.require_scope(case_area(case))


def refuse(case: Case, to: str, allowed: frozenset[str]) -> Conflict:
    """Return the 409 for a move the lifecycle forbids, naming the moves it allows."""
    options = ", ".join(sorted(allowed)) or "none (it is final)"
    return Conflict(f"case {case.id} cannot move from {case.status} to {to}; allowed: {options}")


def record(
    session: Session,
    case: Case,
    to: str,
    actor: str,
    actor_role: str,
    note: str | None,
    at: datetime | None = None,
) -> None:
    """Move ``case`` to ``to``, with its timestamps and the event row.

    ``at`` dates the move (a history being imported, the demo's); ``None`` is now.
    """
    before = case.status
    when: Any = func.now() if at is None else at
    case.status = to
    if to == "resolved":
        case.resolved_at = when
    elif to == "closed":
        case.closed_at = when
    elif to == "dispatched" and before in RESOLVED_STATES:  # reopened: a new time limit
        _, hours = route_rule(session, case.category, case_area(case))
        case.resolved_at = None
        case.closed_at = None
        case.due_at = when + timedelta(hours=hours)
    event = CaseEvent(case_id=case.id, actor=actor, actor_role=actor_role, from_status=before,
                      to_status=to, note=note)  # fmt: skip
    if at is not None:
        event.at = at
    session.add(event)
    session.flush()
    if to == "verified":
        points.award(session, case)


def manager_move(
    session: Session,
    case_id: int,
    to: str,
    note: str | None,
    duplicate_of: int | None,
    principal: Principal,
    at: datetime | None = None,
) -> Case:
    """Move a case as a grid manager or an admin (403 outside scope, 409 if forbidden)."""
    case = get_case(session, case_id, lock=True)
    require_manager(principal, case)
    if to not in MANAGER_MOVES[case.status]:
        raise refuse(case, to, MANAGER_MOVES[case.status])
    if to == "duplicate":
        case.duplicate_of = _survivor(session, case, duplicate_of, principal).id
    elif duplicate_of is not None:
        raise InvalidInput("duplicate_of: only with to=duplicate")
    record(session, case, to, principal.actor, principal.role, note, at)
    detail = {"to": to, "duplicate_of": case.duplicate_of}
    audit.record(session, principal.actor, "transition", "case", case.id, detail)
    return case


def _survivor(session: Session, case: Case, duplicate_of: int | None, principal: Principal) -> Case:
    if duplicate_of is None:
        raise InvalidInput("duplicate_of: needed with to=duplicate (the surviving case's id)")
    if duplicate_of == case.id:
        raise InvalidInput("duplicate_of: a case cannot be a duplicate of itself")
    survivor = get_case(session, duplicate_of)
    principal.require_scope(case_area(survivor))
    if survivor.status == "duplicate":
        raise Conflict(
            f"case {survivor.id} is itself a duplicate of {survivor.duplicate_of}; merge into that"
        )
    return survivor


def reporter_move(
    session: Session,
    case: Case,
    to: str,
    note: str | None,
    now: datetime,
    at: datetime | None = None,
) -> Case:
    """Confirm (verified) or reopen (dispatched) a resolution as the reporter, ``now``."""
    allowed = REPORTER_MOVES.get(case.status, frozenset())
    if to not in allowed:
        raise refuse(case, to, allowed)
    if to == "dispatched":
        resolved_at = case.resolved_at
        if resolved_at is None or now - resolved_at > timedelta(days=REOPEN_DAYS):
            raise Conflict(
                f"case {case.id} was resolved more than {REOPEN_DAYS} days ago; report it anew"
            )
    record(session, case, to, "reporter", "reporter", note, at)
    return case
