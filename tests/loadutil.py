"""Helpers of the load tests: a database of their own, since loads commit."""

from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
from alembic import command
from sqlalchemy import Engine, create_engine, text

from geo_api.cli.db import alembic_config
from geo_api.database import sqlalchemy_url
from tests.dbutil import create_database, drop_database

DATA_TABLES = "admin_areas, stations, outlets, liaisons, load_batches, rejected_rows, audit_log"


@contextmanager
def load_database() -> Iterator[tuple[str, Engine]]:
    """A migrated throwaway database for tests whose loads commit; dropped at the end."""
    url = create_database("warmmap_test_load")
    try:
        command.upgrade(alembic_config(url), "head")
        engine = create_engine(sqlalchemy_url(url))
        yield url, engine
        engine.dispose()
    finally:
        drop_database(url)


def empty_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {DATA_TABLES} RESTART IDENTITY CASCADE"))


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def frame(rows: list[dict], start: int = 2) -> pd.DataFrame:
    """Records as normalize gives them, numbered like the rows of a CSV."""
    records = pd.DataFrame(rows)
    records["row_number"] = range(start, start + len(records))
    return records
