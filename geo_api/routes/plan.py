"""Where to build next: maximal covering and set covering (planner or admin)."""

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from geo_api import audit
from geo_api.coverage.refresh import MAX_RES, MIN_RES
from geo_api.dependencies import PlannerDep, SessionDep
from geo_api.plan.instance import PlanSpec
from geo_api.plan.sites import plan_cover, plan_sites

router = APIRouter(prefix="/plan", tags=["plan"])


class CandidateKind(BaseModel):
    """Existing places as candidates: a station kind or an admin level."""

    kind: str


class PlanRequest(BaseModel):
    """What every plan needs: the city, the reach of a station and where sites may go."""

    city: str = Field(pattern=r"^\d{6,32}$")
    threshold_m: float = Field(1000.0, gt=0, le=100_000)
    candidates: Literal["cells"] | CandidateKind = "cells"
    res: int = Field(9, ge=MIN_RES, le=MAX_RES, description="H3 resolution of cell candidates.")
    out_crs: Literal["wgs84", "gcj02", "bd09"] = "wgs84"
    time_limit_s: float = Field(20.0, gt=0, le=300)

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

    p: int = Field(ge=1, le=200)


class CoverRequest(PlanRequest):
    """Reach a share of riders with the fewest new sites."""

    target_share: float = Field(gt=0, le=1)


@router.post("/sites")
def sites(body: SitesRequest, session: SessionDep, principal: PlannerDep) -> dict[str, Any]:
    """Choose p new sites covering the most riders, with the open stations fixed."""
    principal.require_scope(body.city)
    audit.record(session, principal.actor, "plan", "plan_sites", body.city, body.model_dump())
    return plan_sites(session, body.spec(), body.p)


@router.post("/cover")
def cover(body: CoverRequest, session: SessionDep, principal: PlannerDep) -> dict[str, Any]:
    """Choose the fewest new sites that bring the covered share of riders to target_share."""
    principal.require_scope(body.city)
    audit.record(session, principal.actor, "plan", "plan_cover", body.city, body.model_dump())
    return plan_cover(session, body.spec(), body.target_share)
