"""Request bodies and answers of liaisons; names and phones masked unless ``masked`` is false."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from geo_api.areas import Adcode
from geo_api.geojson import Point

NAME_MAX = 100
PHONE_MAX = 40


class LiaisonFields(BaseModel):
    """What a grid manager may change of a liaison; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=NAME_MAX)
    phone: str | None = Field(None, max_length=PHONE_MAX)
    organization: str | None = Field(None, max_length=200)
    scope_adcode: Adcode | None = Field(None, description="the street or community served")
    lon: float | None = Field(None, description="x of the base (police station, office) in `crs`")
    lat: float | None = Field(None, description="y of the base in `crs`")
    crs: str | None = Field(None, description="wgs84 (default), cgcs2000, gcj02, bd09 or EPSG:n")
    active: bool | None = Field(None, description="false deactivates: current assignments end")


class LiaisonCreate(LiaisonFields):
    """A new liaison; without lon/lat the base is the scope area's representative point."""

    name: str = Field(..., min_length=1, max_length=NAME_MAX)
    role: str = Field(..., description="community or police (社区, 派出所, 民警 ...)")
    scope_adcode: Adcode = Field(..., description="the street or community served")
    source: str = Field("api", min_length=1, max_length=100)
    external_id: str | None = Field(None, min_length=1, max_length=200)
    synthetic: bool = False


class Liaison(BaseModel):
    """A liaison as the caller may see them: ``masked`` says whether name and phone are hidden."""

    id: int
    source: str
    external_id: str | None = Field(description="null when masked")
    name: str
    phone: str | None
    masked: bool
    role: str
    organization: str | None
    scope_adcode: str | None
    active: bool
    deactivated_at: datetime | None
    base: Point | None = Field(description="where they work from, WGS-84")
    base_source: str | None = Field(description="given, or scope_centre")
    current_outlets: int = Field(description="outlets they are the current liaison of")
    synthetic: bool


class LiaisonPage(BaseModel):
    """A page of liaisons, by id."""

    total: int
    limit: int
    offset: int
    data: list[Liaison]


class ReleasedOutlet(BaseModel):
    """An outlet whose assignment ended with this change: it needs someone now."""

    id: int
    name: str
    community_adcode: str | None
    role: str


class LiaisonChange(BaseModel):
    """A liaison after a change, and the outlets the change left without a liaison."""

    liaison: Liaison
    released_outlets: list[ReleasedOutlet]
