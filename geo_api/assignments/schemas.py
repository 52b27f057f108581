"""The auto-assigner's request and answer."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from geo_api.areas import Adcode
from geo_api.vocab import LiaisonRole


class AutoRequest(BaseModel):
    """Assign the outlets of a scope that lack a liaison of ``role``, at least total distance."""

    model_config = ConfigDict(extra="forbid")

    scope_adcode: Adcode = Field(description="the street, community or district to assign in")
    role: LiaisonRole
    max_per_liaison: int = Field(ge=1, le=100_000, description="outlets per liaison at most")
    keep_existing: bool = Field(
        True, description="move no current assignment unless capacity forces it"
    )
    dry_run: bool = Field(False, description="show the plan without applying it")


class PlannedAssignment(BaseModel):
    """One outlet's liaison in the plan, and why: its distance and the nearer ones that are full."""

    outlet_id: int
    liaison_id: int
    distance_m: float
    nearer_full: int = Field(description="eligible liaisons nearer than this one, all full")
    previous_liaison_id: int | None = Field(description="the current liaison it replaces")
    forced_by_capacity: bool = Field(
        description="a kept assignment moved because its liaison had too many outlets"
    )


class AreaShortfall(BaseModel):
    """An area whose outlets cannot all get a liaison."""

    adcode: str
    outlets: int
    without_any_liaison: bool


class AutoResult(BaseModel):
    """The plan: feasible or why not, the assignments it makes, and the proof it is optimal."""

    feasible: bool
    reason: str | None = Field(description="one line, when infeasible")
    applied: bool
    scope_adcode: str
    role: str
    outlets: int = Field(description="outlets of the scope")
    kept: int = Field(description="current assignments left as they are")
    liaisons: int = Field(description="active liaisons of the role that may serve them")
    capacity: int = Field(description="their places left for these outlets")
    assignments: list[PlannedAssignment]
    total_distance_m: float = Field(description="over the assignments listed")
    unassigned: list[int] = Field(description="outlets left without a liaison of the role")
    short_areas: list[AreaShortfall] = Field(default_factory=list)
    optimal: bool
    proof: dict[str, Any]
