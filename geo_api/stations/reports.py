"""Workers' reports about a station: anyone may file one, planners read and resolve them.

A report never changes the station: a planner checks it first. The client's address is kept
only as a salted hash, enough to limit how many reports one client files per hour.
"""

import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo_api import audit
from geo_api.auth import Principal
from geo_api.errors import NotFound, RateLimited
from geo_api.models import StationReport
from geo_api.settings import Settings
from geo_api.stations.records import get_station
from geo_api.stations.schemas import ReportCreate


def client_hash(client_address: str, salt: str) -> str:
    """Return the stored form of a client address."""
    return hashlib.sha256(f"{salt}:{client_address}".encode()).hexdigest()


def file_report(
    session: Session, station_id: int, body: ReportCreate, client_address: str, settings: Settings
) -> StationReport:
    """Store a report, unless this client already filed ``reports_per_hour`` in the last hour."""
    get_station(session, station_id)
    hashed = client_hash(client_address, settings.report_salt)
    recent = session.scalar(
        select(func.count())
        .select_from(StationReport)
        .where(
            StationReport.client_hash == hashed,
            StationReport.created_at > func.now() - func.make_interval(0, 0, 0, 0, 1),
        )
    )
    if (recent or 0) >= settings.reports_per_hour:
        raise RateLimited(
            f"at most {settings.reports_per_hour} reports per hour from one address; try later"
        )
    note = body.note.strip() if body.note and body.note.strip() else None
    report = StationReport(station_id=station_id, kind=body.kind, note=note, client_hash=hashed)
    session.add(report)
    session.flush()
    audit.record(session, "public", "report", "station", station_id, {"report_id": report.id})
    return report


def station_reports(
    session: Session, station_id: int, status: str | None, principal: Principal
) -> list[StationReport]:
    """Return the reports of a station, newest first, optionally of one status."""
    station = get_station(session, station_id)
    principal.require_scope(station.community_adcode or station.district_adcode)
    query = select(StationReport).where(StationReport.station_id == station_id)
    if status is not None:
        query = query.where(StationReport.status == status)
    return list(session.scalars(query.order_by(StationReport.id.desc())).all())


def set_report_status(
    session: Session, station_id: int, report_id: int, status: str, principal: Principal
) -> StationReport:
    """Resolve, dismiss or reopen a report; the station itself is not touched."""
    station = get_station(session, station_id)
    principal.require_scope(station.community_adcode or station.district_adcode)
    report = session.get(StationReport, report_id)
    if report is None or report.station_id != station_id:
        raise NotFound(f"no report {report_id} of station {station_id}")
    before = report.status
    report.status = status
    report.resolved_at = None if status == "open" else func.now()
    session.flush()
    session.refresh(report)
    detail = {"station_id": station_id, "from": before, "to": status}
    audit.record(session, principal.actor, "update", "station_report", report.id, detail)
    return report
