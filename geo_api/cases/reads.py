"""Reading cases: one case for its reporter or a manager, a manager's queue, the public map.

The reporter (by token) sees their case and what was done, with the role of whoever moved it
but no name or key; a case they follow through a merge shows no other reporter's text or
photos. Managers see everything of the cases their scope holds. The public sees category,
status and position only (``cases_public``).
"""

from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geo_api.auth import Principal
from geo_api.cases.lifecycle import case_area, get_case, lon_lat
from geo_api.cases.schemas import (
    CaseDetail,
    CaseEventOut,
    Handler,
    PhotoRef,
    PublicCaseCollection,
    PublicCaseFeature,
    PublicCaseProperties,
)
from geo_api.cases.tokens import token_case
from geo_api.errors import Forbidden, NotFound, Unauthenticated
from geo_api.geojson import Point
from geo_api.models import OPEN_CASE_STATUSES, AdminArea, Case, CaseEvent, CasePhoto

PUBLIC = text("""
SELECT id, category, status, ST_X(geom) AS lon, ST_Y(geom) AS lat, created_at, updated_at
FROM cases_public
WHERE geom && ST_MakeEnvelope(:west, :south, :east, :north, 4326)
  AND status <> 'duplicate'
ORDER BY id LIMIT :limit
""")


def is_overdue(case: Case, now: datetime) -> bool:
    """Return whether ``case`` is open past its due time."""
    return case.status in OPEN_CASE_STATUSES and case.due_at < now


def escalated_to(case: Case, now: datetime) -> str | None:
    """Return the street that sees an overdue case of one of its communities, else None."""
    if not is_overdue(case, now) or case.routed_role == "street_office":
        return None
    return case.street_adcode or case.district_adcode


def require_case_reader(principal: Principal) -> None:
    """Raise Forbidden unless ``principal`` handles cases (grid managers and admins)."""
    if principal.role not in ("grid_manager", "admin"):
        raise Forbidden(
            f"role {principal.role} does not handle cases; it reads /cases/stats instead"
        )


def access(
    session: Session, case: Case, principal: Principal | None, token: str | None
) -> int | None:
    """Check who reads ``case``: a manager of its scope (None) or a reporter (their case's id).

    Raises Unauthenticated without key or token, Forbidden for a wrong token or scope.
    """
    if principal is not None:
        require_case_reader(principal)
        principal.require_scope(case_area(case))
        return None
    if not token:
        raise Unauthenticated("this needs the case's token (?token=) or an API key")
    own = token_case(session, case.id, token)
    if own is None:
        raise Forbidden(f"this token does not follow case {case.id}")
    return own


def case_detail(
    session: Session, case_id: int, principal: Principal | None, token: str | None
) -> CaseDetail:
    """Return case ``case_id`` as its reporter (token) or a manager (key) may see it."""
    case = get_case(session, case_id)
    reader = access(session, case, principal, token)
    is_reporter, own = reader is not None, reader == case.id
    now = datetime.now(UTC)
    lon, lat = lon_lat(case.geom)
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.at, CaseEvent.id)
    ).all()
    merged = session.scalars(select(Case.id).where(Case.duplicate_of == case.id).order_by(Case.id))
    photos = _photos(session, case.id) if own or not is_reporter else []
    suffix = f"?token={token}" if is_reporter and token else ""
    return CaseDetail(
        id=case.id,
        category=case.category,
        status=case.status,
        geometry=Point(coordinates=(lon, lat)),
        source_crs=case.source_crs,
        routed_to=handler(session, case, include_ids=not is_reporter),
        community_adcode=case.community_adcode,
        street_adcode=case.street_adcode,
        district_adcode=case.district_adcode,
        description=case.description if own or not is_reporter else None,
        due_at=case.due_at,
        overdue=is_overdue(case, now),
        escalated_to=escalated_to(case, now),
        channel=case.channel,
        created_at=case.created_at,
        updated_at=case.updated_at,
        resolved_at=case.resolved_at,
        closed_at=case.closed_at,
        duplicate_of=case.duplicate_of,
        merged=list(merged),
        photos=[p.model_copy(update={"url": p.url + suffix}) for p in photos],
        events=[_event(e, is_reporter) for e in events],
    )


def handler(session: Session, case: Case, *, include_ids: bool) -> Handler:
    """Return who handles ``case``: its area's name and role (and ids for managers)."""
    name = session.scalar(select(AdminArea.name).where(AdminArea.adcode == case.routed_adcode))
    return Handler(
        adcode=case.routed_adcode,
        name=name,
        role=case.routed_role,
        liaison_id=case.liaison_id if include_ids else None,
        station_id=case.station_id,
    )


def _event(event: CaseEvent, for_reporter: bool) -> CaseEventOut:
    return CaseEventOut(
        at=event.at,
        actor=None if for_reporter and event.actor_role != "reporter" else event.actor,
        actor_role=event.actor_role,
        from_status=event.from_status,
        to_status=event.to_status,
        note=event.note,
    )


def _photos(session: Session, case_id: int) -> list[PhotoRef]:
    rows = session.execute(
        select(CasePhoto.id, CasePhoto.media_type, CasePhoto.width, CasePhoto.height)
        .where(CasePhoto.case_id == case_id)
        .order_by(CasePhoto.id)
    ).all()
    return [
        PhotoRef(id=r.id, media_type=r.media_type, width=r.width, height=r.height,
                 url=f"/cases/{case_id}/photos/{r.id}")
        for r in rows
    ]  # fmt: skip


def photo_bytes(
    session: Session, case_id: int, photo_id: int, principal: Principal | None, token: str | None
) -> tuple[bytes, str]:
    """Return a photo's bytes and media type for the handling manager or its own reporter."""
    case = get_case(session, case_id)
    reader = access(session, case, principal, token)
    if reader is not None and reader != case.id:
        raise Forbidden("photos are for the case's own reporter")
    photo = session.get(CasePhoto, photo_id)
    if photo is None or photo.case_id != case_id:
        raise NotFound(f"no photo {photo_id} of case {case_id}")
    return photo.data, photo.media_type


def public_cases(
    session: Session, bbox: tuple[float, float, float, float], limit: int
) -> PublicCaseCollection:
    """Return the cases inside ``bbox`` as the public sees them: category, status, position."""
    west, south, east, north = bbox
    rows = session.execute(
        PUBLIC, {"west": west, "south": south, "east": east, "north": north, "limit": limit}
    ).all()
    features = [
        PublicCaseFeature(
            id=r.id,
            geometry=Point(coordinates=(r.lon, r.lat)),
            properties=PublicCaseProperties(
                category=r.category, status=r.status, created_at=r.created_at,
                updated_at=r.updated_at,
            ),
        )
        for r in rows
    ]  # fmt: skip
    return PublicCaseCollection(features=features)
