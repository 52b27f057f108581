"""Migration 0008 moves workers' station reports into cases, and back on downgrade."""

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from geo_api.database import sqlalchemy_url
from geo_api.migrate import alembic_config
from tests.dbutil import create_database, drop_database


@pytest.fixture
def before_cases() -> Iterator[str]:
    url = create_database("warmmap_migrate_cases")
    command.upgrade(alembic_config(url), "0004_data_changes")
    yield url
    drop_database(url)


def test_station_reports_become_cases_and_come_back(before_cases):
    engine = create_engine(sqlalchemy_url(before_cases))
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO stations (source, external_id, name, geom, community_adcode, "
                "district_adcode) VALUES ('t', 's1', '驿站', "
                "ST_SetSRID(ST_MakePoint(104.06, 30.67), 4326), '510104001001', '510104')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO station_reports (station_id, kind, note, client_hash, status, "
                "created_at, resolved_at) SELECT s.id, r.kind, r.note, 'h', r.status, "
                "'2026-11-01T10:00:00Z', r.resolved FROM stations s, (VALUES "
                "('closed', '锁门了', 'open', NULL::timestamptz), "
                "('hours_wrong', NULL, 'resolved', '2026-11-02T10:00:00Z'), "
                "('other', '没水', 'dismissed', '2026-11-03T10:00:00Z')) AS r(kind, note, status, resolved)"
            )
        )
    command.upgrade(alembic_config(before_cases), "head")
    with engine.connect() as connection:
        cases = connection.execute(
            text(
                "SELECT category, status, description, routed_role, routed_adcode, street_adcode, "
                "channel, token_hash, extract(epoch FROM due_at - created_at) / 3600 AS hours "
                "FROM cases ORDER BY id"
            )
        ).all()
        events = connection.execute(text("SELECT count(*) FROM case_events")).scalar_one()
    assert [(c.category, c.status, c.description) for c in cases] == [
        ("station_closed", "reported", "锁门了"),
        ("station_hours_wrong", "resolved", None),
        ("other", "rejected", "没水"),
    ]
    assert {(c.routed_role, c.routed_adcode, c.street_adcode, c.channel) for c in cases} == {
        ("station_contact", "510104001001", "510104001", "station_report")
    }
    assert [c.hours for c in cases] == [24, 72, 120]
    assert all(c.token_hash is None for c in cases)  # its reporter never got a token
    assert events == 3 + 2  # each reported, and the two that moved on
    command.downgrade(alembic_config(before_cases), "0004_data_changes")
    with engine.connect() as connection:
        back = connection.execute(
            text("SELECT kind, note, status FROM station_reports ORDER BY id")
        ).all()
    assert [tuple(r) for r in back] == [
        ("closed", "锁门了", "open"),
        ("hours_wrong", None, "resolved"),
        ("other", "没水", "dismissed"),
    ]
    engine.dispose()
