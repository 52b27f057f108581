"""Stations: the nearest open ones for workers, station records, and workers' reports."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from geo_api import vocab
from geo_api.coords import OUTPUT_SYSTEMS, POINT_INPUT_SYSTEMS
from geo_api.dependencies import PlannerDep, ReadSessionDep, SessionDep, SettingsDep
from geo_api.responses import error_responses
from geo_api.routes import DocumentedRoute
from geo_api.stations import inputs, records, reports
from geo_api.stations.geojson import TRAVEL_DESCRIPTION, NearbyCollection, nearby_collection
from geo_api.stations.nearest import NearestQuery, nearest_stations
from geo_api.stations.schemas import (
    Report,
    ReportCreate,
    ReportCreated,
    ReportList,
    ReportUpdate,
    StationCollection,
    StationCreate,
    StationFeature,
    StationFields,
)
from geo_api.vocab import ReportStatus
from geo_api.vocab.hours import minute_of_week

router = APIRouter(tags=["stations"], responses=error_responses(503), route_class=DocumentedRoute)

StationId = Annotated[int, Path(description="The station's id.")]
# Checked by inputs.check_word and check_amenities, which answer a 422 naming the bad word.
Kind = Annotated[
    str | None,
    Query(description="Only stations of this kind: " + ", ".join(vocab.STATION_KINDS) + "."),
]
Amenities = Annotated[
    list[str] | None,
    Query(
        description="Only stations with this amenity (repeat it: all must be present): "
        + ", ".join(vocab.AMENITIES)
        + "."
    ),
]

NEAREST_DESCRIPTION = f"""
The `k` open stations nearest to a point that match every filter, nearest first, with the
distance in metres on the WGS-84 spheroid. Give the point in the system your phone reports
(`crs`: wgs84, gcj02, bd09 or cgcs2000). `open_now` in each answer is evaluated at `at`
(default now; a time without an offset is local time where the stations are, the service's
`WARMMAP_TIMEZONE`, Asia/Shanghai unless set) and is null when the opening hours are unknown;
`open_now=true` keeps only stations open then.

{TRAVEL_DESCRIPTION}

`links` open the station in Amap and Tencent (GCJ-02) and Baidu (BD-09).
"""


@router.get(
    "/stations/nearest",
    response_model=NearbyCollection,
    summary="Find the nearest open stations with the services a worker needs",
    description=NEAREST_DESCRIPTION,
    responses=error_responses(422),
)
def nearest(
    session: ReadSessionDep,
    request: Request,
    lon: Annotated[float, Query(ge=-180, le=180, description="longitude in `crs`")],
    lat: Annotated[float, Query(ge=-90, le=90, description="latitude in `crs`")],
    crs: Annotated[str, Query(description=", ".join(POINT_INPUT_SYSTEMS))] = "wgs84",
    k: Annotated[int, Query(ge=1, le=50, description="How many stations.")] = 5,
    max_distance_m: Annotated[
        float | None, Query(gt=0, le=2_000_000, description="No station farther than this.")
    ] = None,
    amenity: Amenities = None,
    kind: Kind = None,
    open_now: Annotated[bool, Query(description="only stations open at `at`")] = False,
    at: Annotated[str | None, Query(description="ISO 8601 time, default now")] = None,
    out_crs: Annotated[str, Query(description=", ".join(OUTPUT_SYSTEMS))] = "wgs84",
) -> Response:
    """Find the nearest open stations with the services a worker needs."""
    point_lon, point_lat = inputs.point_to_wgs84(lon, lat, crs)
    query = NearestQuery(
        lon=point_lon,
        lat=point_lat,
        k=k,
        max_distance_m=max_distance_m,
        amenities=inputs.check_amenities(amenity or []),
        kind=inputs.check_word(kind, vocab.STATION_KINDS, "kind"),
        open_only=open_now,
        # the app's settings straight from its state: a SettingsDep would cost a thread hop
        minute_of_week=minute_of_week(inputs.parse_at(at), request.app.state.settings.timezone),
    )
    display_crs = inputs.output_crs(out_crs)
    body = nearby_collection(nearest_stations(session, query), display_crs)
    return Response(body, media_type="application/json")


@router.get("/stations", response_model=StationCollection, responses=error_responses(422))
def stations(
    session: SessionDep,
    bbox: Annotated[str | None, Query(description="minlon,minlat,maxlon,maxlat in WGS-84")] = None,
    kind: Kind = None,
    amenity: Amenities = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> StationCollection:
    """List stations, a page at a time, by id."""
    return records.list_stations(
        session,
        inputs.parse_bbox(bbox),
        inputs.check_word(kind, vocab.STATION_KINDS, "kind"),
        inputs.check_amenities(amenity or []),
        limit,
        offset,
    )


@router.get(
    "/stations/{station_id}", response_model=StationFeature, responses=error_responses(404, 422)
)
def station(session: SessionDep, station_id: StationId) -> StationFeature:
    """Read one station."""
    return records.station_feature(records.get_station(session, station_id))


@router.post(
    "/stations",
    response_model=StationFeature,
    status_code=201,
    responses=error_responses(401, 403, 409, 422),
)
def create_station(
    session: SessionDep, principal: PlannerDep, body: StationCreate
) -> StationFeature:
    """Add a station (planner or admin key)."""
    return records.station_feature(records.create_station(session, body, principal))


@router.patch(
    "/stations/{station_id}",
    response_model=StationFeature,
    responses=error_responses(401, 403, 404, 422),
)
def update_station(
    session: SessionDep, principal: PlannerDep, station_id: StationId, body: StationFields
) -> StationFeature:
    """Change a station; moving it recomputes its district, community and H3 cell."""
    station = records.update_station(session, station_id, body, principal)
    return records.station_feature(station)


@router.delete(
    "/stations/{station_id}",
    response_model=StationFeature,
    responses=error_responses(401, 403, 404, 422),
)
def close_station(
    session: SessionDep, principal: PlannerDep, station_id: StationId
) -> StationFeature:
    """Close a station: its status becomes closed, the record stays."""
    return records.station_feature(records.close_station(session, station_id, principal))


@router.post(
    "/stations/{station_id}/reports",
    response_model=ReportCreated,
    status_code=201,
    responses=error_responses(404, 422, 429),
)
def report_station(
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    station_id: StationId,
    body: ReportCreate,
) -> ReportCreated:
    """Report that a station is closed, misplaced or has wrong hours (no key needed)."""
    client = request.client.host if request.client else "unknown"
    return reports.file_report(session, station_id, body, client, settings)


@router.get(
    "/stations/{station_id}/reports",
    response_model=ReportList,
    responses=error_responses(401, 403, 404, 422),
)
def station_reports(
    session: SessionDep,
    principal: PlannerDep,
    station_id: StationId,
    status: Annotated[
        ReportStatus | None, Query(description="Only reports of this status.")
    ] = None,
) -> ReportList:
    """List a station's reports (planner or admin key)."""
    return ReportList(data=reports.station_reports(session, station_id, status, principal))


@router.patch(
    "/stations/{station_id}/reports/{report_id}",
    response_model=Report,
    responses=error_responses(401, 403, 404, 409, 422),
)
def update_report(
    session: SessionDep,
    principal: PlannerDep,
    station_id: StationId,
    report_id: Annotated[int, Path(description="The report's id.")],
    body: ReportUpdate,
) -> Report:
    """Resolve or dismiss a report (planner or admin key)."""
    return reports.set_report_status(session, station_id, report_id, body.status, principal)
