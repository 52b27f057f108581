"""Which layers changed where: the ``data_changes`` log read from a snapshot onwards.

``data_changes`` ids are taken when a statement runs and its transaction commits later, so
reading ``id > last seen`` could skip a change whose transaction commits after a later one.
Each row instead carries its transaction's id (``xid``, migration 0007) and a reader keeps the
snapshot of its last read: the changes it has not seen are those whose transaction that
snapshot did not see. One indexed query (``xid >= the snapshot's xmin``) answers, together
with the snapshot to keep for next time.
"""

import threading
import time
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from tiles.grid import Box

CHANGES_SINCE = """
SELECT now.snapshot, d.id, d.layer, d.area,
       ST_XMin(d.extent) AS west, ST_YMin(d.extent) AS south,
       ST_XMax(d.extent) AS east, ST_YMax(d.extent) AS north
FROM (SELECT pg_current_snapshot()::text AS snapshot) AS now
LEFT JOIN LATERAL (
    SELECT * FROM data_changes AS d
    WHERE d.xid >= pg_snapshot_xmin(CAST(:since AS pg_snapshot))::text::bigint
      AND NOT pg_visible_in_snapshot(d.xid::text::xid8, CAST(:since AS pg_snapshot))
    ORDER BY d.id
) AS d ON true
"""
SNAPSHOT_NOW = "SELECT pg_current_snapshot()::text"


@dataclass(frozen=True)
class Change:
    """One row of the log: ``layer`` (a table) changed in district ``area`` within ``box``."""

    id: int
    layer: str
    area: str
    box: Box | None  # None: no extent was logged, the change may be anywhere


def snapshot_now(session: Session) -> str:
    """Return the current snapshot, the starting point of a reader that has seen nothing."""
    return str(session.execute(text(SNAPSHOT_NOW)).scalar_one())


def changes_since(session: Session, snapshot: str) -> tuple[list[Change], str]:
    """Return the changes committed after ``snapshot``, and the snapshot to keep next.

    A change still in progress now is in neither: it is found by the next call, whose starting
    snapshot does not see it.
    """
    rows = session.execute(text(CHANGES_SINCE), {"since": snapshot}).all()
    changes = [
        Change(
            id=row.id,
            layer=row.layer,
            area=row.area,
            box=None if row.west is None else (row.west, row.south, row.east, row.north),
        )
        for row in rows
        if row.id is not None
    ]
    return changes, rows[0].snapshot


class ChangeWatcher:
    """Reads the log at most once per ``interval_s`` for one process's caches.

    Every worker process has its own watcher and cache; what they drop is decided by the log in
    the database, so a change made through any worker, a load or a refresh reaches them all.
    """

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self.snapshot: str | None = None
        self.polled_at = -float("inf")
        self.lock = threading.Lock()

    def poll(self, session: Session) -> list[Change]:
        """Return the changes since the last poll, or nothing when one ran recently."""
        if time.monotonic() - self.polled_at < self.interval_s:
            return []
        with self.lock:
            if time.monotonic() - self.polled_at < self.interval_s:
                return []  # another thread read the log while this one waited
            changes: list[Change] = []
            if self.snapshot is None:
                self.snapshot = snapshot_now(session)
            else:
                changes, self.snapshot = changes_since(session, self.snapshot)
            self.polled_at = time.monotonic()
            return changes
