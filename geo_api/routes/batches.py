"""Load batches: what a load did, the rows it refused, and the values it flagged."""

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query

from geo_api import audit
from geo_api.batches.reading import (
    count_flagged,
    count_rejects,
    get_batch,
    list_flagged,
    list_rejects,
)
from geo_api.batches.schemas import Batch, Flag, Flags, Reject, Rejects
from geo_api.dependencies import PrincipalDep, SessionDep
from geo_api.liaisons.rejects import shown_rejects
from geo_api.responses import error_responses
from geo_api.routes import DocumentedRoute
from geo_api.routes.paging import Offset

router = APIRouter(
    prefix="/batches", tags=["batches"], responses=error_responses(503), route_class=DocumentedRoute
)

BatchId = Annotated[int, Path(ge=1, description="The batch's id.")]
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


@router.get("/{batch_id}", response_model=Batch, responses=error_responses(401, 404, 422))
def read_batch(batch_id: BatchId, session: SessionDep, principal: PrincipalDep) -> Batch:
    """Return the counts, file, checksum, CRS, times and report of a load batch (any key)."""
    return Batch(**get_batch(session.connection(), batch_id))


@router.get("/{batch_id}/rejects", response_model=Rejects, responses=error_responses(401, 404, 422))
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
    connection = session.connection()
    batch = get_batch(connection, batch_id)
    language = _lang(lang, accept_language)
    rows = list_rejects(connection, batch_id, limit=limit, offset=offset, lang=language)
    # A liaison batch's rows hold names and phones: masked unless the caller's scope covers them.
    rows, revealed = shown_rejects(batch, rows, principal)
    # Rejected rows may hold names and phones: reading them is a reveal, so it is audited.
    audit.record(
        session,
        principal.actor,
        "read",
        "rejected_rows",
        batch_id,
        {"offset": offset, "revealed_rows": revealed},
    )
    return Rejects(
        batch_id=batch_id,
        total=count_rejects(connection, batch_id),
        limit=limit,
        offset=offset,
        data=[Reject(**row) for row in rows],
    )


@router.get("/{batch_id}/flagged", response_model=Flags, responses=error_responses(401, 404, 422))
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
    connection = session.connection()
    batch = get_batch(connection, batch_id)
    language = _lang(lang, accept_language)
    rows = list_flagged(
        connection, batch_id, limit=limit, offset=offset, lang=language, with_raw=True
    )
    # Flags show values as given, which may be names and phones: masked as rejected rows are,
    # and the read audited like theirs.
    rows, revealed = shown_rejects(batch, rows, principal)
    audit.record(
        session,
        principal.actor,
        "read",
        "flagged_rows",
        batch_id,
        {"offset": offset, "revealed_rows": revealed},
    )
    return Flags(
        batch_id=batch_id,
        total=count_flagged(connection, batch_id),
        limit=limit,
        offset=offset,
        data=[Flag(**{k: v for k, v in row.items() if k != "raw"}) for row in rows],
    )
