"""Changing liaisons: create, change, deactivate; never delete. Every write is audited.

Audit rows name the fields changed; they copy no name or phone (the audit log is read by more
people than should see those).
"""

from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geo_api import audit
from geo_api.areas import like_patterns
from geo_api.auth import Principal
from geo_api.errors import Conflict, InvalidInput
from geo_api.liaisons.reads import liaison_row
from geo_api.liaisons.schemas import LiaisonChange, LiaisonCreate, LiaisonFields, ReleasedOutlet
from geo_api.liaisons.views import present
from geo_api.stations.validation import wgs84_position
from geo_api.vocab.kinds import lookup

PERSONAL = ("name", "phone")
AREA_POINT = "(SELECT ST_PointOnSurface(a.geom) FROM admin_areas a WHERE a.adcode = :scope)"
INSERT = text(f"""
    INSERT INTO liaisons (source, external_id, name, phone, role, organization, scope_adcode,
                          synthetic, geom, base_source, source_crs, source_x, source_y)
    VALUES (:source, coalesce(:external_id, md5(random()::text || clock_timestamp()::text)),
            :name, :phone, :role, :organization, :scope, :synthetic,
            coalesce(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), {AREA_POINT}),
            CASE WHEN :lon IS NOT NULL THEN 'given' ELSE 'scope_centre' END,
            :source_crs, :source_x, :source_y)
    RETURNING id
""")
SET_ACTOR = text("SELECT set_config('warmmap.actor', :actor, true)")


def _role(word: str) -> str:
    role = lookup("liaison_role", word)
    if role is None:
        raise InvalidInput(f"role: unknown value {word!r}; use community or police")
    return role


def _check_area(session: Session, scope: str) -> None:
    known = session.execute(text("SELECT 1 FROM admin_areas WHERE adcode = :a"), {"a": scope})
    if known.first() is None:
        raise InvalidInput(f"scope_adcode: no area {scope} is loaded")


def _base(fields: dict[str, Any]) -> dict[str, Any]:
    """Return the base columns of ``fields``: given lon/lat, or None for the scope's centre."""
    lon, lat = fields.get("lon"), fields.get("lat")
    if lon is None and lat is None:
        return {"lon": None, "lat": None, "source_crs": None, "source_x": None, "source_y": None}
    if lon is None or lat is None:
        raise InvalidInput("lon/lat: a base point needs both lon and lat")
    return wgs84_position(lon, lat, fields.get("crs"))


def create_liaison(session: Session, body: LiaisonCreate, principal: Principal) -> LiaisonChange:
    """Store a new liaison in the caller's scope and audit it."""
    principal.require_scope(body.scope_adcode)
    _check_area(session, body.scope_adcode)
    values = body.model_dump(exclude={"lon", "lat", "crs", "active", "scope_adcode"})
    values |= {"role": _role(body.role), "scope": body.scope_adcode}
    values |= _base(body.model_dump())
    try:
        with session.begin_nested():
            liaison_id = session.execute(INSERT, values).scalar_one()
    except IntegrityError:
        raise Conflict(
            f"a liaison with source {body.source!r} and external_id {body.external_id!r} exists"
        ) from None
    detail = {k: v for k, v in values.items() if k not in PERSONAL}
    audit.record(session, principal.actor, "create", "liaison", liaison_id, detail)
    return _answer(session, principal, liaison_id, [], "POST /liaisons")


def update_liaison(
    session: Session, liaison_id: int, body: LiaisonFields, principal: Principal, action: str
) -> LiaisonChange:
    """Change the fields given; deactivating or narrowing the scope releases outlets."""
    row = liaison_row(session, liaison_id)
    principal.require_scope(row.scope_adcode)
    fields = body.model_dump(exclude_unset=True)
    changes = _column_changes(session, row, fields, principal)
    session.execute(SET_ACTOR, {"actor": principal.actor})
    released = _released(session, liaison_id, fields, row)
    if changes:
        assignments = ", ".join(f"{column} = {sql}" for column, sql in changes.items())
        session.execute(text(f"UPDATE liaisons SET {assignments} WHERE id = :id"),
                        {**fields, "id": liaison_id, "scope": fields.get("scope_adcode")
                         or row.scope_adcode, **_base(fields)})  # fmt: skip
    changed = sorted(changes)
    audit.record(
        session,
        principal.actor,
        action,
        "liaison",
        liaison_id,
        {"changed": changed, "released_outlets": [r.id for r in released]}
        | {k: v for k, v in fields.items() if k not in PERSONAL},
    )
    return _answer(session, principal, liaison_id, released, f"{action} liaison")


def _column_changes(
    session: Session, row: Any, fields: dict[str, Any], principal: Principal
) -> dict[str, str]:
    """Return ``{column: SQL value}`` of the update; checks the new scope and base."""
    changes: dict[str, str] = {
        f: f":{f}" for f in ("name", "phone", "organization", "active") if f in fields
    }
    if "name" in fields and fields["name"] is None:
        raise InvalidInput("name: may not be null")
    if "active" in fields and fields["active"] is None:
        raise InvalidInput("active: may not be null")
    scope = fields.get("scope_adcode")
    if scope is not None and scope != row.scope_adcode:
        principal.require_scope(scope)
        _check_area(session, scope)
        changes["scope_adcode"] = ":scope"
    if "lon" in fields or "lat" in fields:
        changes |= {
            "geom": "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)",
            "base_source": "'given'",
            "source_crs": ":source_crs",
            "source_x": ":source_x",
            "source_y": ":source_y",
        }
    elif "scope_adcode" in changes and row.base_source != "given":
        changes |= {"geom": AREA_POINT, "base_source": "'scope_centre'"}
    return changes


RELEASE = text("""
    UPDATE outlet_liaisons ol SET ended_at = now(), ended_reason = :reason,
        ended_by = current_setting('warmmap.actor', true)
    FROM outlets o
    WHERE ol.outlet_id = o.id AND ol.liaison_id = :id AND ol.ended_at IS NULL
      AND (:all OR NOT coalesce(o.community_adcode, o.district_adcode, '') LIKE ANY(:patterns))
    RETURNING o.id, o.name, o.community_adcode, ol.role
""")


def _released(
    session: Session, liaison_id: int, fields: dict[str, Any], row: Any
) -> list[ReleasedOutlet]:
    """End the assignments a deactivation or a new scope breaks; return their outlets."""
    deactivating = fields.get("active") is False and row.active
    scope = fields.get("scope_adcode")
    if not deactivating and (scope is None or scope == row.scope_adcode):
        return []
    params = {
        "id": liaison_id,
        "all": deactivating,
        "patterns": like_patterns([scope or row.scope_adcode]),
        "reason": "liaison_deactivated" if deactivating else "liaison_scope_changed",
    }
    ended = session.execute(RELEASE, params).all()
    return [ReleasedOutlet(id=r.id, name=r.name, community_adcode=r.community_adcode,
                           role=r.role) for r in sorted(ended)]  # fmt: skip


def _answer(
    session: Session,
    principal: Principal,
    liaison_id: int,
    released: list[ReleasedOutlet],
    via: str,
) -> LiaisonChange:
    view = present(session, principal, [liaison_row(session, liaison_id)], via)[0]
    return LiaisonChange(liaison=view, released_outlets=released)
