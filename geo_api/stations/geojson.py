"""GeoJSON shapes of the station answers, and the travel-time estimates they carry."""

from typing import Any

import numpy as np
import orjson
from pydantic import BaseModel, Field

from geo_api.coords import WGS84, OutputSystem, from_wgs84
from geo_api.geojson import Feature, FeatureCollection, Point
from geo_api.stations.links import MapLinks, map_links
from geo_api.stations.nearest import NearbyStation
from geo_api.vocab import Amenity, StationKind

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


class NearbyProperties(BaseModel):
    """What a worker needs to know about a station near them."""

    id: int
    name: str
    kind: StationKind
    address: str | None
    amenities: list[Amenity]
    hours_text: str | None
    open_now: bool | None = Field(description="null when the opening hours are unknown")
    distance_m: float
    walk_min: float
    ride_min: float
    links: Links


class NearbyFeature(Feature[Point, NearbyProperties]):
    """A station near the worker, as a GeoJSON feature."""


class NearbyCollection(FeatureCollection[NearbyFeature]):
    """The nearest stations, nearest first."""

    coordinate_system: OutputSystem = Field(
        description="wgs84 unless out_crs asked for gcj02 or bd09"
    )


def coordinates_in(lons: list[float], lats: list[float], out_crs: str) -> list[list[float]]:
    """Return ``[lon, lat]`` pairs for display in ``out_crs``, converted at once."""
    if out_crs == WGS84:
        return [[x, y] for x, y in zip(lons, lats, strict=True)]
    xs, ys = (np.atleast_1d(v).round(8).tolist() for v in from_wgs84(lons, lats, out_crs))
    return [[x, y] for x, y in zip(xs, ys, strict=True)]


def nearby_feature(
    station: NearbyStation, position: list[float], links: MapLinks
) -> dict[str, Any]:
    """Return the GeoJSON feature of one nearby station, shaped as ``NearbyFeature``."""
    return {
        "type": "Feature",
        "id": station.id,
        "geometry": {"type": "Point", "coordinates": position},
        "properties": {
            "id": station.id,
            "name": station.name,
            "kind": station.kind,
            "address": station.address,
            "amenities": station.amenities,
            "hours_text": station.hours_text,
            "open_now": station.open_now,
            "distance_m": round(station.distance_m, 2),
            "walk_min": travel_min(station.distance_m, WALK_KMH),
            "ride_min": travel_min(station.distance_m, RIDE_KMH),
            "links": {"amap": links.amap, "baidu": links.baidu, "tencent": links.tencent},
        },
    }


def nearby_collection(stations: list[NearbyStation], out_crs: str) -> bytes:
    """Return the FeatureCollection of the nearest stations as JSON, shaped as NearbyCollection.

    This is the hot path of the workers' app: the dictionaries are built directly and dumped
    with orjson, rather than validated into pydantic models that are ours to begin with
    (``tests/test_nearest_api.py`` checks the answer against ``NearbyCollection``).
    """
    lons, lats = [s.lon for s in stations], [s.lat for s in stations]
    positions = coordinates_in(lons, lats, out_crs)
    links = map_links(lons, lats, [s.name for s in stations], [s.address for s in stations])
    features = [
        nearby_feature(station, position, link)
        for station, position, link in zip(stations, positions, links, strict=True)
    ]
    collection = {"type": "FeatureCollection", "coordinate_system": out_crs, "features": features}
    return orjson.dumps(collection)
