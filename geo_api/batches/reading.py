"""Load batches as the CLI and the API read them back: counts, and the rows a load refused.

``etl.write.batches`` records them during a load; reading them needs nothing of the ETL.
"""

from typing import Any

from sqlalchemy import Connection, select

from geo_api.errors import NotFound
from geo_api.models import LoadBatch, RejectedRow


def get_batch(connection: Connection, batch_id: int) -> dict[str, Any]:
    """Return a batch's row as a dict.

    Raises
    ------
    NotFound
        When there is no batch ``batch_id``.
    """
    row = connection.execute(select(LoadBatch.__table__).where(LoadBatch.id == batch_id)).first()
    if row is None:
        raise NotFound(f"no batch {batch_id}")
    return dict(row._mapping)


def list_rejects(
    connection: Connection, batch_id: int, *, limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    """Return a batch's rejected rows in file order: ``row_number``, ``reason``, ``raw``.

    Raises
    ------
    NotFound
        When there is no batch ``batch_id``.
    """
    get_batch(connection, batch_id)
    statement = (
        select(RejectedRow.row_number, RejectedRow.reason, RejectedRow.raw)
        .where(RejectedRow.batch_id == batch_id)
        .order_by(RejectedRow.row_number, RejectedRow.id)
        .limit(limit)
        .offset(offset)
    )
    return [dict(row._mapping) for row in connection.execute(statement)]
