"""``load_file``: a file into the database as one batch, all or nothing.

The file is read and checked in Python (``etl.read``, ``etl.normalize``) before the database
is touched. Then one transaction records the batch and its rejected rows, COPYs the accepted
records into a temporary staging table and upserts them in one set-based statement. A failure
or a kill anywhere before the commit leaves the database as it was.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from etl.normalize.table import Normalized, normalize
from etl.progress import LoadProgress, load_progress
from etl.read.tables import read_table
from etl.write import batches, boundaries, staging, upsert
from geo_api import audit, vocab
from geo_api.coords import normalize_crs
from geo_api.errors import DatabaseUnavailable, InvalidInput
from geo_api.settings import get_settings


@dataclass
class BatchResult:
    """What a batch did: its id and how many rows went where."""

    batch_id: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    repaired: int
    flagged: int


def load_file(
    engine: Engine,
    kind: str,
    path: Path,
    *,
    crs: str,
    source: str = "default",
    level: str | None = None,
    mapping: dict[str, str] | None = None,
    encoding: str | None = None,
    progress: bool = False,
    actor: str = "cli",
    timezone: str | None = None,
) -> BatchResult:
    """Load a file of ``kind`` as one batch.

    Parameters
    ----------
    engine
        The database to load into.
    kind
        ``stations``, ``outlets``, ``boundaries`` or ``liaisons``.
    path
        A CSV, XLSX, GeoJSON, Shapefile (.zip, folder or .shp) or GeoPackage.
    crs
        The coordinate system of the file: ``wgs84``, ``cgcs2000``, ``gcj02``, ``bd09``, ``EPSG:n``.
    source
        The name of the data source; rows are upserted on (source, external_id).
    level
        The admin level of boundaries (``city``, ``district``, ``street``, ``community``, ``grid``).
    mapping
        ``{field: column}`` overrides of the header matching.
    encoding
        The encoding of a CSV, when detection should not decide.
    progress
        Draw a progress bar on stderr (only if it is a terminal).
    actor
        Who loads, for the audit log.
    timezone
        The IANA time zone of dates and times written without an offset; by default the
        setting ``WARMMAP_TIMEZONE``.

    Returns
    -------
    BatchResult
        The batch's id and counts, as committed.

    Raises
    ------
    InvalidInput
        When the file cannot be processed: unreadable, unknown CRS, a required column missing,
        or values the database refuses; nothing is written then.
    DatabaseUnavailable
        When the database cannot be reached.
    """
    started_at = datetime.now(UTC)
    if kind not in vocab.LOAD_KINDS:
        raise InvalidInput(f"unknown kind {kind!r}: use one of {', '.join(vocab.LOAD_KINDS)}")
    crs_name = normalize_crs(crs)
    if not path.exists():
        raise InvalidInput(f"no such file or folder: {path}")
    with load_progress(progress) as bar:
        bar.stage(f"reading {path.name}")
        table = read_table(path, encoding=encoding)
        bar.stage(f"checking {len(table.frame)} rows")
        normalized = normalize(
            kind,
            table,
            crs=crs,
            source=source,
            level=level,
            mapping=mapping,
            timezone=timezone or get_settings().timezone,
        )
        options = {
            "level": level,
            "mapping": mapping or {},
            "encoding": table.encoding,
            "format": table.format,
            "columns": normalized.columns,
        }
        try:
            with Session(engine) as session, session.begin():
                return load_normalized(
                    session,
                    normalized,
                    path=path,
                    crs=crs_name,
                    source=source,
                    options=options,
                    started_at=started_at,
                    progress=bar,
                    actor=actor,
                )
        except OperationalError as exc:
            raise DatabaseUnavailable(f"database unavailable: {_first_line(exc)}") from exc
        except (IntegrityError, DataError) as exc:
            # Values normalize let through but a constraint or a column type refuses.
            raise InvalidInput(f"the database refused the batch: {_first_line(exc)}") from exc


def _first_line(exc: DBAPIError) -> str:
    return str(exc.orig or exc).strip().splitlines()[0]


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

    Returns
    -------
    BatchResult
        The batch's id and counts.
    """
    bar = progress or LoadProgress(None)
    connection = session.connection()
    kind = normalized.kind
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
    bar.stage(f"upserting {staged - rejected_here} rows")
    inserted, updated = upsert.upsert_records(
        connection, kind, source=source, batch_id=batch_id, on_stage=bar.stage
    )
    if kind == "boundaries":
        bar.stage("refreshing the adcodes of points in changed areas")
        upsert.refresh_derived_adcodes(connection)
    if inserted or updated:
        # Autovacuum analyses a freshly loaded table only later; until then the planner has no
        # statistics and can turn per-row KNN (coverage refresh, nearest) into sequential scans
        # that are ten times slower. ANALYZE samples, so it costs well under a second.
        bar.stage("analysing")
        upsert.analyze_target(connection, kind)
    counts = {
        "rows_read": normalized.rows_read,
        "inserted": inserted,
        "updated": updated,
        "unchanged": staged - rejected_here - inserted - updated,
        "rejected": len(normalized.rejected) + rejected_here,
        "repaired": repaired,
        "flagged": normalized.flagged,
    }
    staging.drop_staging(connection)
    batches.finish_batch(connection, batch_id, counts)
    audit.record(session, actor, "load", "load_batch", batch_id, {"kind": kind, **counts})
    session.flush()
    bar.stage("committing")
    del counts["rows_read"]
    return BatchResult(batch_id=batch_id, **counts)
