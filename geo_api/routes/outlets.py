"""Outlets: public records; their liaisons, assignments and history for keys in scope."""

from typing import Annotated

from fastapi import APIRouter, Query

from geo_api import vocab
from geo_api.assignments import manual
from geo_api.dependencies import (
    GridManagerDep,
    LiaisonManagerDep,
    OptionalPrincipalDep,
    SessionDep,
)
from geo_api.outlets import records, unassigned
from geo_api.outlets.schemas import (
    AssignmentSet,
    History,
    MissingLiaisonPage,
    OutletAssignment,
    OutletCollection,
    OutletFeature,
    OutletLiaisons,
)
from geo_api.responses import error_responses
from geo_api.routes import DocumentedRoute
from geo_api.routes.liaisons import AreaQuery, StreetQuery, one_area
from geo_api.routes.paging import Offset
from geo_api.stations.inputs import check_word, parse_bbox
from geo_api.vocab import LiaisonRole

router = APIRouter(
    prefix="/outlets", tags=["outlets"], responses=error_responses(503), route_class=DocumentedRoute
)

Limit = Annotated[int, Query(ge=1, le=1000)]


@router.get(
    "",
    response_model=OutletCollection,
    description="Public fields; with a key covering an outlet, its current liaisons (masked "
    "per the liaisons' rules); without a key, no liaison data at all.",
    responses=error_responses(401, 422),
)
def list_outlets(
    session: SessionDep,
    principal: OptionalPrincipalDep,
    community: AreaQuery = None,
    street: StreetQuery = None,
    bbox: Annotated[str | None, Query(description="minlon,minlat,maxlon,maxlat in WGS-84")] = None,
    kind: Annotated[str | None, Query(description=", ".join(vocab.OUTLET_KINDS))] = None,
    brand: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> OutletCollection:
    """List outlets, a page at a time, by id."""
    filters = {
        "community": community,
        "street": street,
        "bbox": parse_bbox(bbox),
        "kind": check_word(kind, vocab.OUTLET_KINDS, "kind"),
        "brand": brand,
    }
    return records.list_outlets(session, principal, filters, limit, offset)


@router.get(
    "/unassigned",
    response_model=MissingLiaisonPage,
    responses=error_responses(401, 403, 422),
)
def list_unassigned(
    session: SessionDep,
    principal: GridManagerDep,
    community: AreaQuery = None,
    street: StreetQuery = None,
    role: LiaisonRole | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> MissingLiaisonPage:
    """List the outlets lacking a current community or police liaison, and which is missing."""
    area = one_area(community=community, street=street)
    return unassigned.unassigned_outlets(session, principal, area, role, limit, offset)


@router.get("/{outlet_id}", response_model=OutletFeature, responses=error_responses(401, 404, 422))
def read_outlet(
    session: SessionDep, principal: OptionalPrincipalDep, outlet_id: int
) -> OutletFeature:
    """Read one outlet; with a key covering it, its current liaisons."""
    return records.get_outlet(session, principal, outlet_id)


@router.get(
    "/{outlet_id}/liaisons",
    response_model=OutletLiaisons,
    responses=error_responses(401, 403, 404, 422),
)
def read_outlet_liaisons(
    session: SessionDep, principal: GridManagerDep, outlet_id: int
) -> OutletLiaisons:
    """Read an outlet's current community and police liaisons."""
    return manual.outlet_liaisons(session, principal, outlet_id)


@router.put(
    "/{outlet_id}/liaisons",
    response_model=OutletAssignment,
    responses=error_responses(401, 403, 404, 409, 422),
)
def set_outlet_liaisons(
    session: SessionDep, principal: LiaisonManagerDep, outlet_id: int, body: AssignmentSet
) -> OutletAssignment:
    """Set an outlet's current community and/or police liaison (null ends it)."""
    return manual.set_outlet_liaisons(session, outlet_id, body, principal)


@router.get(
    "/{outlet_id}/liaisons/history",
    response_model=History,
    responses=error_responses(401, 403, 404, 422),
)
def outlet_history(session: SessionDep, principal: GridManagerDep, outlet_id: int) -> History:
    """List every assignment the outlet has had, newest first."""
    return manual.outlet_history(session, principal, outlet_id)
