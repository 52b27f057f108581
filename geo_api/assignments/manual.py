"""Assignments by hand: set or end an outlet's current liaison of a role; read its history.

The caller must cover the outlet's area (403 otherwise). A liaison must be active, of the role
asked for, and serve a scope that contains the outlet (409 with the reason otherwise). The
assignment it replaces is ended, not deleted, so ``outlet_liaisons`` keeps the whole history.
"""

from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geo_api import audit
from geo_api.auth import Principal
from geo_api.errors import Conflict, Forbidden
from geo_api.liaisons.reads import liaison_row
from geo_api.liaisons.views import COLUMNS as LIAISON_COLUMNS
from geo_api.liaisons.views import present
from geo_api.outlets.records import current_liaisons, holds, outlet_area, outlet_row
from geo_api.outlets.schemas import (
    AssignmentChange,
    AssignmentSet,
    History,
    HistoryEntry,
    OutletAssignment,
    OutletLiaisons,
)

SET_ACTOR = text("SELECT set_config('warmmap.actor', :actor, true)")
CURRENT_OF_ROLE = text(
    "SELECT liaison_id FROM outlet_liaisons "
    "WHERE outlet_id = :outlet AND role = :role AND ended_at IS NULL FOR UPDATE"
)
END = text(
    "UPDATE outlet_liaisons SET ended_at = now(), ended_by = :actor, ended_reason = :reason "
    "WHERE outlet_id = :outlet AND role = :role AND ended_at IS NULL"
)
START = text(
    "INSERT INTO outlet_liaisons (outlet_id, liaison_id, role, assigned_by, method) "
    "VALUES (:outlet, :liaison, :role, :actor, :method)"
)
HISTORY = text(f"""
    SELECT ol.id AS assignment_id, ol.role AS assignment_role, ol.assigned_at, ol.assigned_by,
           ol.method, ol.ended_at, ol.ended_by, ol.ended_reason, {LIAISON_COLUMNS}
    FROM outlet_liaisons ol JOIN liaisons l ON l.id = ol.liaison_id
    WHERE ol.outlet_id = :outlet ORDER BY ol.assigned_at DESC, ol.id DESC
""")


def covered_outlet(session: Session, principal: Principal, outlet_id: int) -> Any:
    """Return the outlet's row if the caller covers its area; 404 or 403 otherwise."""
    row = outlet_row(session, outlet_id)
    if not principal.covers(outlet_area(row)):
        raise Forbidden(f"outlet {outlet_id} lies outside this key's scope")
    return row


def check_liaison(session: Session, liaison_id: int, role: str, outlet: Any) -> None:
    """Raise Conflict (409) unless the liaison may be the outlet's current one of ``role``."""
    liaison = liaison_row(session, liaison_id)
    area = outlet_area(outlet)
    if not liaison.active:
        raise Conflict(f"liaison {liaison_id} is inactive")
    if liaison.role != role:
        raise Conflict(f"liaison {liaison_id} is a {liaison.role} liaison, not {role}")
    if not holds(liaison.scope_adcode, area):
        raise Conflict(
            f"liaison {liaison_id} serves {liaison.scope_adcode}, "
            f"which does not contain outlet {outlet.id} in {area}"
        )


def set_outlet_liaisons(
    session: Session, outlet_id: int, body: AssignmentSet, principal: Principal
) -> OutletAssignment:
    """Make the given liaisons current for the outlet, ending those they replace; audited."""
    outlet = covered_outlet(session, principal, outlet_id)
    session.execute(SET_ACTOR, {"actor": principal.actor})
    changes = []
    for role in sorted(body.model_fields_set):
        target = getattr(body, role)
        params = {"outlet": outlet_id, "role": role, "actor": principal.actor}
        current = session.execute(CURRENT_OF_ROLE, params).scalar_one_or_none()
        if target == current:
            continue
        if target is not None:
            check_liaison(session, target, role, outlet)
        session.execute(END, params | {"reason": "replaced" if target else "unassigned"})
        if target is not None:
            _start(session, params | {"liaison": target, "method": "manual"})
        change = AssignmentChange(role=role, from_liaison_id=current, to_liaison_id=target)
        audit.record(session, principal.actor, "assign", "outlet", outlet_id,
                     change.model_dump() | {"method": "manual"})  # fmt: skip
        changes.append(change)
    liaisons = current_liaisons(session, principal, [outlet], "PUT /outlets/{id}/liaisons")
    return OutletAssignment(outlet_id=outlet_id, liaisons=liaisons[outlet_id], changes=changes)


def _start(session: Session, params: dict[str, Any]) -> None:
    try:
        with session.begin_nested():
            session.execute(START, params)
    except IntegrityError:
        raise Conflict(
            f"outlet {params['outlet']} got another {params['role']} liaison meanwhile; "
            "read it again"
        ) from None


def outlet_liaisons(session: Session, principal: Principal, outlet_id: int) -> OutletLiaisons:
    """Return the outlet's current liaisons (403 outside the caller's scope)."""
    outlet = covered_outlet(session, principal, outlet_id)
    return current_liaisons(session, principal, [outlet], "GET /outlets/{id}/liaisons")[outlet_id]


def outlet_history(session: Session, principal: Principal, outlet_id: int) -> History:
    """Return every assignment the outlet has had, newest first (403 outside the scope)."""
    covered_outlet(session, principal, outlet_id)
    rows = session.execute(HISTORY, {"outlet": outlet_id}).all()
    views = present(session, principal, rows, "GET /outlets/{id}/liaisons/history")
    entries = [
        HistoryEntry(
            id=row.assignment_id,
            role=row.assignment_role,
            liaison=view,
            assigned_at=row.assigned_at,
            assigned_by=row.assigned_by,
            method=row.method,
            ended_at=row.ended_at,
            ended_by=row.ended_by,
            ended_reason=row.ended_reason,
        )
        for row, view in zip(rows, views, strict=True)
    ]
    return History(outlet_id=outlet_id, data=entries)
