"""Boundaries in staging: repair invalid polygons in PostGIS, reject what cannot be stored."""

from typing import TYPE_CHECKING

from sqlalchemy import Connection, text

from etl.write.staging import CHANGED_AREAS, STAGING_TABLE

if TYPE_CHECKING:
    from etl.write.upsert import Load

# The levels whose areas give points their adcodes (etl.write.upsert.DERIVED_LEVELS).
_POINT_LEVELS = ("district", "community")

# What a rejected boundary looked like, for rejected_rows.raw (the geometry as WKT).
RAW_BOUNDARY = (
    "jsonb_build_object('adcode', adcode, 'name', name, 'level', level, "
    "'parent_adcode', parent_adcode, 'geometry', ST_AsText(ST_GeomFromWKB(geom_wkb, 4326)))"
)

REPAIR_SQL = f"""
ALTER TABLE {STAGING_TABLE} ADD COLUMN geom geometry, ADD COLUMN repaired boolean;
UPDATE {STAGING_TABLE} SET repaired = NOT ST_IsValid(ST_GeomFromWKB(geom_wkb, 4326)),
    geom = CASE WHEN ST_IsValid(ST_GeomFromWKB(geom_wkb, 4326))
        THEN ST_Multi(ST_GeomFromWKB(geom_wkb, 4326))
        ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_GeomFromWKB(geom_wkb, 4326)), 3))
    END;
"""

# Rows that cannot be stored move from staging to rejected_rows, each with its reason (an SQL
# expression over the staged row): a polygon with no area left after repair, or a parent that
# neither exists nor comes in the same file.
REJECTIONS = (
    ("ST_IsEmpty(s.geom)", "'the polygon has no area left after repair (ST_MakeValid)'"),
    (
        "s.parent_adcode IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM admin_areas a WHERE a.adcode = s.parent_adcode) "
        f"AND NOT EXISTS (SELECT 1 FROM {STAGING_TABLE} p WHERE p.adcode = s.parent_adcode)",
        "'parent area ' || parent_adcode || ' is not loaded: load it first or leave it empty'",
    ),
)


def prepare_boundaries(connection: Connection, batch_id: int) -> tuple[int, int]:
    """Repair the staged polygons and reject the ones that cannot be stored.

    Invalid polygons go through ``ST_MakeValid``, keep their polygonal part and become
    MultiPolygons, like every valid one.

    Parameters
    ----------
    connection
        The batch's connection, with the boundaries staged.
    batch_id
        The batch the rejected rows belong to.

    Returns
    -------
    tuple of int
        (repaired, rejected): polygons repaired and kept, and rows rejected here.
    """
    connection.exec_driver_sql(REPAIR_SQL)
    rejected = 0
    for condition, reason in REJECTIONS:
        moved = connection.execute(
            text(
                f"WITH bad AS (DELETE FROM {STAGING_TABLE} s WHERE {condition} "
                f"RETURNING row_number, {RAW_BOUNDARY} AS raw, {reason} AS reason) "
                "INSERT INTO rejected_rows (batch_id, row_number, raw, reason) "
                "SELECT :batch_id, row_number, raw, reason FROM bad"
            ),
            {"batch_id": batch_id},
        )
        rejected += moved.rowcount
    repaired = connection.exec_driver_sql(
        f"SELECT count(*) FROM {STAGING_TABLE} WHERE repaired"
    ).scalar_one()
    return int(repaired), rejected


def boundary_upsert_sql(load: "Load", values: dict[str, str]) -> str:
    """Return the counting upsert of admin areas, which also notes the areas that changed.

    The old geometry of each changed area is read in the same statement's snapshot, before the
    upsert overwrites it: points that left an area need new adcodes as much as those that entered.
    ``values`` are the columns' values over the staged row ``s``; only the fields the file gives
    are written to stored areas.
    """
    given = [c for c in values if c != "adcode" and load.mode("boundaries", c) is not None]
    assign = {c: f"excluded.{c}" for c in given}
    if "extra" in assign:
        assign["extra"] = "(t.extra - CAST(:extra_columns AS text[])) || excluded.extra"
    columns = [*values, "source", "batch_id"]
    select = ", ".join([*values.values(), "CAST(:source AS text)", "CAST(:batch_id AS bigint)"])
    sets = ", ".join(
        [
            *(f"{c} = {e}" for c, e in assign.items()),
            "source = excluded.source",
            "batch_id = excluded.batch_id",
        ]
    )
    levels = ", ".join(f"'{level}'" for level in _POINT_LEVELS)
    stored = ", ".join(f"o.{c}" for c in given)
    staged = ", ".join(f"v.{c}" for c in given)
    return (
        f"WITH old AS (SELECT a.adcode, a.level, a.geom FROM admin_areas a "
        f"JOIN {STAGING_TABLE} s USING (adcode)), "
        f"upserted AS (INSERT INTO admin_areas AS t ({', '.join(columns)}) "
        f"SELECT * FROM (SELECT {select} FROM {STAGING_TABLE} s) v ({', '.join(columns)}) "
        f"WHERE NOT EXISTS (SELECT 1 FROM admin_areas o WHERE o.adcode = v.adcode "
        f"AND ({stored}) IS NOT DISTINCT FROM ({staged})) "
        f"ON CONFLICT (adcode) DO UPDATE SET {sets} "
        f"WHERE ({', '.join(f't.{c}' for c in given)}) IS DISTINCT FROM "
        f"({', '.join(assign.values())}) "
        "RETURNING t.adcode, t.level, t.geom, (t.xmax = 0) AS inserted), "
        f"noted AS (INSERT INTO {CHANGED_AREAS} (adcode, geom) "
        f"SELECT adcode, geom FROM upserted WHERE level IN ({levels}) UNION ALL "
        "SELECT o.adcode, o.geom FROM old o JOIN upserted u USING (adcode) "
        f"WHERE o.level IN ({levels}) RETURNING 1) "
        "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) "
        "FROM upserted"
    )
