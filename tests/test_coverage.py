import subprocess
import sys

import h3
import numpy as np
import pytest
from alembic import command
from pyproj import Geod
from shapely import wkb
from shapely.geometry import Point, box, shape
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from geo_api.auth import create_key
from geo_api.changes import CHANGED_SINCE
from geo_api.coverage.gaps import coverage_gaps
from geo_api.coverage.refresh import refresh_city
from geo_api.database import sqlalchemy_url
from geo_api.migrate import alembic_config
from tests.coverage_city import CITY, build_city, make_area, make_outlet, make_station
from tests.dbutil import create_database, drop_database

GEOD = Geod(ellps="WGS84")


def open_stations(session):
    rows = session.execute(
        text("SELECT id, ST_X(geom), ST_Y(geom) FROM stations WHERE status = 'open'")
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def outlets(session):
    rows = session.execute(text("SELECT id, ST_X(geom), ST_Y(geom), riders FROM outlets")).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def nearest(stations, lon, lat):
    """Brute force: every open station's geodesic distance, the smallest wins."""
    if not stations:
        return None, None
    distances = [GEOD.inv(lon, lat, x, y)[2] for _, x, y in stations]
    best = int(np.argmin(distances))
    return stations[best][0], distances[best]


def brute_force_cells(session, res):
    """Per cell with riders: riders and the nearest open station from the cell's centre."""
    riders = {}
    for _, lon, lat, n in outlets(session):
        cell = h3.latlng_to_cell(lat, lon, res)
        riders[cell] = riders.get(cell, 0) + n
    stations = open_stations(session)
    cells = {}
    for cell, n in riders.items():
        lat, lon = h3.cell_to_latlng(cell)
        cells[cell] = (n, *nearest(stations, lon, lat))
    return cells


@pytest.fixture
def small_city(session):
    return build_city(session)


@pytest.fixture
def planner(session):
    return {"X-API-Key": create_key(session, "planner", "planner", [])}


def test_refresh_covers_every_cell_touching_the_city_and_each_community(session, small_city):
    result = refresh_city(session, CITY, 9)
    stored = dict(
        session.execute(
            text("SELECT h3, ST_AsBinary(geom) FROM coverage_cells WHERE city_adcode = :c"),
            {"c": CITY},
        ).all()
    )
    assert result.cells == len(stored)
    city_polygon = shape(
        {
            "type": "Polygon",
            "coordinates": [
                [(104.0, 30.6), (104.1, 30.6), (104.1, 30.68), (104.0, 30.68), (104.0, 30.6)]
            ],
        }
    )
    # Independent: every cell in a wide disk whose hexagon intersects the city must be there.
    centre = h3.latlng_to_cell(30.64, 104.05, 9)
    expected = set()
    for cell in h3.grid_disk(centre, 40):
        hexagon = shape(h3.cells_to_geo([cell]))
        if hexagon.intersects(city_polygon):
            expected.add(cell)
    assert set(stored) == expected
    for code, (_, polygon) in small_city.areas.items():
        assert any(wkb.loads(bytes(g)).intersects(polygon) for g in stored.values()), code


def test_refresh_matches_brute_force_nearest_station_and_riders(session, small_city):
    refresh_city(session, CITY, 9)
    rows = session.execute(
        text(
            "SELECT h3, riders, outlets, nearest_station_id, nearest_station_m FROM coverage_cells "
            "WHERE city_adcode = :c AND res = 9 AND riders > 0"
        ),
        {"c": CITY},
    ).all()
    expected = brute_force_cells(session, 9)
    expected = {cell: v for cell, v in expected.items() if v[0] > 0}
    assert {r.h3 for r in rows} == set(expected)
    for row in rows:
        riders, station_id, distance_m = expected[row.h3]
        assert row.riders == riders
        assert row.nearest_station_id == station_id
        assert row.nearest_station_m == pytest.approx(distance_m, rel=1e-6)


def test_refresh_replaces_the_previous_cells(session, small_city):
    refresh_city(session, CITY, 8)
    first = session.execute(text("SELECT count(*) FROM coverage_cells WHERE res = 8")).scalar()
    refresh_city(session, CITY, 8)
    assert (
        session.execute(text("SELECT count(*) FROM coverage_cells WHERE res = 8")).scalar() == first
    )


def brute_force_gaps(session, res, threshold_m, min_riders=1):
    return {
        cell: riders
        for cell, (riders, _, distance_m) in brute_force_cells(session, res).items()
        if riders >= min_riders and (distance_m is None or distance_m > threshold_m)
    }


def test_gaps_match_brute_force(client, session, small_city):
    refresh_city(session, CITY, 9)
    response = client.get("/coverage/gaps", params={"city": CITY, "threshold_m": 800})
    assert response.status_code == 200, response.text
    body = response.json()
    expected = brute_force_gaps(session, 9, 800)
    assert expected, "the fixture city should have gaps at 800 m"
    got = {f["properties"]["h3"]: f["properties"]["riders"] for f in body["features"]}
    assert got == expected
    riders = [f["properties"]["riders"] for f in body["features"]]
    assert riders == sorted(riders, reverse=True)
    for feature in body["features"]:
        polygon = shape(feature["geometry"])
        assert polygon.is_valid
        assert h3.latlng_to_cell(polygon.centroid.y, polygon.centroid.x, 9) == feature["id"]
        assert feature["properties"]["nearest_station_m"] > 800
    assert body["stale"] is False and body["refreshed_at"]


def test_gaps_min_riders_and_limit(client, session, small_city):
    refresh_city(session, CITY, 9)
    expected = brute_force_gaps(session, 9, 500, min_riders=15)
    body = client.get(
        "/coverage/gaps", params={"city": CITY, "threshold_m": 500, "min_riders": 15}
    ).json()
    assert {f["id"] for f in body["features"]} == set(expected)
    body = client.get(
        "/coverage/gaps", params={"city": CITY, "threshold_m": 500, "limit": 2}
    ).json()
    assert len(body["features"]) == 2
    assert body["features"][0]["properties"]["riders"] == max(
        brute_force_gaps(session, 9, 500).values()
    )


def test_a_new_station_removes_the_gaps_it_covers(client, session, small_city):
    refresh_city(session, CITY, 9)
    params = {"city": CITY, "threshold_m": 1000}
    before = client.get("/coverage/gaps", params=params).json()["features"]
    worst = before[0]
    lat, lon = h3.cell_to_latlng(worst["id"])
    make_station(session, lon, lat, name="new warm station")
    refresh_city(session, CITY, 9)
    after = {f["id"] for f in client.get("/coverage/gaps", params=params).json()["features"]}
    assert worst["id"] not in after
    for feature in before:
        c_lat, c_lon = h3.cell_to_latlng(feature["id"])
        within = GEOD.inv(lon, lat, c_lon, c_lat)[2] <= 1000
        assert (feature["id"] in after) is not within


def test_gaps_say_when_stale(client, session, small_city):
    refresh_city(session, CITY, 9)
    params = {"city": CITY}
    assert client.get("/coverage/gaps", params=params).json()["stale"] is False
    make_station(session, 104.05, 30.65, updated_at=text("now() + interval '1 minute'"))
    assert client.get("/coverage/gaps", params=params).json()["stale"] is True


def test_staleness_is_per_city_and_sees_deletes(client, session, small_city):
    inside = make_station(session, 104.02, 30.62, district_adcode="519901")
    refresh_city(session, CITY, 9)
    params = {"city": CITY}
    assert client.get("/coverage/gaps", params=params).json()["stale"] is False
    # A change in another city leaves this one fresh...
    make_station(session, 116.40, 39.90, district_adcode="110101")
    make_outlet(session, 116.41, 39.91, 12, district_adcode="110101")
    assert client.get("/coverage/gaps", params=params).json()["stale"] is False
    # ...a deleted station of this one does not.
    session.delete(inside)
    session.flush()
    assert client.get("/coverage/gaps", params=params).json()["stale"] is True


def test_staleness_reads_only_the_change_log(session, small_city):
    refresh_city(session, CITY, 9)
    plan = "\n".join(
        session.execute(
            text("EXPLAIN " + CHANGED_SINCE),
            {"since": "2026-01-01", "layers": ["stations"], "patterns": ["5199%"]},
        ).scalars()
    )
    assert "data_changes" in plan
    assert "stations" not in plan.replace("'{stations}'", "")


def test_gaps_errors_are_one_line(client, session, small_city):
    response = client.get("/coverage/gaps", params={"city": CITY, "res": 7})
    assert response.status_code == 404
    assert "coverage refresh" in response.json()["detail"]
    response = client.get("/coverage/gaps", params={"city": "999999"})
    assert response.status_code == 404
    response = client.get("/coverage/gaps", params={"city": CITY, "threshold_m": -5})
    assert response.status_code == 422
    assert "threshold_m" in response.json()["detail"]
    response = client.get("/coverage/gaps", params={"city": "Chengdu"})
    assert response.status_code == 422 and "city" in response.json()["detail"]


@pytest.mark.parametrize(("level", "threshold_m"), [("community", 1000), ("street", 600)])
def test_community_coverage_matches_brute_force(client, session, small_city, level, threshold_m):
    response = client.get(
        "/coverage/communities", params={"city": CITY, "threshold_m": threshold_m, "level": level}
    )
    assert response.status_code == 200, response.text
    areas = response.json()["areas"]
    stations = open_stations(session)
    expected = {}
    for code, (area_level, polygon) in small_city.areas.items():
        if area_level != level:
            continue
        counts = [0, 0, 0, 0]
        for _, lon, lat, riders in outlets(session):
            if not polygon.covers(Point(lon, lat)):
                continue
            covered = any(GEOD.inv(lon, lat, x, y)[2] <= threshold_m for _, x, y in stations)
            counts[0] += 1
            counts[1] += covered
            counts[2] += riders
            counts[3] += riders if covered else 0
        expected[code] = counts
    got = {
        a["adcode"]: [a["outlets"], a["covered_outlets"], a["riders"], a["covered_riders"]]
        for a in areas
    }
    assert got == expected
    shares = [a["covered_share"] for a in areas if a["covered_share"] is not None]
    assert shares == sorted(shares)
    assert all(a["covered_share"] is None for a in areas[len(shares) :])


def test_refresh_endpoint_needs_a_planner_and_is_audited(client, session, small_city, planner):
    assert client.post("/coverage/refresh", json={"city": CITY}).status_code == 401
    grid = {"X-API-Key": create_key(session, "grid", "grid_manager", [CITY])}
    assert client.post("/coverage/refresh", json={"city": CITY}, headers=grid).status_code == 403
    response = client.post("/coverage/refresh", json={"city": CITY, "res": 8}, headers=planner)
    assert response.status_code == 200, response.text
    assert response.json()["cells"] > 0
    (entry,) = refresh_audits(session)
    assert entry.actor.endswith(":planner") and entry.detail["res"] == 8
    assert entry.detail["cells"] == response.json()["cells"]
    response = client.post("/coverage/refresh", json={"city": CITY, "res": 20}, headers=planner)
    assert response.status_code == 422 and "res" in response.json()["detail"]


def refresh_audits(session):
    return session.execute(
        text(
            "SELECT actor, detail FROM audit_log "
            "WHERE action = 'refresh' AND entity = 'coverage_cells' AND entity_id = :c ORDER BY id"
        ),
        {"c": CITY},
    ).all()


def test_refresh_of_a_city_without_stations_leaves_distances_empty(session):
    build_city(session, n_stations=0)
    session.execute(text("UPDATE stations SET status = 'closed'"))
    refresh_city(session, CITY, 8)
    row = session.execute(
        text("SELECT count(*), count(nearest_station_id) FROM coverage_cells WHERE res = 8")
    ).one()
    assert row[0] > 0 and row[1] == 0
    gaps = coverage_gaps(session, CITY, 8, 1000, 1, 100_000).features
    assert {f.id for f in gaps} == set(brute_force_gaps(session, 8, 1000))
    assert all(f.properties.nearest_station_m is None for f in gaps) and gaps


def test_cli_refresh_of_an_unknown_city_fails_in_one_line(database_url):
    env = {"WARMMAP_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "warmmap_cli", "coverage", "refresh", "--city", "999999"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "999999" in result.stderr


def test_outlets_outside_the_city_are_not_counted(session, small_city):
    make_outlet(session, 104.5, 30.9, 50)
    refresh_city(session, CITY, 9)
    total = session.execute(text("SELECT sum(riders) FROM coverage_cells WHERE res = 9")).scalar()
    assert total == sum(o.riders for o in small_city.outlets)


def test_cli_refresh_fills_the_cells_and_is_audited():
    url = create_database("warmmap_test_cli_refresh")
    try:
        command.upgrade(alembic_config(url), "head")
        engine = create_engine(sqlalchemy_url(url))
        with Session(engine) as session, session.begin():
            build_city(session)
        env = {"WARMMAP_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "warmmap_cli",
                "coverage",
                "refresh",
                "--city",
                CITY,
                "--res",
                "8",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        with engine.connect() as connection:
            cells = connection.execute(
                text("SELECT count(*) FROM coverage_cells WHERE res = 8")
            ).scalar()
            audits = connection.execute(
                text(
                    "SELECT actor, detail FROM audit_log WHERE action = 'refresh'"
                    " AND entity = 'coverage_cells' AND entity_id = :c"
                ),
                {"c": CITY},
            ).all()
        # audited once, by the same use-case as the API's refresh, with what it wrote
        (entry,) = audits
        assert entry.actor == "cli" and entry.detail["res"] == 8 and entry.detail["cells"] == cells
        assert result.stdout.startswith(f"city {CITY} res 8: {cells} cells, ") and cells > 0
        engine.dispose()
    finally:
        drop_database(url)


def test_an_outlet_at_the_far_tip_of_a_boundary_cell_at_yichun_is_counted(session):
    # At 47.7°N a degree of longitude is 75 km. Take the cell there that reaches farthest east
    # of its westmost vertex, and a city whose east edge just passes that vertex: the cell
    # overlaps the city by a sliver and its outlets lie up to a cell's width outside it.
    res = 9
    disk = h3.grid_disk(h3.latlng_to_cell(47.7, 128.9, res), 3)

    def span(cell):
        lons = [lng for _, lng in h3.cell_to_boundary(cell)]
        return max(lons) - min(lons)

    cell = max(disk, key=span)
    ring = h3.cell_to_boundary(cell)
    west_lat, west_lon = min(ring, key=lambda v: v[1])
    east_lat, east_lon = max(ring, key=lambda v: v[1])
    city = box(west_lon - 0.05, west_lat - 0.02, west_lon + 1e-5, west_lat + 0.02)
    make_area(session, "230799", "city", city, None)
    centre_lat, centre_lon = h3.cell_to_latlng(cell)
    # 2 % of the way from the eastern tip to the centre: inside the cell, at its tip.
    lon = east_lon + 0.02 * (centre_lon - east_lon)
    lat = east_lat + 0.02 * (centre_lat - east_lat)
    assert h3.latlng_to_cell(lat, lon, res) == cell
    make_outlet(session, lon, lat, 12)
    make_station(session, west_lon - 0.01, west_lat)
    refresh_city(session, "230799", res)
    row = session.execute(
        text("SELECT outlets, riders FROM coverage_cells WHERE city_adcode = '230799' AND h3 = :h"),
        {"h": cell},
    ).one()
    assert (row.outlets, row.riders) == (1, 12)


def test_outlets_with_unknown_riders_count_as_outlets_without_known_demand(client, session):
    """A blank 骑手数 loads as NULL (unknown, not 0): coverage and plans must not stumble on it."""
    build_city(session, n_outlets=0)
    make_outlet(session, 104.02, 30.62, None)
    make_outlet(session, 104.021, 30.621, 12)
    result = refresh_city(session, CITY, 9)
    assert result.cells_with_riders == 1
    riders = session.execute(
        text("SELECT sum(outlets), sum(riders) FROM coverage_cells WHERE city_adcode = :c"),
        {"c": CITY},
    ).one()
    assert tuple(riders) == (2, 12)
    key = {"X-API-Key": create_key(session, "p", "planner", [])}
    areas = client.get(
        "/coverage/communities", params={"city": CITY, "level": "street"}, headers=key
    ).json()["areas"]
    west = next(a for a in areas if a["adcode"] == "519900001")
    assert (west["outlets"], west["riders"]) == (2, 12)
    plan = client.post("/plan/sites", json={"city": CITY, "p": 1, "threshold_m": 500}, headers=key)
    assert plan.status_code == 200, plan.text
    assert plan.json()["total_riders"] == 12
