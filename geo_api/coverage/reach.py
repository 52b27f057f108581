"""Which outlets have an open station within a distance, exact on the spheroid, in numpy.

An outlet is covered when an open station lies within ``threshold_m`` of it on the WGS-84
spheroid: what ``ST_DWithin(station::geography, outlet::geography, threshold_m)`` says. Asked of
the database, that is one index probe per outlet (about 20 µs each, 9,500 for Chengdu, most of a
community-coverage answer, and more at national scale where the stations' index is deeper). Here
the outlets' exact nearest open station is found at once (``StationIndex``, a k-d tree with an
exact spheroidal re-rank) among the open stations that can be within reach of any of them: those
inside the outlets' bounding box widened by the threshold.
"""

from dataclasses import dataclass

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.coverage.nearest import StationIndex, widened_bounds
from geo_api.coverage.refresh import open_stations_in

CITY_OUTLETS = """
SELECT ou.id, ou.riders, ST_X(ou.geom), ST_Y(ou.geom)
FROM outlets ou JOIN admin_areas city ON city.adcode = :city
WHERE ST_Covers(city.geom, ou.geom)
"""
OUTLETS_BY_ID = "SELECT id, riders, ST_X(geom), ST_Y(geom) FROM outlets WHERE id = ANY(:ids)"
# Bounds are widened a little more than the threshold: a station exactly at it is still read.
_MARGIN_SLACK = 1.001


@dataclass(frozen=True)
class Outlets:
    """Outlets by ascending id: their riders (0 when unknown) and whether they are covered."""

    ids: np.ndarray
    riders: np.ndarray
    covered: np.ndarray

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Return where each of ``ids`` (all among ``self.ids``) sits in these arrays."""
        return np.searchsorted(self.ids, ids)

    def totals(self, ids: np.ndarray | None = None) -> dict[str, int]:
        """Return the outlets, covered outlets, riders and covered riders of ``ids`` (or all)."""
        at = slice(None) if ids is None else self.positions(ids)
        riders, covered = self.riders[at], self.covered[at]
        return {
            "outlets": int(riders.size),
            "covered_outlets": int(covered.sum()),
            "riders": int(riders.sum()),
            "covered_riders": int(riders[covered].sum()),
        }


def city_outlet_rows(session: Session, city: str) -> list[tuple[int, int | None, float, float]]:
    """Return id, riders, lon, lat of every outlet inside the boundary of ``city``."""
    rows = session.execute(text(CITY_OUTLETS), {"city": city}).all()
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def outlet_rows_by_id(
    session: Session, ids: list[int]
) -> list[tuple[int, int | None, float, float]]:
    """Return id, riders, lon, lat of the outlets ``ids``."""
    rows = session.execute(text(OUTLETS_BY_ID), {"ids": ids}).all() if ids else []
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def covered_outlets(
    session: Session, rows: list[tuple[int, int | None, float, float]], threshold_m: float
) -> Outlets:
    """Return the outlets of ``rows`` (id, riders, lon, lat), each covered or not."""
    table = np.array(
        [(i, 0 if r is None else r, x, y) for i, r, x, y in rows], dtype=np.float64
    ).reshape(-1, 4)
    order = np.argsort(table[:, 0], kind="stable")
    table = table[order]
    ids, riders = table[:, 0].astype(np.int64), table[:, 1].astype(np.int64)
    lon, lat = table[:, 2], table[:, 3]
    covered = np.zeros(len(ids), dtype=bool)
    if len(ids):
        stations = stations_within_reach(session, lon, lat, threshold_m)
        distance_m = stations.nearest(lon, lat).distance_m
        covered = np.nan_to_num(distance_m, nan=np.inf) <= threshold_m
    return Outlets(ids, riders, covered)


def stations_within_reach(
    session: Session, lon: np.ndarray, lat: np.ndarray, threshold_m: float
) -> StationIndex:
    """Return the open stations that may lie within ``threshold_m`` of any of the points."""
    bounds = (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))
    return open_stations_in(session, widened_bounds(bounds, threshold_m / 1000 * _MARGIN_SLACK))
