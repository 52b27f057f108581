"""Request bodies and answers of riders' cases, their stats, points and Open311 face."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError

from geo_api import vocab
from geo_api.errors import InvalidInput
from geo_api.geojson import Feature, FeatureCollection, Point

DESCRIPTION_MAX_CHARS = 1000
CaseStatus = vocab.CaseStatus


class CategoryOut(BaseModel):
    """A category riders can report, who handles it and its time limit."""

    code: str
    name_zh: str
    name_en: str
    role: str = Field(description=", ".join(vocab.CASE_ROLES))
    hours: int = Field(description="time limit: the case is due this many hours after it came in")
    points: int = Field(description="points (积分) its reporter earns once it is verified")


class CategoryList(BaseModel):
    """Every category, in the order of the vocabulary."""

    area: str | None = Field(description="the area whose routes apply; null: the defaults")
    data: list[CategoryOut]


class CaseCreate(BaseModel):
    """A rider's report: where, what, and optionally which station and a few words."""

    model_config = ConfigDict(extra="forbid")

    # No range here: a point outside China, or with lon and lat swapped, is named as such.
    lon: float = Field(allow_inf_nan=False, description="longitude in `crs`")
    lat: float = Field(allow_inf_nan=False, description="latitude in `crs`")
    crs: str = Field("wgs84", description="wgs84, gcj02 (Amap, WeChat), bd09 (Baidu), cgcs2000")
    category: vocab.CaseCategory
    description: str | None = Field(None, max_length=DESCRIPTION_MAX_CHARS)
    station_id: int | None = Field(None, ge=1, description="the station the report is about")
    reporter_token: str | None = Field(
        None, max_length=100, description="the token of an earlier case: points add up"
    )


def parse_case_create(values: dict[str, object]) -> CaseCreate:
    """Validate a report from JSON or form fields; a bad field is one line naming it."""
    try:
        return CaseCreate.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = ".".join(str(p) for p in error["loc"]) or "body"
        raise InvalidInput(f"{name}: {error['msg']}") from None


class RoutedTo(BaseModel):
    """The unit that handles a case: an area and the role there."""

    adcode: str
    name: str | None
    role: str = Field(description=", ".join(vocab.CASE_ROLES))


class CaseReceipt(BaseModel):
    """What a reporter gets back: keep the token, it is shown once."""

    id: int
    token: str = Field(description="follow the case with GET /cases/{id}?token=; shown once")
    status: str
    routed_to: RoutedTo
    due_at: datetime
    possible_duplicates: list[int] = Field(
        description="cases of the same category within 100 m in the last 7 days, nearest first"
    )
    photo_id: int | None = None


class TransitionCreate(BaseModel):
    """A move along the lifecycle; a reporter gives the case's token instead of an API key."""

    model_config = ConfigDict(extra="forbid")

    to: CaseStatus
    note: str | None = Field(None, max_length=DESCRIPTION_MAX_CHARS)
    duplicate_of: int | None = Field(
        None, ge=1, description="the surviving case, with to=duplicate"
    )
    token: str | None = Field(None, max_length=100, description="the reporter's token")


class CaseEventOut(BaseModel):
    """One move of a case."""

    at: datetime
    actor: str | None = Field(description="who moved it; only the role for reporters")
    actor_role: str
    from_status: str | None
    to_status: str
    note: str | None


class PhotoRef(BaseModel):
    """A photo of a case (the bytes at ``url``, for the handling manager and the reporter)."""

    id: int
    media_type: str
    width: int
    height: int
    url: str


class Handler(RoutedTo):
    """Who handles the case; the liaison's id only for managers."""

    liaison_id: int | None = None
    station_id: int | None = None


class CaseDetail(BaseModel):
    """A case as its reporter or a manager sees it."""

    id: int
    category: str
    status: str
    geometry: Point
    source_crs: str
    routed_to: Handler
    community_adcode: str | None
    street_adcode: str | None
    district_adcode: str | None
    description: str | None = Field(description="only the case's own reporter and managers")
    due_at: datetime
    overdue: bool
    escalated_to: str | None = Field(description="the street office that sees it when overdue")
    channel: str
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    duplicate_of: int | None
    merged: list[int] = Field(description="cases merged into this one as duplicates")
    photos: list[PhotoRef]
    events: list[CaseEventOut]


class CaseSummary(BaseModel):
    """A case in a grid manager's queue."""

    id: int
    category: str
    status: str
    lon: float
    lat: float
    area_adcode: str
    routed_to: Handler
    due_at: datetime
    overdue: bool
    escalated_to: str | None
    created_at: datetime
    updated_at: datetime


class CaseQueue(BaseModel):
    """A page of a grid manager's queue, most overdue first."""

    total: int
    limit: int
    offset: int
    data: list[CaseSummary]


class PublicCaseProperties(BaseModel):
    """All the public may know of a case."""

    category: str
    status: str
    created_at: datetime
    updated_at: datetime


class PublicCaseFeature(Feature[Point, PublicCaseProperties]):
    """A case on the public map: its position, category and status."""


class PublicCaseCollection(FeatureCollection[PublicCaseFeature]):
    """The cases in a box as the public sees them."""


class CategoryStats(BaseModel):
    """The closed loop (征集—处理—反馈) in numbers for one category of an area."""

    category: str | None = None
    received: int
    open: int
    resolved: int
    rejected: int
    duplicate: int
    overdue: int
    median_hours_to_resolve: float | None


class AreaStats(CategoryStats):
    """The numbers of one area, in all and per category."""

    adcode: str | None = Field(description="null: cases that lie in no area of this level")
    name: str | None
    categories: list[CategoryStats]


class CaseStats(BaseModel):
    """Per area of a city: received, open, resolved, overdue, median hours to resolve."""

    city: str
    level: str
    since: date | None
    until: date | None
    total: CategoryStats
    areas: list[AreaStats]


class CommunityFriendliness(BaseModel):
    """A community's rider-friendliness: complaints about entry, parking, finding buildings."""

    adcode: str
    name: str
    entry: int
    parking: int
    finding: int
    total: int
    resolved: int
    unresolved: int


class Friendliness(BaseModel):
    """Per community of a city, most unresolved complaints first."""

    city: str
    days: int
    since: datetime
    communities: list[CommunityFriendliness]


class PointsEntry(BaseModel):
    """One line of the points ledger."""

    case_id: int
    reason: str
    points: int
    at: datetime


class PointsBalance(BaseModel):
    """A reporter's points (积分): the total and the ledger."""

    total: int
    entries: list[PointsEntry]


class Open311Service(BaseModel):
    """A GeoReport v2 service (one of our categories)."""

    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class Open311Request(BaseModel):
    """A GeoReport v2 service request; text and media stay private (null)."""

    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float
    long: float
    media_url: str | None


class Open311Created(BaseModel):
    """The answer to a GeoReport v2 POST."""

    service_request_id: str
    service_notice: str | None
    account_id: str | None
    token: str = Field(description="the reporter's token to follow the case (GET /cases/{id})")


class Open311ServiceList(RootModel[list[Open311Service]]):
    """Every GeoReport v2 service (a JSON array, as the specification answers)."""


class Open311RequestList(RootModel[list[Open311Request]]):
    """GeoReport v2 service requests (a JSON array, as the specification answers)."""


class Open311CreatedList(RootModel[list[Open311Created]]):
    """The answer to a GeoReport v2 POST: a one-element array."""
