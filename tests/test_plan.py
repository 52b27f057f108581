import itertools

import h3
import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import Point, box
from sqlalchemy import text

from geo_api.auth import create_key
from geo_api.coords import wgs84_to_gcj02
from geo_api.plan.deadline import Deadline
from geo_api.plan.instance import PlanSpec
from geo_api.plan.sites import plan_sites
from tests.coverage_city import CITY, EAST, NORTH, SOUTH, WEST, build_city, make_station

GEOD = Geod(ellps="WGS84")


@pytest.fixture
def planner(session):
    return {"X-API-Key": create_key(session, "planner", "planner", [])}


def demand(session, threshold_m, not_kind=None):
    """Outlets with riders, and whether an open station (not of not_kind) is within reach."""
    stations = session.execute(
        text("SELECT ST_X(geom), ST_Y(geom), kind FROM stations WHERE status = 'open'")
    ).all()
    stations = [(x, y) for x, y, kind in stations if kind != not_kind]
    rows = session.execute(
        text("SELECT ST_X(geom), ST_Y(geom), riders FROM outlets WHERE riders > 0")
    ).all()
    city = box(WEST, SOUTH, EAST, NORTH)
    result = []
    for lon, lat, riders in rows:
        if not city.covers(Point(lon, lat)):
            continue
        covered = any(GEOD.inv(lon, lat, x, y)[2] <= threshold_m for x, y in stations)
        result.append((lon, lat, riders, covered))
    return result


def cover_matrix(points, sites, threshold_m):
    return np.array(
        [[GEOD.inv(s[0], s[1], p[0], p[1])[2] <= threshold_m for p in points] for s in sites]
    )


def exhaustive_best(matrix, weights, p):
    best = 0
    for combo in itertools.combinations(range(len(matrix)), min(p, len(matrix))):
        best = max(best, int(weights[matrix[list(combo)].any(axis=0)].sum()))
    return best


def kind_candidates(session, n=8, seed=3):
    rng = np.random.default_rng(seed)
    sites = []
    for _ in range(n):
        lon, lat = rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH)
        make_station(session, lon, lat, kind="party_service_center")
        sites.append((lon, lat))
    return sites


def test_plan_sites_equals_the_exhaustive_optimum_for_station_kind(client, session, planner):
    build_city(session, seed=11)
    sites = kind_candidates(session)
    threshold_m = 1200
    rows = demand(session, threshold_m, not_kind="party_service_center")
    uncovered = [r for r in rows if not r[3]]
    weights = np.array([r[2] for r in uncovered])
    matrix = cover_matrix(uncovered, sites, threshold_m)
    before = sum(r[2] for r in rows if r[3])
    body = {
        "city": CITY,
        "p": 3,
        "threshold_m": threshold_m,
        "candidates": {"kind": "party_service_center"},
    }
    response = client.post("/plan/sites", json=body, headers=planner)
    assert response.status_code == 200, response.text
    plan = response.json()
    assert plan["optimal"] is True and plan["solver"] == "highs-mip"
    assert plan["total_riders"] == sum(r[2] for r in rows)
    assert plan["covered_riders_before"] == before
    assert plan["covered_riders_after"] == before + exhaustive_best(matrix, weights, 3)
    assert sum(s["added_riders"] for s in plan["sites"]) == plan["covered_riders_after"] - before
    added = [s["added_riders"] for s in plan["sites"]]
    assert added == sorted(added, reverse=True)
    for point in plan["curve"]:
        assert point["covered_riders"] == before + exhaustive_best(matrix, weights, point["p"])
    chosen = [(s["lon"], s["lat"]) for s in plan["sites"]]
    for lon, lat in chosen:
        assert min(GEOD.inv(lon, lat, x, y)[2] for x, y in sites) < 0.05


