"""Outlets lacking a liaison: no current one of a role, or one that no longer holds.

A current assignment holds while its liaison is active and the liaison's scope contains the
outlet's area. An outlet that moved to another community, or a liaison whose scope was changed by
a load, leaves assignments that do not hold: they are listed as ``stale`` and the role as missing.
"""

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api import vocab
from geo_api.areas import like_patterns
from geo_api.auth import Principal
from geo_api.outlets.records import AREA
from geo_api.outlets.schemas import MissingLiaison, MissingLiaisonPage

# geo_api.areas.significant in SQL, for "scope contains area" as area LIKE significant || '%'.
SIGNIFICANT = (
    "CASE WHEN length(l.scope_adcode) = 6 AND l.scope_adcode LIKE '%0000' "
    "THEN left(l.scope_adcode, 2) WHEN length(l.scope_adcode) = 6 AND l.scope_adcode LIKE '%00' "
    "THEN left(l.scope_adcode, 4) ELSE l.scope_adcode END"
)
LACKING = f"""
    SELECT o.id, o.name, o.brand, o.kind, o.riders, o.district_adcode, o.community_adcode,
      array_agg(r.role ORDER BY r.role) FILTER (WHERE NOT coalesce(v.valid, false)) AS missing,
      array_agg(v.liaison_id ORDER BY r.role) FILTER (WHERE NOT v.valid) AS stale
    FROM outlets o
    CROSS JOIN unnest(CAST(:roles AS text[])) AS r(role)
    LEFT JOIN LATERAL (
      SELECT ol.liaison_id, (l.active AND {AREA} LIKE ({SIGNIFICANT}) || '%') AS valid
      FROM outlet_liaisons ol JOIN liaisons l ON l.id = ol.liaison_id
      WHERE ol.outlet_id = o.id AND ol.role = r.role AND ol.ended_at IS NULL
    ) v ON true
    WHERE {AREA} LIKE ANY(:patterns)
    GROUP BY o.id
    HAVING bool_or(NOT coalesce(v.valid, false))
"""


def lacking_areas(principal: Principal, area: str | None) -> list[str] | None:
    """Return the areas to look in: ``area`` (in scope), the key's scopes, or None for all."""
    if area is not None:
        principal.require_scope(area)
        return [area]
    if principal.role != "admin" and principal.scope_adcodes:
        return list(principal.scope_adcodes)
    return None


def unassigned_outlets(
    session: Session,
    principal: Principal,
    area: str | None,
    role: str | None,
    limit: int,
    offset: int,
) -> MissingLiaisonPage:
    """Return the outlets of ``area`` lacking a valid current liaison of ``role`` (or either)."""
    areas = lacking_areas(principal, area)
    params: dict[str, Any] = {
        "roles": [role] if role else list(vocab.LIAISON_ROLES),
        "patterns": like_patterns(areas) if areas is not None else ["%"],
    }
    total = session.execute(text(f"SELECT count(*) FROM ({LACKING}) q"), params).scalar_one()
    rows = session.execute(
        text(f"{LACKING} ORDER BY o.id LIMIT :limit OFFSET :offset"),
        params | {"limit": limit, "offset": offset},
    ).all()
    data = [
        MissingLiaison(**{k: v for k, v in row._mapping.items() if k != "stale"},
                       stale=[s for s in (row.stale or []) if s is not None])
        for row in rows
    ]  # fmt: skip
    return MissingLiaisonPage(area=area, total=total, limit=limit, offset=offset, data=data)
