"""Load batches: what a load did, and the rows it refused."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from geo_api import audit
from geo_api.batches import get_batch, list_rejects
from geo_api.dependencies import PrincipalDep, SessionDep

router = APIRouter(prefix="/batches", tags=["batches"])

BatchId = Annotated[int, Path(ge=1, description="The batch's id.")]


class Batch(BaseModel):
    """A load batch: the file, how it was read, and its counts."""

    id: int
    kind: str
    file_name: str
    sha256: str
    crs: str
    source: str
    options: dict[str, Any]
    status: str
    started_at: datetime
    finished_at: datetime | None
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    repaired: int
    flagged: int


class Reject(BaseModel):
    """A rejected row as given, with the reason."""

    row_number: int
    reason: str
    raw: dict[str, Any]


class Rejects(BaseModel):
    """A page of a batch's rejected rows, in file order."""

    batch_id: int
    total: int
    limit: int
    offset: int
    data: list[Reject]


@router.get("/{batch_id}", response_model=Batch)
def read_batch(batch_id: BatchId, session: SessionDep, principal: PrincipalDep) -> Batch:
    """Return the counts, file, checksum, CRS and times of a load batch."""
    return Batch(**get_batch(session.connection(), batch_id))


@router.get("/{batch_id}/rejects", response_model=Rejects)
def read_rejects(
    batch_id: BatchId,
    session: SessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Rejects:
    """Return rejected rows of a load batch: row number, reason, the row as given."""
    batch = get_batch(session.connection(), batch_id)
    rows = list_rejects(session.connection(), batch_id, limit=limit, offset=offset)
    # Rejected rows may hold names and phones: reading them is a reveal, so it is audited.
    audit.record(session, principal.actor, "read", "rejected_rows", batch_id, {"offset": offset})
    return Rejects(
        batch_id=batch_id,
        total=batch["rejected"],
        limit=limit,
        offset=offset,
        data=[Reject(**row) for row in rows],
    )
