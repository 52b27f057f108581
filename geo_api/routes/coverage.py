"""Coverage of demand by open stations: refresh, gaps and communities."""

from typing import Annotated

from fastapi import APIRouter, Query

from geo_api.areas import Adcode
from geo_api.coverage import DEFAULT_RES, MAX_RES, MIN_RES
from geo_api.coverage.communities import community_coverage
from geo_api.coverage.gaps import coverage_gaps
from geo_api.coverage.refresh import refresh_coverage
from geo_api.coverage.schemas import (
    CITY_DESCRIPTION,
    RES_DESCRIPTION,
    THRESHOLD_DESCRIPTION,
    CommunityCoverage,
    GapCollection,
    Refresh,
    RefreshRequest,
)
from geo_api.dependencies import LongSessionDep, PlannerDep, SessionDep
from geo_api.responses import error_responses
from geo_api.routes import DocumentedRoute
from geo_api.vocab import CoverageLevel

router = APIRouter(
    prefix="/coverage",
    tags=["coverage"],
    responses=error_responses(503),
    route_class=DocumentedRoute,
)

City = Annotated[Adcode, Query(description=CITY_DESCRIPTION)]
Res = Annotated[int, Query(ge=MIN_RES, le=MAX_RES, description=RES_DESCRIPTION)]
Threshold = Annotated[float, Query(gt=0, le=100_000, description=THRESHOLD_DESCRIPTION)]


@router.post("/refresh", response_model=Refresh, responses=error_responses(401, 403, 404, 422))
def refresh(body: RefreshRequest, session: LongSessionDep, principal: PlannerDep) -> Refresh:
    """Recompute a city's coverage cells (planner or admin)."""
    principal.require_scope(body.city)
    result = refresh_coverage(session, body.city, body.res, principal.actor)
    return Refresh(
        city=result.city,
        res=result.res,
        cells=result.cells,
        cells_with_riders=result.cells_with_riders,
        seconds=result.seconds,
    )


@router.get("/gaps", response_model=GapCollection, responses=error_responses(404, 422))
def gaps(
    session: SessionDep,
    city: City,
    res: Res = DEFAULT_RES,
    threshold_m: Threshold = 1000.0,
    min_riders: Annotated[int, Query(ge=1, description="Leave out cells with fewer riders.")] = 1,
    limit: Annotated[int, Query(ge=1, le=200_000, description="At most this many cells.")] = 1000,
) -> GapCollection:
    """Cells with riders and no open station within threshold_m, most riders first."""
    return coverage_gaps(session, city, res, threshold_m, min_riders, limit)


@router.get("/communities", response_model=CommunityCoverage, responses=error_responses(404, 422))
def communities(
    session: SessionDep,
    city: City,
    threshold_m: Threshold = 1000.0,
    level: Annotated[CoverageLevel, Query(description="The areas to sum up by.")] = "community",
) -> CommunityCoverage:
    """Outlets and riders per area within threshold_m of an open station, worst first."""
    return community_coverage(session, city, threshold_m, level)
