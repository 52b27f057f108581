"""``coverage refresh``: a city's H3 cells with their demand and nearest open station.

The cells are computed in Python with h3 (PostGIS has no H3 here); each cell's nearest open
station is found in numpy (``geo_api.coverage.nearest``: a k-d tree for candidates, the exact
spheroidal distance for the few of them); the rows replace the city's old ones by one DELETE and
one binary COPY (``geo_api.coverage.copy_cells``, ``geo_api.coverage.write``), both running
while Python computes, in the caller's transaction: readers see the old cells or the new ones.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import h3
import h3ronpy.vector as h3v
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Row, text
from sqlalchemy.orm import Session

from geo_api import audit
from geo_api.coverage import DEFAULT_RES, MAX_RES, MIN_RES
from geo_api.coverage.areas import area_boundaries, load_city
from geo_api.coverage.cells import cell_demand, cells_touching
from geo_api.coverage.copy_cells import CellRows, copy_tuples
from geo_api.coverage.nearest import StationIndex, widened_bounds
from geo_api.coverage.write import copying_cells, deleting_cells, in_background
from geo_api.errors import InvalidInput

# The widest H3 cell measured (vertex to vertex, anywhere on the globe, res 4 to 11) spans 2.21
# average edges; 2.5 leaves room.
CELL_WIDTH_EDGES = 2.5

# Cells computed and sent at a time: PostgreSQL ingests one part while Python computes the next,
# and the stream in memory stays small (a prefecture city at res 9 can hold a million cells).
CELLS_PER_PART = 25_000

OPEN_STATIONS = "SELECT id, ST_X(geom), ST_Y(geom) FROM stations WHERE status = 'open'"
OPEN_STATIONS_IN_BOX = OPEN_STATIONS + " AND geom && ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)"
# A refresh reads the open stations within this many km of the city's cells at first (a city's
# nearest station can lie in another city, but rarely farther): at national scale that is a few
# thousand of 200,000. A cell whose nearest among them is farther away asks all of them.
REACH_KM = 20.0
OUTLETS_IN_BOX = """
SELECT ST_X(geom), ST_Y(geom), riders FROM outlets
WHERE geom && ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)
"""


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh wrote."""

    city: str
    res: int
    cells: int
    cells_with_riders: int
    seconds: float
    # Of which: finding each cell's nearest station (the rest: reading, H3, demand and writing).
    seconds_nearest: float


def check_res(res: int) -> None:
    """Raise InvalidInput unless ``res`` is a resolution coverage supports."""
    if not MIN_RES <= res <= MAX_RES:
        raise InvalidInput(f"res must be between {MIN_RES} and {MAX_RES}, got {res}")


def refresh_coverage(
    session: Session, city: str, res: int, actor: str, stations: StationIndex | None = None
) -> RefreshResult:
    """Refresh the city's cells and audit who did it, both in the session's transaction.

    The one use-case behind ``POST /coverage/refresh``, ``warmmap coverage refresh``, the
    batch (``geo_api.coverage.batch``, which reads the open stations once for all its cities)
    and the demo: each names its actor, none writes the audit row itself.
    """
    result = refresh_city(session, city, res, stations)
    detail = {"res": res, "cells": result.cells, "seconds": result.seconds}
    audit.record(session, actor, "refresh", "coverage_cells", city, detail)
    return result


