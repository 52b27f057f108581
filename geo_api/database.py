"""Engines and sessions: one place that turns a plain PostgreSQL URL into a connection."""

from collections.abc import Iterator

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from geo_api.settings import Settings


def sqlalchemy_url(database_url: str) -> str:
    """Return ``database_url`` with the driver warmmap uses.

    Users give a plain ``postgresql://user@host:port/db`` URL; the driver is ours to choose.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError(f"WARMMAP_DATABASE_URL must be a postgresql:// URL, got {url.drivername}")
    return url.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)


def create_db_engine(
    settings: Settings,
    *,
    read_only_hot_path: bool = False,
    statement_timeout_ms: int | None = None,
) -> Engine:
    """Create the engine for ``settings.database_url``.

    By default ``pool_pre_ping`` lets the service recover by itself when PostgreSQL restarts.
    With ``read_only_hot_path`` the engine runs in autocommit without pre-ping, sparing three
    round trips per request (see ``create_read_engine``); its users retry once on a
    connection that died instead. ``statement_timeout_ms`` is set on every connection (the
    API's engines pass ``settings.statement_timeout_ms``; None keeps the server's). A request
    waits at most ``settings.pool_timeout_s`` for a free connection.
    """
    options: dict[str, object] = (
        {"isolation_level": "AUTOCOMMIT"} if read_only_hot_path else {"pool_pre_ping": True}
    )
    connect_args: dict[str, object] = {
        "connect_timeout": settings.db_connect_timeout_s,
        "application_name": "warmmap-read" if read_only_hot_path else "warmmap",
    }
    if statement_timeout_ms is not None:
        connect_args["options"] = f"-c statement_timeout={int(statement_timeout_ms)}"
    return create_engine(
        sqlalchemy_url(settings.database_url),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_timeout=settings.pool_timeout_s,
        connect_args=connect_args,
        # Errors and logs show the SQL, never its parameters: they may be names and phones.
        hide_parameters=True,
        **options,
    )


def create_read_engine(settings: Settings) -> Engine:
    """Create the autocommit engine of read-only hot paths.

    The request-scoped session costs three round trips per request besides the query: the
    pool's pre-ping, BEGIN and COMMIT. Routes that only read (``ReadSessionDep``: tiles, OGC
    items) run on this engine in autocommit without pre-ping; for ``/stations/nearest`` the
    benchmark measured 40 to 50 % more requests per second under load with it, before that route
    moved to its own asyncpg pool (``geo_api.read_pool``). A connection that died with the server
    is handled where it is used, e.g. ``nearest_stations`` retries once on a fresh connection,
    as pre-ping would have.
    """
    return create_db_engine(
        settings, read_only_hot_path=True, statement_timeout_ms=settings.statement_timeout_ms
    )


def allow_long_statements(session: Session, timeout_ms: int) -> None:
    """Let the statements of ``session``'s current transaction run up to ``timeout_ms``.

    For the request paths whose work is bounded otherwise (a plan's ``time_limit_s``, a city's
    refresh): ``SET LOCAL`` ends with the transaction, so the pooled connection goes back with
    the short timeout of request paths.
    """
    session.execute(
        text("SELECT set_config('statement_timeout', :ms, true)"), {"ms": str(timeout_ms)}
    )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory bound to ``engine``."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def iter_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Yield a session that commits on success and rolls back on error."""
    with factory() as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise
