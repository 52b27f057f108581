"""Load batches: what a load did, and the rows it refused."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from geo_api import audit
from geo_api.batches.reading import get_batch, list_rejects
from geo_api.batches.schemas import Batch, Reject, Rejects
from geo_api.dependencies import PrincipalDep, SessionDep
from geo_api.liaisons.rejects import shown_rejects
from geo_api.responses import error_responses
from geo_api.routes import DocumentedRoute

router = APIRouter(
    prefix="/batches", tags=["batches"], responses=error_responses(503), route_class=DocumentedRoute
)

BatchId = Annotated[int, Path(ge=1, description="The batch's id.")]


@router.get("/{batch_id}", response_model=Batch, responses=error_responses(401, 404, 422))
def read_batch(batch_id: BatchId, session: SessionDep, principal: PrincipalDep) -> Batch:
    """Return the counts, file, checksum, CRS and times of a load batch (any key)."""
    return Batch(**get_batch(session.connection(), batch_id))


@router.get("/{batch_id}/rejects", response_model=Rejects, responses=error_responses(401, 404, 422))
def read_rejects(
    batch_id: BatchId,
    session: SessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Rejects:
    """Return rejected rows of a load batch: row number, reason, the row as given (any key)."""
    batch = get_batch(session.connection(), batch_id)
    rows = list_rejects(session.connection(), batch_id, limit=limit, offset=offset)
    # A liaison batch's rows hold names and phones: masked unless the caller's scope covers them.
    rows, revealed = shown_rejects(batch, rows, principal)
    # Rejected rows may hold names and phones: reading them is a reveal, so it is audited.
    audit.record(
        session,
        principal.actor,
        "read",
        "rejected_rows",
        batch_id,
        {"offset": offset, "revealed_rows": revealed},
    )
    return Rejects(
        batch_id=batch_id,
        total=batch["rejected"],
        limit=limit,
        offset=offset,
        data=[Reject(**row) for row in rows],
    )
