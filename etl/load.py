"""``load_file``: a file into the database as one batch, all or nothing.

The file is measured (``etl.read.limits``), read and checked in Python (``etl.read``,
``etl.normalize``) before anything is written: the names and shapes of the districts already
loaded are read first, to tell which district each address names and whether each point lies in
it. Then one transaction takes the lock of loads of its table (a second load waits, saying so),
and writes the batch (``etl.write.normalized.load_normalized``). The batch's row is committed
apart first: a failure or a kill anywhere before the commit leaves the database as it was but
for that row, marked ``failed`` with the reason (``etl.write.failures``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg2
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from etl.normalize.headers import header_score
from etl.normalize.identity import choose_source
from etl.normalize.report import note
from etl.normalize.table import Normalized, normalize
from etl.progress import LoadProgress, load_progress
from etl.read.tables import read_table
from etl.write import batches, lookup
from etl.write.failures import fail_abandoned, record_failure, refusal
from etl.write.locks import guard_transaction, take_load_lock
from etl.write.normalized import BatchResult, load_normalized
from geo_api import vocab
from geo_api.coords import normalize_crs
from geo_api.errors import InvalidInput, WarmmapError
from geo_api.settings import get_settings


@dataclass(frozen=True)
class LoadOptions:
    """How to read a file and what a load may change; see ``load_file``."""

    crs: str | None = None
    source: str | None = None
    level: str | None = None
    mapping: dict[str, str] | None = None
    encoding: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    layer: str | None = None
    mode: str = "merge"
    overwrite_edits: bool = False
    timezone: str | None = None


def load_file(
    engine: Engine,
    kind: str,
    path: Path,
    *,
    progress: bool = False,
    actor: str = "cli",
    wait_s: float | None = None,
    notify: Callable[[str], None] | None = None,
    **options: Any,
) -> BatchResult:
    """Load a file of ``kind`` as one batch.

    Parameters
    ----------
    engine
        The database to load into.
    kind
        ``stations``, ``outlets``, ``boundaries`` or ``liaisons``.
    path
        A CSV, XLSX, XLS, GeoJSON, Shapefile (.zip, folder or .shp) or GeoPackage.
    progress
        Draw a progress bar on stderr (only if it is a terminal).
    actor
        Who loads, for the audit log.
    wait_s
        How long to wait for another load of ``kind`` to end (default
        ``WARMMAP_LOAD_LOCK_WAIT_S``); 0 gives up at once.
    notify
        Told, in one line, when the load waits for another.
    **options
        The fields of ``LoadOptions``: ``crs`` (wgs84, cgcs2000, gcj02, bd09, EPSG:n; may be left
        out when the headers or a line above the table name it), ``source`` (default: the
        sheet's 填报单位, else the file's name without dates and versions), ``level`` (of
        boundaries), ``mapping`` (``{field: column}``), ``encoding`` (of a CSV), ``sheet``,
        ``header_row``, ``layer`` (of a GeoPackage), ``mode`` (``merge`` or ``replace``),
        ``overwrite_edits``, ``timezone`` (of dates and times written without an offset; by
        default ``WARMMAP_TIMEZONE``).

    Returns
    -------
    BatchResult
        The batch's id and counts, as committed.

    Raises
    ------
    InvalidInput
        When the file cannot be processed: unreadable, over a limit (``LimitExceeded``),
        unknown CRS, a required column missing, or values the database refuses; no rows are
        written then (a batch that had started is kept, ``failed``, with the reason).
    Conflict
        When another load of ``kind`` still runs after ``wait_s``.
    DatabaseUnavailable
        When the database cannot be reached, or cancelled the load (its statement timeout).
    """
    started_at = datetime.now(UTC)
    opts = LoadOptions(**options)
    if kind not in vocab.LOAD_KINDS:
        raise InvalidInput(f"unknown kind {kind!r}: use one of {', '.join(vocab.LOAD_KINDS)}")
    if opts.crs is not None:
        normalize_crs(opts.crs)
    settings = get_settings()
    try:
        with load_progress(progress) as bar:
            normalized = _read(engine, kind, path, opts, bar, settings.timezone)
            source, origin = choose_source(opts.source, normalized.report.get("unit"), path.name)
            normalized.report["source"] = {"source": source, "origin": origin}
            normalized.report["notes"].insert(0, note("note_source", source=source, origin=origin))
            batch = _Batch(path, normalized.crs or "wgs84", source, _options(opts, normalized))
            wait = (settings.load_lock_wait_s if wait_s is None else wait_s, notify)
            return _write(engine, normalized, batch, opts, bar, actor, started_at, wait)
    except (DBAPIError, psycopg2.Error) as exc:
        raise refusal(exc) from exc


@dataclass(frozen=True)
class _Batch:
    path: Path
    crs: str
    source: str
    options: dict[str, Any]


def _read(
    engine: Engine, kind: str, path: Path, opts: LoadOptions, bar: LoadProgress, timezone: str
) -> Normalized:
    """Read and check the file, against the districts the database holds."""
    bar.stage(f"reading {path.name}")
    table = read_table(
        path,
        encoding=opts.encoding,
        sheet=opts.sheet,
        header_row=opts.header_row,
        score=header_score(kind, opts.mapping),
        layer=opts.layer,
    )
    with engine.connect() as connection:
        names = lookup.area_names(connection)
        bar.stage(f"checking {len(table.frame)} rows")
        normalized = normalize(
            kind,
            table,
            crs=opts.crs,
            level=opts.level,
            mapping=opts.mapping,
            names=names,
            mode=opts.mode,
            timezone=opts.timezone or timezone,
        )
        lookup.check_against_districts(connection, normalized, names.names)
    return normalized


def _write(
    engine: Engine,
    normalized: Normalized,
    batch: _Batch,
    opts: LoadOptions,
    bar: LoadProgress,
    actor: str,
    started_at: datetime,
    wait: tuple[float, Callable[[str], None] | None],
) -> BatchResult:
    """Write the batch in one transaction holding the table's lock; a failure marks it failed.

    The batch's row is committed first, on its own, so that it outlives a failure of the data's
    transaction, which rolls back whole.
    """
    kind, batch_id = normalized.kind, None
    try:
        with Session(engine) as session, session.begin():
            connection = session.connection()
            guard_transaction(connection, get_settings())
            take_load_lock(connection, kind, wait[0], wait[1] or (lambda message: None))
            batch_id = _start_apart(engine, kind, batch, started_at)
            fail_abandoned(connection, kind, batch_id)
            return load_normalized(
                session,
                normalized,
                path=batch.path,
                crs=batch.crs,
                source=batch.source,
                options=batch.options,
                started_at=started_at,
                progress=bar,
                actor=actor,
                overwrite_edits=opts.overwrite_edits,
                mode=opts.mode,
                batch_id=batch_id,
            )
    except (DBAPIError, psycopg2.Error, WarmmapError, KeyboardInterrupt) as exc:
        if batch_id is not None:
            record_failure(engine, batch_id, _detail(exc))
        raise


def _start_apart(engine: Engine, kind: str, batch: _Batch, started_at: datetime) -> int:
    """Insert the batch's row in a transaction of its own, committed at once."""
    with engine.begin() as connection:
        return batches.start_batch(
            connection,
            kind=kind,
            path=batch.path,
            crs=batch.crs,
            source=batch.source,
            options=batch.options,
            started_at=started_at,
        )


def _detail(error: BaseException) -> str:
    if isinstance(error, WarmmapError):
        return error.detail
    if isinstance(error, DBAPIError | psycopg2.Error):
        return refusal(error).detail
    return "interrupted (Ctrl-C)"


def _options(opts: LoadOptions, normalized: Normalized) -> dict[str, Any]:
    return {
        "level": opts.level,
        "mapping": opts.mapping or {},
        "encoding": normalized.report.get("encoding"),
        "format": normalized.report.get("format"),
        "sheet": normalized.report.get("sheet"),
        "header_row": normalized.report.get("header_row"),
        "mode": opts.mode,
        "overwrite_edits": opts.overwrite_edits,
        # {field: column}: which of the file's columns was read as what (liaison rejects are
        # masked through it, geo_api.liaisons.rejects).
        "columns": normalized.columns,
    }
