"""Points (积分): a verified case earns its reporter the category's points, once.

The ledger is append-only; a case earns at most once per reason (a unique key), so a case
verified, reopened and verified again still earns once.
"""

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geo_api.cases.categories import CATEGORIES
from geo_api.cases.schemas import PointsBalance, PointsEntry
from geo_api.cases.tokens import hash_token
from geo_api.errors import NotFound
from geo_api.models import Case, RiderPoint

AWARD = text("""
INSERT INTO rider_points (reporter_hash, case_id, reason, points)
VALUES (:reporter_hash, :case_id, 'verified', :points)
ON CONFLICT (case_id, reason) DO NOTHING
""")


def award(session: Session, case: Case) -> None:
    """Credit the reporter of ``case`` for its verification (no-op the second time)."""
    if case.reporter_hash is None:  # a report moved from station_reports: nobody to credit
        return
    values = {
        "reporter_hash": case.reporter_hash,
        "case_id": case.id,
        "points": CATEGORIES[case.category].points,
    }
    session.execute(AWARD, values)


def balance(session: Session, token: str) -> PointsBalance:
    """Return the points of the reporter who holds ``token`` (any of their cases' tokens)."""
    reporter = session.scalar(
        select(Case.reporter_hash).where(Case.token_hash == hash_token(token))
    )
    if reporter is None:
        raise NotFound("no case has this token")
    rows = session.scalars(
        select(RiderPoint).where(RiderPoint.reporter_hash == reporter).order_by(RiderPoint.id)
    ).all()
    entries = [PointsEntry(case_id=r.case_id, reason=r.reason, points=r.points, at=r.created_at)
               for r in rows]  # fmt: skip
    return PointsBalance(total=sum(e.points for e in entries), entries=entries)
