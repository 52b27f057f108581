"""The same cases through Open311 GeoReport v2 (JSON): services, requests, one request.

Services are our categories. A request's status is ``open`` while the case is reported,
accepted or dispatched and ``closed`` after; ``status_notes`` says which of our states it is in
and ``agency_responsible`` who handles it. Descriptions and media stay private (null), as
everywhere the public looks; ``expected_datetime`` is the due time.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.cases.categories import CATEGORIES, ROLE_NAMES
from geo_api.cases.routing import route_rule
from geo_api.cases.schemas import CaseCreate, Open311Request, Open311Service, parse_case_create
from geo_api.errors import InvalidInput, NotFound
from geo_api.models import OPEN_CASE_STATUSES

DEFAULT_DAYS = 90
MAX_REQUESTS = 1000
STATUS_NOTES = {
    "reported": "上报 reported",
    "accepted": "立案 accepted",
    "dispatched": "派遣 dispatched",
    "resolved": "处置 resolved",
    "verified": "核查 verified",
    "closed": "结案 closed",
    "rejected": "不予立案 rejected",
    "duplicate": "重复 duplicate",
}

REQUESTS = """
SELECT p.id, p.category, p.status, p.duplicate_of, p.created_at, p.updated_at,
       ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat, c.due_at, c.routed_role, a.name AS area_name
FROM cases_public p
JOIN cases c ON c.id = p.id
LEFT JOIN admin_areas a ON a.adcode = c.routed_adcode
WHERE {where}
ORDER BY p.created_at DESC, p.id DESC
LIMIT :limit
"""


def services(lang: str) -> list[Open311Service]:
    """Return every category as a GeoReport v2 service, named in ``lang`` (zh or en)."""
    found = []
    for code, category in CATEGORIES.items():
        name = category.name_zh if lang == "zh" else category.name_en
        other = category.name_en if lang == "zh" else category.name_zh
        group = "驿站" if code.startswith("station_") else "社区"
        if lang == "en":
            group = "stations" if code.startswith("station_") else "community"
        found.append(
            Open311Service(
                service_code=code, service_name=name, description=f"{other} ({code})",
                metadata=False, type="realtime", keywords=code.replace("_", ","), group=group,
            )
        )  # fmt: skip
    return found


def parse_time(value: str | None, parameter: str) -> datetime | None:
    """Return the W3C datetime ``value`` (a naive one is UTC), or a 422 naming ``parameter``."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError:
        raise InvalidInput(f"{parameter}: {value!r} is not a W3C datetime") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def requests(
    session: Session,
    ids: list[int] | None,
    service_code: str | None,
    status: str | None,
    start: datetime | None,
    end: datetime | None,
    lang: str,
) -> list[Open311Request]:
    """Return requests as GeoReport v2 lists them: by ids, or the last 90 days, newest first."""
    where: list[str] = ["true"]
    params: dict[str, Any] = {"limit": MAX_REQUESTS}
    if ids:
        where.append("p.id = ANY(:ids)")
        params["ids"] = ids
    else:
        end = end or datetime.now(UTC)
        start = start or end - timedelta(days=DEFAULT_DAYS)
        where.append("p.created_at >= :start AND p.created_at <= :end")
        params |= {"start": start, "end": end}
    if service_code is not None:
        if service_code not in CATEGORIES:
            raise InvalidInput(f"service_code: unknown service {service_code!r}")
        where.append("p.category = :service_code")
        params["service_code"] = service_code
    if status is not None:
        where.append(("" if status == "open" else "NOT ") + "p.status = ANY(:open_states)")
        params["open_states"] = list(OPEN_CASE_STATUSES)
    rows = session.execute(text(REQUESTS.format(where=" AND ".join(where))), params).mappings()
    return [_request(dict(row), lang) for row in rows]


def one_request(session: Session, case_id: int, lang: str) -> list[Open311Request]:
    """Return the request ``case_id`` as a one-element list, as GeoReport v2 does."""
    found = requests(session, [case_id], None, None, None, None, lang)
    if not found:
        raise NotFound(f"no service request {case_id}")
    return found


def _request(row: dict[str, object], lang: str) -> Open311Request:
    category = CATEGORIES[str(row["category"])]
    status = str(row["status"])
    notes = STATUS_NOTES[status]
    if status == "duplicate":
        notes += f" of {row['duplicate_of']}"
    role_zh, role_en = ROLE_NAMES[str(row["routed_role"])]
    area = row["area_name"] or ""
    return Open311Request(
        service_request_id=str(row["id"]),
        status="open" if status in OPEN_CASE_STATUSES else "closed",
        status_notes=notes,
        service_name=category.name_zh if lang == "zh" else category.name_en,
        service_code=category.code,
        description=None,
        agency_responsible=f"{area} {role_zh if lang == 'zh' else role_en}".strip(),
        service_notice=None,
        requested_datetime=row["created_at"],  # type: ignore[arg-type]
        updated_datetime=row["updated_at"],  # type: ignore[arg-type]
        expected_datetime=row["due_at"],  # type: ignore[arg-type]
        address=None,
        address_id=None,
        zipcode=None,
        lat=float(row["lat"]),  # type: ignore[arg-type]
        long=float(row["lon"]),  # type: ignore[arg-type]
        media_url=None,
    )


def service_notice(session: Session, category: str, adcode: str) -> str:
    """Return the notice a new request gets: who handles it and within how many hours."""
    role, hours = route_rule(session, category, adcode)
    return f"{ROLE_NAMES[role][1]}, within {hours} hours"


def parse_ids(value: str | None) -> list[int] | None:
    """Return the ids of a comma-separated ``service_request_id``, or a 422 naming it."""
    if value is None:
        return None
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise InvalidInput(f"service_request_id: {value!r} is not a list of ids") from None


def case_create(fields: dict[str, object], ignored: tuple[str, ...]) -> CaseCreate:
    """Return the case a GeoReport v2 POST describes (``lat``/``long`` in WGS-84)."""
    if fields.get("lat") in (None, "") or fields.get("long") in (None, ""):
        raise InvalidInput("lat/long: required; warmmap does not geocode address_string")
    values = {
        "lon": fields.get("long"),
        "lat": fields.get("lat"),
        "crs": "wgs84",
        "category": fields.get("service_code"),
        "description": fields.get("description") or None,
    }
    known = {"api_key", "service_code", "lat", "long", "description", *ignored}
    unknown = sorted(k for k in fields if k not in known and not k.startswith("attribute["))
    if unknown:
        raise InvalidInput(f"{unknown[0]}: not a GeoReport v2 field")
    if values["category"] is None:
        raise InvalidInput("service_code: required")
    return parse_case_create(values)
