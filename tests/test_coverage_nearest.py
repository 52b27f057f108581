"""The refresh's nearest station (k-d tree candidates, spheroidal re-rank) equals brute force."""

import h3
import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import Polygon, box
from sqlalchemy import text

from geo_api.coverage.nearest import StationIndex
from geo_api.coverage.refresh import REACH_KM, refresh_city
from tests.coverage_city import make_area, make_station

GEOD = Geod(ellps="WGS84")
# Sanya, Chengdu, Yichun (47.7°N, where a degree of longitude is 75 km) and Mohe.
LATITUDES = [18.3, 30.6, 47.7, 53.3]


def brute_force(lon, lat, ids, station_lon, station_lat):
    """Per point: the id and metres of the station at the smallest geodesic distance, ties by id."""
    best_ids, best_m = [], []
    for x, y in zip(lon, lat, strict=True):
        n = len(ids)
        distance_m = GEOD.inv(np.full(n, x), np.full(n, y), station_lon, station_lat)[2]
        first = np.lexsort((ids, distance_m))[0]
        best_ids.append(ids[first])
        best_m.append(distance_m[first])
    return np.array(best_ids), np.array(best_m)


def random_stations(rng, lon0, lat0, n):
    """Clusters and a sparse spread, with stations sharing a place (ties broken by id)."""
    clustered = rng.normal((lon0, lat0), 0.01, size=(n // 2, 2))
    spread = rng.uniform((lon0 - 0.6, lat0 - 0.4), (lon0 + 0.6, lat0 + 0.4), size=(n // 2, 2))
    places = np.vstack([clustered, spread, clustered[:5]])
    ids = rng.permutation(np.arange(1, len(places) + 1) * 7)
    return ids, places[:, 0], places[:, 1]


@pytest.mark.parametrize("lat0", LATITUDES)
def test_nearest_equals_brute_force_on_a_random_city(lat0):
    rng = np.random.default_rng(int(lat0 * 10))
    lon0 = 110.0 + lat0 / 3
    ids, station_lon, station_lat = random_stations(rng, lon0, lat0, 60)
    # Points near and among the stations, on them, and far outside the spread.
    points = np.vstack(
        [
            rng.uniform((lon0 - 0.8, lat0 - 0.5), (lon0 + 0.8, lat0 + 0.5), size=(1500, 2)),
            np.column_stack([station_lon[:10], station_lat[:10]]),
            [(lon0 + 5, lat0), (lon0 - 20, lat0 - 8)],
        ]
    )
    index = StationIndex(ids, station_lon, station_lat)
    got = index.nearest(points[:, 0], points[:, 1])
    expected_ids, expected_m = brute_force(
        points[:, 0], points[:, 1], ids, station_lon, station_lat
    )
    np.testing.assert_array_equal(got.station_id, expected_ids)
    np.testing.assert_array_equal(got.distance_m, expected_m)


def test_points_equidistant_from_many_stations_take_the_smallest_id():
    # Stations on a ring around a point, more than the tree is first asked for.
    angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    lon, lat, _ = GEOD.fwd(
        np.full(12, 128.9), np.full(12, 47.7), np.degrees(angles), np.full(12, 500.0)
    )
    ids = np.array([50, 40, 30, 90, 80, 70, 20, 60, 110, 100, 12, 11])
    got = StationIndex(ids, lon, lat).nearest(np.array([128.9]), np.array([47.7]))
    expected_ids, expected_m = brute_force([128.9], [47.7], ids, lon, lat)
    assert got.station_id[0] == expected_ids[0]
    assert got.distance_m[0] == pytest.approx(expected_m[0], rel=1e-12)


def test_without_stations_no_point_has_a_nearest():
    got = StationIndex(np.array([], dtype=np.int64), np.array([]), np.array([])).nearest(
        np.array([104.0]), np.array([30.6])
    )
    assert got.station_id.tolist() == [-1] and np.isnan(got.distance_m[0])


def test_a_refreshed_random_city_at_yichun_equals_brute_force(session):
    rng = np.random.default_rng(477)
    lon0, lat0 = 128.9, 47.7
    angles = np.sort(rng.uniform(0, 2 * np.pi, 40))
    radius = rng.uniform(0.04, 0.08, 40)
    city = Polygon(
        np.column_stack([lon0 + 1.4 * radius * np.cos(angles), lat0 + radius * np.sin(angles)])
    )
    make_area(session, "230798", "city", city, None)
    for lon, lat in rng.uniform((lon0 - 0.15, lat0 - 0.1), (lon0 + 0.15, lat0 + 0.1), (40, 2)):
        make_station(session, lon, lat)
    make_station(session, lon0, lat0, status="closed")
    refresh_city(session, "230798", 9)
    rows = session.execute(
        text(
            "SELECT h3, nearest_station_id, nearest_station_m FROM coverage_cells "
            "WHERE city_adcode = '230798' AND res = 9 ORDER BY h3"
        )
    ).all()
    stations = session.execute(
        text("SELECT id, ST_X(geom), ST_Y(geom) FROM stations WHERE status = 'open'")
    ).all()
    ids, station_lon, station_lat = (np.array(column) for column in zip(*stations, strict=True))
    centres = np.array([h3.cell_to_latlng(row.h3) for row in rows])
    expected_ids, expected_m = brute_force(
        centres[:, 1], centres[:, 0], ids, station_lon, station_lat
    )
    assert len(rows) > 500
    assert [row.nearest_station_id for row in rows] == expected_ids.tolist()
    np.testing.assert_allclose([row.nearest_station_m for row in rows], expected_m, rtol=1e-9)


def test_a_refresh_finds_a_nearer_station_beyond_the_stations_read_around_the_city(session):
    # A city 20 km tall: station A 10 km north of it, inside the stations read around the city
    # (REACH_KM beyond its cells), station B 22 km south of it, outside them. For the southern
    # cells B (22 km) is nearer than A (30 km): only a second look, at every station, finds it.
    lon0, south, north = 104.0, 30.4, 30.4 + 20 / 110.9
    make_area(session, "510799", "city", box(lon0, south, lon0 + 0.02, north), None)
    _, a_lat, _ = GEOD.fwd(lon0 + 0.01, north, 0, 10_000)
    _, b_lat, _ = GEOD.fwd(lon0 + 0.01, south, 180, 22_000)
    a = make_station(session, lon0 + 0.01, float(a_lat))
    b = make_station(session, lon0 + 0.01, float(b_lat))
    assert REACH_KM < 22
    refresh_city(session, "510799", 8)
    rows = session.execute(
        text(
            "SELECT h3, nearest_station_id, nearest_station_m FROM coverage_cells "
            "WHERE city_adcode = '510799' AND res = 8 ORDER BY h3"
        )
    ).all()
    centres = np.array([h3.cell_to_latlng(row.h3) for row in rows])
    expected_ids, expected_m = brute_force(
        centres[:, 1], centres[:, 0], np.array([a.id, b.id]),
        np.array([lon0 + 0.01, lon0 + 0.01]), np.array([float(a_lat), float(b_lat)]),
    )  # fmt: skip
    assert {a.id, b.id} == set(expected_ids.tolist())  # both are somebody's nearest
    assert [row.nearest_station_id for row in rows] == expected_ids.tolist()
    np.testing.assert_allclose([row.nearest_station_m for row in rows], expected_m, rtol=1e-9)
