"""GeoJSON shapes of the station answers, and the travel-time estimates they carry."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import orjson
from pydantic import BaseModel, Field

from geo_api.coords import WGS84, OutputSystem, from_wgs84
from geo_api.geojson import Feature, FeatureCollection, Point
from geo_api.notes import Note
from geo_api.stations.links import MapLinks, station_links
from geo_api.stations.nearest import NearbyStation
from geo_api.stations.opening import opening_times
from geo_api.vocab import Amenity, StationKind

# How the rider's own point is labelled in the map apps' route pages.
ORIGIN_NAME = "我的位置"
OPENS_AT_DESCRIPTION = (
    "for a station closed at `at`: when it next opens, ISO 8601 local time with its offset; "
    "null when open, when the hours are unknown, or when they never open"
)
CLOSES_AT_DESCRIPTION = (
    "for a station open at `at`: when this opening ends, ISO 8601 local time with its offset; "
    "null when closed, when the hours are unknown, or when open around the clock"
)

# Streets are not straight lines: a route is about 1.3 times the straight distance in Chinese
# city centres. Speeds: an adult walking, and an e-bike within the 25 km/h legal limit in traffic.
DETOUR_FACTOR = 1.3
WALK_KMH = 4.8
RIDE_KMH = 18.0
TRAVEL_DESCRIPTION = (
    f"`walk_min` and `ride_min` estimate the trip from the straight-line distance times a detour "
    f"factor of {DETOUR_FACTOR}, at {WALK_KMH} km/h on foot and {RIDE_KMH} km/h by e-bike."
)


def travel_min(distance_m: float, speed_kmh: float) -> float:
    """Return the estimated minutes to cover ``distance_m`` along streets at ``speed_kmh``."""
    return round(distance_m * DETOUR_FACTOR / (speed_kmh * 1000 / 60), 1)


class Links(BaseModel):
    """Marker links into the map apps; each carries the coordinates that app reads."""

    amap: str = Field(description="Amap marker, GCJ-02")
    baidu: str = Field(description="Baidu marker, BD-09 (coord_type=bd09ll)")
    tencent: str = Field(description="Tencent marker, GCJ-02")


class Navigation(BaseModel):
    """Walking routes from the asked point to the station in each map app."""

    amap: str = Field(description="Amap /navigation, mode=walk, GCJ-02")
    baidu: str = Field(description="Baidu /direction, mode=walking, BD-09 (coord_type=bd09ll)")
    tencent: str = Field(description="Tencent /uri/v1/routeplan, type=walk, GCJ-02")


class NearbyProperties(BaseModel):
    """What a worker needs to know about a station near them."""

    id: int
    name: str
    kind: StationKind
    address: str | None
    phone: str | None = Field(description="the station's public phone")
    amenities: list[Amenity]
    hours_text: str | None
    is_24h: bool
    open_now: bool | None = Field(description="null when the opening hours are unknown")
    opens_at: str | None = Field(description=OPENS_AT_DESCRIPTION)
    closes_at: str | None = Field(description=CLOSES_AT_DESCRIPTION)
    distance_m: float
    walk_min: float
    ride_min: float
    links: Links
    navigation: Navigation


class NearbyFeature(Feature[Point, NearbyProperties]):
    """A station near the worker, as a GeoJSON feature."""


class NearbyCollection(FeatureCollection[NearbyFeature]):
    """The nearest stations, nearest first."""

    coordinate_system: OutputSystem = Field(
        description="wgs84 unless out_crs asked for gcj02 or bd09"
    )
    origin: list[float] = Field(
        description="the asked point as [lon, lat] in coordinate_system (a map draws from it)"
    )
    at: str = Field(description="the time open_now, opens_at and closes_at are evaluated at")
    notes: list[Note] = Field(
        description="Why the answer is empty or far, usually none. Codes: "
        "none_within_max_distance, none_open_at, no_matching_station, nearest_is_far."
    )


def coordinates_in(lons: list[float], lats: list[float], out_crs: str) -> list[list[float]]:
    """Return ``[lon, lat]`` pairs for display in ``out_crs``, converted at once."""
    if out_crs == WGS84:
        return [[x, y] for x, y in zip(lons, lats, strict=True)]
    xs, ys = (np.atleast_1d(v).round(8).tolist() for v in from_wgs84(lons, lats, out_crs))
    return [[x, y] for x, y in zip(xs, ys, strict=True)]


def _links(links: MapLinks) -> dict[str, str]:
    return {"amap": links.amap, "baidu": links.baidu, "tencent": links.tencent}


def nearby_feature(
    station: NearbyStation,
    position: list[float],
    links: tuple[MapLinks, MapLinks],
    opening: tuple[str | None, str | None],
) -> dict[str, Any]:
    """Return the GeoJSON feature of one nearby station, shaped as ``NearbyFeature``."""
    marker, route = links
    return {
        "type": "Feature",
        "id": station.id,
        "geometry": {"type": "Point", "coordinates": position},
        "properties": {
            "id": station.id,
            "name": station.name,
            "kind": station.kind,
            "address": station.address,
            "phone": station.phone,
            "amenities": station.amenities,
            "hours_text": station.hours_text,
            "is_24h": station.is_24h,
            "open_now": station.open_now,
            "opens_at": opening[0],
            "closes_at": opening[1],
            "distance_m": round(station.distance_m, 2),
            "walk_min": travel_min(station.distance_m, WALK_KMH),
            "ride_min": travel_min(station.distance_m, RIDE_KMH),
            "links": _links(marker),
            "navigation": _links(route),
        },
    }


@dataclass(frozen=True)
class Asked:
    """What the answer is for: the rider's WGS-84 point, local time and display system."""

    lon: float
    lat: float
    local: datetime
    minute_of_week: int
    out_crs: str


def nearby_collection(
    stations: list[NearbyStation], asked: Asked, notes: list[dict[str, Any]]
) -> bytes:
    """Return the FeatureCollection of the nearest stations as JSON, shaped as NearbyCollection.

    This is the hot path of the workers' app: the dictionaries are built directly and dumped
    with orjson, rather than validated into pydantic models that are ours to begin with
    (``tests/test_nearest_api.py`` checks the answer against ``NearbyCollection``).
    """
    lons, lats = [s.lon for s in stations], [s.lat for s in stations]
    positions = coordinates_in(lons, lats, asked.out_crs)
    links = station_links(
        (asked.lon, asked.lat, ORIGIN_NAME),
        lons,
        lats,
        [s.name for s in stations],
        [s.address for s in stations],
    )
    openings = opening_times(
        [s.hours for s in stations],
        [s.is_24h for s in stations],
        [s.open_now for s in stations],
        asked.local,
        asked.minute_of_week,
    )
    features = [
        nearby_feature(*parts) for parts in zip(stations, positions, links, openings, strict=True)
    ]
    (origin,) = coordinates_in([asked.lon], [asked.lat], asked.out_crs)
    collection = {
        "type": "FeatureCollection",
        "coordinate_system": asked.out_crs,
        "origin": origin,
        "at": asked.local.isoformat(),
        "notes": notes,
        "features": features,
    }
    return orjson.dumps(collection)
