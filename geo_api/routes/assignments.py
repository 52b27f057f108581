"""The auto-assigner."""

from fastapi import APIRouter

from geo_api.assignments.auto import auto_assign
from geo_api.assignments.schemas import AutoRequest, AutoResult
from geo_api.dependencies import LiaisonManagerDep, LongSessionDep
from geo_api.responses import error_responses
from geo_api.routes import DocumentedRoute

router = APIRouter(
    prefix="/assignments",
    tags=["assignments"],
    responses=error_responses(503),
    route_class=DocumentedRoute,
)

AUTO_DESCRIPTION = """
Assigns every outlet of `scope_adcode` that lacks a valid current liaison of `role` to an active
liaison of that role whose scope contains it, minimising the total geodesic distance from the
liaisons' bases, with at most `max_per_liaison` current outlets per liaison (their outlets
outside the scope count). A min-cost flow on each outlet's nearest candidates, proven optimal
on the full graph by a feasible dual (`proof`). With `keep_existing` no current assignment
moves unless capacity forces it (`forced_by_capacity`). Each planned assignment says its
`distance_m` and how many nearer liaisons were full (`nearer_full`). When not every outlet can
get a liaison, `feasible` is false and `reason` says why in one line; nothing is applied.
"""


@router.post(
    "/auto",
    response_model=AutoResult,
    description=AUTO_DESCRIPTION,
    responses=error_responses(401, 403, 409, 422),
)
def auto(session: LongSessionDep, principal: LiaisonManagerDep, body: AutoRequest) -> AutoResult:
    """Assign a scope's outlets to liaisons optimally (dry_run shows the plan only)."""
    return auto_assign(session, body, principal)
