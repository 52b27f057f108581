"""What a batch reports about records rather than cells, found in SQL against what is stored.

- **Edits kept**: a field changed through the API (``stations.edited_fields``) that the file
  would change again is kept (or, with ``--overwrite-edits``, overwritten), and flagged.
- **Near-duplicates**: a record of the same normalised name (``name_key``, see
  ``geo_api.vocab.names``) within 50 m on the spheroid, from any source or under another id, is
  named on the row's flag.
- **Replace**: with ``--mode replace``, open stations of the source that the file does not hold
  are suspended, each listed as a flag without a row number.
"""

import json
from typing import Final

from sqlalchemy import Connection, text

from etl.write.staging import STAGING_TABLE
from etl.write.upsert import EDITABLE, TABLES, Load, field_tuple, from_staging

NEAR_DUPLICATE_M: Final = 50.0
# How a field's value reads in a flag, over the stored row (o) or the staged one (s).
_SHOWN: Final = {
    "amenities": "array_to_string({a}.amenities || {a}.amenities_unknown, '、')",
    "hours": "{a}.hours_text",
    "position": "{a}.source_x || ',' || {a}.source_y",
}


def _shown(field: str, alias: str) -> str:
    return _SHOWN.get(field, "CAST({a}.{f} AS text)").format(a=alias, f=field)


def flag_kept_edits(
    connection: Connection, kind: str, load: Load, columns: dict[str, str], levels: frozenset[str]
) -> int:
    """Flag the staged rows that differ from a field changed through the API; return how many.

    ``columns`` names the file's column of each field, for the flag.
    """
    fields = sorted(f for f in EDITABLE.get(kind, ()) if load.given is None or f in load.given)
    if not fields:
        return 0
    code = "CASE WHEN CAST(:overwrite AS boolean) THEN 'edit_overwritten' ELSE 'edit_kept' END"
    selects = [
        f"SELECT s.row_number, s.external_id, '{f}' AS field, "
        f"CAST(:columns AS jsonb) ->> '{f}' AS column_name, to_jsonb({_shown(f, 's')}) AS value, "
        f"jsonb_build_object('field', '{f}', 'stored', {_shown(f, 'o')}, "
        f"'file', {_shown(f, 's')}, 'edited_at', o.edited_fields ->> '{f}') AS params "
        f"FROM {from_staging(kind)} JOIN {TABLES[kind][0]} o ON o.source = CAST(:source AS text) "
        f"AND o.external_id = s.external_id WHERE o.edited_fields ? '{f}' "
        f"AND {field_tuple(kind, f, 'o', levels)} IS DISTINCT FROM "
        f"{field_tuple(kind, f, 's', levels)}"
        for f in fields
    ]
    sql = (
        "INSERT INTO flagged_rows (batch_id, row_number, external_id, field, column_name, value, "
        f"reason_code, params) SELECT CAST(:batch_id AS bigint), row_number, external_id, field, "
        f"column_name, value, {code}, params FROM ({' UNION ALL '.join(selects)}) kept"
    )
    params = {**load.params, "columns": json.dumps(columns, ensure_ascii=False)}
    return int(connection.execute(text(sql), params).rowcount)


