"""Coordinate systems of Chinese map data, and conversion to and from WGS-84.

GCJ-02 (Amap, Tencent, WeChat) and BD-09 (Baidu) are obfuscations, not datums, so PROJ cannot
transform them. The forward functions are the published algorithms; the inverses have no closed
form and are iterated until the forward image of the answer is within ``INVERSE_TOLERANCE_DEG``
(about 1 cm) of the input, far below the 0.5 m the ETL promises.

prcoords does the same per point in pure Python, but stops its inverse at 1e-5 degrees (about
1 m) and warns outside China; loads of a million rows need the vectorised form here.

Everything works on numpy arrays (or scalars) of longitude and latitude, in that order.
"""

from functools import lru_cache
from typing import Final, Literal, get_args

import numpy as np
import numpy.typing as npt
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geo_api.errors import InvalidInput

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike

WGS84: Final = "wgs84"
CGCS2000: Final = "cgcs2000"
GCJ02: Final = "gcj02"
BD09: Final = "bd09"
NAMED_SYSTEMS: Final = (WGS84, CGCS2000, GCJ02, BD09)
# Input systems the API accepts for a point (no projected systems on a phone).
POINT_INPUT_SYSTEMS: Final = NAMED_SYSTEMS
# Output systems for plotting on a Chinese base map.
OutputSystem = Literal["wgs84", "gcj02", "bd09"]
OUTPUT_SYSTEMS: Final[tuple[str, ...]] = get_args(OutputSystem)

# Krasovsky 1940, as GCJ-02 uses it.
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323
_BD_X_PI = np.pi * 3000.0 / 180.0
INVERSE_TOLERANCE_DEG = 1e-7
_MAX_ITERATIONS = 30

# China's extent, with the South China Sea islands: points outside it are not Chinese map data.
CHINA_LON: Final = (73.0, 135.5)
CHINA_LAT: Final = (3.0, 54.0)


