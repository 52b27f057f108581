"""Who may read a batch whose rows hold people: a liaison load's names and phones.

A liaison load's rows (rejected, skipped, flagged) are the file as given. Only an ``admin`` key
reads all of them. A ``grid_manager`` key reads the batch when it covers at least one of the
batch's areas (the ``scope_adcode`` cells of its rows, and of the liaisons it loaded), and then
only the rows of its areas: the others are not listed, not counted, and not masked either,
because a masked row still tells who was where. Every other key gets a 403. Batches of stations,
outlets and boundaries hold no personal data and are read with any key.
"""

from typing import Any

from sqlalchemy import ColumnElement, Connection, exists, or_, select, true

from geo_api.areas import like_patterns
from geo_api.auth import Principal
from geo_api.errors import Forbidden
from geo_api.models import FlaggedRow, Liaison, RejectedRow

PERSONAL_KINDS = {"liaisons"}


def _scope_column(batch: dict[str, Any]) -> str | None:
    columns: dict[str, str] = (batch.get("options") or {}).get("columns") or {}
    return columns.get("scope_adcode")


def _refused(batch: dict[str, Any]) -> Forbidden:
    return Forbidden(
        f"batch {batch['id']} holds liaisons' names and phones: only an admin key or a "
        "grid_manager key whose scope covers its areas may read it"
    )


def rows_in_scope(
    batch: dict[str, Any], principal: Principal, table: type[RejectedRow] | type[FlaggedRow]
) -> ColumnElement[bool]:
    """Return the condition on ``table``'s rows of ``batch`` that ``principal`` may read."""
    if batch["kind"] not in PERSONAL_KINDS or principal.role == "admin":
        return true()
    column = _scope_column(batch)
    if principal.role != "grid_manager" or not principal.scope_adcodes or column is None:
        raise _refused(batch)
    patterns = like_patterns(principal.scope_adcodes)
    return or_(*(table.raw[column].astext.like(p) for p in patterns))


def require_batch_access(
    connection: Connection, batch: dict[str, Any], principal: Principal
) -> None:
    """Raise Forbidden unless ``principal`` may read ``batch`` (see the module's rule)."""
    if batch["kind"] not in PERSONAL_KINDS or principal.role == "admin":
        return
    rejected = rows_in_scope(batch, principal, RejectedRow)
    patterns = like_patterns(principal.scope_adcodes)
    loaded = or_(*(Liaison.scope_adcode.like(p) for p in patterns))
    covered = connection.execute(
        select(
            exists().where(RejectedRow.batch_id == batch["id"], rejected)
            | exists().where(Liaison.batch_id == batch["id"], loaded)
        )
    ).scalar_one()
    if not covered:
        raise _refused(batch)
