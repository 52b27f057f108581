"""``coverage refresh``: a city's H3 cells with their demand and nearest open station.

The cells are computed in Python with h3 (PostGIS has no H3 here), copied into a staging table
with COPY, and joined to the stations in one set-based statement: a KNN on the stations'
geography index per group of cells bounds the candidates, and a LATERAL per cell takes the one
at the smallest exact spheroidal distance.
"""

import math
import time
from collections import Counter
from dataclasses import dataclass

import h3
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api import audit
from geo_api.coverage import DEFAULT_RES, MAX_RES, MIN_RES
from geo_api.coverage.areas import area_boundaries, load_city
from geo_api.coverage.staging import staging_rows
from geo_api.errors import InvalidInput

STAGING_DDL = """
CREATE TEMP TABLE IF NOT EXISTS coverage_staging (
    h3 text PRIMARY KEY, geom geometry(Polygon, 4326) NOT NULL, lon float8 NOT NULL,
    lat float8 NOT NULL, parent integer NOT NULL, reach_m float8 NOT NULL,
    outlets integer NOT NULL, riders integer NOT NULL
) ON COMMIT DROP
"""

# A KNN probe per cell costs a geography index scan each; instead the cells are grouped under a
# coarser parent. Whatever station s is nearest the parent's centre P, a cell c of the group with
# |cP| <= reach has its nearest within |cs| <= |Ps| + reach, so (triangle inequality of the
# geodesic distance) that nearest lies within |Ps| + 2 reach of P: those few stations are the
# candidates of the group. The same holds per cell with its own |cP| as reach, which skips the
# exact distance to most of them; each cell takes the candidate at the smallest exact spheroidal
# distance (ties by id). The metre of slack only adds candidates.
FILL_CELLS = """
WITH parents AS MATERIALIZED (
    SELECT g.parent, g.reach_m, ST_SetSRID(ST_MakePoint(g.lon, g.lat), 4326)::geography AS centre
    FROM unnest(CAST(:lon AS float8[]), CAST(:lat AS float8[]), CAST(:reach_m AS float8[]))
         WITH ORDINALITY AS g(lon, lat, reach_m, parent)
), candidates AS MATERIALIZED (
    SELECT p.parent, min(b.bound_m) AS bound_m, array_agg(st.id) AS ids,
           array_agg(st.geom::geography) AS geogs,
           array_agg(ST_Distance(st.geom::geography, p.centre)) AS parent_m
    FROM parents p
    CROSS JOIN LATERAL (
        SELECT ST_Distance(o.geom::geography, p.centre) AS bound_m FROM stations o
        WHERE o.status = 'open' ORDER BY o.geom::geography <-> p.centre LIMIT 1
    ) b
    JOIN stations st ON st.status = 'open'
        AND ST_DWithin(st.geom::geography, p.centre, b.bound_m + 2 * p.reach_m + 1)
    GROUP BY p.parent
)
INSERT INTO coverage_cells (city_adcode, res, h3, geom, outlets, riders,
                            nearest_station_id, nearest_station_m, refreshed_at)
SELECT :city, :res, s.h3, s.geom, s.outlets, s.riders, nearest.id, nearest.distance_m,
       CAST(:refreshed_at AS timestamptz)
FROM coverage_staging s
LEFT JOIN candidates c ON c.parent = s.parent
LEFT JOIN LATERAL (
    SELECT k.id,
           ST_Distance(k.geog, ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326)::geography)
               AS distance_m
    FROM unnest(c.ids, c.geogs, c.parent_m) AS k(id, geog, parent_m)
    WHERE k.parent_m <= c.bound_m + 2 * s.reach_m + 1
    ORDER BY distance_m, k.id
    LIMIT 1
) nearest ON true
"""

# The widest H3 cell measured (vertex to vertex, anywhere on the globe, res 4 to 11) spans 2.21
# average edges; 2.5 leaves room.
CELL_WIDTH_EDGES = 2.5
# The shortest degree of latitude (at the equator) and a degree of longitude on the equator,
# in km on the WGS-84 spheroid; a degree of longitude at latitude phi is at least the latter
# times cos(phi).
KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON_EQUATOR = 111.320

