"""Liaison rows as answers: masked or revealed per caller, each reveal audited."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from geo_api.auth import Principal
from geo_api.geojson import Point
from geo_api.liaisons.privacy import mask_name, mask_phone, may_reveal, record_reveals
from geo_api.liaisons.schemas import Liaison

# Every liaison answer reads these columns, from ``liaisons l``.
COLUMNS = """
    l.id, l.source, l.external_id, l.name, l.phone, l.role, l.organization, l.scope_adcode,
    l.active, l.deactivated_at, ST_X(l.geom) AS lon, ST_Y(l.geom) AS lat, l.base_source,
    l.synthetic,
    (SELECT count(*) FROM outlet_liaisons c WHERE c.liaison_id = l.id AND c.ended_at IS NULL)
      AS current_outlets
"""


def liaison_view(row: Any, principal: Principal | None) -> Liaison:
    """Return the liaison ``row`` (``COLUMNS``) as ``principal`` may see it."""
    revealed = may_reveal(principal, row.scope_adcode)
    base = None if row.lon is None else Point(coordinates=(row.lon, row.lat))
    return Liaison(
        id=row.id,
        source=row.source,
        # A file's own id can be a badge or staff number: personal too.
        external_id=row.external_id if revealed else None,
        name=row.name if revealed else mask_name(row.name),
        phone=row.phone if revealed else mask_phone(row.phone),
        masked=not revealed,
        role=row.role,
        organization=row.organization,
        scope_adcode=row.scope_adcode,
        active=row.active,
        deactivated_at=row.deactivated_at,
        base=base,
        base_source=row.base_source,
        current_outlets=row.current_outlets,
        synthetic=row.synthetic,
    )


def present(
    session: Session, principal: Principal | None, rows: Sequence[Any], via: str
) -> list[Liaison]:
    """Return ``rows`` as ``principal`` may see them, auditing every liaison revealed."""
    views = [liaison_view(row, principal) for row in rows]
    if principal is not None:
        record_reveals(session, principal, (v.id for v in views if not v.masked), via)
    return views
