"""The set-based upsert from the staging table into the target table of each kind.

One statement per batch inserts new rows and updates only the rows whose values changed
(``IS DISTINCT FROM``), so reloading a file leaves every row, and its ``updated_at``, as it was.
Only the fields the file speaks for are written to stored rows: a column absent from the file
leaves stored values alone (new rows take the defaults), and a field changed through the API
(``stations.edited_fields``) keeps its value unless the load overwrites edits. Columns that feed no
field merge into ``extra``. Derived columns are computed here in SQL: points from lon/lat, district
and community by point in polygon. Every identifier comes from ``etl.write.staging`` (the
models' columns) or this module.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Connection, text

from etl.write.boundaries import boundary_upsert_sql
from etl.write.bulk import indexes_rebuilt_after, is_first_bulk
from etl.write.staging import CHANGED_AREAS, LOADED, STAGING_TABLE, Column
from geo_api.areas import area_lookup

# The target table of each kind and the key its rows are upserted on.
TABLES = {
    "stations": ("stations", ["source", "external_id"]),
    "outlets": ("outlets", ["source", "external_id"]),
    "liaisons": ("liaisons", ["source", "external_id"]),
    "boundaries": ("admin_areas", ["adcode"]),
}
POINT_KINDS = ("stations", "outlets")
# A liaison's base: the point given, else the representative point of their scope area.
_SCOPE_POINT = (
    "(SELECT ST_PointOnSurface(a.geom) FROM admin_areas a WHERE a.adcode = s.scope_adcode)"
)
LIAISON_BASE = {
    "geom": f"COALESCE(ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326), {_SCOPE_POINT})",
    "base_source": "CASE WHEN s.lon IS NOT NULL THEN 'given' "
    f"WHEN {_SCOPE_POINT} IS NOT NULL THEN 'scope_centre' END",
}
DERIVED_LEVELS = {"district_adcode": "district", "community_adcode": "community"}
ALL_LEVELS = frozenset(DERIVED_LEVELS.values())
_POSITION: Final = ("source_crs", "source_x", "source_y", "geom", "h3_r9", *DERIVED_LEVELS)
# The field of each stored column: what a file's column (or its absence) speaks for.
FIELD_OF: Final[dict[str, dict[str, str]]] = {
    "stations": {
        "name": "name", "name_key": "name", "kind": "kind", "address": "address",
        "phone": "phone", "amenities": "amenities", "amenities_unknown": "amenities",
        "hours_text": "hours", "hours": "hours", "hours_unparsed": "hours", "is_24h": "hours",
        "access": "access", "capacity": "capacity", "area_m2": "area_m2", "status": "status",
        "last_verified_at": "last_verified_at", "synthetic": "synthetic", "extra": "extra",
        **dict.fromkeys(_POSITION, "position"),
    },
    "outlets": {
        "name": "name", "name_key": "name", "brand": "brand", "kind": "kind",
        "riders": "riders",
        "address": "address", "synthetic": "synthetic", "extra": "extra",
        **dict.fromkeys(_POSITION, "position"),
    },
    "liaisons": {
        "name": "name", "phone": "phone", "role": "role", "organization": "organization",
        "scope_adcode": "scope_adcode", "active": "active", "synthetic": "synthetic",
        "extra": "extra",
        # The base: the point given, else the scope's centre, recomputed by every load.
        **dict.fromkeys(("source_crs", "source_x", "source_y", "geom", "base_source"), "position"),
    },
    "boundaries": {"name": "name", "level": "level", "parent_adcode": "parent_adcode",
                   "synthetic": "synthetic", "extra": "extra", "geom": "geometry"},
}  # fmt: skip
# Fields the API changes (PATCH /stations), kept by a load unless it overwrites edits.
EDITABLE: Final[dict[str, frozenset[str]]] = {
    "stations": frozenset({"name", "kind", "address", "phone", "amenities", "hours", "access",
                           "capacity", "area_m2", "status", "last_verified_at", "position"}),
}  # fmt: skip
# The columns that say whether a field's value differs (position: as the file gave it).
COMPARED: Final = {
    "amenities": ("amenities", "amenities_unknown"),
    "hours": ("hours_text",),
    "position": ("source_crs", "source_x", "source_y"),
}


@dataclass(frozen=True)
class Load:
    """What the upsert of a batch needs to know beyond the staged rows."""

    source: str
    batch_id: int
    given: Mapping[str, str] | None = None
    extra_columns: tuple[str, ...] = ()
    overwrite_edits: bool = False

    def mode(self, kind: str, column: str) -> str | None:
        """``file``, ``where_given`` or None (absent) for the field of ``column``."""
        field = FIELD_OF[kind].get(column)
        if field is None or self.given is None:
            return "file"
        return self.given.get(field)

    @property
    def params(self) -> dict[str, object]:
        """The bind parameters of the statements."""
        return {
            "source": self.source,
            "batch_id": self.batch_id,
            "extra_columns": list(self.extra_columns),
            "overwrite": self.overwrite_edits,
        }


def _value(column: Column) -> str:
    if column.default_sql is None:
        return f"s.{column.name}"
    return f"COALESCE(s.{column.name}, {column.default_sql})"


def base_values(kind: str, levels: frozenset[str]) -> dict[str, str]:
    """Return the value of each target column for a new row, over the staged row ``s``."""
    values = {c.name: _value(c) for c in LOADED[kind]}
    if kind in (*POINT_KINDS, "boundaries"):
        values["geom"] = "s.geom"
    if kind in POINT_KINDS:
        for column, level in DERIVED_LEVELS.items():
            values[column] = area_lookup(level, "s.geom") if level in levels else "NULL"
    if kind == "liaisons":
        values |= LIAISON_BASE
    return values


def from_staging(kind: str) -> str:
    """Return the staged rows as ``s``, with their point for point kinds."""
    if kind in POINT_KINDS:
        return (
            f"(SELECT *, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS geom FROM {STAGING_TABLE}) s"
        )
    return f"{STAGING_TABLE} s"


def field_tuple(kind: str, field: str, alias: str, levels: frozenset[str]) -> str:
    """Return the columns that tell whether ``field`` differs, over ``alias`` (``o`` or ``s``)."""
    columns = COMPARED.get(field, (field,))
    if alias == "s":
        values = base_values(kind, levels)
        return "(" + ", ".join(values[c] for c in columns) + ")"
    return "(" + ", ".join(f"{alias}.{c}" for c in columns) + ")"


def _effective(kind: str, load: Load, levels: frozenset[str]) -> tuple[dict[str, str], list[str]]:
    """Return each target column's value over ``s`` and the stored ``o``, and those compared."""
    editable = EDITABLE.get(kind, frozenset())
    values = {}
    compared = []
    for column, base in base_values(kind, levels).items():
        mode = load.mode(kind, column)
        field = FIELD_OF[kind].get(column)
        value = base
        if column == "extra" and mode is not None:
            value = (
                "CASE WHEN o.id IS NULL THEN COALESCE(s.extra, '{}'::jsonb) ELSE "
                "(o.extra - CAST(:extra_columns AS text[])) || COALESCE(s.extra, '{}'::jsonb) END"
            )
        elif mode == "where_given":
            value = (
                f"CASE WHEN s.{column} IS NOT NULL OR o.id IS NULL THEN {base} ELSE o.{column} END"
            )
        if field in editable and mode is not None:
            value = (
                f"CASE WHEN o.edited_fields ? '{field}' AND NOT CAST(:overwrite AS boolean) "
                f"THEN o.{column} ELSE {value} END"
            )
        values[column] = value
        if mode is not None and column != "external_id":
            compared.append(column)
    if editable:
        values["edited_fields"] = _edits(kind, load, levels, editable)
        compared.append("edited_fields")
    return values, compared


