"""What a planner reads beside the numbers: the areas of gap cells and plan sites, the outlets a
site newly covers, why a plan is empty, and the two ways of counting uncovered riders."""

import h3
import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import Point, box
from sqlalchemy import text

from geo_api.auth import create_key
from geo_api.coverage.refresh import refresh_city
from tests.coverage_city import (
    CITY,
    EAST,
    NORTH,
    SOUTH,
    WEST,
    build_city,
    make_area,
    make_station,
)

GEOD = Geod(ellps="WGS84")
MID_LON = (WEST + EAST) / 2
DISTRICTS = {"519901": box(WEST, SOUTH, MID_LON, NORTH), "519902": box(MID_LON, SOUTH, EAST, NORTH)}


@pytest.fixture
def planner(session):
    return {"X-API-Key": create_key(session, "planner", "planner", [])}


@pytest.fixture
def city(session):
    built = build_city(session, seed=11, n_stations=3, n_outlets=60)
    for code, polygon in DISTRICTS.items():
        make_area(session, code, "district", polygon, CITY)
        built.areas[code] = ("district", polygon)
    return built


def expected_place(city, lon, lat):
    """Brute force: the area of each level whose polygon holds the point (smallest code)."""
    place = {}
    for level in ("district", "street", "community"):
        codes = sorted(
            code
            for code, (kind, polygon) in city.areas.items()
            if kind == level and polygon.intersects(Point(lon, lat))
        )
        place[f"{level}_adcode"] = codes[0] if codes else None
        place[f"{level}_name"] = f"{level} {codes[0]}" if codes else None
    return place


def places(props):
    return {
        k: v for k, v in props.items() if k.split("_")[0] in ("district", "street", "community")
    }


def uncovered_outlets(session, threshold_m, min_riders=1):
    """Brute force: the city's outlets (with riders) with no open station within reach."""
    stations = session.execute(
        text("SELECT ST_X(geom), ST_Y(geom) FROM stations WHERE status = 'open'")
    ).all()
    rows = session.execute(
        text("SELECT id, ST_X(geom), ST_Y(geom), riders FROM outlets WHERE riders >= :m"),
        {"m": min_riders},
    ).all()
    city = box(WEST, SOUTH, EAST, NORTH)
    return {
        outlet_id: (lon, lat, riders)
        for outlet_id, lon, lat, riders in rows
        if city.covers(Point(lon, lat))
        and not any(GEOD.inv(lon, lat, x, y)[2] <= threshold_m for x, y in stations)
    }


def test_gap_cells_are_named_by_the_areas_holding_their_centres(client, session, city):
    refresh_city(session, CITY, 9)
    body = client.get("/coverage/gaps", params={"city": CITY, "threshold_m": 800}).json()
    assert body["features"]
    named = 0
    for feature in body["features"]:
        lat, lon = h3.cell_to_latlng(feature["id"])
        assert places(feature["properties"]) == expected_place(city, lon, lat)
        named += feature["properties"]["community_adcode"] is not None
    assert named >= len(body["features"]) - 2  # a cell centre may fall outside the city


def test_gaps_and_communities_report_both_ways_of_counting(client, session, city, planner):
    refresh_city(session, CITY, 9)
    threshold_m = 800
    gaps = client.get(
        "/coverage/gaps", params={"city": CITY, "threshold_m": threshold_m, "limit": 1}
    ).json()
    cells = session.execute(
        text(
            "SELECT count(*), sum(riders) FROM coverage_cells WHERE city_adcode = :c AND res = 9 "
            "AND riders > 0 AND (nearest_station_m IS NULL OR nearest_station_m > :t)"
        ),
        {"c": CITY, "t": threshold_m},
    ).one()
    by_outlet = uncovered_outlets(session, threshold_m)
    assert gaps["measured_from"] == "cell_centre"
    assert gaps["uncovered"] == {
        "cells": cells[0],
        "riders": cells[1],
        "riders_by_outlet": sum(r for _, _, r in by_outlet.values()),
        "outlets_by_outlet": len(uncovered_outlets(session, threshold_m, min_riders=0)),
    }
    assert len(gaps["features"]) == 1 and cells[0] > 1
    assert [n["code"] for n in gaps["notes"]] == ["measured_from_cell_centres", "limited"]
    assert str(gaps["uncovered"]["riders_by_outlet"]) in gaps["notes"][0]["message"]

    communities = client.get(
        "/coverage/communities", params={"city": CITY, "threshold_m": threshold_m}
    ).json()
    assert communities["measured_from"] == "outlet"
    assert communities["totals"]["uncovered_riders"] == gaps["uncovered"]["riders_by_outlet"]
    assert communities["notes"][0]["code"] == "measured_from_outlets"
    plan = client.post(
        "/plan/sites",
        json={"city": CITY, "p": 1, "threshold_m": threshold_m, "res": 8},
        headers=planner,
    ).json()
    assert plan["measured_from"] == "outlet"
    assert (
        plan["total_riders"] - plan["covered_riders_before"]
        == (communities["totals"]["uncovered_riders"])
    )


