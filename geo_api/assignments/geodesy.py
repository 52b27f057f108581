"""Distances for the assigner: exact geodesics on WGS-84, and chord bounds for spatial search.

A KD-tree on earth-centred (ECEF) coordinates finds neighbours by chord length. The straight
chord between two points on the ellipsoid is never longer than any path along its surface, so a
chord distance is a lower bound of the geodesic one: everything within a geodesic distance r lies
within a chord ball of radius r. That bound is what lets the assigner prove that the arcs it left
out of its sparse graph could not have improved the answer.
"""

from typing import Final

import numpy as np
from pyproj import Geod

WGS84_A: Final = 6_378_137.0
WGS84_F: Final = 1 / 298.257223563
_E2: Final = WGS84_F * (2 - WGS84_F)
GEOD: Final = Geod(ellps="WGS84")
MM_PER_M: Final = 1000


def ecef(lonlat: np.ndarray) -> np.ndarray:
    """Return earth-centred coordinates in metres (n x 3) of WGS-84 lon, lat (n x 2) at height 0."""
    lon, lat = np.radians(lonlat[:, 0]), np.radians(lonlat[:, 1])
    sin_lat = np.sin(lat)
    n = WGS84_A / np.sqrt(1 - _E2 * sin_lat**2)
    return np.column_stack(
        (n * np.cos(lat) * np.cos(lon), n * np.cos(lat) * np.sin(lon), n * (1 - _E2) * sin_lat)
    )


def geodesic_m(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the geodesic distances in metres between rows of ``a`` and ``b`` (lon, lat)."""
    if len(a) == 0:
        return np.zeros(0)
    _, _, distance = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    return np.asarray(distance, dtype=np.float64)


def geodesic_mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the geodesic distances rounded to whole millimetres (int64), the solver's costs."""
    return np.rint(geodesic_m(a, b) * MM_PER_M).astype(np.int64)
