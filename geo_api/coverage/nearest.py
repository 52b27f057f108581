"""The nearest open station of many points, exact on the WGS-84 spheroid, in numpy.

Candidates come from a k-d tree on 3-D unit vectors (the points' geodetic latitude and longitude
put on a unit sphere, where the chord grows with the great-circle angle); the spheroidal
distance (pyproj's Geod, Karney's algorithm) is computed for the few candidates only.

Why the candidates hold the true nearest: on the spheroid the length of any path is at least
``SPHERE_M`` times its angle on the sphere, because both radii of curvature (meridian M and
prime vertical N) are at least a(1 - e²), M's value at the equator. So a station at great-circle
angle θ from a point is at least ``SPHERE_M * θ`` away on the spheroid. Once one candidate is
found at spheroidal distance g, every station that could be nearer (or as near, for the tie by
id) lies within the angle g / ``SPHERE_M``: all of them are taken as candidates.
"""

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from pyproj import Geod
from scipy.spatial import cKDTree

GEOD = Geod(ellps="WGS84")
# a(1 - e²) of WGS-84: the smallest radius of curvature anywhere on the spheroid, in metres.
SPHERE_M = GEOD.a * (1 - GEOD.es)
# Chords are compared with a relative slack far above float rounding: it only adds candidates.
CHORD_SLACK = 1e-9
# The shortest degree of latitude (at the equator) and a degree of longitude on the equator,
# in km on the WGS-84 spheroid; a degree of longitude at latitude phi is at least the latter
# times cos(phi).
KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON_EQUATOR = 111.320
# Neighbours asked of the tree at first; points whose bound reaches past them ask again.
FIRST_K = 4


@dataclass(frozen=True)
class Nearest:
    """Per point: its nearest station's index and id (-1 when there is none) and the metres."""

    index: np.ndarray
    station_id: np.ndarray
    distance_m: np.ndarray


def unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Return the points (degrees) as rows of x, y, z on the unit sphere."""
    lam, phi = np.radians(lon), np.radians(lat)
    cos_phi = np.cos(phi)
    return np.column_stack([cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)])


class StationIndex:
    """Open stations (ids, lon, lat) ready to answer nearest-station questions exactly.

    ``read_at`` is when they were read from the database, if they were.
    """

    def __init__(
        self, ids: np.ndarray, lon: np.ndarray, lat: np.ndarray, read_at: datetime | None = None
    ) -> None:
        self.read_at = read_at
        order = np.argsort(ids, kind="stable")  # ties go to the smaller id: keep ids sorted
        self.ids = np.asarray(ids, dtype=np.int64)[order]
        self.lon = np.asarray(lon, dtype=np.float64)[order]
        self.lat = np.asarray(lat, dtype=np.float64)[order]
        self.tree = cKDTree(unit_vectors(self.lon, self.lat)) if len(self.ids) else None

    def __len__(self) -> int:
        return len(self.ids)

    def nearest(self, lon: np.ndarray, lat: np.ndarray) -> Nearest:
        """Return, per point, the station at the smallest spheroidal distance (ties by id)."""
        n = len(lon)
        index = np.full(n, -1, dtype=np.int64)
        distance_m = np.full(n, np.nan)
        if self.tree is None or n == 0:
            return Nearest(index, index.copy(), distance_m)
        points = unit_vectors(lon, lat)
        k = min(FIRST_K, len(self))
        chords, found = self.tree.query(points, k=k)
        chords, found = chords.reshape(n, k), found.reshape(n, k)
        # The chord-nearest station bounds the search; its spheroidal distance is the bound.
        best = found[:, 0]
        best_m = self._distance_m(lon, lat, best)
        bound = _chord_of(best_m)
        # Every other candidate inside the bound is measured too (few: the bound is within 1%).
        for j in range(1, k):
            inside = np.flatnonzero(chords[:, j] <= bound)
            if not len(inside):
                break
            other = found[inside, j]
            other_m = self._distance_m(lon[inside], lat[inside], other)
            better = _better(other_m, self.ids[other], best_m[inside], self.ids[best[inside]])
            best[inside[better]] = other[better]
            best_m[inside[better]] = other_m[better]
        # Where the k-th neighbour is still inside the bound, stations beyond it may be too.
        if k < len(self):
            for i in np.flatnonzero(chords[:, k - 1] <= bound):
                best[i], best_m[i] = self._nearest_within(lon[i], lat[i], points[i], bound[i])
        return Nearest(best, self.ids[best], best_m)

    def _distance_m(self, lon: np.ndarray, lat: np.ndarray, which: np.ndarray) -> np.ndarray:
        return np.asarray(GEOD.inv(lon, lat, self.lon[which], self.lat[which])[2], dtype=float)

    def _nearest_within(
        self, lon: float, lat: float, point: np.ndarray, bound: float
    ) -> tuple[int, float]:
        assert self.tree is not None
        within = np.array(self.tree.query_ball_point(point, bound), dtype=np.int64)
        distance_m = self._distance_m(np.full(len(within), lon), np.full(len(within), lat), within)
        first = np.lexsort((self.ids[within], distance_m))[0]
        return int(within[first]), float(distance_m[first])


def _chord_of(distance_m: np.ndarray) -> np.ndarray:
    """Return the unit-sphere chord of the widest angle a station ``distance_m`` away can be at."""
    angle = np.minimum(distance_m / SPHERE_M, np.pi)
    return 2 * np.sin(angle / 2) * (1 + CHORD_SLACK) + CHORD_SLACK


def _better(
    distance_m: np.ndarray, ids: np.ndarray, best_m: np.ndarray, best_ids: np.ndarray
) -> np.ndarray:
    return (distance_m < best_m) | ((distance_m == best_m) & (ids < best_ids))


def widened_bounds(bounds: tuple[float, ...], margin_km: float) -> tuple[float, ...]:
    """Return lon/lat ``bounds`` widened so that they hold every point within ``margin_km``.

    The margin is turned into degrees with the shortest degree of latitude (at the equator) and
    the length of a degree of longitude at the poleward edge of the widened box, where it is
    shortest (at Yichun's 47.7°N a degree of longitude is 75 km, not the 111 km of the equator).
    """
    x0, y0, x1, y1 = bounds
    margin_lat = margin_km / KM_PER_DEGREE_LAT
    poleward = min(89.0, max(abs(y0), abs(y1)) + margin_lat)
    margin_lon = margin_km / (KM_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(poleward)))
    return (x0 - margin_lon, y0 - margin_lat, x1 + margin_lon, y1 + margin_lat)
