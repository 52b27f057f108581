"""cases: riders' reports (随手拍) routed to whoever handles them; station reports become cases.

Tables ``cases``, ``case_events``, ``case_photos``, ``case_routes`` (seeded with who handles each
category everywhere, and in how many hours) and ``rider_points``; the view ``cases_public`` (what
anyone may see of a case: category, status, position); ``data_changes`` triggers on ``cases``.
The rows of the former ``station_reports`` move into ``cases`` as cases of the station
categories (downgrading moves them back).

Revision ID: 0008_cases
Revises: 0004_data_changes
"""

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
from alembic import op

revision: str = "0008_cases"
down_revision: str | None = "0004_data_changes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# category -> (role, hours): who handles it unless a route for a smaller area says otherwise.
DEFAULT_ROUTES = {
    "station_closed": ("station_contact", 24),
    "station_misplaced": ("station_contact", 72),
    "station_hours_wrong": ("station_contact", 72),
    "fire_hazard": ("community_liaison", 24),
    "blocked_passage": ("community_liaison", 48),
    "no_rider_entry": ("community_liaison", 72),
    "no_parking": ("community_liaison", 120),
    "building_hard_to_find": ("community_liaison", 168),
    "road_hazard": ("police_liaison", 48),
    "other": ("street_office", 120),
}
KIND_TO_CATEGORY = {
    "closed": "station_closed",
    "wrong_location": "station_misplaced",
    "hours_wrong": "station_hours_wrong",
    "other": "other",
}

# The public face of a case: category, status and position, never text, photos or reporters.
PUBLIC_VIEW = """
CREATE VIEW cases_public AS
SELECT id, category, status, geom, district_adcode, street_adcode, community_adcode,
       duplicate_of, created_at, updated_at
FROM cases
"""

CATEGORY_OF_KIND = (
    "CASE r.kind "
    + " ".join(f"WHEN '{k}' THEN '{c}'" for k, c in KIND_TO_CATEGORY.items())
    + " END"
)
KIND_OF_CATEGORY = (
    "CASE c.category "
    + " ".join(f"WHEN '{c}' THEN '{k}'" for k, c in KIND_TO_CATEGORY.items())
    + " ELSE 'other' END"
)

# Reports had no token (their reporters follow nothing) and were the station's to handle.
MOVE_REPORTS = f"""
INSERT INTO cases (client_hash, channel, category, description, geom, source_crs, source_x,
                   source_y, district_adcode, street_adcode, community_adcode, routed_adcode,
                   routed_role, station_id, status, due_at, resolved_at, created_at)
SELECT r.client_hash, 'station_report', {CATEGORY_OF_KIND}, r.note, s.geom, 'wgs84',
       ST_X(s.geom), ST_Y(s.geom), s.district_adcode,
       CASE WHEN length(s.community_adcode) >= 9 THEN left(s.community_adcode, 9) END,
       s.community_adcode, coalesce(s.community_adcode, s.district_adcode, ''),
       'station_contact', s.id,
       CASE r.status WHEN 'open' THEN 'reported' WHEN 'resolved' THEN 'resolved'
                     ELSE 'rejected' END,
       r.created_at + make_interval(hours => rt.hours), r.resolved_at, r.created_at
FROM station_reports r
JOIN stations s ON s.id = r.station_id
JOIN case_routes rt ON rt.area_adcode = '' AND rt.category = {CATEGORY_OF_KIND}
ORDER BY r.id
"""
MOVED_EVENTS = """
INSERT INTO case_events (case_id, at, actor, actor_role, from_status, to_status, note)
SELECT id, created_at, 'migration', 'system', NULL, 'reported', 'a station report'
FROM cases WHERE channel = 'station_report'
UNION ALL
SELECT id, coalesce(resolved_at, created_at), 'migration', 'system', 'reported', status, NULL
FROM cases WHERE channel = 'station_report' AND status <> 'reported'
"""
MOVE_BACK = f"""
INSERT INTO station_reports (station_id, kind, note, client_hash, status, created_at,
                             resolved_at)
SELECT c.station_id, {KIND_OF_CATEGORY}, c.description, c.client_hash,
       CASE WHEN c.status IN ('reported', 'accepted', 'dispatched') THEN 'open'
            WHEN c.status IN ('resolved', 'verified', 'closed') THEN 'resolved'
            ELSE 'dismissed' END,
       c.created_at, c.resolved_at
FROM cases c WHERE c.station_id IS NOT NULL ORDER BY c.id
"""

# A case's area in data_changes: its district, or '' outside every known district.
LOG_AREA = "coalesce(left(district_adcode, 6), '''')"
EVENTS = {
    "INSERT": "NEW TABLE AS new_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
}


