"""Load batches as the CLI and the API read them back: counts, report, refused and flagged rows.

``etl.write.batches`` records them during a load; reading them needs nothing of the ETL. Rows of
a batch are the file as given, so a liaison batch's rows hold names and phones: the routes show
them as ``geo_api.liaisons.rejects.shown_rejects`` decides, one place for rejected and flagged
rows alike.
"""

from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select, true

from geo_api.batches.running import shown_status
from geo_api.errors import NotFound
from geo_api.models import FlaggedRow, LoadBatch, RejectedRow
from geo_api.reasons import render


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
    return shown_status(connection, dict(row._mapping))


def list_rejects(
    connection: Connection,
    batch_id: int,
    *,
    limit: int | None = None,
    offset: int = 0,
    lang: str = "en",
    where: ColumnElement[bool] | None = None,
) -> list[dict[str, Any]]:
    """Return a batch's rejected and skipped rows in file order, each reason in ``lang``.

    ``where`` keeps only the rows a caller may read (``geo_api.batches.scope``).

    Each row: ``row_number``, ``kind`` (rejected or skipped), ``reason``, ``reason_code``,
    ``params``, ``raw`` (the row as given).

    Raises
    ------
    NotFound
        When there is no batch ``batch_id``.
    """
    get_batch(connection, batch_id)
    statement = (
        select(
            RejectedRow.row_number,
            RejectedRow.kind,
            RejectedRow.reason,
            RejectedRow.reason_code,
            RejectedRow.params,
            RejectedRow.raw,
        )
        .where(RejectedRow.batch_id == batch_id, true() if where is None else where)
        .order_by(RejectedRow.row_number, RejectedRow.id)
        .limit(limit)
        .offset(offset)
    )
    rows = [dict(row._mapping) for row in connection.execute(statement)]
    for row in rows:
        if row["reason_code"] is not None and (lang != "en" or not row["reason"]):
            row["reason"] = render(row["reason_code"], row["params"], lang)
    return rows


def count_rejects(
    connection: Connection, batch_id: int, where: ColumnElement[bool] | None = None
) -> int:
    """Return how many rejected and skipped rows a batch has (of those ``where`` keeps)."""
    statement = select(func.count()).select_from(RejectedRow)
    statement = statement.where(
        RejectedRow.batch_id == batch_id, true() if where is None else where
    )
    return int(connection.execute(statement).scalar_one())


def list_flagged(
    connection: Connection,
    batch_id: int,
    *,
    limit: int | None = None,
    offset: int = 0,
    lang: str = "en",
    with_raw: bool = False,
    where: ColumnElement[bool] | None = None,
) -> list[dict[str, Any]]:
    """Return a batch's flags in file order (records not in the file last), reasons in ``lang``.

    Each flag: ``row_number`` (None for a record the file did not hold), ``external_id``,
    ``field``, ``column``, ``value`` (as given), ``reason_code``, ``params``, ``reason``, and
    ``raw`` (the whole row as given) when ``with_raw``.

    Raises
    ------
    NotFound
        When there is no batch ``batch_id``.
    """
    get_batch(connection, batch_id)
    columns = [
        FlaggedRow.row_number,
        FlaggedRow.external_id,
        FlaggedRow.field,
        FlaggedRow.column_name.label("column"),
        FlaggedRow.value,
        FlaggedRow.reason_code,
        FlaggedRow.params,
    ]
    statement = (
        select(*columns, *([FlaggedRow.raw] if with_raw else []))
        .where(FlaggedRow.batch_id == batch_id, true() if where is None else where)
        .order_by(FlaggedRow.row_number.asc().nulls_last(), FlaggedRow.id)
        .limit(limit)
        .offset(offset)
    )
    rows = [dict(row._mapping) for row in connection.execute(statement)]
    for row in rows:
        row["reason"] = render(row["reason_code"], row["params"], lang)
    return rows


def count_flagged(
    connection: Connection, batch_id: int, where: ColumnElement[bool] | None = None
) -> int:
    """Return how many flags a batch has (of those ``where`` keeps)."""
    statement = select(func.count()).select_from(FlaggedRow)
    statement = statement.where(FlaggedRow.batch_id == batch_id, true() if where is None else where)
    return int(connection.execute(statement).scalar_one())
