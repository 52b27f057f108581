"""The whole answer of ``GET /stations/nearest``: stations, why it is empty or far, as JSON."""

from dataclasses import dataclass

from geo_api.stations import inputs
from geo_api.stations.geojson import Asked, nearby_collection
from geo_api.stations.nearest import CandidateReader, NearestQuery, search_nearest
from geo_api.stations.notes import answer_notes
from geo_api.vocab.hours import local_time, minute_of_week


@dataclass(frozen=True)
class NearestRequest:
    """The parameters of ``GET /stations/nearest`` as given, once parsed as numbers and flags."""

    lon: float
    lat: float
    crs: str = "wgs84"
    k: int = 5
    max_distance_m: float | None = None
    amenities: tuple[str, ...] = ()
    kind: str | None = None
    open_now: bool = False
    at: str | None = None
    out_crs: str = "wgs84"


def nearest_query(request: NearestRequest, timezone: str) -> tuple[NearestQuery, Asked]:
    """Return what ``request`` asks and what the answer is for; a 422 names a wrong word."""
    point_lon, point_lat = inputs.point_to_wgs84(request.lon, request.lat, request.crs)
    local = local_time(inputs.parse_at(request.at), timezone)
    minute = minute_of_week(local, timezone)
    query = NearestQuery(
        lon=point_lon,
        lat=point_lat,
        k=request.k,
        max_distance_m=request.max_distance_m,
        amenities=inputs.check_amenities(list(request.amenities)),
        kind=inputs.check_station_kind(request.kind),
        open_only=request.open_now,
        minute_of_week=minute,
    )
    asked = Asked(point_lon, point_lat, local, minute, inputs.output_crs(request.out_crs))
    return query, asked


async def nearest_answer(reader: CandidateReader, query: NearestQuery, asked: Asked) -> bytes:
    """Return the nearest stations matching ``query`` with their notes, as GeoJSON bytes."""
    stations = await search_nearest(reader, query)
    notes = await answer_notes(reader, query, stations, asked.local)
    return nearby_collection(stations, asked, notes)
