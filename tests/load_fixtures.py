"""Fixtures of the load tests: a database of their own per module, emptied before each test.

The loader commits (a batch is all or nothing), so these tests cannot run inside the rolled-back
transaction of the ``session`` fixture.
"""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.loadutil import empty_tables, load_database


@pytest.fixture(scope="module")
def load_database_url_engine() -> Iterator[tuple[str, Engine]]:
    with load_database() as (url, engine):
        yield url, engine


@pytest.fixture
def db_url_engine(load_database_url_engine: tuple[str, Engine]) -> tuple[str, Engine]:
    """The module's load database, emptied, as (url, engine)."""
    empty_tables(load_database_url_engine[1])
    return load_database_url_engine


@pytest.fixture
def db(db_url_engine: tuple[str, Engine]) -> Engine:
    """The module's load database, emptied."""
    return db_url_engine[1]
