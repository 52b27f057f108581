"""Answers of the batch routes: what a load did, the rows it refused, the values it flagged."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from geo_api.vocab import BatchStatus, LoadKind, RowOutcome


class Batch(BaseModel):
    """A load batch: the file, how it was read, and its counts."""

    id: int
    kind: LoadKind
    file_name: str
    sha256: str = Field(description="SHA-256 of the file's bytes.")
    crs: str = Field(description="The coordinate system the file was read in.")
    source: str = Field(description="--source, else the sheet's 填报单位, else the file's name.")
    options: dict[str, Any] = Field(description="The load's options (--level, --map, ...).")
    status: BatchStatus
    started_at: datetime
    finished_at: datetime | None
    rows_read: int = Field(
        description="Rows of the sheet: inserted + updated + unchanged + rejected + skipped."
    )
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    skipped: int = Field(description="Rows that are not data: titles, totals, notes.")
    repaired: int = Field(description="Boundaries whose invalid polygons were repaired.")
    flagged: int = Field(
        description="Rows loaded with a flag: a value read with a guess, defaulted or not "
        "understood, an edit kept, a near-duplicate, a point outside its address's district."
    )
    report: dict[str, Any] = Field(
        description="How the file was read: sheet, header row, columns used and ignored, merged "
        "cells filled, notes as {code, params} (geo_api.reasons renders them)."
    )
    failure: str | None = Field(
        None,
        description="Why the batch failed (status failed): the load's one-line error, or that "
        "it ended before committing (killed, connection lost). Its rows were rolled back.",
    )


class Reject(BaseModel):
    """A row not loaded, as given, with the reason."""

    row_number: int
    kind: RowOutcome = Field(description="rejected (bad data) or skipped (not data).")
    reason: str = Field(description="In the language asked for (lang, Accept-Language).")
    reason_code: str | None = Field(description="The reason's code, rendered with params.")
    params: dict[str, Any]
    raw: dict[str, Any] = Field(description="The row as given, column by column.")


class Rejects(BaseModel):
    """A page of a batch's rejected and skipped rows, in file order."""

    batch_id: int
    total: int
    limit: int
    offset: int
    data: list[Reject]


class Flag(BaseModel):
    """A value of a loaded row worth a look, or a record the load suspended (no row number)."""

    row_number: int | None
    external_id: str | None = Field(description="The id of the record the row loaded into.")
    field: str | None
    column: str | None = Field(description="The file's column the value came from.")
    value: Any = Field(description="The value as given.")
    reason_code: str
    params: dict[str, Any]
    reason: str = Field(description="In the language asked for (lang, Accept-Language).")


class Flags(BaseModel):
    """A page of a batch's flags, in file order."""

    batch_id: int
    total: int
    limit: int
    offset: int
    data: list[Flag]
