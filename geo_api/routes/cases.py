"""Riders' cases (随手拍): report, follow, handle, count; points; the public map of cases."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from geo_api.areas import Adcode
from geo_api.cases import catalogue, friendliness, moves, points, queue, reads, stats
from geo_api.cases.reporting import Reporter, report_case
from geo_api.cases.schemas import (
    CaseCreate,
    CaseDetail,
    CaseQueue,
    CaseReceipt,
    CaseStats,
    CaseStatus,
    CategoryList,
    Friendliness,
    PointsBalance,
    PublicCaseCollection,
    TransitionCreate,
    parse_case_create,
)
from geo_api.dependencies import (
    GridManagerDep,
    OptionalPrincipalDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
)
from geo_api.responses import error_responses
from geo_api.routes import DocumentedRoute
from geo_api.routes.forms import CaseSubmissionDep
from geo_api.routes.paging import Offset
from geo_api.stations.inputs import parse_bbox

router = APIRouter(tags=["cases"], responses=error_responses(503), route_class=DocumentedRoute)

TokenQuery = Annotated[
    str | None, Query(max_length=100, description="the reporter's token from POST /cases")
]
# The body is read by a dependency (JSON or multipart), so its schema is declared here, inline.
_CASE_SCHEMA = CaseCreate.model_json_schema()
CASE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": _CASE_SCHEMA},
            "multipart/form-data": {
                "schema": {
                    **_CASE_SCHEMA,
                    "properties": {
                        **_CASE_SCHEMA["properties"],
                        "photo": {
                            "type": "string",
                            "format": "binary",
                            "description": "JPEG, PNG or WebP, at most 5 MB",
                        },
                    },
                }
            },
        },
    }
}
POST_DESCRIPTION = """
No key needed. JSON, or multipart/form-data with the same fields and one `photo` (JPEG, PNG or
WebP up to 5 MB; re-encoded, EXIF and GPS removed, seen only by the handling grid manager and
you). The case is routed to the community that holds the point (else its street or district)
and the role that handles the category there. Keep the `token`: it is shown once and follows
the case (`GET /cases/{id}?token=`), confirms or reopens its resolution, and reads your points.
"""


@router.get("/cases/categories", response_model=CategoryList, responses=error_responses(404, 422))
def categories(
    session: SessionDep,
    area: Annotated[Adcode | None, Query(description="the routes of this area")] = None,
) -> CategoryList:
    """List the categories riders can report, who handles them and their time limit."""
    return catalogue.list_categories(session, area)


@router.post(
    "/cases",
    response_model=CaseReceipt,
    status_code=201,
    description=POST_DESCRIPTION,
    openapi_extra=CASE_BODY,
    responses=error_responses(404, 413, 422, 429),
)
def create_case(
    session: SessionDep, settings: SettingsDep, request: Request, submission: CaseSubmissionDep
) -> CaseReceipt:
    """Report a problem at a place in one tap."""
    body = parse_case_create(submission.fields)
    client = request.client.host if request.client else "unknown"
    reporter = Reporter(client, settings.reports_per_hour)
    return report_case(session, body, submission.photo, reporter, settings.report_salt)


@router.get("/cases", response_model=CaseQueue, responses=error_responses(401, 403, 422))
def case_queue(
    session: SessionDep,
    principal: PrincipalDep,
    scope: Annotated[Adcode | None, Query(description="default: the key's scopes")] = None,
    status: CaseStatus | None = None,
    overdue: Annotated[bool | None, Query(description="only overdue (or only not)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> CaseQueue:
    """List a grid manager's queue, overdue first (grid manager or admin key)."""
    return queue.case_queue(session, principal, scope, status, overdue, limit, offset)


@router.get("/cases/stats", response_model=CaseStats, responses=error_responses(401, 403, 422))
def case_stats(
    session: SessionDep,
    principal: GridManagerDep,
    city: Adcode,
    level: Literal["community", "street", "district"] = "street",
    since: Annotated[date | None, Query(description="cases that came in on or after")] = None,
    until: Annotated[date | None, Query(description="cases that came in before")] = None,
) -> CaseStats:
    """Count received, open, resolved and overdue cases and the median hours to resolve."""
    principal.require_scope(city)
    return stats.case_stats(session, city, level, since, until)


@router.get("/cases/friendliness", response_model=Friendliness, responses=error_responses(422))
def case_friendliness(session: SessionDep, city: Adcode) -> Friendliness:
    """Rate each community of a city for riders: entry, parking, finding buildings (90 days)."""
    return friendliness.friendliness(session, city)


@router.get("/cases/public", response_model=PublicCaseCollection, responses=error_responses(422))
def public_cases(
    session: SessionDep,
    bbox: Annotated[str, Query(description="minlon,minlat,maxlon,maxlat in WGS-84")],
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> PublicCaseCollection:
    """Map the cases in a box as anyone may see them: category, status and position."""
    box = parse_bbox(bbox)
    assert box is not None
    return reads.public_cases(session, box, limit)


@router.get(
    "/cases/{case_id}", response_model=CaseDetail, responses=error_responses(401, 403, 404, 422)
)
def case_detail(
    session: SessionDep, principal: OptionalPrincipalDep, case_id: int, token: TokenQuery = None
) -> CaseDetail:
    """Follow a case: its reporter by token, its grid manager by key."""
    return reads.case_detail(session, case_id, principal, token)


@router.post(
    "/cases/{case_id}/transitions",
    response_model=CaseDetail,
    responses=error_responses(401, 403, 404, 409, 422),
)
def transition(
    session: SessionDep, principal: OptionalPrincipalDep, case_id: int, body: TransitionCreate
) -> CaseDetail:
    """Move a case along its lifecycle (grid manager or admin key, or the reporter's token)."""
    return moves.transition(session, case_id, body, principal)


@router.get(
    "/cases/{case_id}/photos/{photo_id}",
    response_class=Response,
    responses={
        200: {
            "description": "The photo, re-encoded without metadata.",
            "content": {
                m: {"schema": {"type": "string", "format": "binary"}}
                for m in ("image/jpeg", "image/png", "image/webp")
            },
        },
        **error_responses(401, 403, 404, 422),
    },
)
def case_photo(
    session: SessionDep,
    principal: OptionalPrincipalDep,
    case_id: int,
    photo_id: int,
    token: TokenQuery = None,
) -> Response:
    """Get a photo of a case (its grid manager by key, or its reporter by token)."""
    data, media_type = reads.photo_bytes(session, case_id, photo_id, principal, token)
    headers = {
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'",
    }
    return Response(data, media_type=media_type, headers=headers)


@router.get("/points", response_model=PointsBalance, responses=error_responses(404, 422))
def rider_points(
    session: SessionDep,
    token: Annotated[str, Query(max_length=100, description="the token of any of your cases")],
) -> PointsBalance:
    """Read a reporter's points (积分) and how they were earned."""
    return points.balance(session, token)
