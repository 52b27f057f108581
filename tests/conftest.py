"""Fixtures: a throwaway PostGIS database, a rolled-back transaction per test, an HTTP client."""

import os
from collections.abc import Iterator

import pytest
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.orm import Session

from geo_api.database import sqlalchemy_url
from geo_api.dependencies import get_read_session, get_session, get_write_session
from geo_api.main import create_app
from geo_api.migrate import alembic_config
from geo_api.settings import Settings
from geo_api.stations.nearest import SessionCandidates
from tests.dbutil import create_database, drop_database
from tests.proxy import TcpProxy, proxied_settings

# Timeouts are the fault tests' to play (tests/test_faults_api.py sets its own); elsewhere they
# only have to be past a loaded test machine. Requests of the rolled-back test transaction share
# one session, and a request cut by the deadline would go on using it under the next one. Live
# servers started by the tests inherit these through the environment.
os.environ.setdefault("WARMMAP_REQUEST_DEADLINE_S", "120")
os.environ.setdefault("WARMMAP_STATEMENT_TIMEOUT_MS", "60000")

# The demo dataset's session fixtures (demo_files, demo_database_url, demo_engine); the load
# tests' database; the browser tests' (live_server, browser, page); the case tests' small
# district (case_city); the map layers' demo database and server (layers_server); the web map's
# committed district (map_world).
pytest_plugins = [
    "tests.demo_fixtures",
    "tests.load_fixtures",
    "tests.browser",
    "tests.case_city",
    "tests.layers_fixtures",
    "tests.map_world",
]


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A new database with PostGIS and every migration applied; dropped at the end."""
    url = create_database()
    command.upgrade(alembic_config(url), "head")
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(sqlalchemy_url(database_url))
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back when the test ends."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """A session whose commits are savepoints of the test's transaction."""
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        yield session


@pytest.fixture
def app(settings: Settings, session: Session) -> Iterator[FastAPI]:
    """The real app, its requests served in the test's transaction."""
    app = create_app(settings)

    def test_session() -> Iterator[Session]:
        yield session
        session.flush()

    app.dependency_overrides[get_session] = test_session
    app.dependency_overrides[get_read_session] = test_session
    app.dependency_overrides[get_write_session] = test_session
    app.state.station_candidates = SessionCandidates(session)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def proxied_client(database_url: str) -> Iterator[tuple[TestClient, TcpProxy]]:
    """A client of an app whose database sits behind a proxy that can be taken down."""
    proxy, settings = proxied_settings(database_url, db_connect_timeout_s=1)
    with TestClient(create_app(settings)) as client:
        yield client, proxy
    proxy.stop()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # A skipped test hides a broken setup (a missing database, a missing browser): fail the run.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped") and exitstatus == 0:
        reporter.write_line("FAILED: skipped tests fail this run (a skip hides a broken setup)")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
