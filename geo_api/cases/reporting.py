"""Reporting a case: check, rate-limit, route, look for duplicates, store with its photo."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from geoalchemy2.shape import from_shape
from shapely.geometry import Point as ShapelyPoint
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo_api import vocab
from geo_api.cases import ratelimit
from geo_api.cases.duplicates import possible_duplicates
from geo_api.cases.photos import clean_photo
from geo_api.cases.routing import Routing, route, station_place
from geo_api.cases.schemas import CaseCreate, CaseReceipt, RoutedTo
from geo_api.cases.tokens import hash_token, new_token
from geo_api.errors import InvalidInput
from geo_api.models import Case, CaseEvent, CasePhoto
from geo_api.stations.inputs import parse_crs, point_to_wgs84


@dataclass(frozen=True)
class Reporter:
    """Who files a case, as far as warmmap keeps it: a client for the rate limit.

    ``client`` is the address (``request.client.host``) or ``key:<id>`` for an app posting
    with an API key; only its salted hash is stored. ``per_hour`` is that client's limit.
    """

    client: str
    per_hour: int
    channel: str = "api"


def report_case(
    session: Session,
    body: CaseCreate,
    photo: bytes | None,
    reporter: Reporter,
    salt: str,
    *,
    at: datetime | None = None,
    synthetic: bool = False,
) -> CaseReceipt:
    """File a case and return its receipt (id, token, routing, due time, possible duplicates).

    ``at`` backdates the case (the demo's history); ``None`` is now.
    """
    category = _category(body.category)
    cleaned = clean_photo(photo) if photo is not None else None
    hashed_client = ratelimit.client_hash(reporter.client, salt)
    ratelimit.take(session, hashed_client, reporter.per_hour)
    lon, lat, station_area = _position(session, body)
    routing = route(session, category, lon, lat, body.station_id, station_area)
    when = at or datetime.now(UTC)
    duplicates = possible_duplicates(session, category, lon, lat, when)
    token = new_token()
    case = _new_case(body, routing, lon, lat, when, reporter.channel)
    case.token_hash = hash_token(token)
    case.reporter_hash = _reporter_hash(session, body.reporter_token) or case.token_hash
    case.client_hash = hashed_client
    case.synthetic = synthetic
    session.add(case)
    session.flush()
    session.add(CaseEvent(case_id=case.id, at=when, actor="reporter", actor_role="reporter",
                          from_status=None, to_status="reported", note=None))  # fmt: skip
    photo_id = None
    if cleaned is not None:
        stored = CasePhoto(
            case_id=case.id,
            media_type=cleaned.media_type,
            width=cleaned.width,
            height=cleaned.height,
            data=cleaned.data,
            sha256=cleaned.sha256,
        )
        session.add(stored)
        session.flush()
        photo_id = stored.id
    return CaseReceipt(
        id=case.id,
        token=token,
        status=case.status,
        routed_to=RoutedTo(adcode=routing.adcode, name=routing.name, role=routing.role),
        due_at=case.due_at,
        possible_duplicates=duplicates,
        photo_id=photo_id,
    )


def _category(value: str) -> str:
    if value not in vocab.CASE_CATEGORIES:
        raise InvalidInput(
            f"category: unknown category {value!r}; use {', '.join(vocab.CASE_CATEGORIES)}"
        )
    return value


def _position(session: Session, body: CaseCreate) -> tuple[float, float, str | None]:
    """Return the case's WGS-84 position and, for a station's case, the station's area."""
    lon, lat = point_to_wgs84(body.lon, body.lat, body.crs)
    if body.station_id is None:
        return lon, lat, None
    _, _, station_area = station_place(session, body.station_id)
    return lon, lat, station_area


def _reporter_hash(session: Session, reporter_token: str | None) -> str | None:
    """Return the points identity of an earlier case's token, so a rider's points add up."""
    if not reporter_token:
        return None
    found = session.scalar(
        select(Case.reporter_hash).where(Case.token_hash == hash_token(reporter_token))
    )
    if found is None:
        raise InvalidInput("reporter_token: no case has this token")
    return found


def _new_case(
    body: CaseCreate, routing: Routing, lon: float, lat: float, when: datetime, channel: str
) -> Case:
    place = routing.place
    return Case(
        channel=channel,
        category=body.category,
        description=(body.description or "").strip() or None,
        geom=from_shape(ShapelyPoint(lon, lat), srid=4326),
        source_crs=parse_crs(body.crs, ("wgs84", "cgcs2000", "gcj02", "bd09"), "crs"),
        source_x=body.lon,
        source_y=body.lat,
        district_adcode=place.district.adcode if place.district else None,
        street_adcode=place.street.adcode if place.street else None,
        community_adcode=place.community.adcode if place.community else None,
        routed_adcode=routing.adcode,
        routed_role=routing.role,
        liaison_id=routing.liaison_id,
        station_id=routing.station_id if routing.station_id else body.station_id,
        status="reported",
        due_at=when + timedelta(hours=routing.hours),
        created_at=when,
        updated_at=when,
    )
