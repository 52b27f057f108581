"""The first big batch of an empty table: build its indexes once after the rows are in.

PostgreSQL's advice for populating a table ("Populating a Database" in its manual): build
indexes after the rows are in, which sorts once instead of descending a tree per row, and add
foreign keys after, which checks them in one join instead of one query per row: for a million
outlets, 2 to 4 times faster than ``ogr2ogr -append`` into the same indexed table. Both are
dropped and recreated inside the batch's transaction, so a failure or a kill restores them with
everything else. The price is that other sessions cannot read the table until the batch commits,
so this is done only while the table holds no rows at all: nobody can be reading anything from
it yet. A batch into a table that holds rows keeps every index: it locks only the rows it writes,
and riders' queries keep answering from the rows already there (bench/README.md, ``etl_load``).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

# Below this many rows, updating the indexes row by row is cheap enough.
BULK_MIN_ROWS = 50_000

SECONDARY_INDEXES_SQL = """
SELECT i.relname, pg_get_indexdef(i.oid)
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
WHERE x.indrelid = CAST(:table AS regclass) AND NOT x.indisprimary AND NOT x.indisunique
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
ORDER BY i.relname
"""
CONSTRAINTS_SQL = """
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid = CAST(:table AS regclass) AND contype = ANY(:types) ORDER BY conname
"""


def is_first_bulk(connection: Connection, table: str, new_rows: int) -> bool:
    """Return whether ``new_rows`` new rows are a big batch into ``table`` while it is empty."""
    if new_rows < BULK_MIN_ROWS:
        return False
    return not connection.exec_driver_sql(f"SELECT EXISTS (SELECT 1 FROM {table})").scalar_one()


@contextmanager
def indexes_rebuilt_after(
    connection: Connection,
    table: str,
    enabled: bool,
    on_rebuild: Callable[[str], None] = lambda stage: None,
    *,
    keep_unique: bool = True,
) -> Iterator[None]:
    """Drop the secondary indexes and foreign keys of ``table`` (if ``enabled``); recreate on exit.

    Unique keys stay, since an upsert needs them to find conflicts, unless ``keep_unique`` is
    false (a plain insert); recreating them then checks the keys are unique. ``on_rebuild`` is
    told when the rebuild starts (for the progress display).
    """
    if not enabled:
        yield
        return
    indexes = connection.execute(text(SECONDARY_INDEXES_SQL), {"table": table}).all()
    types = ["f"] if keep_unique else ["f", "u"]
    constraints = connection.execute(text(CONSTRAINTS_SQL), {"table": table, "types": types}).all()
    for name, _ in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    for name, _ in constraints:
        connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield
    on_rebuild(f"indexing {table}")
    # Index builds sort in memory; the default 64 MB spills a million points to disk.
    connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
    for _, definition in indexes:
        connection.exec_driver_sql(definition)
    for name, definition in constraints:
        connection.exec_driver_sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
