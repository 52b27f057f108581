"""The set-based upsert from the staging table into the target table of each kind.

One statement per batch inserts new rows and updates only the rows whose values changed
(``IS DISTINCT FROM``), so reloading a file leaves every row, and its ``updated_at``, as it was.
Derived columns are computed here in SQL: points from lon/lat, district and community by point in
polygon. Every identifier comes from ``etl.staging.COLUMNS`` or this module.
"""

from sqlalchemy import Connection, text

from etl.staging import CHANGED_AREAS, COLUMNS, STAGING_TABLE, Column

TARGETS = {"stations": "stations", "outlets": "outlets", "liaisons": "liaisons"}
POINT_KINDS = ("stations", "outlets")
DERIVED_LEVELS = {"district_adcode": "district", "community_adcode": "community"}


def area_lookup(level: str, point: str) -> str:
    """Return a scalar subquery: the adcode of the ``level`` area containing ``point``.

    Where areas overlap (they should not), the smallest adcode wins, so reruns agree.
    """
    return (
        f"(SELECT a.adcode FROM admin_areas a WHERE a.level = '{level}' "
        f"AND ST_Intersects(a.geom, {point}) ORDER BY a.adcode LIMIT 1)"
    )


def _value(column: Column) -> str:
    if column.default_sql is None:
        return f"s.{column.name}"
    return f"COALESCE(s.{column.name}, {column.default_sql})"


def _upsert(table: str, conflict: str, values: dict[str, str], from_sql: str) -> str:
    """Return the INSERT ... ON CONFLICT statement that counts inserted and updated rows.

    ``values`` maps each target column to its expression over the staged row ``s``.
    """
    keys = {c.strip() for c in conflict.split(",")}
    data = [c for c in values if c not in keys]
    columns = ", ".join([*values, "source", "batch_id"])
    select = ", ".join([*values.values(), ":source", ":batch_id"])
    assignments = ", ".join(f"{c} = excluded.{c}" for c in [*data, "source", "batch_id"])
    changed = (
        f"({', '.join(f't.{c}' for c in data)}) "
        f"IS DISTINCT FROM ({', '.join(f'excluded.{c}' for c in data)})"
    )
    return (
        f"INSERT INTO {table} AS t ({columns}) SELECT {select} FROM {from_sql} "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {assignments} WHERE {changed} "
        "RETURNING t.*, (t.xmax = 0) AS inserted"
    )


def record_upsert_sql(kind: str) -> str:
    """Return the counting upsert of stations, outlets or liaisons from the staging table."""
    values = {c.name: _value(c) for c in COLUMNS[kind] if c.name not in ("lon", "lat")}
    from_sql = f"{STAGING_TABLE} s"
    if kind in POINT_KINDS:
        values["geom"] = "s.geom"
        for column, level in DERIVED_LEVELS.items():
            values[column] = area_lookup(level, "s.geom")
        from_sql = (
            f"(SELECT *, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS geom FROM {STAGING_TABLE}) s"
        )
    upsert = _upsert(TARGETS[kind], "source, external_id", values, from_sql)
    return (
        f"WITH upserted AS ({upsert}) SELECT count(*) FILTER (WHERE inserted), "
        "count(*) FILTER (WHERE NOT inserted) FROM upserted"
    )


def boundary_upsert_sql() -> str:
    """Return the counting upsert of admin areas, which also notes the areas that changed.

    The old geometry of each changed area is read in the same statement's snapshot, before the
    upsert overwrites it: points that left an area need new adcodes as much as those that entered.
    """
    values = {c.name: f"s.{c.name}" for c in COLUMNS["boundaries"] if c.name != "geom_wkb"}
    values["synthetic"] = "COALESCE(s.synthetic, false)"
    values["geom"] = "s.geom"
    upsert = _upsert("admin_areas", "adcode", values, f"{STAGING_TABLE} s")
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


def upsert_records(
    connection: Connection, kind: str, *, source: str, batch_id: int
) -> tuple[int, int]:
    """Upsert the staged records of ``kind``; return (inserted, updated)."""
    sql = boundary_upsert_sql() if kind == "boundaries" else record_upsert_sql(kind)
    if kind == "boundaries":
        connection.exec_driver_sql(
            f"CREATE TEMP TABLE {CHANGED_AREAS} (adcode text, geom geometry) ON COMMIT DROP"
        )
    row = connection.execute(text(sql), {"source": source, "batch_id": batch_id}).one()
    return int(row[0]), int(row[1])


def refresh_derived_adcodes(connection: Connection) -> int:
    """Recompute district and community adcodes of the points inside areas that changed.

    Only points that touch a changed area (as it was or as it is now) are looked at, and only
    those whose adcodes differ are written. Returns the number of points updated.
    """
    updated = 0
    for table in POINT_KINDS:
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