def create_triggers(table: str, area_sql: str) -> None:
    """Log every change of ``table`` in data_changes, as migration 0004 does for its tables."""
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
    create_tables()
    routes = sa.table(
        "case_routes",
        sa.column("category", sa.String),
        sa.column("area_adcode", sa.String),
        sa.column("role", sa.String),
        sa.column("hours", sa.Integer),
    )
    op.bulk_insert(
        routes,
        [
            {"category": c, "area_adcode": "", "role": role, "hours": hours}
            for c, (role, hours) in DEFAULT_ROUTES.items()
        ],
    )
    op.execute(
        "CREATE TRIGGER cases_touch_updated_at BEFORE UPDATE ON cases "
        "FOR EACH ROW EXECUTE FUNCTION warmmap_touch_updated_at()"
    )
    create_triggers("cases", LOG_AREA)
    op.execute(PUBLIC_VIEW)
    op.execute(MOVE_REPORTS)
    op.execute(MOVED_EVENTS)
    op.drop_index("ix_station_reports_station_id", table_name="station_reports")
    op.drop_index("ix_station_reports_client_created", table_name="station_reports")
    op.drop_table("station_reports")


def downgrade() -> None:
    create_station_reports()
    op.execute(MOVE_BACK)
    op.execute("DROP VIEW IF EXISTS cases_public")
    drop_triggers("cases")
    op.execute("DROP TRIGGER IF EXISTS cases_touch_updated_at ON cases")
    drop_tables()


def create_station_reports() -> None:
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
        "ix_station_reports_client_created", "station_reports", ["client_hash", "created_at"]
    )
    op.create_index(op.f("ix_station_reports_station_id"), "station_reports", ["station_id"])