# Cells are grouped this many resolutions up for the nearest-station search (49 per group).
GROUP_LEVELS = 2
# The fill's cost grows with cells times the polygon's vertices: tiles this wide (degrees) keep
# the vertices per call few. A cell overlaps the polygon if and only if it overlaps one of its
# tiles.
TILE_DEG = 0.1


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh wrote."""

    city: str
    res: int
    cells: int
    cells_with_riders: int
    seconds: float
    # Of which: the nearest-station insert, the rest being H3, demand and COPY.
    seconds_nearest: float


def check_res(res: int) -> None:
    """Raise InvalidInput unless ``res`` is a resolution coverage supports."""
    if not MIN_RES <= res <= MAX_RES:
        raise InvalidInput(f"res must be between {MIN_RES} and {MAX_RES}, got {res}")


def cells_touching(boundaries: list[BaseGeometry], res: int) -> set[str]:
    """Return the H3 cells at ``res`` that overlap any of ``boundaries`` (the root first).

    Overlap containment keeps areas smaller than a cell. A cell overlapping the part of an area
    inside the root already overlaps the root, so of each area below it only what sticks out
    (slivers where boundaries disagree) is polygon-filled again.
    """
    root, *below = boundaries
    cells = _overlapping(root, res)
    shapely.prepare(root)
    for area in below:
        if not root.covers(area):
            cells |= _overlapping(area.difference(root), res)
        point = area.representative_point()
        cells.add(h3.latlng_to_cell(point.y, point.x, res))
    return cells


def _overlapping(boundary: BaseGeometry, res: int, tile_deg: float = TILE_DEG) -> set[str]:
    # Differences can be collections holding multipolygons and lines: flatten twice, keep areas.
    parts = shapely.get_parts(shapely.get_parts(_tiled(boundary, tile_deg)))
    polygons = [g for g in parts if g.geom_type == "Polygon"]
    cells: set[str] = set()
    for polygon in polygons:
        if not polygon.is_empty:
            shape = h3.geo_to_h3shape(polygon.__geo_interface__)
            cells.update(h3.h3shape_to_cells_experimental(shape, res, contain="overlap"))
    return cells


def _tiled(boundary: BaseGeometry, tile_deg: float) -> np.ndarray:
    """Return ``boundary`` cut by a grid of ``tile_deg`` squares, the empty pieces dropped."""
    if boundary.is_empty:
        return np.array([boundary])
    x0, y0, x1, y1 = boundary.bounds
    xs = np.append(np.arange(x0, x1, tile_deg), x1)
    ys = np.append(np.arange(y0, y1, tile_deg), y1)
    left, bottom = (a.ravel() for a in np.meshgrid(xs[:-1], ys[:-1]))
    right, top = (a.ravel() for a in np.meshgrid(xs[1:], ys[1:]))
    tiles = shapely.box(left, bottom, right, top)
    shapely.prepare(boundary)
    return shapely.intersection(boundary, tiles[shapely.intersects(boundary, tiles)])


def outlet_demand(
    session: Session, cells: set[str], res: int, bounds: tuple[float, ...]
) -> tuple[Counter[str], Counter[str]]:
    """Return outlets and riders per cell, for the outlets that fall in ``cells``."""
    rows = session.execute(
        text(
            "SELECT ST_X(geom), ST_Y(geom), riders FROM outlets "
            "WHERE geom && ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)"
        ),
        dict(zip(("x0", "y0", "x1", "y1"), bounds, strict=True)),
    )
    outlets: Counter[str] = Counter()
    riders: Counter[str] = Counter()
    for lon, lat, outlet_riders in rows:
        cell = h3.latlng_to_cell(lat, lon, res)
        if cell in cells:
            outlets[cell] += 1
            riders[cell] += outlet_riders or 0  # unknown (NULL) riders add no known demand
    return outlets, riders


def refresh_coverage(session: Session, city: str, res: int, actor: str) -> RefreshResult:
    """Refresh the city's cells and audit who did it, both in the session's transaction.

    The one use-case behind ``POST /coverage/refresh``, ``warmmap coverage refresh`` and the
    demo: each names its actor, none writes the audit row itself.
    """
    result = refresh_city(session, city, res)
    detail = {"res": res, "cells": result.cells, "seconds": result.seconds}
    audit.record(session, actor, "refresh", "coverage_cells", city, detail)
    return result


def refresh_city(session: Session, city: str, res: int = DEFAULT_RES) -> RefreshResult:
    """Replace the coverage cells of ``city`` at ``res`` in the session's transaction."""
    check_res(res)
    started = time.perf_counter()
    # The moment the refresh starts reading: a change logged after it may not be in the cells
    # (``coverage.gaps`` then says stale).
    refreshed_at = session.execute(text("SELECT clock_timestamp()")).scalar_one()
    load_city(session, city)  # NotFound unless the city is loaded
    boundaries = area_boundaries(session, city)
    cells = cells_touching(boundaries, res)
    outlets, riders = outlet_demand(session, cells, res, expanded_bounds(boundaries, res))
    session.execute(text(STAGING_DDL))
    session.execute(text("TRUNCATE coverage_staging"))
    cursor = session.connection().connection.cursor()
    rows, groups = staging_rows(cells, res, GROUP_LEVELS, outlets, riders)
    cursor.copy_expert("COPY coverage_staging FROM STDIN (FORMAT csv)", rows)
    session.execute(
        text("DELETE FROM coverage_cells WHERE city_adcode = :city AND res = :res"),
        {"city": city, "res": res},
    )
    nearest_started = time.perf_counter()
    # Compiling the fill costs more than the JIT saves on it.
    session.execute(text("SET LOCAL jit = off"))
    session.execute(
        text(FILL_CELLS),
        {
            "city": city,
            "res": res,
            "lon": groups.lon,
            "lat": groups.lat,
            "reach_m": groups.reach_m,
            "refreshed_at": refreshed_at,
        },
    )
    finished = time.perf_counter()
    return RefreshResult(
        city=city,
        res=res,
        cells=len(cells),
        cells_with_riders=sum(1 for n in riders.values() if n > 0),
        seconds=round(finished - started, 3),
        seconds_nearest=round(finished - nearest_started, 3),
    )


def expanded_bounds(boundaries: list[BaseGeometry], res: int) -> tuple[float, ...]:
    """Return the bounds of ``boundaries`` widened as far as a cell overlapping them reaches.

    A cell that overlaps an area by a sliver can reach a whole cell width beyond its bounds, and
    its outlets must still be read. The width is at most ``CELL_WIDTH_EDGES`` average edges; it
    is turned into degrees with the shortest degree of latitude (at the equator) and the length
    of a degree of longitude at the poleward edge of the widened box, where it is shortest (at
    Yichun's 47.7°N a degree of longitude is 75 km, not the 111 km of the equator).
    """
    x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(boundaries))
    width_km = CELL_WIDTH_EDGES * h3.average_hexagon_edge_length(res, unit="km")
    margin_lat = width_km / KM_PER_DEGREE_LAT
    poleward = min(89.0, max(abs(y0), abs(y1)) + margin_lat)
    margin_lon = width_km / (KM_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(poleward)))
    return (x0 - margin_lon, y0 - margin_lat, x1 + margin_lon, y1 + margin_lat)