def refresh_city(
    session: Session,
    city: str,
    res: int = DEFAULT_RES,
    stations: StationIndex | None = None,
) -> RefreshResult:
    """Replace the coverage cells of ``city`` at ``res`` in the session's transaction.

    ``stations`` (the open stations, read once for many cities) is read here when not given.
    """
    check_res(res)
    started = time.perf_counter()
    # The moment the refresh starts reading: a change logged after it may not be in the cells
    # (``coverage.gaps`` then says stale). Stations read earlier date the cells back to then.
    refreshed_at = session.execute(text("SELECT clock_timestamp()")).scalar_one()
    if stations is not None and stations.read_at is not None:
        refreshed_at = min(refreshed_at, stations.read_at)
    load_city(session, city)  # NotFound unless the city is loaded
    boundaries = area_boundaries(session, city)
    bounds = expanded_bounds(boundaries, res)
    lon, lat, riders = read_outlets(session, bounds)
    around = stations is None
    if stations is None:
        # The stations around the city first; all of them only for a cell that needs them.
        stations = open_stations_in(session, widened_bounds(bounds, REACH_KM))
    with in_background(deleting_cells(session, city, res)):
        cells = cells_touching(boundaries, res)
        outlets, riders_per_cell = cell_demand(cells, res, lon, lat, riders)
        nearest_started = time.perf_counter()
        centres = h3_centres(cells)
        station_id, distance_m = nearest_of(centres[:, 1], centres[:, 0], stations)
        nearest_s = time.perf_counter() - nearest_started
    if around:
        far = np.flatnonzero((station_id < 0) | ~(distance_m <= REACH_KM * 1000))
        if len(far):
            # Beyond the stations read, one may be nearer than the nearest of them.
            nearest_started = time.perf_counter()
            everywhere = read_open_stations(session)
            station_id[far], distance_m[far] = nearest_of(
                centres[far, 1], centres[far, 0], everywhere
            )
            nearest_s += time.perf_counter() - nearest_started
    with copying_cells(session) as send:
        for start in range(0, len(cells), CELLS_PER_PART):
            part = slice(start, start + CELLS_PER_PART)
            rows = CellRows(
                cells[part],
                outlets[part],
                riders_per_cell[part],
                station_id[part],
                distance_m[part],
            )
            send(copy_tuples(city, res, rows, refreshed_at))
    return RefreshResult(
        city=city,
        res=res,
        cells=len(cells),
        cells_with_riders=int(np.count_nonzero(riders_per_cell > 0)),
        seconds=round(time.perf_counter() - started, 3),
        seconds_nearest=round(nearest_s, 3),
    )


def nearest_of(
    lon: np.ndarray, lat: np.ndarray, stations: StationIndex
) -> tuple[np.ndarray, np.ndarray]:
    """Return the id of the nearest of ``stations`` to each point (-1: none) and its metres."""
    nearest = stations.nearest(lon, lat)
    return nearest.station_id, nearest.distance_m


def h3_centres(cells: np.ndarray) -> np.ndarray:
    """Return the cells' centres as (lat, lng) rows, as ``h3.cell_to_latlng`` gives them."""
    table = h3v.cells_to_coordinates(cells)
    return np.column_stack([np.asarray(table.column("lat")), np.asarray(table.column("lng"))])


def write_cells(
    session: Session, city: str, res: int, rows: CellRows, refreshed_at: datetime
) -> None:
    """Replace the city's cells at ``res`` by ``rows``: one DELETE, one binary COPY."""
    with in_background(deleting_cells(session, city, res)):
        pass
    with copying_cells(session) as send:
        send(copy_tuples(city, res, rows, refreshed_at))


def read_open_stations(session: Session) -> StationIndex:
    """Return every open station, dated by when they were read.

    A city's nearest station can lie in another city; the batch reads them once for all.
    """
    read_at = session.execute(text("SELECT clock_timestamp()")).scalar_one()
    return _station_index(session.execute(text(OPEN_STATIONS)).all(), read_at)


def open_stations_in(session: Session, box: tuple[float, ...]) -> StationIndex:
    """Return the open stations inside lon/lat ``box``."""
    corners = dict(zip(("x0", "y0", "x1", "y1"), box, strict=True))
    return _station_index(session.execute(text(OPEN_STATIONS_IN_BOX), corners).all(), None)


def _station_index(rows: Sequence[Row[Any]], read_at: datetime | None) -> StationIndex:
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    places = np.array([row[1:] for row in rows], dtype=np.float64).reshape(-1, 2)
    return StationIndex(ids, places[:, 0], places[:, 1], read_at)


def read_outlets(
    session: Session, bounds: tuple[float, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the lon, lat and riders (NaN when unknown) of the outlets inside ``bounds``."""
    rows = session.execute(
        text(OUTLETS_IN_BOX), dict(zip(("x0", "y0", "x1", "y1"), bounds, strict=True))
    ).all()
    table = np.array(
        [(x, y, np.nan if r is None else r) for x, y, r in rows], dtype=np.float64
    ).reshape(-1, 3)
    return table[:, 0], table[:, 1], table[:, 2]


def expanded_bounds(boundaries: list[BaseGeometry], res: int) -> tuple[float, ...]:
    """Return the bounds of ``boundaries`` widened as far as a cell overlapping them reaches.

    A cell that overlaps an area by a sliver can reach a whole cell width beyond its bounds, and
    its outlets must still be read. The width is at most ``CELL_WIDTH_EDGES`` average edges.
    """
    width_km = CELL_WIDTH_EDGES * h3.average_hexagon_edge_length(res, unit="km")
    x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(boundaries))
    return widened_bounds((x0, y0, x1, y1), width_km)
