"""Liaisons: list, read, add, change, deactivate, export; names and phones masked per caller."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from geo_api.areas import Adcode
from geo_api.dependencies import LiaisonManagerDep, PrincipalDep, SessionDep
from geo_api.errors import InvalidInput
from geo_api.liaisons import reads, writes
from geo_api.liaisons.export import export_liaisons
from geo_api.liaisons.schemas import (
    Liaison,
    LiaisonChange,
    LiaisonCreate,
    LiaisonFields,
    LiaisonPage,
)
from geo_api.responses import error_responses
from geo_api.routes import DocumentedRoute
from geo_api.routes.paging import Offset
from geo_api.vocab import LiaisonRole

router = APIRouter(
    prefix="/liaisons",
    tags=["liaisons"],
    responses=error_responses(503),
    route_class=DocumentedRoute,
)

AreaQuery = Annotated[Adcode | None, Query(description="a community's 12-digit code")]
StreetQuery = Annotated[Adcode | None, Query(description="a street's 9-digit code")]
ScopeQuery = Annotated[Adcode | None, Query(description="any area code")]
# A file answer: the OpenAPI 3.1 way of saying "these bytes", per media type.
FILE = {"type": "string", "format": "binary"}
EXPORT_MEDIA_TYPES = (
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
MASKING = (
    "Names and phones are masked (`张*`, `138****5596`, `masked: true`) unless the key is an "
    "admin's or a grid manager's whose scope covers the liaison's; each liaison shown unmasked "
    "writes an audit_log row."
)


def one_area(**areas: str | None) -> str | None:
    """Return the one area given among ``areas`` (422 when several are)."""
    given = {name: value for name, value in areas.items() if value is not None}
    if len(given) > 1:
        raise InvalidInput(f"{', '.join(given)}: give only one of them")
    return next(iter(given.values()), None)


@router.get(
    "",
    response_model=LiaisonPage,
    description=MASKING,
    responses=error_responses(401, 403, 422),
)
def list_liaisons(
    session: SessionDep,
    principal: PrincipalDep,
    community: AreaQuery = None,
    street: StreetQuery = None,
    scope: ScopeQuery = None,
    role: LiaisonRole | None = None,
    active: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> LiaisonPage:
    """List the liaisons serving an area, or the key's own areas."""
    area = one_area(community=community, street=street, scope=scope)
    filters = {"role": role, "active": active}
    return reads.list_liaisons(session, principal, area, filters, limit, offset)


@router.get(
    "/export",
    response_class=Response,
    response_model=None,
    description=MASKING + " Cells that could start a spreadsheet formula are written as text.",
    responses={
        200: {
            "description": "The liaisons as a spreadsheet file.",
            "content": {media: {"schema": FILE} for media in EXPORT_MEDIA_TYPES},
        },
        **error_responses(401, 403, 422),
    },
)
def export(
    session: SessionDep,
    principal: PrincipalDep,
    scope: ScopeQuery = None,
    file_format: Annotated[Literal["csv", "xlsx"], Query(alias="format")] = "csv",
) -> Response:
    """Export the liaisons of an area as CSV or XLSX for the street office."""
    body, media_type, name = export_liaisons(session, principal, scope, file_format)
    disposition = f'attachment; filename="{name}"'
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})


@router.get(
    "/{liaison_id}",
    response_model=Liaison,
    description=MASKING,
    responses=error_responses(401, 403, 404, 422),
)
def read_liaison(session: SessionDep, principal: PrincipalDep, liaison_id: int) -> Liaison:
    """Read one liaison."""
    return reads.get_liaison(session, principal, liaison_id)


@router.post(
    "",
    response_model=LiaisonChange,
    status_code=201,
    responses=error_responses(401, 403, 409, 422),
)
def create_liaison(
    session: SessionDep, principal: LiaisonManagerDep, body: LiaisonCreate
) -> LiaisonChange:
    """Add a liaison in the key's scope (grid manager or admin)."""
    return writes.create_liaison(session, body, principal)


@router.patch(
    "/{liaison_id}",
    response_model=LiaisonChange,
    responses=error_responses(401, 403, 404, 422),
)
def update_liaison(
    session: SessionDep, principal: LiaisonManagerDep, liaison_id: int, body: LiaisonFields
) -> LiaisonChange:
    """Change a liaison; `active: false` deactivates and lists the outlets left without one."""
    return writes.update_liaison(session, liaison_id, body, principal, "update")


@router.delete(
    "/{liaison_id}",
    response_model=LiaisonChange,
    responses=error_responses(401, 403, 404, 422),
)
def deactivate_liaison(
    session: SessionDep, principal: LiaisonManagerDep, liaison_id: int
) -> LiaisonChange:
    """Deactivate a liaison (never deleted): their assignments end, their outlets are listed."""
    body = LiaisonFields(active=False)
    return writes.update_liaison(session, liaison_id, body, principal, "deactivate")
