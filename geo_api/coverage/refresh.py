"""``coverage refresh``: a city's H3 cells with their demand and nearest open station.

The cells are computed in Python with h3 (PostGIS has no H3 here), copied into a staging table
with COPY, and joined to the stations in one set-based statement: a LATERAL KNN on the stations'
geography index per cell, with the exact spheroidal distance.
"""

import csv
import io
import time
from collections import Counter
from dataclasses import dataclass

import h3
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.coverage.areas import area_boundaries, load_city
from geo_api.errors import InvalidInput

MIN_RES, MAX_RES = 4, 11

STAGING_DDL = """
CREATE TEMP TABLE IF NOT EXISTS coverage_staging (
    h3 text PRIMARY KEY, wkt text NOT NULL, lon float8 NOT NULL, lat float8 NOT NULL,
    outlets integer NOT NULL, riders integer NOT NULL
) ON COMMIT DROP
"""

# <-> on geography orders by the sphere; the few nearest by it are re-ranked on the spheroid so
# the station reported is the nearest by the distance reported.
FILL_CELLS = """
INSERT INTO coverage_cells (city_adcode, res, h3, geom, outlets, riders,
                            nearest_station_id, nearest_station_m, refreshed_at)
SELECT :city, :res, s.h3, ST_GeomFromText(s.wkt, 4326), s.outlets, s.riders,
       nearest.id, nearest.distance_m, now()
FROM coverage_staging s
CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326)::geography AS centre) c
LEFT JOIN LATERAL (
    SELECT k.id, ST_Distance(k.geog, c.centre) AS distance_m
    FROM (
        SELECT st.id, st.geom::geography AS geog FROM stations st
        WHERE st.status = 'open'
        ORDER BY st.geom::geography <-> c.centre
        LIMIT 4
    ) k
    ORDER BY distance_m, k.id
    LIMIT 1
) nearest ON true
"""


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh wrote."""

    city: str
    res: int
    cells: int
    cells_with_riders: int
    seconds: float
    # Of which: the LATERAL KNN insert, the rest being H3, demand and COPY.
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


def _overlapping(boundary: BaseGeometry, res: int) -> set[str]:
    # Differences can be collections holding multipolygons and lines: flatten twice, keep areas.
    parts = shapely.get_parts(shapely.get_parts(boundary))
    polygons = [g for g in parts if g.geom_type == "Polygon"]
    cells: set[str] = set()
    for polygon in polygons:
        if not polygon.is_empty:
            shape = h3.geo_to_h3shape(polygon.__geo_interface__)
            cells.update(h3.h3shape_to_cells_experimental(shape, res, contain="overlap"))
    return cells


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
            riders[cell] += outlet_riders
    return outlets, riders


def staging_csv(cells: set[str], outlets: Counter[str], riders: Counter[str]) -> io.StringIO:
    """Return the cells as CSV rows for COPY: h3, WKT polygon, centre, outlets, riders."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for cell in sorted(cells):
        ring = [(lon, lat) for lat, lon in h3.cell_to_boundary(cell)]
        ring.append(ring[0])
        wkt = "POLYGON((" + ",".join(f"{lon:.9f} {lat:.9f}" for lon, lat in ring) + "))"
        lat, lon = h3.cell_to_latlng(cell)
        writer.writerow((cell, wkt, repr(lon), repr(lat), outlets[cell], riders[cell]))
    buffer.seek(0)
    return buffer


def refresh_city(session: Session, city: str, res: int = 9) -> RefreshResult:
    """Replace the coverage cells of ``city`` at ``res`` in the session's transaction."""
    check_res(res)
    started = time.perf_counter()
    root = load_city(session, city)
    cells = cells_touching(area_boundaries(session, city), res)
    outlets, riders = outlet_demand(session, cells, res, expanded_bounds(root.boundary, res))
    session.execute(text(STAGING_DDL))
    session.execute(text("TRUNCATE coverage_staging"))
    cursor = session.connection().connection.cursor()
    cursor.copy_expert(
        "COPY coverage_staging FROM STDIN (FORMAT csv)", staging_csv(cells, outlets, riders)
    )
    # Temporary tables get no statistics from autovacuum; without them the KNN plan degrades.
    session.execute(text("ANALYZE coverage_staging"))
    session.execute(
        text("DELETE FROM coverage_cells WHERE city_adcode = :city AND res = :res"),
        {"city": city, "res": res},
    )
    nearest_started = time.perf_counter()
    session.execute(text(FILL_CELLS), {"city": city, "res": res})
    finished = time.perf_counter()
    return RefreshResult(
        city=city,
        res=res,
        cells=len(cells),
        cells_with_riders=sum(1 for n in riders.values() if n > 0),
        seconds=round(finished - started, 3),
        seconds_nearest=round(finished - nearest_started, 3),
    )


def expanded_bounds(boundary: BaseGeometry, res: int) -> tuple[float, ...]:
    """Return the boundary's bounds widened by two cells, as far as overlapping cells reach."""
    # A degree of latitude is about 111 km; of longitude less, so this errs on the wide side.
    margin_deg = 2 * h3.average_hexagon_edge_length(res, unit="km") / 80.0
    x0, y0, x1, y1 = boundary.bounds
    return (x0 - margin_deg, y0 - margin_deg, x1 + margin_deg, y1 + margin_deg)