def _edits(kind: str, load: Load, levels: frozenset[str], editable: frozenset[str]) -> str:
    """Return the edit marks kept: one goes when the file agrees with the edit, or overwrites it."""
    given = sorted(f for f in editable if load.given is None or f in load.given)
    clears = ", ".join(
        f"CASE WHEN CAST(:overwrite AS boolean) OR {field_tuple(kind, f, 'o', levels)} "
        f"IS NOT DISTINCT FROM {field_tuple(kind, f, 's', levels)} THEN '{f}' END"
        for f in given
    )
    cleared = f" - ARRAY[{clears}]::text[]" if clears else ""
    return f"CASE WHEN o.id IS NULL THEN '{{}}'::jsonb ELSE o.edited_fields{cleared} END"


def new_rows_sql(kind: str) -> str:
    """Return the query counting staged rows whose key is not in the target table yet."""
    table, keys = TABLES[kind]
    same_key = " AND ".join(
        "o.source = :source" if k == "source" else f"o.{k} = s.{k}" for k in keys
    )
    return (
        f"SELECT count(*) FROM {STAGING_TABLE} s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} o WHERE {same_key})"
    )


def record_insert_sql(kind: str, levels: frozenset[str] = ALL_LEVELS) -> str:
    """Return a plain insert of every staged record, for a batch whose keys are all new."""
    values = base_values(kind, levels)
    columns = ", ".join([*values, "source", "batch_id"])
    select = ", ".join([*values.values(), "CAST(:source AS text)", "CAST(:batch_id AS bigint)"])
    return f"INSERT INTO {TABLES[kind][0]} ({columns}) SELECT {select} FROM {from_staging(kind)}"