def test_plan_sites_on_cells_equals_the_exhaustive_optimum(client, session, planner):
    build_city(session, seed=5, n_stations=2)
    threshold_m, res = 1500, 8
    rows = demand(session, threshold_m)
    uncovered = [r for r in rows if not r[3]]
    weights = np.array([r[2] for r in uncovered])
    city = box(WEST, SOUTH, EAST, NORTH)
    cells = [
        c
        for c in h3.grid_disk(h3.latlng_to_cell(30.64, 104.05, res), 12)
        if city.contains(Point(h3.cell_to_latlng(c)[::-1]))
    ]
    sites = [h3.cell_to_latlng(c)[::-1] for c in cells]
    matrix = cover_matrix(uncovered, sites, threshold_m)
    matrix = matrix[matrix.any(axis=1)]
    before = sum(r[2] for r in rows if r[3])
    body = {"city": CITY, "p": 2, "threshold_m": threshold_m, "candidates": "cells", "res": res}
    plan = client.post("/plan/sites", json=body, headers=planner).json()
    assert plan["optimal"] is True
    assert plan["covered_riders_after"] == before + exhaustive_best(matrix, weights, 2)
    assert all(h3.get_resolution(s["h3"]) == res and s["h3"] in cells for s in plan["sites"])


def test_plan_cover_is_minimal_and_says_when_infeasible(client, session, planner):
    build_city(session, seed=11)
    sites = kind_candidates(session)
    threshold_m = 1200
    rows = demand(session, threshold_m, not_kind="party_service_center")
    total = sum(r[2] for r in rows)
    before = sum(r[2] for r in rows if r[3])
    uncovered = [r for r in rows if not r[3]]
    weights = np.array([r[2] for r in uncovered])
    matrix = cover_matrix(uncovered, sites, threshold_m)
    reachable = before + int(weights[matrix.any(axis=0)].sum())
    target = (before + (reachable - before) * 0.8) / total
    smallest = next(
        k
        for k in range(len(sites) + 1)
        if before + exhaustive_best(matrix, weights, k) >= target * total - 1e-9
    )
    body = {
        "city": CITY,
        "threshold_m": threshold_m,
        "target_share": target,
        "candidates": {"kind": "party_service_center"},
    }
    plan = client.post("/plan/cover", json=body, headers=planner).json()
    assert plan["feasible"] is True and plan["optimal"] is True
    assert plan["n_sites"] == smallest
    assert plan["covered_riders_after"] >= target * total - 1e-9
    assert reachable < total, "the fixture should leave some riders out of reach"
    plan = client.post("/plan/cover", json=body | {"target_share": 1.0}, headers=planner).json()
    assert plan["feasible"] is False
    assert plan["best_reachable_share"] == round(reachable / total, 4)
    assert plan["covered_riders_after"] == reachable


def test_closed_warm_stations_can_be_candidates_for_reopening(client, session, planner):
    build_city(session, seed=11)
    body = {"city": CITY, "p": 1, "threshold_m": 2000, "candidates": {"kind": "warm_station"}}
    plan = client.post("/plan/sites", json=body, headers=planner).json()
    closed = session.execute(text("SELECT id::text FROM stations WHERE status = 'closed'")).all()
    assert [s["station_id"] for s in plan["sites"]] in ([], [closed[0][0]])


def test_plan_needs_a_planner_key(client, session):
    build_city(session)
    body = {"city": CITY, "p": 2, "threshold_m": 1000, "candidates": "cells"}
    assert client.post("/plan/sites", json=body).status_code == 401
    grid = {"X-API-Key": create_key(session, "grid", "grid_manager", [CITY])}
    response = client.post("/plan/sites", json=body, headers=grid)
    assert response.status_code == 403
    response = client.post("/plan/cover", json=body | {"target_share": 0.5}, headers=grid)
    assert response.status_code == 403
    elsewhere = {"X-API-Key": create_key(session, "pudong", "planner", ["310115"])}
    response = client.post("/plan/sites", json=body, headers=elsewhere)
    assert response.status_code == 403 and "scope" in response.json()["detail"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"candidates": {"kind": "castle"}}, "candidates"),
        ({"p": 0}, "p"),
        ({"threshold_m": 0}, "threshold_m"),
        ({"city": "999999"}, "999999"),
    ],
)
def test_bad_plan_requests_are_one_line_errors(client, session, planner, change, message):
    build_city(session)
    body = {"city": CITY, "p": 2, "threshold_m": 1000, "candidates": "cells"} | change
    response = client.post("/plan/sites", json=body, headers=planner)
    assert response.status_code in (404, 422), response.text
    assert message in response.json()["detail"]


