"""The load's transaction: one load of a table at a time, and nothing left behind by a dead one.

A load takes the advisory lock of its table (``geo_api.batches.running``) before it writes; a
second load of the table waits for it, saying so, and gives up after ``wait_s`` with one line.
The transaction's settings make a load that cannot finish end on the server too: a statement
timeout, and a check every ``load_client_check_s`` seconds that the client is still connected
(with TCP keepalives for a client whose machine vanished), so that a ``kill -9`` of the command
releases the load's locks within seconds instead of when its statement would have ended.
"""

from collections.abc import Callable

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from geo_api.batches.running import LOCK_CLASS, load_holder, lock_key
from geo_api.errors import Conflict
from geo_api.settings import Settings

# SQLSTATE of a lock not granted within lock_timeout.
_LOCK_NOT_AVAILABLE = "55P03"


def guard_transaction(connection: Connection, settings: Settings) -> None:
    """Set the load transaction's timeout, client check and keepalives (``SET LOCAL``)."""
    values = {
        "statement_timeout": f"{int(settings.load_statement_timeout_s * 1000)}ms",
        "client_connection_check_interval": f"{int(settings.load_client_check_s * 1000)}ms",
        "tcp_keepalives_idle": "10",
        "tcp_keepalives_interval": "5",
        "tcp_keepalives_count": "3",
    }
    for name, value in values.items():
        connection.execute(
            text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value}
        )


def take_load_lock(
    connection: Connection, kind: str, wait_s: float, notify: Callable[[str], None]
) -> None:
    """Take the lock of loads of ``kind`` for this transaction, waiting up to ``wait_s``.

    Parameters
    ----------
    connection
        The load's connection, inside its transaction (the lock ends with it).
    kind
        stations, outlets, boundaries or liaisons.
    wait_s
        How long to wait for a load of ``kind`` that holds the lock; 0 gives up at once.
    notify
        Told, once, that another load is running and this one waits.

    Raises
    ------
    Conflict
        When the other load still runs after ``wait_s``; nothing was written.
    """
    keys = {"class": LOCK_CLASS, "key": lock_key(kind)}
    if connection.execute(text("SELECT pg_try_advisory_xact_lock(:class, :key)"), keys).scalar():
        return
    holder = load_holder(connection, kind)
    who = "" if holder is None else f" (server process {holder['pid']}, since {_time(holder)})"
    busy = f"another load of {kind} is running{who}"
    if wait_s <= 0:
        raise Conflict(f"{busy}: nothing was written; load again when it ends, or --wait SECONDS")
    notify(f"{busy}: waiting up to {wait_s:g} s for it to finish")
    connection.execute(text("SELECT set_config('lock_timeout', :ms, true)"),
                       {"ms": f"{int(wait_s * 1000)}ms"})  # fmt: skip
    try:
        connection.execute(text("SELECT pg_advisory_xact_lock(:class, :key)"), keys)
    except OperationalError as error:
        if getattr(error.orig, "pgcode", None) != _LOCK_NOT_AVAILABLE:
            raise
        raise Conflict(
            f"another load of {kind} still runs after {wait_s:g} s: gave up, nothing was "
            "written; load again when it ends, or wait longer with --wait SECONDS"
        ) from None
    connection.execute(text("SELECT set_config('lock_timeout', '0', true)"))


def _time(holder: dict) -> str:
    since = holder.get("since")
    return "an unknown time" if since is None else since.strftime("%H:%M:%S %Z").strip()
