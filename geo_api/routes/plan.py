"""Where to build next: maximal covering and set covering (planner or admin)."""

from fastapi import APIRouter

from geo_api import audit
from geo_api.dependencies import LongSessionDep, PlannerDep
from geo_api.plan.schemas import CoverPlan, CoverRequest, SitesPlan, SitesRequest
from geo_api.plan.sites import plan_cover, plan_sites
from geo_api.responses import error_responses
from geo_api.routes import DocumentedRoute

router = APIRouter(
    prefix="/plan", tags=["plan"], responses=error_responses(503), route_class=DocumentedRoute
)


@router.post("/sites", response_model=SitesPlan, responses=error_responses(401, 403, 404, 422))
def sites(body: SitesRequest, session: LongSessionDep, principal: PlannerDep) -> SitesPlan:
    """Choose p new sites covering the most riders, with the open stations fixed."""
    principal.require_scope(body.city)
    audit.record(session, principal.actor, "plan", "plan_sites", body.city, body.model_dump())
    return plan_sites(session, body.spec(), body.p)


@router.post("/cover", response_model=CoverPlan, responses=error_responses(401, 403, 404, 422))
def cover(body: CoverRequest, session: LongSessionDep, principal: PlannerDep) -> CoverPlan:
    """Choose the fewest new sites that bring the covered share of riders to target_share."""
    principal.require_scope(body.city)
    audit.record(session, principal.actor, "plan", "plan_cover", body.city, body.model_dump())
    return plan_cover(session, body.spec(), body.target_share)
