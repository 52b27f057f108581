"""Outlets as the public sees them, with their current liaisons for callers in scope.

An outlet's liaisons are shown only to a key that covers the outlet's area (its community, or
its district when it lies in no community); each liaison is then masked or revealed by the
liaison's own scope (``geo_api.liaisons.privacy``). Without a key, no liaison data at all.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.areas import contains, like_patterns
from geo_api.auth import Principal
from geo_api.errors import NotFound
from geo_api.geojson import Point
from geo_api.liaisons.views import COLUMNS as LIAISON_COLUMNS
from geo_api.liaisons.views import present
from geo_api.outlets.schemas import (
    CurrentLiaison,
    OutletCollection,
    OutletFeature,
    OutletLiaisons,
    OutletProperties,
)

COLUMNS = """
    o.id, o.source, o.external_id, o.name, o.brand, o.kind, o.riders, o.address,
    o.district_adcode, o.community_adcode, o.h3_r9, o.synthetic, o.updated_at,
    ST_X(o.geom) AS lon, ST_Y(o.geom) AS lat
"""
AREA = "coalesce(o.community_adcode, o.district_adcode, '')"
CURRENT = text(f"""
    SELECT ol.outlet_id, ol.role AS assignment_role, ol.assigned_at, ol.method, {LIAISON_COLUMNS}
    FROM outlet_liaisons ol JOIN liaisons l ON l.id = ol.liaison_id
    WHERE ol.ended_at IS NULL AND ol.outlet_id = ANY(:ids)
    ORDER BY ol.outlet_id, ol.role
""")


def outlet_area(row: Any) -> str | None:
    """Return the area an outlet belongs to: its community, else its district."""
    return row.community_adcode or row.district_adcode  # type: ignore[no-any-return]


def holds(liaison_scope: str | None, area: str | None) -> bool:
    """Return whether a liaison of ``liaison_scope`` may serve an outlet of ``area``."""
    return liaison_scope is not None and contains(liaison_scope, area)


def current_liaisons(
    session: Session, principal: Principal, outlets: Sequence[Any], via: str
) -> dict[int, OutletLiaisons]:
    """Return the current liaisons of ``outlets`` that ``principal`` covers, masked as due."""
    covered = {o.id: outlet_area(o) for o in outlets if principal.covers(outlet_area(o))}
    answer = {outlet_id: OutletLiaisons() for outlet_id in covered}
    if not covered:
        return answer
    rows = session.execute(CURRENT, {"ids": list(covered)}).all()
    views = present(session, principal, rows, via)
    for row, view in zip(rows, views, strict=True):
        current = CurrentLiaison(
            liaison=view,
            assigned_at=row.assigned_at,
            method=row.method,
            valid=row.active and holds(row.scope_adcode, covered[row.outlet_id]),
        )
        setattr(answer[row.outlet_id], row.assignment_role, current)
    return answer


def outlet_feature(row: Any, liaisons: OutletLiaisons | None) -> OutletFeature:
    """Return an outlet row (``COLUMNS``) as a GeoJSON feature."""
    fields = {
        name: getattr(row, name) for name in OutletProperties.model_fields if name != "liaisons"
    }
    return OutletFeature(
        id=row.id,
        geometry=Point(coordinates=(row.lon, row.lat)),
        properties=OutletProperties(**fields, liaisons=liaisons),
    )


def outlet_row(session: Session, outlet_id: int) -> Any:
    """Return the outlet's row, or raise NotFound."""
    row = session.execute(
        text(f"SELECT {COLUMNS} FROM outlets o WHERE o.id = :id"), {"id": outlet_id}
    ).one_or_none()
    if row is None:
        raise NotFound(f"no outlet {outlet_id}")
    return row


def get_outlet(session: Session, principal: Principal | None, outlet_id: int) -> OutletFeature:
    """Return one outlet; with a key covering it, its current liaisons."""
    row = outlet_row(session, outlet_id)
    liaisons = None
    if principal is not None:
        liaisons = current_liaisons(session, principal, [row], "GET /outlets/{id}").get(row.id)
    return outlet_feature(row, liaisons)


def _conditions(filters: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    conditions, params = ["true"], {}
    for name in ("community", "street"):
        if filters.get(name):
            conditions.append(f"{AREA} LIKE ANY(:{name})")
            params[name] = like_patterns([filters[name]])
    if filters.get("bbox") is not None:
        conditions.append("o.geom && ST_MakeEnvelope(:w, :s, :e, :n, 4326)")
        params |= dict(zip("wsen", filters["bbox"], strict=True))
    for name in ("kind", "brand"):
        if filters.get(name) is not None:
            conditions.append(f"o.{name} = :{name}")
            params[name] = filters[name]
    return conditions, params


def list_outlets(
    session: Session,
    principal: Principal | None,
    filters: dict[str, Any],
    limit: int,
    offset: int,
) -> OutletCollection:
    """Return a page of outlets by id; liaisons only on outlets the caller's key covers."""
    conditions, params = _conditions(filters)
    where = " AND ".join(conditions)
    matched = session.execute(text(f"SELECT count(*) FROM outlets o WHERE {where}"), params)
    rows = session.execute(
        text(f"SELECT {COLUMNS} FROM outlets o WHERE {where} ORDER BY o.id LIMIT :l OFFSET :f"),
        params | {"l": limit, "f": offset},
    ).all()
    liaisons = (
        {} if principal is None else current_liaisons(session, principal, rows, "GET /outlets")
    )
    features = [outlet_feature(row, liaisons.get(row.id)) for row in rows]
    return OutletCollection(
        number_matched=matched.scalar_one(), number_returned=len(features), features=features
    )
