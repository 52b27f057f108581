"""Stations: the nearest open ones for workers, station records, and workers' reports."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from geo_api.coords import OUTPUT_SYSTEMS, POINT_INPUT_SYSTEMS
from geo_api.dependencies import PlannerDep, ReadSessionDep, SessionDep, SettingsDep
from geo_api.responses import error_responses
from geo_api.routes import DocumentedRoute
from geo_api.routes.paging import Offset
from geo_api.stations import inputs, records, reports
from geo_api.stations.answer import nearest_answer
from geo_api.stations.geojson import TRAVEL_DESCRIPTION, Asked, NearbyCollection
from geo_api.stations.nearest import NearestQuery
from geo_api.stations.schemas import (
    AMENITY_WORDS,
    KIND_WORDS,
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
from geo_api.vocab.hours import local_time, minute_of_week

router = APIRouter(tags=["stations"], responses=error_responses(503), route_class=DocumentedRoute)

StationId = Annotated[int, Path(description="The station's id.")]
# Checked by inputs.check_station_kind and check_amenities, which take the vocabulary's names
# or the Chinese words the loader reads, and answer a 422 naming a word they do not know.
Kind = Annotated[
    str | None,
    Query(description="Only stations of this kind: " + KIND_WORDS + "."),
]
Amenities = Annotated[
    list[str] | None,
    Query(
        description="Only stations with this amenity (repeat it: all must be present): "
        + AMENITY_WORDS
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

`links` open the station in Amap and Tencent (GCJ-02) and Baidu (BD-09); `navigation` opens
a walking route from the asked point to it in each app, in the same systems.

`opens_at` (for a station closed at `at`) and `closes_at` (for one open at `at`) are the next
change of its weekly hours, in ISO 8601 local time with the offset of the configured time zone
(Asia/Shanghai: `+08:00`); both are null when the hours are unknown, `closes_at` is null for a
station open around the clock (`is_24h`), `opens_at` for one whose hours never open.

`amenity` and `kind` take the vocabulary's names or the Chinese words the loader reads (`充电`,
`饮水`, `暖新驿站`, `骑手之家` ...). `notes` says why an answer is empty (nothing within
`max_distance_m`: the nearest farther out; nothing open at `at`: when the nearest opens; nothing
of that kind and amenities at all) or that the nearest station is more than 5 km away; each note
has a stable `code`, an English `message`, a Chinese `message_zh` and the numbers it quotes.
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
    # No range here: a latitude of 104 is a swapped pair, which inputs.point_to_wgs84 names.
    lon: Annotated[float, Query(description="longitude in `crs`")],
    lat: Annotated[float, Query(description="latitude in `crs`")],
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
    # the app's settings straight from its state: a SettingsDep would cost a thread hop
    timezone = request.app.state.settings.timezone
    local = local_time(inputs.parse_at(at), timezone)
    minute = minute_of_week(local, timezone)
    query = NearestQuery(
        lon=point_lon,
        lat=point_lat,
        k=k,
        max_distance_m=max_distance_m,
        amenities=inputs.check_amenities(amenity or []),
        kind=inputs.check_station_kind(kind),
        open_only=open_now,
        minute_of_week=minute,
    )
    asked = Asked(point_lon, point_lat, local, minute, inputs.output_crs(out_crs))
    return Response(nearest_answer(session, query, asked), media_type="application/json")


@router.get("/stations", response_model=StationCollection, responses=error_responses(422))
def stations(
    session: SessionDep,
    bbox: Annotated[str | None, Query(description="minlon,minlat,maxlon,maxlat in WGS-84")] = None,
    kind: Kind = None,
    amenity: Amenities = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> StationCollection:
    """List stations, a page at a time, by id."""
    return records.list_stations(
        session,
        inputs.parse_bbox(bbox),
        inputs.check_station_kind(kind),
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
