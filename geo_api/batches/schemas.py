"""Answers of the batch routes: what a load did, and the rows it refused."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from geo_api.vocab import BatchStatus, LoadKind


class Batch(BaseModel):
    """A load batch: the file, how it was read, and its counts."""

    id: int
    kind: LoadKind
    file_name: str
    sha256: str = Field(description="SHA-256 of the file's bytes.")
    crs: str = Field(description="The coordinate system the file was read in.")
    source: str
    options: dict[str, Any] = Field(description="The load's options (--level, --map, ...).")
    status: BatchStatus
    started_at: datetime
    finished_at: datetime | None
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    repaired: int = Field(description="Boundaries whose invalid polygons were repaired.")
    flagged: int = Field(description="Rows loaded with a flag: hours or amenities not understood.")


class Reject(BaseModel):
    """A rejected row as given, with the reason."""

    row_number: int
    reason: str
    raw: dict[str, Any] = Field(description="The row as given, column by column.")


class Rejects(BaseModel):
    """A page of a batch's rejected rows, in file order."""

    batch_id: int
    total: int
    limit: int
    offset: int
    data: list[Reject]