# A KNN probe of the geography index costs about as much as naming twenty stored rows: a batch
# that changed more than this share of its table is compared by name over the whole table.
PROBE_SHARE: Final = 1 / 16
_FLAG_NEAR = """
    INSERT INTO flagged_rows (batch_id, row_number, external_id, field, column_name, value,
                              reason_code, params)
    SELECT CAST(:batch_id AS bigint), s.row_number, s.external_id, 'name',
           CAST(:name_column AS text), to_jsonb(n.name), 'near_duplicate',
           jsonb_build_object('other_id', n.other_id, 'other_source', n.other_source,
                              'other_external_id', n.other_external_id,
                              'other_name', n.other_name,
                              'distance_m', round(n.distance_m::numeric, 1))
    FROM ({pairs}) n JOIN {staging} s ON s.external_id = n.external_id
"""
# Each changed row probes the geography index around itself (few rows changed).
_PROBED = """
    SELECT t.external_id, t.name, o.id AS other_id, o.source AS other_source,
           o.external_id AS other_external_id, o.name AS other_name, o.distance_m
    FROM {table} t CROSS JOIN LATERAL (
        SELECT o.id, o.source, o.external_id, o.name,
               ST_Distance(o.geom::geography, t.geom::geography, true) AS distance_m
        FROM {table} o
        WHERE ST_DWithin(o.geom::geography, t.geom::geography, :radius_m, true)
          AND o.id <> t.id AND o.name_key = t.name_key
        ORDER BY distance_m, o.id LIMIT 3) o
    WHERE t.source = CAST(:source AS text) AND t.batch_id = CAST(:batch_id AS bigint)
"""
# Only names that occur twice can have a near-duplicate: the stored keys are counted once (a hash
# aggregate of keys kept in the table, no name folded again) and only rows of repeated names are
# paired and looked at in space.
_JOINED = """
    WITH repeated AS MATERIALIZED (
        SELECT name_key FROM {table} GROUP BY name_key HAVING count(*) > 1),
    named AS MATERIALIZED (
        SELECT o.id, o.source, o.external_id, o.name, o.name_key, o.geom,
               (o.source = CAST(:source AS text) AND o.batch_id = CAST(:batch_id AS bigint))
                   AS changed
        FROM {table} o JOIN repeated r ON r.name_key = o.name_key)
    SELECT external_id, name, other_id, other_source, other_external_id, other_name, distance_m
    FROM (
        SELECT t.external_id, t.name, o.id AS other_id, o.source AS other_source,
               o.external_id AS other_external_id, o.name AS other_name, d.distance_m,
               row_number() OVER (PARTITION BY t.id ORDER BY d.distance_m, o.id) AS nearest
        FROM named t JOIN named o ON o.name_key = t.name_key AND o.id <> t.id
        CROSS JOIN LATERAL (
            SELECT ST_Distance(o.geom::geography, t.geom::geography, true) AS distance_m) d
        WHERE t.changed AND ST_DWithin(o.geom::geography, t.geom::geography, :radius_m, true)
    ) near
    WHERE nearest <= 3
"""


def flag_near_duplicates(
    connection: Connection,
    kind: str,
    load: Load,
    name_column: str | None,
    changed: int,
    probe: bool | None = None,
) -> int:
    """Flag rows of this batch with a same-named record within 50 m; return the flags added.

    Only rows the batch inserted or changed (``changed`` of them) are looked at: an unchanged
    row was looked at when it last changed. When few rows changed, each probes the geography
    index around itself; when many did, the stored name keys are joined, which is what a first
    load of a million rows needs. ``probe`` forces one way (for tests).
    """
    table = TABLES[kind][0]
    if probe is None:
        stored = connection.exec_driver_sql(
            f"SELECT reltuples FROM pg_class WHERE oid = '{table}'::regclass"
        ).scalar_one()
        probe = changed <= max(float(stored), changed) * PROBE_SHARE
    pairs = (_PROBED if probe else _JOINED).format(table=table)
    sql = _FLAG_NEAR.format(pairs=pairs, staging=STAGING_TABLE)
    params = {**load.params, "name_column": name_column, "radius_m": NEAR_DUPLICATE_M}
    return int(connection.execute(text(sql), params).rowcount)


def suspend_missing(connection: Connection, load: Load, kept: list[str]) -> int:
    """Suspend the source's open stations the file does not hold; return how many.

    ``kept`` are ids of rows the file holds but that were rejected: their stations stay as
    they are (the row is to be corrected, not the station closed).
    """
    sql = f"""
        WITH gone AS (
            UPDATE stations t SET status = 'suspended', batch_id = CAST(:batch_id AS bigint)
            WHERE t.source = CAST(:source AS text) AND t.status = 'open'
              AND NOT EXISTS (SELECT 1 FROM {STAGING_TABLE} s WHERE s.external_id = t.external_id)
              AND NOT (t.external_id = ANY(CAST(:kept AS text[])))
            RETURNING t.id, t.external_id, t.name)
        INSERT INTO flagged_rows (batch_id, row_number, external_id, field, reason_code, params)
        SELECT CAST(:batch_id AS bigint), NULL, external_id, 'status', 'suspended_missing',
               jsonb_build_object('id', id, 'name', name)
        FROM gone
    """
    return int(connection.execute(text(sql), {**load.params, "kept": kept}).rowcount)
