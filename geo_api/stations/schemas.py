"""Request bodies and GeoJSON answers of station records and workers' reports."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from geo_api import vocab
from geo_api.geojson import Feature, Point
from geo_api.vocab import (
    Amenity,
    ReportKind,
    ReportStatus,
    StationAccess,
    StationKind,
    StationStatus,
    amenities,
    kinds,
)

NOTE_MAX_CHARS = 500

# The fields below take English values or the Chinese words of spreadsheets, as the ETL does;
# their descriptions list both, from the vocabularies themselves.
KIND_WORDS = vocab.describe_words(kinds.chinese_words("station_kind"))
STATUS_WORDS = vocab.describe_words(kinds.chinese_words("status"))
ACCESS_WORDS = vocab.describe_words(kinds.chinese_words("access"))
AMENITY_WORDS = vocab.describe_words(amenities.chinese_words())


class StationFields(BaseModel):
    """Fields a planner may set; the ETL's vocabularies and parsers check them."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200)
    kind: str | None = Field(
        None,
        description=f"A station kind, or a Chinese word for it (also inside a longer name): "
        f"{KIND_WORDS}.",
        examples=["warm_station", "暖新驿站"],
    )
    address: str | None = Field(None, max_length=500)
    phone: str | None = Field(None, max_length=40)
    amenities: list[str] | str | None = Field(
        None,
        description=f"A list of amenities, or one text of words separated by 、，,;；/| or "
        f"spaces; a Chinese word also counts inside a longer one (免费充电 is charging). Unknown "
        f"words are kept in amenities_unknown. Amenities and their Chinese words: "
        f"{AMENITY_WORDS}.",
        examples=[["charging", "water"], "充电、饮水"],
    )
    hours_text: str | None = Field(None, max_length=500, description="e.g. 周一至周五 9:00-21:00")
    access: str | None = Field(
        None, description=f"How one gets in, or a Chinese word for it: {ACCESS_WORDS}."
    )
    capacity: int | None = Field(None, ge=0, le=100_000)
    area_m2: float | None = Field(None, ge=0, le=1_000_000)
    status: str | None = Field(
        None, description=f"The station's status, or a Chinese word for it: {STATUS_WORDS}."
    )
    lon: float | None = Field(None, description="x in `crs`")
    lat: float | None = Field(None, description="y in `crs`")
    crs: str | None = Field(None, description="wgs84 (default), cgcs2000, gcj02, bd09 or EPSG:n")


class StationCreate(StationFields):
    """A new station: name and position required."""

    name: str = Field(..., max_length=200)
    lon: float
    lat: float
    source: str = Field("api", min_length=1, max_length=100)
    external_id: str | None = Field(None, min_length=1, max_length=200)


class StationProperties(BaseModel):
    """Everything public about a station."""

    id: int
    source: str
    external_id: str
    name: str
    kind: StationKind
    address: str | None
    phone: str | None
    amenities: list[Amenity]
    amenities_unknown: list[str] = Field(description="Words given for amenities not understood.")
    hours_text: str | None
    hours: list[list[int]] | None = Field(
        description="Weekly [start, end) intervals in minutes from Monday 00:00; null if unknown."
    )
    hours_unparsed: bool = Field(description="true when hours_text was not understood.")
    is_24h: bool
    access: StationAccess | None
    capacity: int | None
    area_m2: float | None
    status: StationStatus
    last_verified_at: datetime | None
    source_crs: str
    source_x: float | None
    source_y: float | None
    district_adcode: str | None
    community_adcode: str | None
    h3_r9: str | None
    updated_at: datetime | None


class StationFeature(Feature[Point, StationProperties]):
    """A station as a GeoJSON feature in WGS-84, with every public field."""


class StationCollection(BaseModel):
    """A page of stations."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    # The names of OGC API - Features, so clients of /ogc read pages the same way.
    number_matched: int = Field(serialization_alias="numberMatched")
    number_returned: int = Field(serialization_alias="numberReturned")
    features: list[StationFeature]


class ReportCreate(BaseModel):
    """A worker's report about a station."""

    model_config = ConfigDict(extra="forbid")

    kind: ReportKind
    note: str | None = Field(None, max_length=NOTE_MAX_CHARS)


class ReportUpdate(BaseModel):
    """A planner's decision on a report."""

    model_config = ConfigDict(extra="forbid")

    status: ReportStatus


class Report(BaseModel):
    """A report as planners see it (never the client's address)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    station_id: int
    kind: ReportKind
    note: str | None
    status: ReportStatus
    created_at: datetime
    resolved_at: datetime | None


class ReportCreated(Report):
    """A report just filed: it is a case, and the token follows it (GET /cases/{id}?token=)."""

    token: str


class ReportList(BaseModel):
    """Reports of one station."""

    data: list[Report]


def jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """Return ``values`` with datetimes as ISO strings, for the audit log's JSON detail."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}
