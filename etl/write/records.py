"""Writing a batch's records: the upsert, and what the stored rows tell about the file's.

Edits made through the API are flagged before the upsert (which keeps them), the flags of the
rows are stored, near-duplicates are looked for among the rows written, and a replace suspends
what the file no longer holds.
"""

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection

from etl.normalize.report import note
from etl.normalize.table import Normalized
from etl.progress import LoadProgress
from etl.write import batches, checks, upsert


@dataclass
class Written:
    """What the writing of a batch did beyond its counts of rows."""

    inserted: int = 0
    updated: int = 0
    edits: int = 0
    near: int = 0
    suspended: int = 0

    @property
    def counts(self) -> dict[str, int]:
        """The report's counts of records rather than rows."""
        return {"edits": self.edits, "near_duplicates": self.near, "suspended": self.suspended}

    def notes(self, overwritten: bool, source: str) -> list[dict[str, Any]]:
        """Return the report's notes on what writing found."""
        notes = []
        if self.edits:
            code = "note_overwritten" if overwritten else "note_conflicts"
            notes.append(note(code, count=self.edits))
        if self.near:
            notes.append(note("note_near_duplicates", count=self.near))
        if self.suspended:
            notes.append(note("note_suspended", count=self.suspended, source=source))
        return notes


def write_records(
    connection: Connection, normalized: Normalized, load: upsert.Load, mode: str, bar: LoadProgress
) -> Written:
    """Upsert the staged rows, flag what the stored rows tell, suspend what the file lacks.

    Parameters
    ----------
    connection
        The batch's connection, with the records staged.
    normalized
        What the rows were staged from.
    load
        The batch and what it may change.
    mode
        ``replace`` suspends the source's stations the file does not hold.
    bar
        Where to report stages.
    """
    kind = normalized.kind
    levels = upsert.prepare(connection, kind)
    columns = {c["field"]: c["column"] for c in normalized.report.get("columns", [])}
    columns["position"] = ", ".join(
        columns[f] for f in ("lon", "lat", "coordinates") if f in columns
    )
    written = Written(edits=checks.flag_kept_edits(connection, kind, load, columns, levels))
    written.inserted, written.updated = upsert.upsert_records(
        connection, kind, load, levels, bar.stage
    )
    batches.store_flags(connection, load.batch_id, normalized.flags, _ids(normalized))
    if kind in upsert.POINT_KINDS and (written.inserted or written.updated):
        bar.stage("comparing names within 50 m")
        written.near = checks.flag_near_duplicates(
            connection, kind, load, columns.get("name"), written.inserted + written.updated
        )
    if mode == "replace":
        written.suspended = checks.suspend_missing(connection, load, normalized.rejected_ids)
    if kind == "boundaries":
        bar.stage("refreshing the adcodes of points in changed areas")
        upsert.refresh_derived_adcodes(connection)
    if written.inserted or written.updated or written.suspended:
        # Autovacuum analyses a freshly loaded table only later; until then the planner has no
        # statistics and can turn per-row KNN (coverage refresh, nearest) into sequential scans
        # that are ten times slower. ANALYZE samples, so it costs well under a second.
        bar.stage("analysing")
        upsert.analyze_target(connection, kind)
    return written


def _ids(normalized: Normalized) -> pd.Series:
    """Return the id of each accepted row, by row number."""
    records = normalized.records
    key = "adcode" if normalized.kind == "boundaries" else "external_id"
    if records.empty or key not in records:
        return pd.Series(dtype=object)
    return pd.Series(records[key].to_numpy(), index=records["row_number"].to_numpy())
