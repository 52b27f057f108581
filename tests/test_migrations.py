from collections.abc import Iterator

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from geo_api.database import sqlalchemy_url
from geo_api.migrate import alembic_config
from geo_api.models import Base
from geo_api.settings import get_settings
from tests.dbutil import create_database, drop_database
from warmmap_cli import app

SPATIAL_TABLES = {
    "admin_areas",
    "stations",
    "outlets",
    "coverage_cells",
    "data_changes",
    "cases",
    "liaisons",
}


@pytest.fixture
def empty_database() -> Iterator[str]:
    url = create_database("warmmap_migrate")
    yield url
    drop_database(url)


def user_tables(url: str) -> set[str]:
    engine = create_engine(sqlalchemy_url(url))
    names = set(inspect(engine).get_table_names()) - {"spatial_ref_sys", "alembic_version"}
    engine.dispose()
    return names


def test_one_head():
    heads = ScriptDirectory.from_config(alembic_config("postgresql://unused/x")).get_heads()
    assert len(heads) == 1


def test_upgrade_downgrade_upgrade(empty_database):
    config = alembic_config(empty_database)
    command.upgrade(config, "head")
    assert user_tables(empty_database) == set(Base.metadata.tables)
    command.downgrade(config, "base")
    assert user_tables(empty_database) == set()
    command.upgrade(config, "head")
    assert user_tables(empty_database) == set(Base.metadata.tables)


def test_models_and_migrations_agree(empty_database):
    config = alembic_config(empty_database)
    command.upgrade(config, "head")
    command.check(config)  # raises when autogenerate would emit anything


def test_every_geometry_is_4326_with_a_spatial_index(connection):
    rows = connection.execute(
        text(
            "SELECT f_table_name, type, srid FROM geometry_columns WHERE f_table_schema = 'public'"
        )
    ).all()
    # cases_public is a view of cases (category, status, position): indexed through its table
    assert {r.f_table_name for r in rows} == SPATIAL_TABLES | {"cases_public"}
    assert all(r.srid == 4326 for r in rows)
    indexed = connection.execute(
        text(
            """
            SELECT t.relname AS table_name, pg_get_indexdef(i.indexrelid) AS definition
            FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
            JOIN pg_class ix ON ix.oid = i.indexrelid JOIN pg_am am ON am.oid = ix.relam
            WHERE am.amname = 'gist'
            """
        )
    ).all()
    assert {r.table_name for r in indexed} >= SPATIAL_TABLES
    geography = {r.table_name for r in indexed if "geography" in r.definition}
    assert geography == {"stations", "outlets", "cases"}


def test_station_geography_index_serves_knn(connection):
    # The table is empty, so tell the planner a scan is expensive; it must then find the index.
    connection.execute(text("SET LOCAL enable_seqscan = off"))
    plan = connection.execute(
        text(
            "EXPLAIN SELECT id FROM stations ORDER BY geom::geography <-> "
            "ST_SetSRID(ST_MakePoint(104.06, 30.67), 4326)::geography LIMIT 5"
        )
    ).scalars()
    assert "ix_stations_geog" in "\n".join(plan)


def insert_station(connection, **values):
    row = {
        "source": "t",
        "external_id": "s1",
        "name": "站",
        "kind": "warm_station",
        "status": "open",
        "amenities": ["water"],
        "wkt": "SRID=4326;POINT(104.06 30.67)",
    } | values
    return connection.execute(
        text(
            "INSERT INTO stations (source, external_id, name, kind, status, amenities, geom) "
            "VALUES (:source, :external_id, :name, :kind, :status, :amenities, "
            "ST_GeomFromEWKT(:wkt)) RETURNING id, updated_at"
        ),
        row,
    ).one()


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        ({"kind": "spaceship"}, "ck_stations_kind"),
        ({"status": "gone"}, "ck_stations_status"),
        ({"amenities": ["water", "sauna"]}, "ck_stations_amenities"),
        ({"wkt": "SRID=4326;LINESTRING(104 30, 105 31)"}, "does not match column type"),
        ({"wkt": "SRID=3857;POINT(1 1)"}, "SRID"),
    ],
)
def test_check_constraints_reject_bad_values(connection, values, constraint):
    savepoint = connection.begin_nested()
    with pytest.raises(Exception, match=constraint):
        insert_station(connection, **values)
    savepoint.rollback()


def test_source_and_external_id_are_unique(connection):
    insert_station(connection)
    savepoint = connection.begin_nested()
    with pytest.raises(Exception, match="uq_stations_source_external_id"):
        insert_station(connection)
    savepoint.rollback()
    insert_station(connection, source="other")


def test_updated_at_moves_on_change_only(connection):
    station = insert_station(connection)
    # now() is fixed within a transaction, so look at what the trigger writes via clock time.
    connection.execute(
        text("UPDATE stations SET updated_at = '2020-01-01' WHERE id = :id"), {"id": station.id}
    )
    connection.execute(text("UPDATE stations SET name = name WHERE id = :id"), {"id": station.id})
    same = connection.execute(
        text("SELECT updated_at FROM stations WHERE id = :id"), {"id": station.id}
    ).scalar_one()
    assert same.year == 2020
    connection.execute(text("UPDATE stations SET name = '新站' WHERE id = :id"), {"id": station.id})
    moved = connection.execute(
        text("SELECT updated_at FROM stations WHERE id = :id"), {"id": station.id}
    ).scalar_one()
    assert moved.year > 2020


def test_one_current_liaison_per_outlet_and_role(connection):
    outlet_id = connection.execute(
        text(
            "INSERT INTO outlets (source, external_id, name, geom) VALUES "
            "('t', 'o1', '网点', ST_SetSRID(ST_MakePoint(104.06, 30.67), 4326)) RETURNING id"
        )
    ).scalar_one()
    liaison_ids = (
        connection.execute(
            text(
                "INSERT INTO liaisons (source, external_id, name, role) VALUES "
                "('t', 'l1', '张三', 'community'), ('t', 'l2', '李四', 'community') RETURNING id"
            )
        )
        .scalars()
        .all()
    )
    insert = text(
        "INSERT INTO outlet_liaisons (outlet_id, liaison_id, role) VALUES (:o, :l, 'community')"
    )
    connection.execute(insert, {"o": outlet_id, "l": liaison_ids[0]})
    savepoint = connection.begin_nested()
    with pytest.raises(Exception, match="uq_outlet_liaisons_current"):
        connection.execute(insert, {"o": outlet_id, "l": liaison_ids[1]})
    savepoint.rollback()
    connection.execute(
        text("UPDATE outlet_liaisons SET ended_at = now() WHERE outlet_id = :o"), {"o": outlet_id}
    )
    connection.execute(insert, {"o": outlet_id, "l": liaison_ids[1]})


@pytest.mark.parametrize(
    ("url", "revision", "message"),
    [
        ("postgresql://postgres@127.0.0.1:1/nowhere", "head", "error: database unavailable: "),
        (None, "0099_nonexistent", "error: Can't locate revision identified by '0099_nonexistent'"),
    ],
)
def test_db_upgrade_fails_in_one_line(database_url, monkeypatch, url, revision, message):
    monkeypatch.setenv("WARMMAP_DATABASE_URL", url or database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["db", "upgrade", revision])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