def test_plan_sites_are_named_and_list_the_outlets_they_newly_cover(client, session, city, planner):
    threshold_m = 1200
    request = {"city": CITY, "p": 4, "threshold_m": threshold_m, "candidates": "cells", "res": 8}
    plan = client.post("/plan/sites", json=request, headers=planner).json()
    assert len(plan["sites"]) >= 2
    before = uncovered_outlets(session, threshold_m)
    reached: set[int] = set()
    for site in plan["sites"]:
        lat, lon = h3.cell_to_latlng(site["h3"])
        assert places(site) == {
            k: v for k, v in expected_place(city, lon, lat).items() if k in places(site)
        }
        assert site["district_adcode"] in DISTRICTS and site["community_adcode"] is not None
        within = {
            outlet_id
            for outlet_id, (x, y, _) in before.items()
            if GEOD.inv(site["lon"], site["lat"], x, y)[2] <= threshold_m
        }
        expected = within - reached
        reached |= within
        outlets = site["newly_covered_outlets"]
        assert {o["id"] for o in outlets} == expected
        assert sum(o["riders"] for o in outlets) == site["added_riders"]
        assert all(o["riders"] == before[o["id"]][2] and o["name"] for o in outlets)
        riders = [o["riders"] for o in outlets]
        assert riders == sorted(riders, reverse=True)
    assert plan["notes"] == []


def test_station_sites_are_named_too_and_convert_with_out_crs(client, session, city, planner):
    west = make_station(session, WEST + 0.01, SOUTH + 0.01, kind="party_service_center")
    body = {
        "city": CITY,
        "p": 1,
        "threshold_m": 3000,
        "candidates": {"kind": "party_service_center"},
        "out_crs": "gcj02",
    }
    [site] = client.post("/plan/sites", json=body, headers=planner).json()["sites"]
    assert site["station_id"] == str(west.id)
    assert places(site) == expected_place(city, WEST + 0.01, SOUTH + 0.01)
    assert GEOD.inv(site["lon"], site["lat"], WEST + 0.01, SOUTH + 0.01)[2] > 100  # GCJ-02


def post_plan(client, planner, path="/plan/sites", **body):
    response = client.post(path, json={"city": CITY, **body}, headers=planner)
    assert response.status_code == 200, response.text
    return response.json()


def test_every_empty_plan_says_why(client, session, city, planner):
    plan = post_plan(client, planner, p=3, candidates={"kind": "youth_station"})
    assert plan["sites"] == [] and [n["code"] for n in plan["notes"]] == ["no_candidates"]
    # with nothing to choose, the curve is flat and exact (no solver ran out of anything)
    assert plan["optimal"] and plan["curve_method"] == "re-solved exactly for each p"
    assert {c["covered_riders"] for c in plan["curve"]} == {plan["covered_riders_before"]}
    assert (
        plan["notes"][0]["uncovered_riders"]
        == plan["total_riders"] - (plan["covered_riders_before"])
    )
    # the city's one closed warm station, at its centre, reaches no uncovered outlet
    plan = post_plan(client, planner, p=3, candidates={"kind": "warm_station"})
    assert plan["candidates"] == 1 and plan["notes"][0]["code"] == "no_candidate_in_reach"
    assert plan["notes"][0]["closest_candidate_m"] > 1000
    plan = post_plan(client, planner, p=3, threshold_m=100_000)
    assert [n["code"] for n in plan["notes"]] == ["nothing_uncovered"]
    plan = post_plan(client, planner, "/plan/cover", target_share=0.01, threshold_m=2000, res=8)
    assert plan["sites"] == [] and plan["notes"][0]["code"] == "target_already_met"


def test_a_threshold_too_small_names_the_closest_candidate(client, session, city, planner):
    threshold_m = 20
    plan = post_plan(client, planner, p=2, threshold_m=threshold_m, candidates={"kind": "street"})
    [note] = plan["notes"]
    assert plan["sites"] == [] and note["code"] == "no_candidate_in_reach"
    streets = session.execute(
        text(
            "SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) "
            "FROM admin_areas WHERE level = 'street'"
        )
    ).all()
    closest = min(
        GEOD.inv(x, y, sx, sy)[2]
        for x, y, _ in uncovered_outlets(session, threshold_m).values()
        for sx, sy in streets
    )
    assert note["closest_candidate_m"] == pytest.approx(closest, abs=0.1)
    assert "threshold_m" in note["message"] and "threshold_m" in note["message_zh"]


def test_a_city_without_riders_says_so(client, session, city, planner):
    session.execute(text("UPDATE outlets SET riders = 0"))
    plan = post_plan(client, planner, p=2)
    assert [n["code"] for n in plan["notes"]] == ["no_demand"]
    refresh_city(session, CITY, 8)
    gaps = client.get("/coverage/gaps", params={"city": CITY, "res": 8}).json()
    assert gaps["features"] == [] and gaps["notes"][-1]["code"] == "no_riders"


def test_no_gaps_says_every_cell_is_covered(client, session, city):
    refresh_city(session, CITY, 8)
    gaps = client.get("/coverage/gaps", params={"city": CITY, "res": 8, "threshold_m": 50_000})
    body = gaps.json()
    assert body["features"] == [] and body["uncovered"]["cells"] == 0
    assert [n["code"] for n in body["notes"]] == ["measured_from_cell_centres", "no_gaps"]


def test_nearest_pair_is_exact_against_brute_force():
    from geo_api.plan.instance import Candidates, nearest_pair_m

    rng = np.random.default_rng(4)
    demand = rng.uniform([103.5, 30.2], [104.5, 31.0], size=(300, 2))
    sites = rng.uniform([103.5, 30.2], [104.5, 31.0], size=(40, 2))
    cand = Candidates(sites[:, 0], sites[:, 1], [{}] * 40)
    expected = min(GEOD.inv(x, y, sx, sy)[2] for x, y in demand for sx, sy in sites)
    assert nearest_pair_m(demand[:, 0], demand[:, 1], cand) == pytest.approx(expected, abs=1e-6)
