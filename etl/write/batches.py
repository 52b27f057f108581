"""Load batches and their rejected rows: recorded with the load, read back by CLI and API."""

import hashlib
import io
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, insert, text, update

from etl.normalize.table import Rejection
from geo_api.models import LoadBatch


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file's bytes, or of a folder's files (names and bytes, sorted).

    Parameters
    ----------
    path
        The file or folder (an unzipped shapefile) that was loaded.
    """
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(str(file.relative_to(path)).encode() + b"\0")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def start_batch(
    connection: Connection,
    *,
    kind: str,
    path: Path,
    crs: str,
    source: str,
    options: dict[str, Any],
    started_at: datetime,
) -> int:
    """Insert the batch's row (status ``running``) and return its id.

    The row is part of the batch's transaction: if the load fails, it vanishes with the rest.
    """
    statement = (
        insert(LoadBatch)
        .values(
            kind=kind,
            file_name=path.name,
            sha256=file_sha256(path),
            crs=crs,
            source=source,
            options=options,
            started_at=started_at,
        )
        .returning(LoadBatch.id)
    )
    return int(connection.execute(statement).scalar_one())


def _copy(connection: Connection, table: str, frame: pd.DataFrame) -> None:
    """COPY ``frame`` (columns named as in ``table``) into ``table`` as CSV."""
    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, index=False)
    buffer.seek(0)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        columns = ", ".join(frame.columns)
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", buffer)
    finally:
        cursor.close()


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def store_rejections(connection: Connection, batch_id: int, rejected: list[Rejection]) -> None:
    """COPY every rejected or skipped row, as given and with its reason, into ``rejected_rows``."""
    if not rejected:
        return
    frame = pd.DataFrame(
        {
            "batch_id": batch_id,
            "row_number": [r.row_number for r in rejected],
            "raw": [_json(r.raw) for r in rejected],
            "reason": [r.reason for r in rejected],
            "kind": [r.kind for r in rejected],
            "reason_code": [r.code for r in rejected],
            "params": [_json(r.params) for r in rejected],
        }
    )
    _copy(connection, "rejected_rows", frame)


def store_flags(connection: Connection, batch_id: int, flags: pd.DataFrame, ids: pd.Series) -> None:
    """COPY the flags of loaded rows into ``flagged_rows``; ``ids`` maps row numbers to ids."""
    if flags.empty:
        return
    frame = pd.DataFrame(
        {
            "batch_id": batch_id,
            "row_number": flags["row_number"].astype("int64"),
            "external_id": flags["row_number"].map(ids),
            "field": flags["field"],
            "column_name": flags["column_name"],
            "value": [None if v is None else _json(v) for v in flags["value"]],
            "reason_code": flags["reason_code"],
            "params": [_json(p) for p in flags["params"]],
        }
    )
    _copy(connection, "flagged_rows", frame)


def store_flagged_raws(
    connection: Connection, batch_id: int, raw_rows: Callable[[list[int]], dict[int, dict]] | None
) -> int:
    """Keep each flagged row as given next to its flags; return the number of rows flagged."""
    numbers = (
        connection.execute(
            text(
                "SELECT DISTINCT row_number FROM flagged_rows WHERE batch_id = :batch_id "
                "AND row_number IS NOT NULL"
            ),
            {"batch_id": batch_id},
        )
        .scalars()
        .all()
    )
    if raw_rows is not None and numbers:
        raws = raw_rows([int(n) for n in numbers])
        connection.execute(
            text(
                "UPDATE flagged_rows f SET raw = CAST(r.raw AS jsonb) FROM unnest("
                "CAST(:numbers AS integer[]), CAST(:raws AS text[])) AS r (row_number, raw) "
                "WHERE f.batch_id = :batch_id AND f.row_number = r.row_number"
            ),
            {
                "batch_id": batch_id,
                "numbers": list(raws),
                "raws": [_json(raw) for raw in raws.values()],
            },
        )
    return len(numbers)


def finish_batch(
    connection: Connection, batch_id: int, counts: dict[str, int], report: dict[str, Any]
) -> None:
    """Write the counts and the report to the batch's row and mark it ``committed``."""
    connection.execute(
        update(LoadBatch)
        .where(LoadBatch.id == batch_id)
        .values(status="committed", finished_at=func.clock_timestamp(), report=report, **counts)
    )
