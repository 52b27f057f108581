"""A grid manager's queue: the cases their scope holds, overdue first, then oldest first.

Scopes nest (``geo_api.areas``), so a street's queue holds its communities' cases too, and an
overdue case of a community carries ``escalated_to``: its street office sees it.
"""

from datetime import UTC, datetime

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from geo_api.areas import like_patterns
from geo_api.auth import Principal
from geo_api.cases.lifecycle import case_area, lon_lat
from geo_api.cases.reads import escalated_to, handler, is_overdue, require_case_reader
from geo_api.cases.schemas import CaseQueue, CaseSummary
from geo_api.models import OPEN_CASE_STATUSES, Case

AREA = func.coalesce(
    Case.community_adcode, Case.street_adcode, Case.district_adcode, Case.routed_adcode
)


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """Return the SQL of "open and past its due time"."""
    return and_(Case.status.in_(OPEN_CASE_STATUSES), Case.due_at < now)


def case_queue(
    session: Session,
    principal: Principal,
    scope: str | None,
    status: str | None,
    overdue: bool | None,
    limit: int,
    offset: int,
) -> CaseQueue:
    """Return a page of the cases inside ``scope`` (default: the key's scopes)."""
    require_case_reader(principal)
    scopes: list[str] = []
    if scope is not None:
        principal.require_scope(scope)
        scopes = [scope]
    elif principal.role != "admin":
        scopes = list(principal.scope_adcodes)
    now = datetime.now(UTC)
    query = select(Case)
    if scopes:
        query = query.where(or_(*(AREA.like(p) for p in like_patterns(scopes))))
    if status is not None:
        query = query.where(Case.status == status)
    if overdue is not None:
        late = overdue_clause(now)
        query = query.where(late if overdue else ~late)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    late_first = case((overdue_clause(now), literal(0)), else_=literal(1))
    page = session.scalars(
        query.order_by(late_first, Case.due_at, Case.id).limit(limit).offset(offset)
    ).all()
    return CaseQueue(
        total=total, limit=limit, offset=offset, data=[_summary(session, c, now) for c in page]
    )


def _summary(session: Session, case_row: Case, now: datetime) -> CaseSummary:
    lon, lat = lon_lat(case_row.geom)
    return CaseSummary(
        id=case_row.id,
        category=case_row.category,
        status=case_row.status,
        lon=lon,
        lat=lat,
        area_adcode=case_area(case_row),
        routed_to=handler(session, case_row, include_ids=True),
        due_at=case_row.due_at,
        overdue=is_overdue(case_row, now),
        escalated_to=escalated_to(case_row, now),
        created_at=case_row.created_at,
        updated_at=case_row.updated_at,
    )
