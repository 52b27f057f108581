"""Boundaries in staging: repair invalid polygons in PostGIS, reject what cannot be stored."""

from sqlalchemy import Connection, text

from etl.write.staging import STAGING_TABLE

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
