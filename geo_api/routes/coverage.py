"""Coverage of demand by open stations: refresh, gaps and communities."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from geo_api import audit
from geo_api.coverage.communities import community_coverage
from geo_api.coverage.gaps import coverage_gaps
from geo_api.coverage.refresh import MAX_RES, MIN_RES, refresh_city
from geo_api.dependencies import PlannerDep, SessionDep

router = APIRouter(prefix="/coverage", tags=["coverage"])

City = Annotated[
    str, Query(pattern=r"^\d{6,32}$", description="The city's (or district's) adcode.")
]
Res = Annotated[int, Query(ge=MIN_RES, le=MAX_RES, description="H3 resolution.")]
Threshold = Annotated[float, Query(gt=0, le=100_000, description="Reach of a station in metres.")]


class RefreshRequest(BaseModel):
    """Which city's cells to recompute, at which H3 resolution."""

    city: str = Field(pattern=r"^\d{6,32}$")
    res: int = Field(9, ge=MIN_RES, le=MAX_RES)


@router.post("/refresh")
def refresh(body: RefreshRequest, session: SessionDep, principal: PlannerDep) -> dict[str, Any]:
    """Recompute a city's coverage cells (planner or admin)."""
    principal.require_scope(body.city)
    result = refresh_city(session, body.city, body.res)
    audit.record(
        session, principal.actor, "refresh", "coverage_cells", body.city, {"res": body.res}
    )
    return {
        "city": result.city,
        "res": result.res,
        "cells": result.cells,
        "cells_with_riders": result.cells_with_riders,
        "seconds": result.seconds,
    }


@router.get("/gaps")
def gaps(
    session: SessionDep,
    city: City,
    res: Res = 9,
    threshold_m: Threshold = 1000.0,
    min_riders: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=200_000)] = 1000,
) -> dict[str, Any]:
    """Cells with riders and no open station within threshold_m, most riders first."""
    return coverage_gaps(session, city, res, threshold_m, min_riders, limit)


@router.get("/communities")
def communities(
    session: SessionDep,
    city: City,
    threshold_m: Threshold = 1000.0,
    level: Literal["community", "street", "district"] = "community",
) -> dict[str, Any]:
    """Outlets and riders per area within threshold_m of an open station, worst first."""
    return community_coverage(session, city, threshold_m, level)
