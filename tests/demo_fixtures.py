"""Session fixtures with the demo dataset: its files, and a database with all of it loaded.

Registered by ``pytest_plugins`` in conftest.py, so any test may ask for them:

- ``demo_files``: ``(folder, files)`` generated once with ``etl.demo.install.DEFAULT_SEED``;
- ``demo_install``: ``(url, results)`` of a database of its own (``warmmap_test_demo_…``, dropped
  at the end) with the demo loaded by ``install_demo`` and its riders' cases filed by
  ``install_cases``; ``results`` pairs each file with its batch;
- ``demo_database_url``: that database's plain URL; ``demo_engine``: an engine on it.

Tests must not write into that database (it is shared by the session); the ``database_url``
database of conftest.py stays free of demo rows.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine

from etl.demo.cases import install_cases
from etl.demo.install import DEFAULT_SEED, DemoFile, generate, install_demo
from etl.load import BatchResult
from geo_api.database import sqlalchemy_url
from geo_api.migrate import alembic_config
from tests.dbutil import create_database, drop_database

DemoResults = list[tuple[DemoFile, BatchResult]]


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[DemoFile]]:
    folder = tmp_path_factory.mktemp("demo")
    return folder, generate(folder, DEFAULT_SEED)


@pytest.fixture(scope="session")
def demo_install(demo_files: tuple[Path, list[DemoFile]]) -> Iterator[tuple[str, DemoResults]]:
    folder, _ = demo_files
    url = create_database("warmmap_test_demo")
    try:
        command.upgrade(alembic_config(url), "head")
        engine = create_engine(sqlalchemy_url(url))
        results = install_demo(engine, folder, DEFAULT_SEED)
        install_cases(engine, DEFAULT_SEED, "demo-salt")
        engine.dispose()
        yield url, results
    finally:
        drop_database(url)


@pytest.fixture(scope="session")
def demo_database_url(demo_install: tuple[str, DemoResults]) -> str:
    return demo_install[0]


@pytest.fixture(scope="session")
def demo_engine(demo_database_url: str) -> Iterator[Engine]:
    engine = create_engine(sqlalchemy_url(demo_database_url))
    yield engine
    engine.dispose()
