"""The asyncpg pool of the workers' hot read path (``GET /stations/nearest``).

Why a second driver beside SQLAlchemy and psycopg2: the nearest answer is one short query, and
through a synchronous session it cost a thread hop, three round trips of transaction handling
and the parsing of its SQL on every request. asyncpg runs on the event loop, speaks the binary
protocol and keeps each statement prepared per connection (its statement cache), so a request
costs one round trip. The benchmark (``bench/nearest.py``) measured what each step gave.

Each worker process has its own pool, made on first use in that process's event loop (the
server forks workers; a pool cannot cross processes or loops) and holding at most
``WARMMAP_DB_POOL_SIZE`` connections; none is opened before it is needed. A connection that died
with the server is replaced within the request (the query is retried once on a fresh one); a
database that stays unreachable is ``DatabaseUnavailable`` (503, "database unavailable").
"""

import asyncio
from collections.abc import Sequence
from typing import Any

import asyncpg
import orjson

from geo_api.errors import DatabaseUnavailable
from geo_api.settings import Settings

# What a connection that died, or a server that is down or restarting, raises.
_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
)


async def _init_connection(connection: asyncpg.Connection) -> None:
    # jsonb as Python values (opening hours), decoded by orjson.
    await connection.set_type_codec(
        "jsonb",
        encoder=lambda value: orjson.dumps(value).decode(),
        decoder=orjson.loads,
        schema="pg_catalog",
    )


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Return a connection to the pool as it is (after asyncpg rolls back any open transaction).

    asyncpg's default reset (``RESET ALL``, ``CLOSE ALL``, ``UNLISTEN *``, advisory unlocks) is a
    round trip per request; the statements run here change no session state, so it resets
    nothing. It cost a third of the CPU of a nearest answer (``bench/README.md``).
    """


class ReadPool:
    """A lazily made asyncpg pool for ``settings.database_url``, one per event loop."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._pool: asyncpg.Pool | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None

    async def _get(self) -> asyncpg.Pool:
        loop = asyncio.get_running_loop()
        if self._pool is not None and self._loop is loop:
            return self._pool
        if self._lock is None or self._loop is not loop:
            self._lock, self._loop, self._pool = asyncio.Lock(), loop, None
        async with self._lock:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    self._settings.database_url,
                    min_size=0,
                    max_size=self._settings.db_pool_size,
                    timeout=self._settings.db_connect_timeout_s,
                    server_settings={"application_name": "warmmap-read"},
                    init=_init_connection,
                    reset=_keep_session,
                )
        return self._pool

    async def fetch(self, sql: str, args: Sequence[Any]) -> list[asyncpg.Record]:
        """Return the rows of ``sql`` (``$1``-style parameters) for ``args``."""
        for attempt in (1, 2):
            try:
                pool = await self._get()
                async with pool.acquire() as connection:
                    rows: list[asyncpg.Record] = await connection.fetch(sql, *args)
                    return rows
            except _CONNECTION_ERRORS as exc:
                # The first failure may be a pooled connection that died unseen (the pool drops
                # it); a second one means the database is down.
                if attempt == 2:
                    raise DatabaseUnavailable("database unavailable") from exc
        raise AssertionError("unreachable")

    async def close(self) -> None:
        """Close the pool if this loop made it (at the app's shutdown)."""
        pool, self._pool = self._pool, None
        if pool is not None and self._loop is asyncio.get_running_loop():
            await pool.close()
