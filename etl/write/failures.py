"""A load that fails: its error in one line, and its batch marked ``failed`` for good.

The batch's row is committed on its own before the data's transaction (``start_batch_apart``),
so that when the data's transaction rolls back, whole, the batch remains to say what happened:
``failed`` with the one line the load ended with. A batch whose load was killed is marked by the
next load of its table (``fail_abandoned``), once it holds the table's lock.
"""

from typing import Any

import psycopg2
from sqlalchemy import Connection, Engine, func, update
from sqlalchemy.exc import DBAPIError, OperationalError

from geo_api.batches.running import ABANDONED
from geo_api.errors import DatabaseUnavailable, InvalidInput, WarmmapError
from geo_api.models import LoadBatch

# SQLSTATE of a statement cancelled: by statement_timeout, or by an administrator.
_QUERY_CANCELED = "57014"


def refusal(error: DBAPIError | psycopg2.Error) -> WarmmapError:
    """Return the one-line error of a driver error met while loading.

    A connection that failed is ``DatabaseUnavailable``; a statement cancelled names the
    timeout; anything else the database refused (a constraint, a type, a character) is
    ``InvalidInput``. Errors of the bulk path come from psycopg2 itself (COPY runs on its
    cursor), the others wrapped by SQLAlchemy: both are read the same way.
    """
    original = getattr(error, "orig", None) or error
    line = first_line(original)
    if getattr(original, "pgcode", None) == _QUERY_CANCELED:
        return DatabaseUnavailable(
            f"the database cancelled the load: {line} (WARMMAP_LOAD_STATEMENT_TIMEOUT_S bounds "
            "a load's statements)"
        )
    if isinstance(error, OperationalError) or isinstance(original, psycopg2.OperationalError):
        return DatabaseUnavailable(f"database unavailable: {line}")
    return InvalidInput(f"the database refused the batch: {line}")


def first_line(error: BaseException) -> str:
    """Return the first line of what ``error`` says (drivers add SQL and hints below it)."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def record_failure(engine: Engine, batch_id: int, detail: str) -> None:
    """Mark a running batch ``failed`` with ``detail``, in a transaction of its own.

    Best effort: when the database is what failed, the batch stays ``running`` until the next
    load of its table marks it (``fail_abandoned``).
    """
    try:
        with engine.begin() as connection:
            _fail(connection, LoadBatch.id == batch_id, detail)
    except (DBAPIError, psycopg2.Error):
        pass


def fail_abandoned(connection: Connection, kind: str, batch_id: int) -> None:
    """Mark ``failed`` the running batches of ``kind`` other than ``batch_id``.

    Call it holding the lock of loads of ``kind``: no other load of it can be running then.
    """
    _fail(connection, (LoadBatch.kind == kind) & (LoadBatch.id != batch_id), ABANDONED)


def _fail(connection: Connection, which: Any, detail: str) -> None:
    connection.execute(
        update(LoadBatch)
        .where(which, LoadBatch.status == "running")
        .values(status="failed", failure=detail[:2000], finished_at=func.clock_timestamp())
    )
