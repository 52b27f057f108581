"""The set-based upsert from the staging table into the target table of each kind.

One statement per batch inserts new rows and updates only the rows whose values changed
(``IS DISTINCT FROM``), so reloading a file leaves every row, and its ``updated_at``, as it was.
Derived columns are computed here in SQL: points from lon/lat, district and community by point in
polygon. Every identifier comes from ``etl.write.staging`` (the models' columns) or this module.
"""

from collections.abc import Callable

from sqlalchemy import Connection, text

from etl.write.bulk import indexes_rebuilt_after, is_bulk
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


def _value(column: Column) -> str:
    if column.default_sql is None:
        return f"s.{column.name}"
    return f"COALESCE(s.{column.name}, {column.default_sql})"


def _tuple(alias: str, columns: list[str]) -> str:
    return "(" + ", ".join(f"{alias}.{c}" for c in columns) + ")"


def _upsert(
    table: str, keys: list[str], values: dict[str, str], from_sql: str, returning: str
) -> str:
    """Return the INSERT ... ON CONFLICT statement of a batch.

    ``values`` maps each target column to its expression over the staged row ``s``. Rows equal
    to what is stored are filtered out before the insert: ON CONFLICT would otherwise lock, and
    so write, every one of them. The conflict clause checks again, for rows changed meanwhile.
    """
    data = [c for c in values if c not in keys]
    columns = [*values, "source", "batch_id"]
    select = ", ".join([*values.values(), "CAST(:source AS text)", "CAST(:batch_id AS bigint)"])
    same_key = " AND ".join(f"o.{k} = v.{k}" for k in keys)
    assignments = ", ".join(f"{c} = excluded.{c}" for c in [*data, "source", "batch_id"])
    return (
        f"INSERT INTO {table} AS t ({', '.join(columns)}) "
        f"SELECT * FROM (SELECT {select} FROM {from_sql}) v ({', '.join(columns)}) "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} o WHERE {same_key} "
        f"AND {_tuple('o', data)} IS NOT DISTINCT FROM {_tuple('v', data)}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {assignments} "
        f"WHERE {_tuple('t', data)} IS DISTINCT FROM {_tuple('excluded', data)} "
        f"RETURNING {returning}, (t.xmax = 0) AS inserted"
    )


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


ALL_LEVELS = frozenset(DERIVED_LEVELS.values())


def _record_values(kind: str, levels: frozenset[str]) -> tuple[dict[str, str], str]:
    """Return the target columns of a record kind with their expressions, and their FROM.

    ``levels`` are the admin levels that have areas; for the others the lookup is NULL.
    """
    values = {c.name: _value(c) for c in LOADED[kind]}
    from_sql = f"{STAGING_TABLE} s"
    if kind in POINT_KINDS:
        values["geom"] = "s.geom"
        for column, level in DERIVED_LEVELS.items():
            values[column] = area_lookup(level, "s.geom") if level in levels else "NULL"
        from_sql = (
            f"(SELECT *, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS geom FROM {STAGING_TABLE}) s"
        )
    if kind == "liaisons":
        values |= LIAISON_BASE
    return values, from_sql


def record_insert_sql(kind: str, levels: frozenset[str] = ALL_LEVELS) -> str:
    """Return a plain insert of every staged record, for a batch whose keys are all new."""
    values, from_sql = _record_values(kind, levels)
    columns = ", ".join([*values, "source", "batch_id"])
    select = ", ".join([*values.values(), "CAST(:source AS text)", "CAST(:batch_id AS bigint)"])
    return f"INSERT INTO {TABLES[kind][0]} ({columns}) SELECT {select} FROM {from_sql}"


def record_upsert_sql(kind: str, levels: frozenset[str] = ALL_LEVELS) -> str:
    """Return the counting upsert of stations, outlets or liaisons from the staging table."""
    values, from_sql = _record_values(kind, levels)
    table, keys = TABLES[kind]
    upsert = _upsert(table, keys, values, from_sql, "t.id")
    return (
        f"WITH upserted AS ({upsert}) SELECT count(*) FILTER (WHERE inserted), "
        "count(*) FILTER (WHERE NOT inserted) FROM upserted"
    )


def boundary_upsert_sql() -> str:
    """Return the counting upsert of admin areas, which also notes the areas that changed.

    The old geometry of each changed area is read in the same statement's snapshot, before the
    upsert overwrites it: points that left an area need new adcodes as much as those that entered.
    """
    values = {c.name: _value(c) for c in LOADED["boundaries"]}
    values["geom"] = "s.geom"
    upsert = _upsert(
        "admin_areas", ["adcode"], values, f"{STAGING_TABLE} s", "t.adcode, t.level, t.geom"
    )
    levels = ", ".join(f"'{level}'" for level in DERIVED_LEVELS.values())
    return (
        f"WITH old AS (SELECT a.adcode, a.level, a.geom FROM admin_areas a "
        f"JOIN {STAGING_TABLE} s USING (adcode)), upserted AS ({upsert}), "
        f"noted AS (INSERT INTO {CHANGED_AREAS} (adcode, geom) "
        f"SELECT adcode, geom FROM upserted WHERE level IN ({levels}) UNION ALL "
        "SELECT o.adcode, o.geom FROM old o JOIN upserted u USING (adcode) "
        f"WHERE o.level IN ({levels}) RETURNING 1) "
        "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) "
        "FROM upserted"
    )


def _prepare(connection: Connection, kind: str) -> frozenset[str]:
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
    *,
    source: str,
    batch_id: int,
    on_stage: Callable[[str], None] = lambda stage: None,
) -> tuple[int, int]:
    """Upsert the staged records of ``kind``; return (inserted, updated).

    ``on_stage`` hears of stages within the upsert (an index rebuild), for the progress display.
    """
    levels = _prepare(connection, kind)
    table = TABLES[kind][0]
    params = {"source": source, "batch_id": batch_id}
    staged = connection.exec_driver_sql(f"SELECT count(*) FROM {STAGING_TABLE}").scalar_one()
    new_rows = connection.execute(text(new_rows_sql(kind)), {"source": source}).scalar_one()
    bulk = is_bulk(connection, table, new_rows)
    # A big batch of nothing but new keys needs no conflict handling: a plain insert, with the
    # unique key rebuilt after it (which also proves the keys unique), takes half the time.
    all_new = bulk and new_rows == staged and kind != "boundaries"
    with indexes_rebuilt_after(connection, table, bulk, on_stage, keep_unique=not all_new):
        if all_new:
            inserted = connection.execute(text(record_insert_sql(kind, levels)), params).rowcount
            return int(inserted), 0
        sql = boundary_upsert_sql() if kind == "boundaries" else record_upsert_sql(kind, levels)
        row = connection.execute(text(sql), params).one()
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
