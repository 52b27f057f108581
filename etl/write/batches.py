"""Load batches and their rejected rows: recorded with the load, read back by CLI and API."""

import hashlib
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, insert, update

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


def store_rejections(connection: Connection, batch_id: int, rejected: list[Rejection]) -> None:
    """COPY every rejected row, as given and with its reason, into ``rejected_rows``."""
    if not rejected:
        return
    frame = pd.DataFrame(
        {
            "batch_id": batch_id,
            "row_number": [r.row_number for r in rejected],
            "raw": [json.dumps(r.raw, ensure_ascii=False, default=str) for r in rejected],
            "reason": [r.reason for r in rejected],
        }
    )
    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, index=False)
    buffer.seek(0)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.copy_expert(
            "COPY rejected_rows (batch_id, row_number, raw, reason) FROM STDIN WITH (FORMAT csv)",
            buffer,
        )
    finally:
        cursor.close()


def finish_batch(connection: Connection, batch_id: int, counts: dict[str, int]) -> None:
    """Write the counts to the batch's row and mark it ``committed``."""
    connection.execute(
        update(LoadBatch)
        .where(LoadBatch.id == batch_id)
        .values(status="committed", finished_at=func.clock_timestamp(), **counts)
    )
