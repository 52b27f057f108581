"""Answers about outlets: public properties, and current liaisons only for callers in scope."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from geo_api.geojson import Feature, Point
from geo_api.liaisons.schemas import Liaison


class CurrentLiaison(BaseModel):
    """An outlet's current liaison of one role, and whether the assignment still holds."""

    liaison: Liaison
    assigned_at: datetime
    method: str
    valid: bool = Field(description="false when the liaison is inactive or no longer covers it")


class OutletLiaisons(BaseModel):
    """An outlet's current community and police liaisons (null: none)."""

    community: CurrentLiaison | None = None
    police: CurrentLiaison | None = None


class OutletProperties(BaseModel):
    """Everything public about an outlet; ``liaisons`` only for a key in scope, else null."""

    id: int
    source: str
    external_id: str
    name: str
    brand: str | None
    kind: str
    riders: int
    address: str | None
    district_adcode: str | None
    community_adcode: str | None
    h3_r9: str | None
    synthetic: bool
    updated_at: datetime
    liaisons: OutletLiaisons | None = None


OutletFeature = Feature[Point, OutletProperties]


class OutletCollection(BaseModel):
    """A page of outlets, by id."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    number_matched: int = Field(serialization_alias="numberMatched")
    number_returned: int = Field(serialization_alias="numberReturned")
    features: list[OutletFeature]


class MissingLiaison(BaseModel):
    """An outlet lacking a valid current liaison of at least one role."""

    id: int
    name: str
    brand: str | None
    kind: str
    riders: int
    district_adcode: str | None
    community_adcode: str | None
    missing: list[str] = Field(description="roles without a valid current liaison")
    stale: list[int] = Field(description="current assignments that no longer hold (liaison ids)")


class MissingLiaisonPage(BaseModel):
    """Outlets of an area lacking a liaison, by id."""

    area: str | None
    total: int
    limit: int
    offset: int
    data: list[MissingLiaison]


class AssignmentSet(BaseModel):
    """Liaison ids to make current; a role left out stays, null ends its current assignment."""

    model_config = ConfigDict(extra="forbid")

    community: int | None = None
    police: int | None = None


class AssignmentChange(BaseModel):
    """One role's change on an outlet."""

    role: str
    from_liaison_id: int | None
    to_liaison_id: int | None


class OutletAssignment(BaseModel):
    """An outlet's liaisons after a change, and what changed."""

    outlet_id: int
    liaisons: OutletLiaisons
    changes: list[AssignmentChange]


class HistoryEntry(BaseModel):
    """One assignment of the outlet, current or ended."""

    id: int
    role: str
    liaison: Liaison
    assigned_at: datetime
    assigned_by: str | None
    method: str
    ended_at: datetime | None
    ended_by: str | None
    ended_reason: str | None


class History(BaseModel):
    """Every assignment an outlet has had, newest first."""

    outlet_id: int
    data: list[HistoryEntry]