def test_plan_curve_rises_to_the_answer_and_sites_convert_to_gcj02(client, session, planner):
    build_city(session, seed=11)
    kind_candidates(session)
    body = {
        "city": CITY,
        "p": 4,
        "threshold_m": 1200,
        "candidates": {"kind": "party_service_center"},
    }
    plan = client.post("/plan/sites", json=body, headers=planner).json()
    covered = [point["covered_riders"] for point in plan["curve"]]
    assert [point["p"] for point in plan["curve"]] == [1, 2, 3, 4]
    assert covered == sorted(covered) and covered[-1] == plan["covered_riders_after"]
    assert plan["upper_bound_riders"] == plan["covered_riders_after"] and plan["gap_riders"] == 0
    gcj = client.post("/plan/sites", json=body | {"out_crs": "gcj02"}, headers=planner).json()
    for wgs, shifted in zip(plan["sites"], gcj["sites"], strict=True):
        lon, lat = wgs84_to_gcj02(wgs["lon"], wgs["lat"])
        assert shifted["station_id"] == wgs["station_id"]
        assert (shifted["lon"], shifted["lat"]) == pytest.approx((float(lon), float(lat)), abs=1e-6)


def station_kind_spec(time_limit_s):
    return PlanSpec(
        city=CITY,
        threshold_m=1200,
        candidates={"kind": "party_service_center"},
        time_limit_s=time_limit_s,
    )


def test_the_curve_draws_on_one_deadline_for_the_whole_request(session):
    build_city(session, seed=11)
    kind_candidates(session)
    deadline = Deadline(10.0)
    plan = plan_sites(session, station_kind_spec(10.0), 4, deadline).model_dump()
    assert plan["optimal"] is True and plan["curve_method"] == "re-solved exactly for each p"
    limits = [solve.limit_s for solve in deadline.solves]
    runs = [solve.run_s for solve in deadline.solves]
    assert len(limits) == 4  # p=4, then the curve's p=1, 2 and 3
    # Each solve was given only what the ones before it left (by the time HiGHS reports).
    for i, limit_s in enumerate(limits):
        assert sum(runs[:i]) + limit_s <= 10.0


class SteppingClock:
    """A clock that moves one second every time it is read."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        self.now += 1.0
        return self.now


def test_when_the_deadline_runs_out_the_curve_falls_back_to_the_greedy_order(session):
    build_city(session, seed=11)
    kind_candidates(session)
    deadline = Deadline(3.5, clock=SteppingClock())
    plan = plan_sites(session, station_kind_spec(3.5), 6, deadline).model_dump()
    assert plan["optimal"] is True and plan["solver"] == "highs-mip"
    assert plan["curve_method"] == "greedy order of the chosen sites"
    assert any(
        note["code"] == "curve_not_proven"
        and "curve at p=" in note["message"]
        and "3.5 s time limit" in note["message"]
        for note in plan["notes"]
    )
    limits = [solve.limit_s for solve in deadline.solves]
    assert 1 <= len(limits) < 6
    assert limits == sorted(limits, reverse=True) and max(limits) < 3.5
    covered = [point["covered_riders"] for point in plan["curve"]]
    assert [point["p"] for point in plan["curve"]] == [1, 2, 3, 4, 5, 6]
    assert covered == sorted(covered) and covered[-1] == plan["covered_riders_after"]


def test_a_request_out_of_time_answers_greedy_and_says_so(client, session, planner):
    build_city(session, seed=11)
    kind_candidates(session)
    body = {
        "city": CITY,
        "p": 3,
        "threshold_m": 1200,
        "candidates": {"kind": "party_service_center"},
        "time_limit_s": 0.0001,
    }
    plan = client.post("/plan/sites", json=body, headers=planner).json()
    assert plan["optimal"] is False and plan["solver"] == "greedy"
    assert plan["curve_method"] == "greedy order of the chosen sites"
    assert plan["upper_bound_riders"] >= plan["covered_riders_after"]
    assert plan["gap_riders"] == plan["upper_bound_riders"] - plan["covered_riders_after"]
    said = "the 0.0001 s time limit ran out before HiGHS could start"
    assert {"code": "not_proven", "message": said} in [
        {"code": n["code"], "message": n["message"]} for n in plan["notes"]
    ]
    cover = client.post("/plan/cover", json=body | {"target_share": 0.5}, headers=planner).json()
    assert cover["optimal"] is False and cover["solver"] == "greedy"
    assert said in [n["message"] for n in cover["notes"] if n["code"] == "not_proven"]
