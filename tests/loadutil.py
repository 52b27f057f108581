"""Helpers of the load tests: a database of their own, since loads commit."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from alembic import command
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from etl.load import BatchResult, load_normalized
from etl.normalize.table import Normalized
from geo_api.database import sqlalchemy_url
from geo_api.migrate import alembic_config
from geo_api.vocab.names import name_keys
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
    return int(scalars(engine, f"SELECT count(*) FROM {table}")[0])


def scalars(engine: Engine, sql: str, **params) -> list:
    """The first column of a query's rows, on a connection closed right after."""
    with engine.connect() as connection:
        return list(connection.execute(text(sql), params).scalars())


def frame(rows: list[dict], start: int = 2) -> pd.DataFrame:
    """Records as normalize gives them, numbered like the rows of a CSV."""
    records = pd.DataFrame(rows)
    if "extra" not in records:
        records["extra"] = None  # no column beyond the fields: nothing to keep aside
    if "name" in records and "name_key" not in records:
        records["name_key"] = name_keys(records["name"])
    records["row_number"] = range(start, start + len(records))
    return records


def normalized(kind: str, records: pd.DataFrame, rejected=(), flagged: int = 0) -> Normalized:
    """What normalize would give for these accepted records and rejections.

    ``flagged`` flags that many of the first rows (hours not understood), as normalize would.
    """
    rejected = list(rejected)
    flags = pd.DataFrame(
        {
            "row_number": records["row_number"][:flagged].astype("int64"),
            "field": "hours",
            "column_name": "开放时间",
            "value": "看天气",
            "reason_code": "hours_not_understood",
            "params": [{"field": "hours", "value": "看天气"}] * flagged,
        }
    )
    return Normalized(kind, records, rejected, flags, len(records) + len(rejected))


def load(engine: Engine, batch: Normalized, path: Path = Path(__file__)) -> BatchResult:
    """Load normalized rows as a committed batch, as load_file does after reading."""
    with Session(engine) as session, session.begin():
        return load_normalized(
            session,
            batch,
            path=path,
            crs="wgs84",
            source="test",
            options={},
            started_at=datetime.now(UTC),
        )


def outlet(external_id: str, lon: float, lat: float, **overrides) -> dict:
    row = {
        "external_id": external_id,
        "name": f"outlet {external_id}",
        "brand": "顺丰",
        "kind": "express",
        "riders": 5,
        "address": None,
        "synthetic": False,
        "source_crs": "wgs84",
        "source_x": lon,
        "source_y": lat,
        "lon": lon,
        "lat": lat,
    }
    return row | overrides


def area(adcode: str, level: str, geom, parent: str | None = None, **overrides) -> dict:
    row = {
        "adcode": adcode,
        "name": f"area {adcode}",
        "level": level,
        "parent_adcode": parent,
        "synthetic": True,
        "geom_wkb": geom.wkb,
    }
    return row | overrides