def record_upsert_sql(kind: str, load: Load, levels: frozenset[str] = ALL_LEVELS) -> str:
    """Return the counting upsert of stations, outlets or liaisons from the staging table.

    The staged rows are joined with the stored ones (``o``) once: a value's effective form may
    depend on the stored row (an edit kept, a kind not given), and rows equal to what is stored
    are filtered out before the insert, since ON CONFLICT would otherwise lock, and so write,
    every one of them. The conflict clause checks again, for rows changed meanwhile.
    """
    table, _ = TABLES[kind]
    values, compared = _effective(kind, load, levels)
    columns = list(values)
    olds = ", ".join(f"o.{c} AS o_{c}" for c in compared)
    select = ", ".join(f"{value} AS {column}" for column, value in values.items())
    changed = (
        f"({', '.join(f'v.o_{c}' for c in compared)}) IS DISTINCT FROM "
        f"({', '.join(f'v.{c}' for c in compared)})"
    )
    assignments = ", ".join(f"{c} = excluded.{c}" for c in [*compared, "batch_id"])
    return (
        f"WITH v AS (SELECT o.id AS old_id, {select}, {olds} FROM {from_staging(kind)} "
        f"LEFT JOIN {table} o ON o.source = CAST(:source AS text) "
        "AND o.external_id = s.external_id), "
        f"upserted AS (INSERT INTO {table} AS t ({', '.join([*columns, 'source', 'batch_id'])}) "
        f"SELECT {', '.join(f'v.{c}' for c in columns)}, CAST(:source AS text), "
        f"CAST(:batch_id AS bigint) FROM v WHERE v.old_id IS NULL OR {changed} "
        f"ON CONFLICT (source, external_id) DO UPDATE SET {assignments} "
        f"WHERE ({', '.join(f't.{c}' for c in compared)}) IS DISTINCT FROM "
        f"({', '.join(f'excluded.{c}' for c in compared)}) "
        "RETURNING t.id, (t.xmax = 0) AS inserted) "
        "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) "
        "FROM upserted"
    )