def create_tables() -> None:
    op.create_table(
        "case_routes",
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("area_adcode", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "category IN ('station_closed', 'station_misplaced', 'station_hours_wrong', 'fire_hazard', 'blocked_passage', 'no_rider_entry', 'no_parking', 'building_hard_to_find', 'road_hazard', 'other')",
            name=op.f("ck_case_routes_category"),
        ),
        sa.CheckConstraint(
            "role IN ('community_liaison', 'police_liaison', 'station_contact', 'street_office')",
            name=op.f("ck_case_routes_role"),
        ),
        sa.CheckConstraint("hours > 0", name=op.f("ck_case_routes_hours")),
        sa.PrimaryKeyConstraint("category", "area_adcode", name=op.f("pk_case_routes")),
    )
    op.create_geospatial_table(
        "cases",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("reporter_hash", sa.String(length=64), nullable=True),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), server_default=sa.text("'api'"), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
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
        sa.Column("street_adcode", sa.String(length=32), nullable=True),
        sa.Column("community_adcode", sa.String(length=32), nullable=True),
        sa.Column("routed_adcode", sa.String(length=32), nullable=False),
        sa.Column("routed_role", sa.String(length=32), nullable=False),
        sa.Column("liaison_id", sa.BigInteger(), nullable=True),
        sa.Column("station_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "status", sa.String(length=16), server_default=sa.text("'reported'"), nullable=False
        ),
        sa.Column("duplicate_of", sa.BigInteger(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synthetic", sa.Boolean(), server_default=sa.text("false"), nullable=False),
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
            "(status = 'duplicate') = (duplicate_of IS NOT NULL)", name=op.f("ck_cases_duplicate")
        ),
        sa.CheckConstraint(
            "category IN ('station_closed', 'station_misplaced', 'station_hours_wrong', 'fire_hazard', 'blocked_passage', 'no_rider_entry', 'no_parking', 'building_hard_to_find', 'road_hazard', 'other')",
            name=op.f("ck_cases_category"),
        ),
        sa.CheckConstraint(
            "channel IN ('api', 'open311', 'station_report', 'demo')", name=op.f("ck_cases_channel")
        ),
        sa.CheckConstraint(
            "routed_role IN ('community_liaison', 'police_liaison', 'station_contact', 'street_office')",
            name=op.f("ck_cases_routed_role"),
        ),
        sa.CheckConstraint(
            "status IN ('reported', 'accepted', 'dispatched', 'resolved', 'verified', 'closed', 'rejected', 'duplicate')",
            name=op.f("ck_cases_status"),
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of"],
            ["cases.id"],
            name=op.f("fk_cases_duplicate_of_cases"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["liaison_id"],
            ["liaisons.id"],
            name=op.f("fk_cases_liaison_id_liaisons"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_cases_station_id_stations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_cases_token_hash")),
    )
    op.create_index(op.f("ix_cases_category"), "cases", ["category"], unique=False)
    op.create_index("ix_cases_client_created", "cases", ["client_hash", "created_at"], unique=False)
    op.create_index(op.f("ix_cases_community_adcode"), "cases", ["community_adcode"], unique=False)
    op.create_index(op.f("ix_cases_district_adcode"), "cases", ["district_adcode"], unique=False)
    op.create_index(
        "ix_cases_due_open",
        "cases",
        ["due_at"],
        unique=False,
        postgresql_where=sa.text("status IN ('reported', 'accepted', 'dispatched')"),
    )
    op.create_index(op.f("ix_cases_duplicate_of"), "cases", ["duplicate_of"], unique=False)
    op.create_index(
        "ix_cases_geog",
        "cases",
        [sa.literal_column("(geom::geography)")],
        unique=False,
        postgresql_using="gist",
    )
    op.create_geospatial_index(
        "ix_cases_geom", "cases", ["geom"], unique=False, postgresql_using="gist", postgresql_ops={}
    )
    op.create_index(op.f("ix_cases_liaison_id"), "cases", ["liaison_id"], unique=False)
    op.create_index(op.f("ix_cases_reporter_hash"), "cases", ["reporter_hash"], unique=False)
    op.create_index(op.f("ix_cases_routed_adcode"), "cases", ["routed_adcode"], unique=False)
    op.create_index(op.f("ix_cases_station_id"), "cases", ["station_id"], unique=False)
    op.create_index(op.f("ix_cases_status"), "cases", ["status"], unique=False)
    op.create_index(op.f("ix_cases_street_adcode"), "cases", ["street_adcode"], unique=False)
    op.create_table(
        "case_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "from_status IS NULL OR from_status IN ('reported', 'accepted', 'dispatched', 'resolved', 'verified', 'closed', 'rejected', 'duplicate')",
            name=op.f("ck_case_events_from_status"),
        ),
        sa.CheckConstraint(
            "to_status IN ('reported', 'accepted', 'dispatched', 'resolved', 'verified', 'closed', 'rejected', 'duplicate')",
            name=op.f("ck_case_events_to_status"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    op.create_index(op.f("ix_case_events_case_id"), "case_events", ["case_id"], unique=False)
    op.create_table(
        "case_photos",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=16), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "media_type IN ('image/jpeg', 'image/png', 'image/webp')",
            name=op.f("ck_case_photos_media_type"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_photos_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_photos")),
    )
    op.create_index(op.f("ix_case_photos_case_id"), "case_photos", ["case_id"], unique=False)
    op.create_table(
        "rider_points",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("reporter_hash", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_rider_points_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rider_points")),
        sa.UniqueConstraint("case_id", "reason", name=op.f("uq_rider_points_case_id_reason")),
    )
    op.create_index(
        op.f("ix_rider_points_reporter_hash"), "rider_points", ["reporter_hash"], unique=False
    )


def drop_tables() -> None:
    op.drop_index(op.f("ix_rider_points_reporter_hash"), table_name="rider_points")
    op.drop_table("rider_points")
    op.drop_index(op.f("ix_case_photos_case_id"), table_name="case_photos")
    op.drop_table("case_photos")
    op.drop_index(op.f("ix_case_events_case_id"), table_name="case_events")
    op.drop_table("case_events")
    op.drop_index(op.f("ix_cases_street_adcode"), table_name="cases")
    op.drop_index(op.f("ix_cases_status"), table_name="cases")
    op.drop_index(op.f("ix_cases_station_id"), table_name="cases")
    op.drop_index(op.f("ix_cases_routed_adcode"), table_name="cases")
    op.drop_index(op.f("ix_cases_reporter_hash"), table_name="cases")
    op.drop_index(op.f("ix_cases_liaison_id"), table_name="cases")
    op.drop_geospatial_index(
        "ix_cases_geom", table_name="cases", postgresql_using="gist", column_name="geom"
    )
    op.drop_index("ix_cases_geog", table_name="cases", postgresql_using="gist")
    op.drop_index(op.f("ix_cases_duplicate_of"), table_name="cases")
    op.drop_index(
        "ix_cases_due_open",
        table_name="cases",
        postgresql_where=sa.text("status IN ('reported', 'accepted', 'dispatched')"),
    )
    op.drop_index(op.f("ix_cases_district_adcode"), table_name="cases")
    op.drop_index(op.f("ix_cases_community_adcode"), table_name="cases")
    op.drop_index("ix_cases_client_created", table_name="cases")
    op.drop_index(op.f("ix_cases_category"), table_name="cases")
    op.drop_geospatial_table("cases")
    op.drop_table("case_routes")
