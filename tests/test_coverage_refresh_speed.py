"""The shortcuts that make the refresh fast give the answers of the slow, obvious computation."""

import h3
import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Polygon, box
from sqlalchemy import text

from geo_api.coverage.cells import _overlapping, parents_of
from geo_api.coverage.copy_cells import CellRows
from geo_api.coverage.refresh import expanded_bounds, refresh_city, write_cells
from tests.coverage_city import CITY, build_city

GEOD = Geod(ellps="WGS84")


def test_parents_of_matches_h3_cell_to_parent():
    rng = np.random.default_rng(3)
    points = zip(rng.uniform(18, 53, 300), rng.uniform(73, 135, 300), strict=True)
    for lat, lon in points:
        for res in (4, 9, 11):
            cell = h3.latlng_to_cell(lat, lon, res)
            as_int = np.array([int(cell, 16)], dtype=np.uint64)
            for parent_res in range(res + 1):
                parent = h3.int_to_str(int(parents_of(as_int, parent_res)[0]))
                assert parent == h3.cell_to_parent(cell, parent_res)


def wiggly_polygon(n_vertices: int) -> Polygon:
    """A star-like ring around Chengdu with a hole, far more vertices than cells across."""
    rng = np.random.default_rng(11)
    angles = np.linspace(0, 2 * np.pi, n_vertices, endpoint=False)
    radius_deg = 0.08 + 0.03 * rng.random(n_vertices)
    ring = np.column_stack(
        [104.05 + radius_deg * np.cos(angles), 30.65 + radius_deg * np.sin(angles)]
    )
    hole = shapely.Point(104.05, 30.65).buffer(0.02).exterior.coords
    return Polygon(ring, [hole])


@pytest.mark.parametrize("res", [7, 9])
def test_tiled_overlap_fill_equals_h3_on_the_whole_polygon(res):
    polygon = wiggly_polygon(2000)
    whole = h3.h3shape_to_cells_experimental(
        h3.geo_to_h3shape(polygon.__geo_interface__), res, contain="overlap"
    )
    tiled = _overlapping(polygon, res, tile_deg=0.013)
    assert len(tiled) > 50
    assert tiled == set(whole)


def brute_force_nearest(session, cells):
    """Per cell: the open station at the smallest geodesic distance from its centre, ties by id."""
    stations = session.execute(
        text("SELECT id, ST_X(geom), ST_Y(geom) FROM stations WHERE status = 'open' ORDER BY id")
    ).all()
    ids = np.array([s[0] for s in stations])
    lons = np.array([s[1] for s in stations])
    lats = np.array([s[2] for s in stations])
    expected = {}
    for cell in cells:
        lat, lon = h3.cell_to_latlng(cell)
        n = len(ids)
        distance_m = GEOD.inv(np.full(n, lon), np.full(n, lat), lons, lats)[2]
        best = int(np.lexsort((ids, distance_m))[0])
        expected[cell] = (int(ids[best]), float(distance_m[best]))
    return expected


@pytest.mark.parametrize("res", [8, 9])
def test_grouped_nearest_equals_brute_force_for_every_cell(session, res):
    build_city(session, seed=5, n_stations=60, n_outlets=10)
    refresh_city(session, CITY, res)
    rows = session.execute(
        text(
            "SELECT h3, nearest_station_id, nearest_station_m FROM coverage_cells "
            "WHERE city_adcode = :c AND res = :r"
        ),
        {"c": CITY, "r": res},
    ).all()
    expected = brute_force_nearest(session, [r.h3 for r in rows])
    assert len(rows) > 50
    for row in rows:
        station_id, distance_m = expected[row.h3]
        assert row.nearest_station_id == station_id, row.h3
        assert row.nearest_station_m == pytest.approx(distance_m, rel=1e-9)


def test_without_open_stations_cells_have_no_nearest(session):
    build_city(session, n_stations=3)
    session.execute(text("UPDATE stations SET status = 'closed'"))
    result = refresh_city(session, CITY, 8)
    counts = session.execute(
        text(
            "SELECT count(*), count(nearest_station_id), count(nearest_station_m) "
            "FROM coverage_cells WHERE city_adcode = :c AND res = 8"
        ),
        {"c": CITY},
    ).one()
    assert tuple(counts) == (result.cells, 0, 0)


def test_copied_rows_read_back_as_h3_hexagons_with_their_values(session):
    city = build_city(session, n_stations=2)
    station_id = city.stations[0].id
    disk = sorted(h3.grid_disk(h3.latlng_to_cell(30.6, 104.0, 9), 3))
    cells = np.array([int(c, 16) for c in [*disk, h3.get_pentagons(9)[0]]], dtype=np.uint64)
    n = len(cells)
    station_ids = np.where(np.arange(n) % 3 == 0, -1, station_id)  # some without a station
    rows = CellRows(cells, np.arange(n), 2 * np.arange(n), station_ids, np.arange(n) * 1.5)
    at = session.execute(text("SELECT clock_timestamp()")).scalar_one()
    write_cells(session, "510199", 9, rows, at)
    stored = session.execute(
        text(
            "SELECT h3, ST_AsBinary(geom) AS wkb, ST_SRID(geom) AS srid, outlets, riders, "
            "nearest_station_id, nearest_station_m, refreshed_at FROM coverage_cells "
            "WHERE city_adcode = '510199' AND res = 9"
        )
    ).all()
    assert len(stored) == n
    for row in stored:
        i = int(np.flatnonzero(cells == int(row.h3, 16))[0])
        ring = np.array([(lon, lat) for lat, lon in h3.cell_to_boundary(row.h3)])
        coords = np.array(shapely.from_wkb(bytes(row.wkb)).exterior.coords)
        np.testing.assert_allclose(coords, np.vstack([ring, ring[:1]]), atol=1e-12)
        assert row.srid == 4326 and row.refreshed_at == at
        assert (row.outlets, row.riders) == (i, 2 * i)
        if i % 3 == 0:
            assert row.nearest_station_id is None and row.nearest_station_m is None
        else:
            assert (row.nearest_station_id, row.nearest_station_m) == (station_id, i * 1.5)


@pytest.mark.parametrize("lat", [18.3, 30.6, 47.7, 53.3])
@pytest.mark.parametrize("res", [7, 9, 11])
def test_the_refresh_margin_holds_the_widest_cell_at_every_latitude_of_china(lat, res):
    # From Sanya to Mohe: the outlets read around a city must reach as far as a cell that
    # overlaps its edge can stick out, measured on the spheroid at the poleward edge, where a
    # degree of longitude is shortest.
    lon = 120.0
    widest_m = 0.0
    for cell in h3.grid_disk(h3.latlng_to_cell(lat, lon, res), 4):
        ring = h3.cell_to_boundary(cell)
        for a_lat, a_lon in ring:
            for b_lat, b_lon in ring:
                widest_m = max(widest_m, GEOD.inv(a_lon, a_lat, b_lon, b_lat)[2])
    city = box(lon - 0.1, lat - 0.1, lon, lat)
    x0, y0, x1, y1 = expanded_bounds([city], res)
    # East and west at the widened box's poleward edge, north and south along a meridian.
    assert GEOD.inv(lon, y1, x1, y1)[2] >= widest_m
    assert GEOD.inv(lon - 0.1, y1, x0, y1)[2] >= widest_m
    assert GEOD.inv(lon, lat, lon, y1)[2] >= widest_m
    assert GEOD.inv(lon, lat - 0.1, lon, y0)[2] >= widest_m
