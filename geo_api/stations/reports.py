"""Workers' reports about a station: a thin layer over cases of the station categories.

``POST /stations/{id}/reports`` files a case at the station (routed to the station's own
contact, rate-limited like every case); planners list a station's reports and resolve,
dismiss or reopen them, which moves the case along its lifecycle (resolving walks it through
accepted and dispatched, each move an event). A report never changes the station itself.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo_api import audit
from geo_api.auth import Principal
from geo_api.cases.categories import CATEGORY_REPORT_KIND, REPORT_KIND_CATEGORY
from geo_api.cases.lifecycle import RESOLVED_STATES, get_case, lon_lat, record
from geo_api.cases.reporting import Reporter, report_case
from geo_api.cases.schemas import CaseCreate
from geo_api.errors import Conflict, NotFound
from geo_api.models import OPEN_CASE_STATUSES, Case
from geo_api.settings import Settings
from geo_api.stations.records import get_station
from geo_api.stations.schemas import Report, ReportCreate, ReportCreated

# The path a report's status walks through the lifecycle, from each state of the case.
TO_RESOLVED = {"reported": ("accepted", "dispatched", "resolved"),
               "accepted": ("dispatched", "resolved"), "dispatched": ("resolved",)}  # fmt: skip


def report_status(case_status: str) -> str:
    """Return the report status (open, resolved, dismissed) of a case's status."""
    if case_status in OPEN_CASE_STATUSES:
        return "open"
    return "resolved" if case_status in RESOLVED_STATES else "dismissed"


def as_report(case: Case) -> Report:
    """Return ``case`` as the station report it stands for."""
    return Report(
        id=case.id,
        station_id=case.station_id or 0,
        kind=CATEGORY_REPORT_KIND.get(case.category, "other"),
        note=case.description,
        status=report_status(case.status),
        created_at=case.created_at,
        resolved_at=case.resolved_at if case.status in RESOLVED_STATES else None,
    )


def file_report(
    session: Session, station_id: int, body: ReportCreate, client_address: str, settings: Settings
) -> ReportCreated:
    """File a case about the station, unless this client already filed its hourly share."""
    lon, lat = lon_lat(get_station(session, station_id).geom)
    create = CaseCreate(lon=lon, lat=lat, crs="wgs84",
                        category=REPORT_KIND_CATEGORY[body.kind], description=body.note,
                        station_id=station_id)  # fmt: skip
    reporter = Reporter(client_address, settings.reports_per_hour, channel="station_report")
    receipt = report_case(session, create, None, reporter, settings.report_salt)
    case = get_case(session, receipt.id)
    audit.record(session, "public", "report", "station", station_id, {"case_id": case.id})
    return ReportCreated(**as_report(case).model_dump(), token=receipt.token)


def station_reports(
    session: Session, station_id: int, status: str | None, principal: Principal
) -> list[Report]:
    """Return the reports of a station, newest first, optionally of one status."""
    station = get_station(session, station_id)
    principal.require_scope(station.community_adcode or station.district_adcode)
    cases = session.scalars(
        select(Case).where(Case.station_id == station_id).order_by(Case.id.desc())
    ).all()
    reports = [as_report(c) for c in cases]
    return [r for r in reports if status is None or r.status == status]


def set_report_status(
    session: Session, station_id: int, report_id: int, status: str, principal: Principal
) -> Report:
    """Resolve, dismiss or reopen a report by moving its case; the station is not touched."""
    station = get_station(session, station_id)
    principal.require_scope(station.community_adcode or station.district_adcode)
    try:
        case = get_case(session, report_id, lock=True)
    except NotFound:
        case = None
    if case is None or case.station_id != station_id:
        raise NotFound(f"no report {report_id} of station {station_id}")
    before = report_status(case.status)
    for step in _steps(case, status):
        record(session, case, step, principal.actor, principal.role, f"station report {status}")
    session.refresh(case)
    detail = {"station_id": station_id, "from": before, "to": status}
    audit.record(session, principal.actor, "update", "station_report", case.id, detail)
    return as_report(case)


def _steps(case: Case, status: str) -> tuple[str, ...]:
    current = report_status(case.status)
    if current == status:
        return ()
    if status == "resolved" and case.status in TO_RESOLVED:
        return TO_RESOLVED[case.status]
    if status == "dismissed" and current == "open":
        return ("rejected",)
    if status == "open" and current == "resolved":
        return ("dispatched",)
    raise Conflict(f"report {case.id} is {current} (case {case.status}); it cannot become {status}")
