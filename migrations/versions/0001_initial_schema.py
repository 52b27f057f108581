"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Every table of the data model (docs/data-model.md), with spatial indexes (planar and on geography) and an
``updated_at`` kept by a trigger.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A migration is history: it does not import the models, which move on.
TABLES_WITH_UPDATED_AT = ("admin_areas", "stations", "outlets", "liaisons")


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "api_keys",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column(
            "scope_adcodes",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'planner', 'grid_manager')", name=op.f("ck_api_keys_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_index(op.f("ix_api_keys_key_prefix"), "api_keys", ["key_prefix"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("entity", sa.Text(), nullable=False),
        sa.Column("entity_id", sa.Text(), nullable=True),
        sa.Column(
            "detail",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_table(
        "load_batches",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("crs", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column(
            "options",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "status", sa.String(length=16), server_default=sa.text("'running'"), nullable=False
        ),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows_read", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("inserted", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("unchanged", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("rejected", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("repaired", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("flagged", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('stations', 'outlets', 'boundaries', 'liaisons')",
            name=op.f("ck_load_batches_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('running', 'committed', 'failed')", name=op.f("ck_load_batches_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_load_batches")),
    )
    op.create_index(op.f("ix_load_batches_sha256"), "load_batches", ["sha256"], unique=False)
    op.create_geospatial_table(
        "admin_areas",
        sa.Column("adcode", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("parent_adcode", sa.String(length=32), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "level IN ('city', 'district', 'street', 'community', 'grid')",
            name=op.f("ck_admin_areas_level"),
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["load_batches.id"],
            name=op.f("fk_admin_areas_batch_id_load_batches"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_adcode"],
            ["admin_areas.adcode"],
            name=op.f("fk_admin_areas_parent_adcode_admin_areas"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("adcode", name=op.f("pk_admin_areas")),
    )
    op.create_geospatial_index(
        "ix_admin_areas_geom",
        "admin_areas",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_admin_areas_level"), "admin_areas", ["level"], unique=False)
    op.create_index(
        op.f("ix_admin_areas_parent_adcode"), "admin_areas", ["parent_adcode"], unique=False
    )
    op.create_table(
        "liaisons",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("organization", sa.Text(), nullable=True),
        sa.Column("scope_adcode", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("synthetic", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("role IN ('community', 'police')", name=op.f("ck_liaisons_role")),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["load_batches.id"],
            name=op.f("fk_liaisons_batch_id_load_batches"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_liaisons")),
        sa.UniqueConstraint("source", "external_id", name=op.f("uq_liaisons_source_external_id")),
    )
    op.create_index(op.f("ix_liaisons_scope_adcode"), "liaisons", ["scope_adcode"], unique=False)
    op.create_geospatial_table(
        "outlets",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("brand", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=32), server_default=sa.text("'other'"), nullable=False),
        sa.Column("riders", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("source_crs", sa.Text(), server_default=sa.text("'wgs84'"), nullable=False),
        sa.Column("source_x", sa.Double(), nullable=True),
        sa.Column("source_y", sa.Double(), nullable=True),
        sa.Column("district_adcode", sa.String(length=32), nullable=True),
        sa.Column("community_adcode", sa.String(length=32), nullable=True),
        sa.Column("h3_r9", sa.String(length=16), nullable=True),
        sa.Column("synthetic", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('express', 'food_delivery', 'ride_hailing', 'freight', 'other')",
            name=op.f("ck_outlets_kind"),
        ),
        sa.CheckConstraint("riders >= 0", name=op.f("ck_outlets_riders")),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["load_batches.id"],
            name=op.f("fk_outlets_batch_id_load_batches"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outlets")),
        sa.UniqueConstraint("source", "external_id", name=op.f("uq_outlets_source_external_id")),
    )
    op.create_index(
        op.f("ix_outlets_community_adcode"), "outlets", ["community_adcode"], unique=False
    )
    op.create_index(
        op.f("ix_outlets_district_adcode"), "outlets", ["district_adcode"], unique=False
    )
    op.create_index(
        "ix_outlets_geog",
        "outlets",
        [sa.literal_column("(geom::geography)")],
        unique=False,
        postgresql_using="gist",
    )
    op.create_geospatial_index(
        "ix_outlets_geom",
        "outlets",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_outlets_h3_r9"), "outlets", ["h3_r9"], unique=False)
    op.create_table(
        "rejected_rows",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("raw", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["load_batches.id"],
            name=op.f("fk_rejected_rows_batch_id_load_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejected_rows")),
    )
    op.create_index(op.f("ix_rejected_rows_batch_id"), "rejected_rows", ["batch_id"], unique=False)
    op.create_geospatial_table(
        "stations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "kind", sa.String(length=32), server_default=sa.text("'warm_station'"), nullable=False
        ),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column(
            "amenities",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column(
            "amenities_unknown",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column("hours_text", sa.Text(), nullable=True),
        sa.Column("hours", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("hours_unparsed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_24h", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("access", sa.String(length=16), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("area_m2", sa.Double(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default=sa.text("'open'"), nullable=False),
        sa.Column("last_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("source_crs", sa.Text(), server_default=sa.text("'wgs84'"), nullable=False),
        sa.Column("source_x", sa.Double(), nullable=True),
        sa.Column("source_y", sa.Double(), nullable=True),
        sa.Column("district_adcode", sa.String(length=32), nullable=True),
        sa.Column("community_adcode", sa.String(length=32), nullable=True),
        sa.Column("h3_r9", sa.String(length=16), nullable=True),
        sa.Column("synthetic", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "access IN ('staffed', 'qr_code', 'open')", name=op.f("ck_stations_access")
        ),
        sa.CheckConstraint(
            "amenities <@ ARRAY['rest', 'water', 'charging', 'toilet', 'microwave', 'first_aid', 'air_conditioning', 'wifi', 'umbrella', 'parking', 'legal_aid', 'canteen']::text[]",
            name=op.f("ck_stations_amenities"),
        ),
        sa.CheckConstraint(
            "kind IN ('warm_station', 'union_station', 'party_service_center', 'youth_station', 'rider_center', 'other')",
            name=op.f("ck_stations_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'closed', 'suspended')", name=op.f("ck_stations_status")
        ),
        sa.CheckConstraint("area_m2 IS NULL OR area_m2 >= 0", name=op.f("ck_stations_area_m2")),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name=op.f("ck_stations_capacity")),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["load_batches.id"],
            name=op.f("fk_stations_batch_id_load_batches"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stations")),
        sa.UniqueConstraint("source", "external_id", name=op.f("uq_stations_source_external_id")),
    )
    op.create_index(
        "ix_stations_amenities", "stations", ["amenities"], unique=False, postgresql_using="gin"
    )
    op.create_index(
        op.f("ix_stations_community_adcode"), "stations", ["community_adcode"], unique=False
    )
    op.create_index(
        op.f("ix_stations_district_adcode"), "stations", ["district_adcode"], unique=False
    )
    op.create_index(
        "ix_stations_geog",
        "stations",
        [sa.literal_column("(geom::geography)")],
        unique=False,
        postgresql_using="gist",
    )
    op.create_geospatial_index(
        "ix_stations_geom",
        "stations",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_stations_h3_r9"), "stations", ["h3_r9"], unique=False)
    op.create_index(op.f("ix_stations_status"), "stations", ["status"], unique=False)
    op.create_geospatial_table(
        "coverage_cells",
        sa.Column("city_adcode", sa.String(length=32), nullable=False),
        sa.Column("res", sa.SmallInteger(), nullable=False),
        sa.Column("h3", sa.String(length=16), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("outlets", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("riders", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("nearest_station_id", sa.BigInteger(), nullable=True),
        sa.Column("nearest_station_m", sa.Double(), nullable=True),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("res BETWEEN 0 AND 15", name=op.f("ck_coverage_cells_res")),
        sa.ForeignKeyConstraint(
            ["nearest_station_id"],
            ["stations.id"],
            name=op.f("fk_coverage_cells_nearest_station_id_stations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("city_adcode", "res", "h3", name=op.f("pk_coverage_cells")),
    )
    op.create_geospatial_index(
        "ix_coverage_cells_geom",
        "coverage_cells",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "outlet_liaisons",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("outlet_id", sa.BigInteger(), nullable=False),
        sa.Column("liaison_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column(
            "assigned_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assigned_by", sa.Text(), nullable=True),
        sa.Column(
            "method", sa.String(length=16), server_default=sa.text("'manual'"), nullable=False
        ),
        sa.CheckConstraint("method IN ('manual', 'auto')", name=op.f("ck_outlet_liaisons_method")),
        sa.CheckConstraint("role IN ('community', 'police')", name=op.f("ck_outlet_liaisons_role")),
        sa.CheckConstraint(
            "ended_at IS NULL OR ended_at >= assigned_at",
            name=op.f("ck_outlet_liaisons_ended_after_assigned"),
        ),
        sa.ForeignKeyConstraint(
            ["liaison_id"],
            ["liaisons.id"],
            name=op.f("fk_outlet_liaisons_liaison_id_liaisons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outlet_id"],
            ["outlets.id"],
            name=op.f("fk_outlet_liaisons_outlet_id_outlets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outlet_liaisons")),
    )
    op.create_index(
        op.f("ix_outlet_liaisons_liaison_id"), "outlet_liaisons", ["liaison_id"], unique=False
    )
    op.create_index(
        op.f("ix_outlet_liaisons_outlet_id"), "outlet_liaisons", ["outlet_id"], unique=False
    )
    op.create_index(
        "uq_outlet_liaisons_current",
        "outlet_liaisons",
        ["outlet_id", "role"],
        unique=True,
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_table(
        "station_reports",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("station_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), server_default=sa.text("'open'"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('closed', 'wrong_location', 'hours_wrong', 'other')",
            name=op.f("ck_station_reports_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'resolved', 'dismissed')", name=op.f("ck_station_reports_status")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_station_reports_station_id_stations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_reports")),
    )
    op.create_index(
        "ix_station_reports_client_created",
        "station_reports",
        ["client_hash", "created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_station_reports_station_id"), "station_reports", ["station_id"], unique=False
    )
    op.execute(
        """
        CREATE FUNCTION warmmap_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- A row rewritten with the same values keeps its timestamp: reloads change nothing.
            IF (to_jsonb(NEW) - 'updated_at') IS DISTINCT FROM (to_jsonb(OLD) - 'updated_at') THEN
                NEW.updated_at := now();
            END IF;
            RETURN NEW;
        END $$
        """
    )
    for table in TABLES_WITH_UPDATED_AT:
        op.execute(
            f"CREATE TRIGGER {table}_touch_updated_at BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION warmmap_touch_updated_at()"
        )


def downgrade() -> None:
    for table in TABLES_WITH_UPDATED_AT:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_touch_updated_at ON {table}")
    op.execute("DROP FUNCTION IF EXISTS warmmap_touch_updated_at()")
    op.drop_index(op.f("ix_station_reports_station_id"), table_name="station_reports")
    op.drop_index("ix_station_reports_client_created", table_name="station_reports")
    op.drop_table("station_reports")
    op.drop_index(
        "uq_outlet_liaisons_current",
        table_name="outlet_liaisons",
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.drop_index(op.f("ix_outlet_liaisons_outlet_id"), table_name="outlet_liaisons")
    op.drop_index(op.f("ix_outlet_liaisons_liaison_id"), table_name="outlet_liaisons")
    op.drop_table("outlet_liaisons")
    op.drop_geospatial_index(
        "ix_coverage_cells_geom",
        table_name="coverage_cells",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("coverage_cells")
    op.drop_index(op.f("ix_stations_status"), table_name="stations")
    op.drop_index(op.f("ix_stations_h3_r9"), table_name="stations")
    op.drop_geospatial_index(
        "ix_stations_geom", table_name="stations", postgresql_using="gist", column_name="geom"
    )
    op.drop_index("ix_stations_geog", table_name="stations", postgresql_using="gist")
    op.drop_index(op.f("ix_stations_district_adcode"), table_name="stations")
    op.drop_index(op.f("ix_stations_community_adcode"), table_name="stations")
    op.drop_index("ix_stations_amenities", table_name="stations", postgresql_using="gin")
    op.drop_geospatial_table("stations")
    op.drop_index(op.f("ix_rejected_rows_batch_id"), table_name="rejected_rows")
    op.drop_table("rejected_rows")
    op.drop_index(op.f("ix_outlets_h3_r9"), table_name="outlets")
    op.drop_geospatial_index(
        "ix_outlets_geom", table_name="outlets", postgresql_using="gist", column_name="geom"
    )
    op.drop_index("ix_outlets_geog", table_name="outlets", postgresql_using="gist")
    op.drop_index(op.f("ix_outlets_district_adcode"), table_name="outlets")
    op.drop_index(op.f("ix_outlets_community_adcode"), table_name="outlets")
    op.drop_geospatial_table("outlets")
    op.drop_index(op.f("ix_liaisons_scope_adcode"), table_name="liaisons")
    op.drop_table("liaisons")
    op.drop_index(op.f("ix_admin_areas_parent_adcode"), table_name="admin_areas")
    op.drop_index(op.f("ix_admin_areas_level"), table_name="admin_areas")
    op.drop_geospatial_index(
        "ix_admin_areas_geom", table_name="admin_areas", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("admin_areas")
    op.drop_index(op.f("ix_load_batches_sha256"), table_name="load_batches")
    op.drop_table("load_batches")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_api_keys_key_prefix"), table_name="api_keys")
    op.drop_table("api_keys")
