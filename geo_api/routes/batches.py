"""Load batches: what a load did, the rows it refused, and the values it flagged.

A liaison load's batch is read only by admins and by grid managers of its areas, who see only
their areas' rows (``geo_api.batches.scope``).
"""

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from geo_api import audit
from geo_api.auth import Principal
from geo_api.batches.reading import (
    count_flagged,
    count_rejects,
    get_batch,
    list_flagged,
    list_rejects,
)
from geo_api.batches.schemas import Batch, Flag, Flags, Reject, Rejects
from geo_api.batches.scope import require_batch_access, rows_in_scope
from geo_api.dependencies import PrincipalDep, SessionDep
from geo_api.liaisons.rejects import shown_rejects
from geo_api.models import FlaggedRow, RejectedRow
from geo_api.responses import error_responses
from geo_api.routes import DocumentedRoute
from geo_api.routes.params import BatchId, Offset

router = APIRouter(
    prefix="/batches", tags=["batches"], responses=error_responses(503), route_class=DocumentedRoute
)

Limit = Annotated[int, Query(ge=1, le=1000)]
Lang = Annotated[
    Literal["zh", "en"] | None,
    Query(description="language of the reasons; default from Accept-Language, else en"),
]
AcceptLanguage = Annotated[str | None, Header(include_in_schema=False)]


def _lang(lang: str | None, accept_language: str | None) -> str:
    if lang is not None:
        return lang
    return "zh" if (accept_language or "").strip().lower().startswith("zh") else "en"


@router.get("/{batch_id}", response_model=Batch, responses=error_responses(401, 403, 404, 422))
def read_batch(batch_id: BatchId, session: SessionDep, principal: PrincipalDep) -> Batch:
    """Return the counts, file, checksum, CRS, times and report of a load batch."""
    connection = session.connection()
    batch = get_batch(connection, batch_id)
    require_batch_access(connection, batch, principal)
    return Batch(**batch)


def shown_rows(
    session: Session,
    principal: Principal,
    batch_id: int,
    table: type[RejectedRow] | type[FlaggedRow],
    listing: Callable[[Connection, Any], list[dict[str, Any]]],
    offset: int,
) -> tuple[list[dict[str, Any]], Any]:
    """Return the rows of a batch the caller may read, masked for them, and their scope filter.

    Rejected and flagged rows alike may hold names and phones: the batch's scope decides who
    reads them and which, ``shown_rejects`` masks what the caller's scope does not cover, and
    the read is audited with the rows it revealed.
    """
    connection = session.connection()
    batch = get_batch(connection, batch_id)
    require_batch_access(connection, batch, principal)
    mine = rows_in_scope(batch, principal, table)
    rows, revealed = shown_rejects(batch, listing(connection, mine), principal)
    entity = "rejected_rows" if table is RejectedRow else "flagged_rows"
    detail = {"offset": offset, "revealed_rows": revealed}
    audit.record(session, principal.actor, "read", entity, batch_id, detail)
    return rows, mine


@router.get(
    "/{batch_id}/rejects", response_model=Rejects, responses=error_responses(401, 403, 404, 422)
)
def read_rejects(
    batch_id: BatchId,
    session: SessionDep,
    principal: PrincipalDep,
    limit: Limit = 100,
    offset: Offset = 0,
    lang: Lang = None,
    accept_language: AcceptLanguage = None,
) -> Rejects:
    """Return rejected and skipped rows of a batch: row number, reason, the row as given."""
    language = _lang(lang, accept_language)
    rows, mine = shown_rows(
        session,
        principal,
        batch_id,
        RejectedRow,
        lambda connection, where: list_rejects(
            connection, batch_id, limit=limit, offset=offset, lang=language, where=where
        ),
        offset,
    )
    return Rejects(
        batch_id=batch_id,
        total=count_rejects(session.connection(), batch_id, mine),
        limit=limit,
        offset=offset,
        data=[Reject(**row) for row in rows],
    )


@router.get(
    "/{batch_id}/flagged", response_model=Flags, responses=error_responses(401, 403, 404, 422)
)
def read_flagged(
    batch_id: BatchId,
    session: SessionDep,
    principal: PrincipalDep,
    limit: Limit = 100,
    offset: Offset = 0,
    lang: Lang = None,
    accept_language: AcceptLanguage = None,
) -> Flags:
    """Return the flags of a batch: values read with a guess, defaulted or not understood."""
    language = _lang(lang, accept_language)
    # Flags show values as given (the raw row is read to mask them, then left out).
    rows, mine = shown_rows(
        session,
        principal,
        batch_id,
        FlaggedRow,
        lambda connection, where: list_flagged(
            connection,
            batch_id,
            limit=limit,
            offset=offset,
            lang=language,
            with_raw=True,
            where=where,
        ),
        offset,
    )
    return Flags(
        batch_id=batch_id,
        total=count_flagged(session.connection(), batch_id, mine),
        limit=limit,
        offset=offset,
        data=[Flag(**{k: v for k, v in row.items() if k != "raw"}) for row in rows],
    )
