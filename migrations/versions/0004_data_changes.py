"""data_changes: a log of which layer changed in which district, where and when.

Statement-level triggers on the tables that feed answers and map layers append one row per
district touched by an INSERT, UPDATE or DELETE, with the extent of the rows before and after.
Coverage answers use it to say whether a city's cells are stale (deletes included), and map
layers to drop only the cached tiles that a change touches.

Revision ID: 0004_data_changes
Revises: 0003_nearest
"""

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
from alembic import op

revision: str = "0004_data_changes"
down_revision: str | None = "0003_nearest"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The trigger's argument is the SQL expression of a row's area (a district adcode, or '' when
# the row lies in no known district), evaluated over the transition tables.
LOG_CHANGES = """
CREATE FUNCTION warmmap_log_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    area text := TG_ARGV[0];
    changed text;
BEGIN
    changed := CASE TG_OP
        WHEN 'INSERT' THEN format('SELECT %s AS area, geom FROM new_rows', area)
        WHEN 'DELETE' THEN format('SELECT %s AS area, geom FROM old_rows', area)
        ELSE format(
            'SELECT %s AS area, geom FROM new_rows UNION ALL SELECT %s, geom FROM old_rows',
            area, area)
    END;
    EXECUTE format(
        'INSERT INTO data_changes (layer, area, extent, rows) '
        'SELECT %L, area, ST_SetSRID(ST_Extent(geom)::geometry, 4326), count(*) '
        'FROM (%s) AS changed GROUP BY area',
        TG_TABLE_NAME, changed);
    RETURN NULL;
END $$
"""

# table -> the area of one of its rows
TRACKED = {
    "stations": "coalesce(left(district_adcode, 6), '''')",
    "outlets": "coalesce(left(district_adcode, 6), '''')",
    "admin_areas": "left(adcode, 6)",
    "coverage_cells": "left(city_adcode, 6)",
}
EVENTS = {
    "INSERT": "NEW TABLE AS new_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
}


def create_triggers(table: str, area_sql: str) -> None:
    """Log every change of ``table``; used by later migrations for the tables they add."""
    for event, referencing in EVENTS.items():
        op.execute(
            f"CREATE TRIGGER {table}_log_{event.lower()} AFTER {event} ON {table} "
            f"REFERENCING {referencing} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION warmmap_log_changes('{area_sql}')"
        )


def drop_triggers(table: str) -> None:
    for event in EVENTS:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_log_{event.lower()} ON {table}")


def upgrade() -> None:
    op.create_table(
        "data_changes",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("layer", sa.Text(), nullable=False),
        sa.Column("area", sa.Text(), nullable=False),
        sa.Column(
            "extent",
            geoalchemy2.types.Geometry(
                srid=4326, spatial_index=False, from_text="ST_GeomFromEWKT", name="geometry"
            ),
            nullable=True,
        ),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_changes")),
    )
    op.create_index(op.f("ix_data_changes_changed_at"), "data_changes", ["changed_at"])
    op.create_geospatial_index(
        "ix_data_changes_extent", "data_changes", ["extent"], postgresql_using="gist"
    )
    op.execute(LOG_CHANGES)
    for table, area_sql in TRACKED.items():
        create_triggers(table, area_sql)


def downgrade() -> None:
    for table in TRACKED:
        drop_triggers(table)
    op.execute("DROP FUNCTION IF EXISTS warmmap_log_changes()")
    op.drop_geospatial_index(
        "ix_data_changes_extent",
        table_name="data_changes",
        postgresql_using="gist",
        column_name="extent",
    )
    op.drop_index(op.f("ix_data_changes_changed_at"), table_name="data_changes")
    op.drop_table("data_changes")
