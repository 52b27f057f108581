"""``warmmap backup`` and ``warmmap restore``: the whole dataset, photos included, into a new database."""

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from PIL import Image
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from etl.load import load_file
from geo_api.cases.reporting import Reporter, report_case
from geo_api.cases.schemas import CaseCreate
from geo_api.database import sqlalchemy_url
from geo_api.migrate import alembic_config
from tests.case_city import IN_COMMUNITY_1, build_case_city
from tests.dbutil import create_database, drop_database

FIXTURES = Path(__file__).parent / "fixtures" / "load"
TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
# Every row of a table, in one digest: equal digests, equal tables (bytea photos included).
DIGEST = "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t"
SEQUENCES = "SELECT sequencename, last_value FROM pg_sequences ORDER BY sequencename"


def warmmap(url: str, *args: str) -> subprocess.CompletedProcess:
    env = os.environ | {"WARMMAP_DATABASE_URL": url, "LC_ALL": "C.UTF-8"}
    command_line = [sys.executable, "-m", "warmmap_cli", *args]
    return subprocess.run(command_line, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def two_databases() -> Iterator[tuple[tuple[str, Engine], tuple[str, Engine]]]:
    """A migrated database holding some of everything, and a new one with PostGIS only."""
    source, target = create_database("warmmap_test_backup"), create_database("warmmap_test_restore")
    engines = [create_engine(sqlalchemy_url(url)) for url in (source, target)]
    try:
        command.upgrade(alembic_config(source), "head")
        yield (source, engines[0]), (target, engines[1])
    finally:
        for engine in engines:
            engine.dispose()
        drop_database(source)
        drop_database(target)


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def fill(engine: Engine) -> None:
    """Areas, liaisons, a load with rejected and flagged rows, a case with a photo, audit rows."""
    with Session(engine) as session, session.begin():
        build_case_city(session)
        body = CaseCreate(lon=IN_COMMUNITY_1[0], lat=IN_COMMUNITY_1[1], category="fire_hazard",
                          description="消防通道被堵")  # fmt: skip
        report_case(session, body, photo(), Reporter(client="10.0.0.1", per_hour=10), salt="s")
    load_file(engine, "stations", FIXTURES / "stations_gcj02.csv", crs="gcj02")


def snapshot(engine: Engine) -> dict[str, tuple]:
    with engine.connect() as connection:
        tables = connection.execute(text(TABLES)).scalars().all()
        digests = {t: tuple(connection.execute(text(DIGEST.format(t))).one()) for t in tables}
        digests["sequences"] = tuple(map(tuple, connection.execute(text(SEQUENCES)).all()))
    return digests


def test_a_backup_restores_the_whole_dataset_into_a_new_database(two_databases, tmp_path):
    (source, source_engine), (target, target_engine) = two_databases
    fill(source_engine)
    before = snapshot(source_engine)
    assert before["case_photos"][0] == 1 and before["stations"][0] > 0
    dump = tmp_path / "warmmap.dump"
    backed = warmmap(source, "backup", str(dump))
    assert backed.returncode == 0, backed.stderr
    assert backed.stdout.startswith(f"{dump}: ") and "1 case photos" in backed.stdout
    restored = warmmap(target, "restore", str(dump))
    assert restored.returncode == 0, restored.stderr
    assert snapshot(target_engine) == before
    with target_engine.connect() as connection:
        data = connection.execute(text("SELECT data FROM case_photos")).scalar_one()
    assert Image.open(io.BytesIO(data)).size == (64, 48)
    # A database that holds warmmap already is not restored over.
    again = warmmap(target, "restore", str(dump))
    assert again.returncode == 2 and again.stderr.count("\n") == 1
    assert again.stderr.startswith("error: database warmmap_test_restore_")
    assert "already holds" in again.stderr
    assert snapshot(target_engine) == before
