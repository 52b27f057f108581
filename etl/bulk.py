"""Big batches: rebuild a table's secondary indexes once instead of updating them per row.

PostgreSQL's advice for populating a table ("Populating a Database" in its manual): build
indexes after the rows are in, which sorts once instead of descending a tree per row. For a batch
at least as big as a quarter of the table this is much faster. The indexes are dropped and
recreated inside the batch's transaction, so a failure or a kill restores them with everything
else; the price is that other sessions cannot read the table until the batch commits.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

# Below this many rows, updating the indexes row by row is cheap enough.
BULK_MIN_ROWS = 50_000
# A batch counts as big when it has at least this fraction of the rows the table has.
BULK_MIN_SHARE = 0.25

SECONDARY_INDEXES_SQL = """
SELECT i.relname, pg_get_indexdef(i.oid)
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
WHERE x.indrelid = CAST(:table AS regclass) AND NOT x.indisprimary AND NOT x.indisunique
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
ORDER BY i.relname
"""


def is_bulk(connection: Connection, table: str, new_rows: int) -> bool:
    """Return whether ``new_rows`` new rows are a big batch for ``table``."""
    if new_rows < BULK_MIN_ROWS:
        return False
    limit = int(new_rows / BULK_MIN_SHARE) + 1
    existing = connection.exec_driver_sql(
        f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT {limit}) t"
    ).scalar_one()
    return bool(existing < limit)


@contextmanager
def indexes_rebuilt_after(
    connection: Connection,
    table: str,
    enabled: bool,
    on_rebuild: Callable[[str], None] = lambda stage: None,
) -> Iterator[None]:
    """Drop the secondary indexes of ``table`` (if ``enabled``) and recreate them on exit.

    Unique indexes and those of constraints stay: the upsert needs them to find conflicts.
    ``on_rebuild`` is told when the rebuild starts (for the progress display).
    """
    if not enabled:
        yield
        return
    indexes = connection.execute(text(SECONDARY_INDEXES_SQL), {"table": table}).all()
    for name, _ in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    on_rebuild(f"indexing {table}")
    # Index builds sort in memory; the default 64 MB spills a million points to disk.
    connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
    for _, definition in indexes:
        connection.exec_driver_sql(definition)