def prepare(connection: Connection, kind: str) -> frozenset[str]:
    """Set the batch's session up for the upsert; return the admin levels that have areas."""
    # JIT compiling the wide upsert took longer than running it (8 s of 16 s for 200,000
    # rows), and the joins with the staged rows sort: give them memory instead of disk.
    connection.exec_driver_sql("SET LOCAL jit = off; SET LOCAL work_mem = '256MB'")
    # The planner knows nothing of a fresh temporary table until it is analysed.
    connection.exec_driver_sql(f"ANALYZE {STAGING_TABLE}")
    if kind == "boundaries":
        connection.exec_driver_sql(
            f"CREATE TEMP TABLE {CHANGED_AREAS} (adcode text, geom geometry) ON COMMIT DROP"
        )
    # A lookup per row costs even against an empty level: skip the levels without areas.
    present = connection.exec_driver_sql(
        "SELECT DISTINCT level FROM admin_areas WHERE level IN ('district', 'community')"
    ).scalars()
    return frozenset(present)


def upsert_records(
    connection: Connection,
    kind: str,
    load: Load,
    levels: frozenset[str],
    on_stage: Callable[[str], None] = lambda stage: None,
) -> tuple[int, int]:
    """Upsert the staged records of ``kind``; return (inserted, updated).

    ``levels`` are the admin levels with areas (``prepare``); ``on_stage`` hears of stages
    within the upsert (an index rebuild), for the progress display. The indexes and keys of a
    table that holds rows stay in place, however big the batch: dropping one would lock the
    table against every reader until the batch commits, where inserting and updating lock only
    the rows written, and readers keep seeing the table as it was. Only the first big batch of
    an empty table builds them after its rows (``etl.write.bulk``).
    """
    table = TABLES[kind][0]
    staged = connection.exec_driver_sql(f"SELECT count(*) FROM {STAGING_TABLE}").scalar_one()
    new_rows = connection.execute(text(new_rows_sql(kind)), {"source": load.source}).scalar_one()
    first = kind != "boundaries" and is_first_bulk(connection, table, new_rows)
    # A batch of nothing but new keys needs no join with the stored rows nor conflict handling:
    # a plain insert, the unique key checking the keys are new (or, rebuilt after it, unique).
    with indexes_rebuilt_after(connection, table, first, on_stage, keep_unique=not first):
        if new_rows == staged and kind != "boundaries":
            sql = record_insert_sql(kind, levels)
            inserted = connection.execute(text(sql), load.params).rowcount
            return int(inserted), 0
        if kind == "boundaries":
            sql = boundary_upsert_sql(load, base_values("boundaries", ALL_LEVELS))
        else:
            sql = record_upsert_sql(kind, load, levels)
        row = connection.execute(text(sql), load.params).one()
    return int(row[0]), int(row[1])


def refresh_derived_adcodes(connection: Connection) -> int:
    """Recompute district and community adcodes of the points inside areas that changed.

    Only points that touch a changed area (as it was or as it is now) are looked at, and only
    those whose adcodes differ are written. Returns the number of points updated.
    """
    updated = 0
    for kind in POINT_KINDS:
        table = TABLES[kind][0]
        lookups = ", ".join(
            f"{area_lookup(level, 'p.geom')} AS {column}"
            for column, level in DERIVED_LEVELS.items()
        )
        sql = (
            f"UPDATE {table} AS t SET district_adcode = n.district_adcode, "
            "community_adcode = n.community_adcode "
            f"FROM (SELECT p.id, {lookups} FROM {table} p WHERE EXISTS ("
            f"SELECT 1 FROM {CHANGED_AREAS} ch WHERE ST_Intersects(p.geom, ch.geom))) n "
            "WHERE t.id = n.id AND (t.district_adcode, t.community_adcode) "
            "IS DISTINCT FROM (n.district_adcode, n.community_adcode)"
        )
        updated += connection.exec_driver_sql(sql).rowcount
    return updated


def analyze_target(connection: Connection, kind: str) -> None:
    """Refresh the planner's statistics of the table ``kind`` loads into."""
    connection.execute(text(f"ANALYZE {TABLES[kind][0]}"))
