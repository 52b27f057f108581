"""The data model (docs/data-model.md) as SQLAlchemy/GeoAlchemy2 tables; Alembic reads it here.

All geometry is EPSG:4326. Distances in metres are queried on ``geom::geography``, which has its
own GiST index next to the planar one.
"""

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from geo_api import vocab

# The resolution of the H3 cell every station and outlet carries (the ``h3_r9`` columns).
POINT_RES = 9

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def one_of(column: str, values: tuple[str, ...]) -> str:
    """Return a check-constraint expression limiting ``column`` to ``values``."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


def subset_of(column: str, values: tuple[str, ...]) -> str:
    """Return a check-constraint expression limiting array ``column`` to ``values``."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} <@ ARRAY[{quoted}]::text[]"


def geography_index(table: str) -> Index:
    """GiST index on ``geom::geography``, used by KNN and ST_DWithin in metres."""
    return Index(f"ix_{table}_geog", text("(geom::geography)"), postgresql_using="gist")


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints stably."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def created_at() -> Mapped[datetime]:
    """Return the column of when the row was created."""
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


def updated_at() -> Mapped[datetime]:
    """Return the column of when the row last changed."""
    # Maintained by the warmmap_touch_updated_at() trigger of the initial migration.
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class AdminArea(Base):
    """A city, district, street, community or grid boundary."""

    __tablename__ = "admin_areas"
    __table_args__ = (
        CheckConstraint(one_of("level", vocab.ADMIN_LEVELS), name="level"),
        Index("ix_admin_areas_geom", "geom", postgresql_using="gist"),
    )

    adcode: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(16), index=True)
    parent_adcode: Mapped[str | None] = mapped_column(
        ForeignKey("admin_areas.adcode", ondelete="SET NULL"), index=True
    )
    geom: Mapped[Any] = mapped_column(
        Geometry("MULTIPOLYGON", srid=4326, nullable=False, spatial_index=False)
    )
    source: Mapped[str] = mapped_column(Text)
    synthetic: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # The file's columns that feed no field, {header: value}: nothing given is dropped.
    extra: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("load_batches.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class LoadBatch(Base):
    """One run of ``warmmap load``: what file, how it was read, what came of it."""

    __tablename__ = "load_batches"
    __table_args__ = (
        CheckConstraint(one_of("kind", vocab.LOAD_KINDS), name="kind"),
        CheckConstraint(one_of("status", vocab.BATCH_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    crs: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    options: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    status: Mapped[str] = mapped_column(String(16), server_default=text("'running'"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rows_read: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    inserted: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    updated: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    unchanged: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    rejected: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    repaired: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    flagged: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # Rows not loaded because they are not data: titles, totals, notes (kept in rejected_rows).
    skipped: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # How the file was read: sheet, header row, which column fed which field, columns ignored,
    # merged cells filled, file-wide notes as {code, params} (see geo_api.reasons).
    report: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    # Why a batch is ``failed``: the one line its load ended with, or that it never finished.
    failure: Mapped[str | None] = mapped_column(Text)


class RejectedRow(Base):
    """A row of a batch that was not loaded, kept as given with the reason."""

    __tablename__ = "rejected_rows"
    __table_args__ = (CheckConstraint(one_of("kind", vocab.ROW_OUTCOMES), name="kind"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("load_batches.id", ondelete="CASCADE"), index=True
    )
    row_number: Mapped[int] = mapped_column(Integer)
    raw: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # The reason in English, as rendered when the row was stored; reason_code and params render
    # it again in any language (geo_api.reasons).
    reason: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), server_default=text("'rejected'"))
    reason_code: Mapped[str | None] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))


class FlaggedRow(Base):
    """A value of a loaded row worth a look: read with a guess, defaulted, or not understood.

    One row per flag. ``row_number`` is NULL for a record the file did not hold (a station
    suspended by ``--mode replace``). The reason is rendered from ``reason_code`` and ``params``.
    """

    __tablename__ = "flagged_rows"
    __table_args__ = (Index("ix_flagged_rows_batch_id_row_number", "batch_id", "row_number"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("load_batches.id", ondelete="CASCADE"))
    row_number: Mapped[int | None] = mapped_column(Integer)
    external_id: Mapped[str | None] = mapped_column(Text)
    # The field the flag is about, and the file's column it came from (when there is one).
    field: Mapped[str | None] = mapped_column(Text)
    column_name: Mapped[str | None] = mapped_column(Text)
    value: Mapped[Any | None] = mapped_column(JSONB)
    reason_code: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    # The whole row as given, so a correction sheet can be written from the batch alone.
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class Station(Base):
    """A warm station or another place where workers can rest, drink and charge."""

    __tablename__ = "stations"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        CheckConstraint(one_of("kind", vocab.STATION_KINDS), name="kind"),
        CheckConstraint(one_of("access", vocab.STATION_ACCESS), name="access"),
        CheckConstraint(one_of("status", vocab.STATION_STATUSES), name="status"),
        CheckConstraint(subset_of("amenities", vocab.AMENITIES), name="amenities"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity"),
        CheckConstraint("area_m2 IS NULL OR area_m2 >= 0", name="area_m2"),
        Index("ix_stations_geom", "geom", postgresql_using="gist"),
        geography_index("stations"),
        Index("ix_stations_amenities", "amenities", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    external_id: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    # The name as compared for near-duplicates (geo_api.vocab.names), kept so that a load of a
    # million rows compares stored keys instead of folding every stored name again.
    name_key: Mapped[str | None] = mapped_column(Text)
    # Indexed so that a filter on a rare kind reads its few rows instead of scanning the table.
    kind: Mapped[str] = mapped_column(String(32), server_default=text("'warm_station'"), index=True)
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    amenities: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    # Unknown words from the source, kept rather than dropped.
    amenities_unknown: Mapped[list[str]] = mapped_column(
        ARRAY(Text), server_default=text("'{}'::text[]")
    )
    hours_text: Mapped[str | None] = mapped_column(Text)
    # Weekly intervals [[start, end], ...] in minutes from Monday 00:00 local time, end exclusive;
    # NULL when unknown or unparseable (then hours_text is kept and hours_unparsed is true).
    hours: Mapped[list[list[int]] | None] = mapped_column(JSONB)
    hours_unparsed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    is_24h: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    access: Mapped[str | None] = mapped_column(String(16))
    capacity: Mapped[int | None] = mapped_column(Integer)
    area_m2: Mapped[float | None] = mapped_column(Double)
    status: Mapped[str] = mapped_column(String(16), server_default=text("'open'"), index=True)
    last_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    geom: Mapped[Any] = mapped_column(
        Geometry("POINT", srid=4326, nullable=False, spatial_index=False)
    )
    source_crs: Mapped[str] = mapped_column(Text, server_default=text("'wgs84'"))
    source_x: Mapped[float | None] = mapped_column(Double)
    source_y: Mapped[float | None] = mapped_column(Double)
    district_adcode: Mapped[str | None] = mapped_column(String(32), index=True)
    community_adcode: Mapped[str | None] = mapped_column(String(32), index=True)
    h3_r9: Mapped[str | None] = mapped_column(String(16), index=True)
    synthetic: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # The file's columns that feed no field, {header: value}: nothing given is dropped.
    extra: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    # Fields changed through the API, {field: ISO time}: a load keeps them unless told otherwise
    # (``--overwrite-edits``); the mark goes once a file agrees with the edit.
    edited_fields: Mapped[dict[str, str]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("load_batches.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class Outlet(Base):
    """A delivery outlet (网点站点) where riders and couriers are based."""

    __tablename__ = "outlets"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        CheckConstraint(one_of("kind", vocab.OUTLET_KINDS), name="kind"),
        CheckConstraint("riders IS NULL OR riders >= 0", name="riders"),
        Index("ix_outlets_geom", "geom", postgresql_using="gist"),
        geography_index("outlets"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    external_id: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    name_key: Mapped[str | None] = mapped_column(Text)  # as stations.name_key
    brand: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32), server_default=text("'other'"))
    # NULL when the file does not say: unknown is not zero.
    riders: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[Any] = mapped_column(
        Geometry("POINT", srid=4326, nullable=False, spatial_index=False)
    )
    source_crs: Mapped[str] = mapped_column(Text, server_default=text("'wgs84'"))
    source_x: Mapped[float | None] = mapped_column(Double)
    source_y: Mapped[float | None] = mapped_column(Double)
    district_adcode: Mapped[str | None] = mapped_column(String(32), index=True)
    community_adcode: Mapped[str | None] = mapped_column(String(32), index=True)
    h3_r9: Mapped[str | None] = mapped_column(String(16), index=True)
    synthetic: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # The file's columns that feed no field, {header: value}: nothing given is dropped.
    extra: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("load_batches.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class Liaison(Base):
    """A community or police liaison; name and phone are personal information."""

    __tablename__ = "liaisons"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        CheckConstraint(one_of("role", vocab.LIAISON_ROLES), name="role"),
        CheckConstraint(one_of("base_source", vocab.LIAISON_BASE_SOURCES), name="base_source"),
        CheckConstraint("active OR deactivated_at IS NOT NULL", name="deactivated_at"),
        Index("ix_liaisons_geom", "geom", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    external_id: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    organization: Mapped[str | None] = mapped_column(Text)
    scope_adcode: Mapped[str | None] = mapped_column(String(32), index=True)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    # Set by the warmmap_liaison_active() trigger of migration 0005 whenever active turns false
    # (by the API or by a load), cleared when it turns true again.
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Where the liaison works from (the police station, the community office): the point given,
    # or the scope area's representative point (ST_PointOnSurface); base_source says which.
    geom: Mapped[Any | None] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=False), nullable=True
    )
    base_source: Mapped[str | None] = mapped_column(String(16))
    source_crs: Mapped[str | None] = mapped_column(Text)
    source_x: Mapped[float | None] = mapped_column(Double)
    source_y: Mapped[float | None] = mapped_column(Double)
    synthetic: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # The file's columns that feed no field, {header: value}: nothing given is dropped.
    extra: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("load_batches.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class OutletLiaison(Base):
    """One assignment of a liaison to an outlet; ended assignments are kept as history."""

    __tablename__ = "outlet_liaisons"
    __table_args__ = (
        CheckConstraint(one_of("role", vocab.LIAISON_ROLES), name="role"),
        CheckConstraint(one_of("method", vocab.ASSIGNMENT_METHODS), name="method"),
        CheckConstraint(
            "ended_reason IS NULL OR " + one_of("ended_reason", vocab.ASSIGNMENT_END_REASONS),
            name="ended_reason",
        ),
        CheckConstraint("ended_at IS NULL OR ended_at >= assigned_at", name="ended_after_assigned"),
        # An outlet has at most one current liaison per role.
        Index(
            "uq_outlet_liaisons_current",
            "outlet_id",
            "role",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id", ondelete="CASCADE"), index=True)
    liaison_id: Mapped[int] = mapped_column(
        ForeignKey("liaisons.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    assigned_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    assigned_by: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(16), server_default=text("'manual'"))
    ended_by: Mapped[str | None] = mapped_column(Text)
    ended_reason: Mapped[str | None] = mapped_column(String(32))


class CoverageCell(Base):
    """An H3 cell of a city with its demand and the distance to the nearest open station."""

    __tablename__ = "coverage_cells"
    __table_args__ = (
        CheckConstraint("res BETWEEN 0 AND 15", name="res"),
        # The gaps map layer reads only cells with riders, a few per cent of them; no query
        # reads all cells by place, so they have no GiST of their own (migration 0014).
        Index(
            "ix_coverage_cells_demand_geom",
            "geom",
            postgresql_using="gist",
            postgresql_where=text("riders > 0"),
        ),
    )

    city_adcode: Mapped[str] = mapped_column(String(32), primary_key=True)
    res: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    h3: Mapped[str] = mapped_column(String(16), primary_key=True)
    geom: Mapped[Any] = mapped_column(
        Geometry("POLYGON", srid=4326, nullable=False, spatial_index=False)
    )
    outlets: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    riders: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    nearest_station_id: Mapped[int | None] = mapped_column(
        ForeignKey("stations.id", ondelete="SET NULL")
    )
    nearest_station_m: Mapped[float | None] = mapped_column(Double)
    refreshed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class ApiKey(Base):
    """An API key, stored as a hash; the key itself is shown once at creation."""

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint(one_of("role", vocab.API_ROLES), name="role"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    key_prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(128), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    scope_adcodes: Mapped[list[str]] = mapped_column(
        ARRAY(Text), server_default=text("'{}'::text[]")
    )
    created_at: Mapped[datetime] = created_at()
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DataChange(Base):
    """A change of a layer in one district: which rows' extent, when (kept by triggers).

    Appended by the ``warmmap_log_changes`` statement triggers of migration 0004; read by the
    coverage answers (is a city's refresh stale?) and by map layers (which tiles to drop).
    """

    __tablename__ = "data_changes"
    __table_args__ = (Index("ix_data_changes_extent", "extent", postgresql_using="gist"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    layer: Mapped[str] = mapped_column(Text)
    # The district's adcode, or '' for rows outside every known district.
    area: Mapped[str] = mapped_column(Text)
    extent: Mapped[Any | None] = mapped_column(
        Geometry(srid=4326, spatial_index=False), nullable=True
    )
    rows: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("clock_timestamp()"), index=True
    )
    # The writing transaction's id (xid8 as a number): a reader holding a snapshot finds the
    # changes committed after it, in any commit order (tiles/changes.py, migration 0007).
    xid: Mapped[int] = mapped_column(
        BigInteger, server_default=text("(pg_current_xact_id())::text::bigint"), index=True
    )


class CommunityCoverage(Base):
    """A community's outlets and riders, and those within ``threshold_m`` of an open station.

    Figures of the ``communities`` map layer, computed on demand per threshold and brought up
    to date from ``data_changes`` (``tiles/coverage.py``); derived, never edited.
    """

    __tablename__ = "community_coverage"

    threshold_m: Mapped[float] = mapped_column(Double, primary_key=True)
    adcode: Mapped[str] = mapped_column(
        ForeignKey("admin_areas.adcode", ondelete="CASCADE"), primary_key=True
    )
    outlets: Mapped[int] = mapped_column(Integer)
    covered_outlets: Mapped[int] = mapped_column(Integer)
    riders: Mapped[int] = mapped_column(Integer)
    covered_riders: Mapped[int] = mapped_column(Integer)


class CommunityCoverageState(Base):
    """For one threshold: the snapshot its ``community_coverage`` rows are up to date with."""

    __tablename__ = "community_coverage_state"

    threshold_m: Mapped[float] = mapped_column(Double, primary_key=True)
    # A pg_snapshot as text: changes whose transaction it does not see are not counted yet.
    snapshot: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
    refreshed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class AuditLog(Base):
    """Who did what to which entity, and when; every write and every reveal lands here."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    entity: Mapped[str] = mapped_column(Text)
    entity_id: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))


# Riders' cases (随手拍, DESIGN.md §2). Workers' station reports are cases of the station
# categories (migration 0008 moved the rows of the former station_reports table here).
OPEN_CASE_STATUSES = ("reported", "accepted", "dispatched")


class Case(Base):
    """A rider's report of a problem at a place, routed to whoever handles it there."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(one_of("category", vocab.CASE_CATEGORIES), name="category"),
        CheckConstraint(one_of("status", vocab.CASE_STATUSES), name="status"),
        CheckConstraint(one_of("routed_role", vocab.CASE_ROLES), name="routed_role"),
        CheckConstraint(one_of("channel", vocab.CASE_CHANNELS), name="channel"),
        CheckConstraint("(status = 'duplicate') = (duplicate_of IS NOT NULL)", name="duplicate"),
        Index("ix_cases_geom", "geom", postgresql_using="gist"),
        geography_index("cases"),
        # The rate limit counts a client's cases of the last hour.
        Index("ix_cases_client_created", "client_hash", "created_at"),
        # Overdue is "open and past due": only open cases are in this index.
        Index(
            "ix_cases_due_open",
            "due_at",
            postgresql_where=text(f"{one_of('status', OPEN_CASE_STATUSES)}"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # SHA-256 of the reporter's token (256 random bits, shown once); NULL for rows moved from
    # the former station_reports, whose reporters never got one.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Who earns the points: the token hash of the reporter's first case (tokens link cases).
    reporter_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # A salted hash of the client address (or of the API key), for rate limits only.
    client_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16), server_default=text("'api'"))
    category: Mapped[str] = mapped_column(String(32), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[Any] = mapped_column(
        Geometry("POINT", srid=4326, nullable=False, spatial_index=False)
    )
    source_crs: Mapped[str] = mapped_column(Text, server_default=text("'wgs84'"))
    source_x: Mapped[float | None] = mapped_column(Double)
    source_y: Mapped[float | None] = mapped_column(Double)
    district_adcode: Mapped[str | None] = mapped_column(String(32), index=True)
    street_adcode: Mapped[str | None] = mapped_column(String(32), index=True)
    community_adcode: Mapped[str | None] = mapped_column(String(32), index=True)
    # The responsible unit: the community, or the street or district it fell back to.
    routed_adcode: Mapped[str] = mapped_column(String(32), index=True)
    routed_role: Mapped[str] = mapped_column(String(32))
    liaison_id: Mapped[int | None] = mapped_column(
        ForeignKey("liaisons.id", ondelete="SET NULL"), index=True
    )
    station_id: Mapped[int | None] = mapped_column(
        ForeignKey("stations.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), server_default=text("'reported'"), index=True)
    duplicate_of: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    synthetic: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class CaseEvent(Base):
    """One move of a case along its lifecycle: who, from, to, why, when."""

    __tablename__ = "case_events"
    __table_args__ = (
        CheckConstraint(
            f"from_status IS NULL OR {one_of('from_status', vocab.CASE_STATUSES)}",
            name="from_status",
        ),
        CheckConstraint(one_of("to_status", vocab.CASE_STATUSES), name="to_status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("clock_timestamp()")
    )
    # "reporter", "system" or the audit log's name of an API key
    actor: Mapped[str] = mapped_column(Text)
    actor_role: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class CasePhoto(Base):
    """A photo of a case: checked, re-encoded without EXIF, kept in the database with the case."""

    __tablename__ = "case_photos"
    __table_args__ = (
        CheckConstraint(
            one_of("media_type", ("image/jpeg", "image/png", "image/webp")), name="media_type"
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    media_type: Mapped[str] = mapped_column(String(16))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at()


class CaseRoute(Base):
    """Who handles a category in an area, and within how many hours ('' is everywhere)."""

    __tablename__ = "case_routes"
    __table_args__ = (
        CheckConstraint(one_of("category", vocab.CASE_CATEGORIES), name="category"),
        CheckConstraint(one_of("role", vocab.CASE_ROLES), name="role"),
        CheckConstraint("hours > 0", name="hours"),
    )

    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    area_adcode: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(32))
    hours: Mapped[int] = mapped_column(Integer)


class RiderPoint(Base):
    """The points ledger (积分): one row per case and reason, so awarding twice is a no-op."""

    __tablename__ = "rider_points"
    __table_args__ = (UniqueConstraint("case_id", "reason"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    reporter_hash: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(32))
    points: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at()
