"""WebMercatorQuad tile arithmetic: which tiles exist, where they lie, which cover a box.

The tile envelope itself is built by PostGIS (``ST_TileEnvelope``) in the tile query; these
functions only check requests and locate tiles for the cache.
"""

import math

from geo_api.errors import NotFound
from tiles.registry import Layer

EXTENT = 4096  # MVT coordinate units across a tile
BUFFER = 256  # units of neighbouring tiles kept around it, so symbols and strokes join up
MARGIN = BUFFER / EXTENT  # the buffer as a fraction of the tile, ST_TileEnvelope's margin
MAX_ZOOM = 24
HALF_WORLD_M = 20037508.342789244
MAX_LAT = math.degrees(math.atan(math.sinh(math.pi)))  # 85.0511...

Box = tuple[float, float, float, float]  # west, south, east, north (degrees)


def check_tile(layer: Layer, z: int, x: int, y: int) -> None:
    """Raise NotFound unless tile z/x/y exists and lies in the layer's zoom range."""
    if not layer.minzoom <= z <= layer.maxzoom:
        raise NotFound(
            f"layer {layer.id} has tiles at zoom {layer.minzoom} to {layer.maxzoom}, not {z}"
        )
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        raise NotFound(f"tile {z}/{x}/{y} does not exist: x and y run from 0 to {2**z - 1}")


def unit_m(z: int) -> float:
    """Return the size in metres (EPSG:3857) of one MVT unit of a tile at zoom ``z``."""
    return 2 * HALF_WORLD_M / 2**z / EXTENT


def _lon(x: float, z: int) -> float:
    return x / 2**z * 360.0 - 180.0


def _lat(y: float, z: int) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / 2**z))))


def tile_box(z: int, x: int, y: int, margin: float = 0.0) -> Box:
    """Return the lon/lat box of tile z/x/y widened by ``margin`` tiles on every side."""
    return (
        _lon(x - margin, z),
        _lat(y + 1 + margin, z),
        _lon(x + 1 + margin, z),
        _lat(y - margin, z),
    )


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """Return the column and row of the tile at zoom ``z`` holding ``lon, lat``."""
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tiles_covering(box: Box, z: int) -> tuple[int, int, int, int]:
    """Return the columns and rows ``x0, y0, x1, y1`` (inclusive) of the tiles over ``box``."""
    west, south, east, north = box
    x0, y0 = tile_of(west, north, z)
    x1, y1 = tile_of(east, south, z)
    return x0, y0, x1, y1


def widen(box: Box, metres: float) -> Box:
    """Return ``box`` widened by at least ``metres`` on every side."""
    if metres <= 0:
        return box
    west, south, east, north = box
    dlat = metres / 110_574.0  # the shortest degree of latitude, at the equator
    coslat = math.cos(math.radians(min(MAX_LAT, max(abs(south), abs(north)) + dlat)))
    dlon = metres / (111_320.0 * coslat)
    return west - dlon, south - dlat, east + dlon, north + dlat


def intersects(a: Box, b: Box) -> bool:
    """Return whether boxes ``a`` and ``b`` share a point."""
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]
