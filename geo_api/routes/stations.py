"""Stations: the nearest open ones for workers, station records, and workers' reports."""

from typing import Annotated

from fastapi import APIRouter, Query

from geo_api import vocab
from geo_api.dependencies import SessionDep, SettingsDep
from geo_api.stations import inputs
from geo_api.stations.geojson import TRAVEL_DESCRIPTION, NearbyCollection, nearby_collection
from geo_api.stations.nearest import NearestQuery, minute_of_week, nearest_stations

router = APIRouter(tags=["stations"])

NEAREST_DESCRIPTION = f"""
The `k` open stations nearest to a point that match every filter, nearest first, with the
distance in metres on the WGS-84 spheroid. Give the point in the system your phone reports
(`crs`: wgs84, gcj02, bd09 or cgcs2000). `open_now` in each answer is evaluated at `at`
(default now; a time without an offset is Asia/Shanghai local time) and is null when the
opening hours are unknown; `open_now=true` keeps only stations open then.

{TRAVEL_DESCRIPTION}

`links` open the station in Amap and Tencent (GCJ-02) and Baidu (BD-09).
"""


@router.get(
    "/stations/nearest",
    response_model=NearbyCollection,
    description=NEAREST_DESCRIPTION,
    responses={422: {"description": "a parameter is invalid; the detail names it"}},
)
def nearest(
    session: SessionDep,
    settings: SettingsDep,
    lon: Annotated[float, Query(ge=-180, le=180, description="longitude in `crs`")],
    lat: Annotated[float, Query(ge=-90, le=90, description="latitude in `crs`")],
    crs: Annotated[str, Query(description="wgs84, gcj02, bd09 or cgcs2000")] = "wgs84",
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    max_distance_m: Annotated[float | None, Query(gt=0, le=2_000_000)] = None,
    amenity: Annotated[list[str] | None, Query(description="all must be present")] = None,
    kind: Annotated[str | None, Query(description=", ".join(vocab.STATION_KINDS))] = None,
    open_now: Annotated[bool, Query(description="only stations open at `at`")] = False,
    at: Annotated[str | None, Query(description="ISO 8601 time, default now")] = None,
    out_crs: Annotated[str, Query(description="wgs84, gcj02 or bd09")] = "wgs84",
) -> NearbyCollection:
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
        minute_of_week=minute_of_week(inputs.parse_at(at), settings.timezone),
    )
    display_crs = inputs.output_crs(out_crs)
    return nearby_collection(nearest_stations(session, query), display_crs)
