"""Which loads are running: each holds a PostgreSQL advisory lock on the table it loads.

The lock serialises loads of one table (two at once deadlocked on its indexes) and is released by
the server when the load's transaction ends, however it ends: a load killed with ``kill -9``
leaves a batch ``running`` that no lock backs, which is how it is told to have failed.
"""

from typing import Any, Final

from sqlalchemy import Connection, text

from geo_api import vocab

# The first key of the two-key advisory locks warmmap takes ("WM"); the second is the kind.
LOCK_CLASS: Final = 0x574D
ABANDONED: Final = (
    "the load ended before it committed (killed, or its connection was lost): nothing of it "
    "was kept"
)


def lock_key(kind: str) -> int:
    """Return the second key of the advisory lock of loads of ``kind``."""
    return vocab.LOAD_KINDS.index(kind) + 1


def load_holder(connection: Connection, kind: str) -> dict[str, Any] | None:
    """Return the server process loading ``kind`` (``pid``, ``since``), or None if none is."""
    row = connection.execute(
        text(
            "SELECT l.pid, a.xact_start AS since FROM pg_locks l "
            "LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :class "
            "AND l.objid = :key AND l.objsubid = 2 AND l.database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"class": LOCK_CLASS, "key": lock_key(kind)},
    ).first()
    return None if row is None else dict(row._mapping)


def shown_status(connection: Connection, batch: dict[str, Any]) -> dict[str, Any]:
    """Return ``batch`` as it is: a ``running`` batch no load holds any more has failed."""
    if batch["status"] != "running" or load_holder(connection, batch["kind"]) is not None:
        return batch
    return batch | {"status": "failed", "failure": ABANDONED}
