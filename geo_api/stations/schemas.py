"""Request bodies and GeoJSON answers of station records and workers' reports."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from geo_api.geojson import Feature, Point

NOTE_MAX_CHARS = 500


class StationFields(BaseModel):
    """Fields a planner may set; the ETL's vocabularies and parsers check them."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200)
    kind: str | None = Field(None, description="a station kind, in English or Chinese")
    address: str | None = Field(None, max_length=500)
    phone: str | None = Field(None, max_length=40)
    amenities: list[str] | str | None = Field(None, description='e.g. ["charging"] or 充电、饮水')
    hours_text: str | None = Field(None, max_length=500, description="e.g. 周一至周五 9:00-21:00")
    access: str | None = None
    capacity: int | None = Field(None, ge=0, le=100_000)
    area_m2: float | None = Field(None, ge=0, le=1_000_000)
    status: str | None = None
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
    kind: str
    address: str | None
    phone: str | None
    amenities: list[str]
    amenities_unknown: list[str]
    hours_text: str | None
    hours: list[list[int]] | None
    hours_unparsed: bool
    is_24h: bool
    access: str | None
    capacity: int | None
    area_m2: float | None
    status: str
    last_verified_at: datetime | None
    source_crs: str
    source_x: float | None
    source_y: float | None
    district_adcode: str | None
    community_adcode: str | None
    h3_r9: str | None
    updated_at: datetime | None


StationFeature = Feature[Point, StationProperties]


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

    kind: Literal["closed", "wrong_location", "hours_wrong", "other"]
    note: str | None = Field(None, max_length=NOTE_MAX_CHARS)


class ReportUpdate(BaseModel):
    """A planner's decision on a report."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "resolved", "dismissed"]


class Report(BaseModel):
    """A report as planners see it (never the client's address)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    station_id: int
    kind: str
    note: str | None
    status: str
    created_at: datetime
    resolved_at: datetime | None


class ReportList(BaseModel):
    """Reports of one station."""

    data: list[Report]


def jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """Return ``values`` with datetimes as ISO strings, for the audit log's JSON detail."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}
