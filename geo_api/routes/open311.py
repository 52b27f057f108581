"""Open311 GeoReport v2 (JSON) over the same cases: services, requests, one request."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from geo_api.auth import authenticate
from geo_api.cases import open311
from geo_api.cases.reporting import Reporter, report_case
from geo_api.cases.schemas import (
    Open311Created,
    Open311CreatedList,
    Open311RequestList,
    Open311ServiceList,
)
from geo_api.dependencies import OptionalPrincipalDep, SessionDep, SettingsDep
from geo_api.responses import error_responses
from geo_api.routes import DocumentedRoute
from geo_api.routes.forms import Open311SubmissionDep
from geo_api.routes.params import MAX_ID

router = APIRouter(
    prefix="/open311/v2",
    tags=["open311"],
    responses=error_responses(503),
    route_class=DocumentedRoute,
)

Lang = Annotated[Literal["zh", "en"], Query(description="language of names")]
POST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            media: {
                "schema": {
                    "type": "object",
                    "required": ["api_key", "service_code", "lat", "long"],
                    "properties": {
                        "api_key": {"type": "string"},
                        "service_code": {"type": "string"},
                        "lat": {"type": "number"},
                        "long": {"type": "number"},
                        "description": {"type": "string"},
                        "media": {"type": "string", "format": "binary"},
                    },
                }
            }
            for media in ("application/x-www-form-urlencoded", "multipart/form-data")
        },
    }
}
# GeoReport v2 fields a rider's app may send that warmmap does not keep (personal data, or an
# address it would have to geocode): accepted and dropped.
IGNORED_FIELDS = ("jurisdiction_id", "address_string", "address_id", "email", "device_id",
                  "account_id", "first_name", "last_name", "phone", "media_url")  # fmt: skip


@router.get("/services.json", response_model=Open311ServiceList, responses=error_responses(422))
def services(lang: Lang = "zh") -> Open311ServiceList:
    """List the services (our categories) as GeoReport v2 does."""
    return Open311ServiceList(open311.services(lang))


@router.get("/requests.json", response_model=Open311RequestList, responses=error_responses(422))
def requests(
    session: SessionDep,
    service_request_id: Annotated[str | None, Query(description="ids, comma-separated")] = None,
    service_code: str | None = None,
    start_date: Annotated[str | None, Query(description="W3C datetime")] = None,
    end_date: Annotated[str | None, Query(description="W3C datetime")] = None,
    status: Literal["open", "closed"] | None = None,
    jurisdiction_id: str | None = None,
    lang: Lang = "zh",
) -> Open311RequestList:
    """List service requests: by ids, or the last 90 days (at most 1,000), newest first."""
    ids = open311.parse_ids(service_request_id)
    start = open311.parse_time(start_date, "start_date")
    end = open311.parse_time(end_date, "end_date")
    return Open311RequestList(
        open311.requests(session, ids, service_code, status, start, end, lang)
    )


@router.get(
    "/requests/{service_request_id}.json",
    response_model=Open311RequestList,
    responses=error_responses(404, 422),
)
def one_request(
    session: SessionDep,
    service_request_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    lang: Lang = "zh",
) -> Open311RequestList:
    """Read one service request (a one-element list, as GeoReport v2 answers)."""
    return Open311RequestList(open311.one_request(session, service_request_id, lang))


@router.post(
    "/requests.json",
    response_model=Open311CreatedList,
    status_code=201,
    openapi_extra=POST_BODY,
    responses=error_responses(401, 404, 413, 422, 429),
)
def create_request(
    session: SessionDep,
    settings: SettingsDep,
    header_principal: OptionalPrincipalDep,
    submission: Open311SubmissionDep,
) -> Open311CreatedList:
    """Create a service request (an app's key in `api_key` or X-API-Key; `lat`/`long` WGS-84)."""
    fields = submission.fields
    principal = header_principal or authenticate(session, str(fields.get("api_key") or "") or None)
    body = open311.case_create(fields, IGNORED_FIELDS)
    reporter = Reporter(f"key:{principal.key_id}", settings.open311_per_hour, channel="open311")
    receipt = report_case(session, body, submission.photo, reporter, settings.report_salt)
    notice = f"{receipt.routed_to.name or receipt.routed_to.adcode} {receipt.routed_to.role}"
    created = Open311Created(service_request_id=str(receipt.id), service_notice=notice.strip(),
                             account_id=None, token=receipt.token)  # fmt: skip
    return Open311CreatedList([created])
