"""``load_normalized``: normalized rows written as one batch, in the caller's transaction.

The batch's rejected and skipped rows are kept, the accepted records COPYed into a temporary
staging table, edits the file would undo flagged, the records upserted in one set-based
statement, near-duplicates flagged and, with ``--mode replace``, the stations the file no longer
holds suspended; then the batch's counts, report and audit row. ``etl.load.load_file`` calls it
after reading and checking a file.
"""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from etl.normalize.table import Normalized
from etl.progress import LoadProgress
from etl.write import batches, boundaries, staging, upsert
from etl.write.records import write_records
from geo_api import audit


@dataclass
class BatchResult:
    """What a batch did: its id, how many rows went where, and the report's notes."""

    batch_id: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    repaired: int
    flagged: int
    skipped: int = 0
    suspended: int = 0
    source: str = ""
    notes: list[dict[str, Any]] = field(default_factory=list)


def load_normalized(
    session: Session,
    normalized: Normalized,
    *,
    path: Path,
    crs: str,
    source: str,
    options: dict[str, Any],
    started_at: datetime,
    progress: LoadProgress | None = None,
    actor: str = "cli",
    overwrite_edits: bool = False,
    mode: str = "merge",
    batch_id: int | None = None,
) -> BatchResult:
    """Write normalized rows as one batch in the session's transaction; the caller commits.

    Parameters
    ----------
    session
        A session inside the transaction that holds the whole batch.
    normalized
        The output of ``etl.normalize.table.normalize``.
    path, crs, source, options, started_at
        What the batch row records about the load.
    progress
        Where to report rows copied.
    actor
        Who loads, for the audit log.
    overwrite_edits
        Let the file's values replace fields changed through the API since.
    mode
        ``replace`` suspends the source's stations the file does not hold.
    batch_id
        The batch's row, when the caller recorded it already (``load_file`` commits it apart);
        by default it is inserted in the session's transaction.

    Returns
    -------
    BatchResult
        The batch's id and counts.
    """
    bar = progress or LoadProgress(None)
    connection = session.connection()
    kind = normalized.kind
    if batch_id is None:
        batch_id = batches.start_batch(
            connection,
            kind=kind,
            path=path,
            crs=crs,
            source=source,
            options=options,
            started_at=started_at,
        )
    batches.store_rejections(connection, batch_id, normalized.rejected)
    staging.create_staging(connection, kind)
    bar.stage(f"copying {len(normalized.records)} rows", total=len(normalized.records))
    staged = staging.copy_records(connection, kind, normalized.records, bar.advance)
    repaired = rejected_here = 0
    if kind == "boundaries":
        repaired, rejected_here = boundaries.prepare_boundaries(connection, batch_id)
    load = upsert.Load(
        source, batch_id, normalized.given, tuple(normalized.extra_columns), overwrite_edits
    )
    bar.stage(f"upserting {staged - rejected_here} rows")
    written = write_records(connection, normalized, load, mode, bar)
    skipped = sum(1 for r in normalized.rejected if r.kind == "skipped")
    counts = {
        "rows_read": normalized.rows_read,
        "inserted": written.inserted,
        "updated": written.updated,
        "unchanged": staged - rejected_here - written.inserted - written.updated,
        "rejected": len(normalized.rejected) - skipped + rejected_here,
        "skipped": skipped,
        "repaired": repaired,
        "flagged": batches.store_flagged_raws(connection, batch_id, normalized.raw_rows),
    }
    report = normalized.report
    report["notes"] = [*report.get("notes", []), *written.notes(overwrite_edits, source)]
    report["counts"] = written.counts
    staging.drop_staging(connection)
    batches.finish_batch(connection, batch_id, counts, report)
    audit.record(session, actor, "load", "load_batch", batch_id, {"kind": kind, **counts})
    session.flush()
    bar.stage("committing")
    del counts["rows_read"]
    return BatchResult(
        batch_id, suspended=written.suspended, source=source, notes=report["notes"], **counts
    )
