"""Reading liaisons: a page for an area, or one by id, within the caller's scope."""

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.auth import Principal
from geo_api.errors import Forbidden, NotFound
from geo_api.liaisons.schemas import Liaison, LiaisonPage
from geo_api.liaisons.scopes import related, related_filter
from geo_api.liaisons.views import COLUMNS, present


def limited(principal: Principal) -> bool:
    """Return whether ``principal`` sees only the liaisons of its own scope."""
    return principal.role != "admin" and bool(principal.scope_adcodes)


def areas_for(principal: Principal, area: str | None) -> list[str] | None:
    """Return the areas a listing covers (None: everywhere); 403 for an area outside the scope."""
    if area is not None:
        if limited(principal):
            principal.require_scope(area)
        return [area]
    return list(principal.scope_adcodes) if limited(principal) else None


def list_liaisons(
    session: Session,
    principal: Principal,
    area: str | None,
    filters: dict[str, Any],
    limit: int,
    offset: int,
) -> LiaisonPage:
    """Return a page of the liaisons related to ``area`` (or the caller's scope), by id.

    ``filters`` may hold ``role`` and ``active``.
    """
    conditions: list[str] = ["true"]
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    areas = areas_for(principal, area)
    if areas is not None:
        condition, area_params = related_filter(areas)
        conditions.append(condition)
        params |= area_params
    for column in ("role", "active"):
        if filters.get(column) is not None:
            conditions.append(f"l.{column} = :{column}")
            params[column] = filters[column]
    where = " AND ".join(conditions)
    total = session.execute(text(f"SELECT count(*) FROM liaisons l WHERE {where}"), params)
    rows = session.execute(
        text(f"SELECT {COLUMNS} FROM liaisons l WHERE {where} ORDER BY l.id LIMIT :limit "
             "OFFSET :offset"),
        params,
    ).all()  # fmt: skip
    data = present(session, principal, rows, "GET /liaisons")
    return LiaisonPage(total=total.scalar_one(), limit=limit, offset=offset, data=data)


def liaison_row(session: Session, liaison_id: int) -> Any:
    """Return the liaison's row (``views.COLUMNS``), or raise NotFound."""
    row = session.execute(
        text(f"SELECT {COLUMNS} FROM liaisons l WHERE l.id = :id"), {"id": liaison_id}
    ).one_or_none()
    if row is None:
        raise NotFound(f"no liaison {liaison_id}")
    return row


def check_visible(principal: Principal, row: Any) -> None:
    """Raise Forbidden unless the liaison serves inside the caller's scope or holds part of it."""
    if limited(principal) and not any(
        related(scope, row.scope_adcode) for scope in principal.scope_adcodes
    ):
        raise Forbidden(f"liaison {row.id} serves outside this key's scope")


def get_liaison(session: Session, principal: Principal, liaison_id: int) -> Liaison:
    """Return one liaison as the caller may see them; 403 outside the caller's scope."""
    row = liaison_row(session, liaison_id)
    check_visible(principal, row)
    return present(session, principal, [row], "GET /liaisons/{id}")[0]
