"""Scope containment follows the admin hierarchy, at every level, on every route that checks it."""

import pytest
from sqlalchemy import text

from geo_api.areas import contains, like_patterns, significant
from geo_api.auth import Principal, create_key
from tests.coverage_city import build_city
from tests.test_station_records import COMMUNITY, JINJIANG, areas, new_station  # noqa: F401

CHENGDU = "510100"
SICHUAN = "510000"


@pytest.mark.parametrize(
    ("outer", "inner", "held"),
    [
        (SICHUAN, CHENGDU, True),  # a province holds its cities
        (SICHUAN, "510104001001", True),
        (CHENGDU, "510104", True),  # a city holds its districts (not a prefix as written)
        (CHENGDU, "510104001", True),
        ("510104", "510104001", True),  # a district its streets
        ("510104001", "510104001001", True),  # a street its communities
        ("510104001001", "510104001001", True),  # an area holds itself
        ("510104001001", "510104001002", False),  # a community not its sibling
        ("510104001", "510104002001", False),  # a street not the next street's community
        ("510104", "510105", False),  # a district not its sibling
        (CHENGDU, "510200", False),  # a city not the next city
        (CHENGDU, "310115", False),
        ("510104", CHENGDU, False),  # nor anything its parent
        ("510104", None, False),
    ],
)
def test_contains_follows_the_hierarchy(outer, inner, held):
    assert contains(outer, inner) is held


def test_significant_parts_and_sql_patterns():
    assert [significant(a) for a in (SICHUAN, CHENGDU, "510104", "510104001")] == [
        "51",
        "5101",
        "510104",
        "510104001",
    ]
    assert like_patterns([CHENGDU, "510104001"]) == ["5101%", "510104001%"]


def test_sql_patterns_agree_with_contains(session):
    codes = [SICHUAN, CHENGDU, "510104", "510105", "510104001", "510104001001", "510104002001"]
    for outer in codes:
        matched = session.execute(
            text("SELECT code FROM unnest(CAST(:codes AS text[])) code WHERE code LIKE ANY(:p)"),
            {"codes": codes, "p": like_patterns([outer])},
        ).scalars()
        assert set(matched) == {c for c in codes if contains(outer, c)}, outer


def test_principal_covers_by_hierarchy():
    city = Principal(1, "c", "planner", (CHENGDU,))
    assert city.covers("510104") and city.covers("510104001001")
    assert not city.covers("510200") and not city.covers(None)


def headers(session, role, scope):
    return {"X-API-Key": create_key(session, f"{role} {scope}", role, scope)}


def test_city_key_writes_a_district_station(client, session, areas):  # noqa: F811
    city = headers(session, "planner", [CHENGDU])
    created = client.post("/stations", json=new_station(), headers=city)
    assert created.status_code == 201, created.text
    station = created.json()["id"]
    assert client.patch(f"/stations/{station}", json={"name": "x"}, headers=city).status_code == 200
    assert client.get(f"/stations/{station}/reports", headers=city).status_code == 200
    assert client.delete(f"/stations/{station}", headers=city).status_code == 200


def test_sibling_community_key_is_refused(client, session, areas):  # noqa: F811
    created = client.post("/stations", json=new_station(), headers=headers(session, "admin", []))
    station = created.json()["id"]
    assert created.json()["properties"]["community_adcode"] == COMMUNITY
    sibling = headers(session, "grid_manager", ["510104001002"])
    own = headers(session, "grid_manager", [COMMUNITY])
    street = headers(session, "grid_manager", ["510104001"])
    # grid managers may read a station's reports in their scope (the route admits planners
    # and admins only, so the role check answers first: 403 either way, for a different reason)
    for key in (sibling, own, street):
        assert client.get(f"/stations/{station}/reports", headers=key).status_code == 403
    sibling_planner = headers(session, "planner", ["510104001002"])
    response = client.patch(f"/stations/{station}", json={"name": "y"}, headers=sibling_planner)
    assert response.status_code == 403 and COMMUNITY in response.json()["detail"]
    street_planner = headers(session, "planner", ["510104001"])
    assert (
        client.patch(f"/stations/{station}", json={"name": "y"}, headers=street_planner).status_code
        == 200
    )


def test_city_key_refreshes_and_plans_its_own_city_only(client, session):
    build_city(session)  # city 519900
    own = headers(session, "planner", ["519900"])
    province = headers(session, "planner", ["510000"])  # 519900 lies in province 51
    other_province = headers(session, "planner", ["310000"])
    district = headers(session, "planner", ["519901"])
    body = {"city": "519900", "res": 8}
    assert client.post("/coverage/refresh", json=body, headers=own).status_code == 200
    assert client.post("/coverage/refresh", json=body, headers=province).status_code == 200
    assert client.post("/coverage/refresh", json=body, headers=other_province).status_code == 403
    # a district key may not refresh the city that holds it
    assert client.post("/coverage/refresh", json=body, headers=district).status_code == 403
    plan = {"city": "519900", "p": 1, "threshold_m": 500}
    assert client.post("/plan/sites", json=plan, headers=own).status_code == 200
    assert client.post("/plan/sites", json=plan, headers=district).status_code == 403
    cover = {"city": "519900", "target_share": 0.5, "threshold_m": 500}
    assert client.post("/plan/cover", json=cover, headers=own).status_code == 200
    assert client.post("/plan/cover", json=cover, headers=other_province).status_code == 403