def _pair(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def in_china(lon: ArrayLike, lat: ArrayLike) -> npt.NDArray[np.bool_]:
    """Return whether each point lies inside China's bounding extent."""
    x, y = _pair(lon, lat)
    return (x >= CHINA_LON[0]) & (x <= CHINA_LON[1]) & (y >= CHINA_LAT[0]) & (y <= CHINA_LAT[1])


def looks_swapped(x: ArrayLike, y: ArrayLike) -> npt.NDArray[np.bool_]:
    """Return whether each ``(x, y)`` lies outside China but ``(y, x)`` inside: lat given first.

    The one test of swapped coordinates: the ETL rejects such rows with it and the API names it
    in its 422 (both only for systems in degrees).
    """
    return ~in_china(x, y) & in_china(y, x)


def is_projected(crs: str) -> bool:
    """Return whether a canonical system name (``normalize_crs``) is projected (in metres)."""
    return crs.startswith("EPSG:") and bool(CRS.from_epsg(int(crs[5:])).is_projected)


def point_in_china(x: float, y: float, crs: str) -> tuple[float, float]:
    """Return the WGS-84 longitude and latitude of one point given in ``crs``, checked.

    Raises
    ------
    InvalidInput
        Naming ``lon/lat`` when a value is not a finite number, when the pair looks swapped
        (latitude first), or when the point lies outside China.
    """
    if not (np.isfinite(x) and np.isfinite(y)):
        raise InvalidInput("lon/lat: give finite numbers, longitude first")
    crs = normalize_crs(crs)
    if not is_projected(crs) and looks_swapped(x, y):
        raise InvalidInput(
            f"lon/lat: ({x}, {y}) lies outside China but ({y}, {x}) would not: "
            "are lon and lat swapped? Longitude comes first"
        )
    lon, lat = (float(v) for v in to_wgs84(x, y, crs))
    if not (np.isfinite(lon) and np.isfinite(lat) and in_china(lon, lat)):
        raise InvalidInput(f"lon/lat: ({x}, {y}) in {crs} lies outside China")
    return lon, lat


def _gcj_offset(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return the GCJ-02 offset in degrees at WGS-84 (lon, lat)."""
    x, y = lon - 105.0, lat - 35.0
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat = dlat + common
    dlat = dlat + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat = dlat + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon = dlon + common
    dlon = dlon + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon = dlon + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _GCJ_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_GCJ_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Obfuscate WGS-84 into GCJ-02 (what Amap and Tencent display)."""
    x, y = _pair(lon, lat)
    dlon, dlat = _gcj_offset(x, y)
    return x + dlon, y + dlat


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Obfuscate GCJ-02 further into BD-09 (what Baidu displays)."""
    x, y = _pair(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _BD_X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Obfuscate WGS-84 into BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def _invert(forward, lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:  # type: ignore[no-untyped-def]
    """Solve ``forward(p) = (lon, lat)`` for ``p`` by fixed-point iteration.

    The obfuscations shift points by at most a few hundred metres and vary slowly, so
    ``p -= forward(p) - target`` converges in a handful of steps. Each point stops once it has
    converged, so its answer does not depend on the other points converted with it: a row
    loaded again in another file lands on exactly the same position.
    """
    target_x, target_y = np.broadcast_arrays(*_pair(lon, lat))
    shape = target_x.shape
    tx, ty = target_x.reshape(-1), target_y.reshape(-1)
    fx, fy = forward(tx, ty)
    x, y = tx - (fx - tx), ty - (fy - ty)
    active = np.arange(tx.size)
    for _ in range(_MAX_ITERATIONS):
        fx, fy = forward(x[active], y[active])
        ex, ey = fx - tx[active], fy - ty[active]
        x[active], y[active] = x[active] - ex, y[active] - ey
        active = active[
            ~((np.abs(ex) < INVERSE_TOLERANCE_DEG) & (np.abs(ey) < INVERSE_TOLERANCE_DEG))
        ]
        if active.size == 0:
            break
    return x.reshape(shape), y.reshape(shape)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Recover WGS-84 from GCJ-02 (iterated to about 1 cm)."""
    return _invert(wgs84_to_gcj02, lon, lat)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Recover GCJ-02 from BD-09 (iterated to about 1 cm)."""
    return _invert(gcj02_to_bd09, lon, lat)


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Recover WGS-84 from BD-09 (iterated to about 1 cm)."""
    return _invert(wgs84_to_bd09, lon, lat)


def normalize_crs(name: str) -> str:
    """Return the canonical name of a coordinate system: a named system or ``EPSG:n``.

    Raises
    ------
    InvalidInput
        When ``name`` is neither a named system nor an EPSG code PROJ knows.
    """
    key = name.strip().lower().replace("-", "").replace("_", "")
    aliases = {
        "wgs84": WGS84,
        "epsg:4326": WGS84,
        "4326": WGS84,
        "cgcs2000": CGCS2000,
        "epsg:4490": CGCS2000,
        "gcj02": GCJ02,
        "gcj": GCJ02,
        "amap": GCJ02,
        "bd09": BD09,
        "bd09ll": BD09,
        "baidu": BD09,
    }
    if key in aliases:
        return aliases[key]
    if key.startswith("epsg:") and key[5:].isdigit():
        try:
            CRS.from_epsg(int(key[5:]))
        except CRSError:
            raise InvalidInput(f"unknown coordinate system {name!r}: no such EPSG code") from None
        return f"EPSG:{int(key[5:])}"
    raise InvalidInput(
        f"unknown coordinate system {name!r}: use wgs84, cgcs2000, gcj02, bd09 or EPSG:n"
    )


@lru_cache(maxsize=32)
def _to_wgs84_transformer(epsg: int) -> Transformer:
    return Transformer.from_crs(CRS.from_epsg(epsg), CRS.from_epsg(4326), always_xy=True)


def to_wgs84(x: ArrayLike, y: ArrayLike, crs: str) -> tuple[FloatArray, FloatArray]:
    """Convert coordinates in ``crs`` (see ``normalize_crs``) to WGS-84 longitude and latitude.

    CGCS2000 and WGS-84 agree to a few centimetres, well below the accuracy of any source here,
    so CGCS2000 longitude/latitude pass through unchanged.
    """
    crs = normalize_crs(crs)
    if crs in (WGS84, CGCS2000):
        return _pair(x, y)
    if crs == GCJ02:
        return gcj02_to_wgs84(x, y)
    if crs == BD09:
        return bd09_to_wgs84(x, y)
    lon, lat = _to_wgs84_transformer(int(crs.split(":")[1])).transform(*_pair(x, y))
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def from_wgs84(lon: ArrayLike, lat: ArrayLike, crs: str) -> tuple[FloatArray, FloatArray]:
    """Convert WGS-84 longitude and latitude for display in ``crs`` (wgs84, gcj02 or bd09)."""
    crs = normalize_crs(crs)
    if crs in (WGS84, CGCS2000):
        return _pair(lon, lat)
    if crs == GCJ02:
        return wgs84_to_gcj02(lon, lat)
    if crs == BD09:
        return wgs84_to_bd09(lon, lat)
    raise InvalidInput(f"cannot output in {crs}: use wgs84, gcj02 or bd09")


def geodesic_m(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> FloatArray:
    """Return distances in metres on the WGS-84 spheroid (pyproj's Geod)."""
    from pyproj import Geod

    _, _, distance = Geod(ellps="WGS84").inv(*_pair(lon1, lat1), *_pair(lon2, lat2))
    return np.asarray(distance, dtype=np.float64)
