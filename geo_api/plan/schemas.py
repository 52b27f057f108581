"""Request bodies and answers of the planning routes: maximal covering and set covering."""

from typing import Literal

from pydantic import BaseModel, Field

from geo_api.areas import Adcode
from geo_api.coords import OutputSystem
from geo_api.coverage import DEFAULT_RES, MAX_RES, MIN_RES
from geo_api.notes import Note
from geo_api.places import Place
from geo_api.plan.deadline import DEFAULT_TIME_LIMIT_S
from geo_api.plan.instance import PlanSpec
from geo_api.vocab import AdminLevel, StationKind

SOLVERS = (
    "`highs-mip` (HiGHS: proven when `optimal`, else its best answer when the time ran out and "
    "it beat the heuristic), `greedy+swap` or `greedy` (the heuristic's answer when HiGHS had "
    "none better within `time_limit_s`), `trivial` (nothing to choose)"
)


MEASURED_FROM_DESCRIPTION = (
    "Demand is each outlet's riders, covered when an open station or a chosen site lies within "
    "threshold_m of the outlet."
)
NOTES_DESCRIPTION = (
    "not_proven, curve_not_proven (the solver's words on why the sites or the curve are not "
    "proven); for a plan without sites, why: no_demand, nothing_uncovered, no_candidates, "
    "no_candidate_in_reach"
)


class CandidateKind(BaseModel):
    """Existing places as candidates: the stations of a kind, or the areas of an admin level."""

    kind: Literal[StationKind, AdminLevel] = Field(
        description="A station kind (e.g. party_service_center: centres that may become warm "
        "stations; warm_station: the closed ones) or an admin level (each area's inner point)."
    )


class PlanRequest(BaseModel):
    """What every plan needs: the city, the reach of a station and where sites may go."""

    city: Adcode = Field(description="The city's (or district's) adcode.")
    threshold_m: float = Field(
        1000.0, gt=0, le=100_000, description="Reach of a station in metres."
    )
    candidates: Literal["cells"] | CandidateKind = Field(
        "cells", description='"cells": the centres of H3 cells near uncovered demand.'
    )
    res: int = Field(
        DEFAULT_RES, ge=MIN_RES, le=MAX_RES, description="H3 resolution of cell candidates."
    )
    out_crs: OutputSystem = Field("wgs84", description="Coordinate system of the sites.")
    time_limit_s: float = Field(
        DEFAULT_TIME_LIMIT_S,
        gt=0,
        le=300,
        description="Seconds the whole request may take: every solve gets what is left.",
    )

    def spec(self) -> PlanSpec:
        """Return the request as the planner's domain layer takes it."""
        candidates = self.candidates
        return PlanSpec(
            city=self.city,
            threshold_m=self.threshold_m,
            candidates=candidates if isinstance(candidates, str) else candidates.model_dump(),
            res=self.res,
            out_crs=self.out_crs,
            time_limit_s=self.time_limit_s,
        )


class SitesRequest(PlanRequest):
    """Choose p new sites."""

    p: int = Field(ge=1, le=200, description="How many new sites.")


class CoverRequest(PlanRequest):
    """Reach a share of riders with the fewest new sites."""

    target_share: float = Field(gt=0, le=1, description="Share of the city's riders to reach.")


class CoveredOutlet(BaseModel):
    """An outlet a site newly covers."""

    id: int
    name: str
    riders: int


class SitePosition(BaseModel):
    """Where a chosen site is and the riders it adds to those before it in the list."""

    lon: float = Field(description="Longitude in out_crs.")
    lat: float = Field(description="Latitude in out_crs.")
    added_riders: int = Field(description="Riders newly covered, given the sites listed before.")


class SiteBase(Place, SitePosition):
    """A chosen site: where it is, the areas holding it, the riders and outlets it adds."""

    newly_covered_outlets: list[CoveredOutlet] = Field(
        description="The uncovered outlets this site reaches that no site before it in the list "
        "reaches, most riders first: their riders add up to added_riders."
    )


class CellSite(SiteBase):
    """A site at the centre of an H3 cell (candidates "cells")."""

    h3: str


class StationSite(SiteBase):
    """An existing station chosen as a site (candidates of a station kind)."""

    station_id: str = Field(description="The station's id (as text).")
    name: str


class AreaSite(SiteBase):
    """An admin area's inner point chosen as a site (candidates of an admin level)."""

    adcode: str
    name: str


Site = CellSite | StationSite | AreaSite


class CurvePoint(BaseModel):
    """Riders covered with the best ``p`` new sites."""

    p: int
    covered_riders: int


class SitesPlan(BaseModel):
    """Where ``p`` new stations cover the most riders, the open stations kept."""

    city: str
    p: int
    threshold_m: float
    sites: list[Site] = Field(description="The chosen sites, the one adding most riders first.")
    covered_riders_before: int
    covered_riders_after: int
    total_riders: int
    curve: list[CurvePoint] = Field(description="Covered riders for 1..p new sites.")
    curve_method: Literal["re-solved exactly for each p", "greedy order of the chosen sites"]
    optimal: bool = Field(description="Whether the answer is proven optimal.")
    solver: str = Field(description=f"Which solver answered: {SOLVERS}.")
    upper_bound_riders: int = Field(description="No choice of p sites covers more riders.")
    gap_riders: int = Field(description="upper_bound_riders - covered_riders_after.")
    candidates: int = Field(description="How many candidate sites were considered.")
    measured_from: Literal["outlet"] = Field(description=MEASURED_FROM_DESCRIPTION)
    notes: list[Note] = Field(description=NOTES_DESCRIPTION)


class CoverPlan(BaseModel):
    """The fewest new stations that bring the covered share of riders to the target."""

    city: str
    threshold_m: float
    target_share: float
    feasible: bool = Field(description="false when no choice of candidates reaches the target.")
    best_reachable_share: float = Field(description="The share with every candidate built.")
    n_sites: int
    sites: list[Site] = Field(description="The chosen sites, the one adding most riders first.")
    covered_riders_before: int
    covered_riders_after: int
    total_riders: int
    covered_share_before: float
    covered_share_after: float
    optimal: bool = Field(description="Whether the number of sites is proven the fewest.")
    solver: str = Field(description=f"Which solver answered: {SOLVERS}.")
    candidates: int = Field(description="How many candidate sites were considered.")
    measured_from: Literal["outlet"] = Field(description=MEASURED_FROM_DESCRIPTION)
    notes: list[Note] = Field(description=NOTES_DESCRIPTION + ", target_already_met")
