"""Routing against boundaries: the community, its role and handler, and every fallback."""

import pytest
from sqlalchemy import text

from geo_api.cases.routing import ancestors, locate, route
from geo_api.coords import wgs84_to_gcj02
from tests.case_city import (
    CITY,
    CITY_ONLY,
    COMMUNITY_1,
    COMMUNITY_2,
    IN_COMMUNITY_1,
    IN_COMMUNITY_2,
    IN_STREET_2,
    ON_SHARED_EDGE,
    OUTSIDE,
    STREET_1,
    STREET_1_NO_COMMUNITY,
    STREET_2,
    report,
)
from tests.factories import make_station


def test_ancestors_walk_up_to_everywhere():
    assert ancestors("510104001002") == [
        "510104001002",
        "510104001",
        "510104",
        "510100",
        "510000",
        "",
    ]
    assert ancestors("510100") == ["510100", "510000", ""]


def test_a_community_case_goes_to_its_own_active_liaison(client, case_city):
    body = report(client, IN_COMMUNITY_1, "fire_hazard")
    assert body["routed_to"]["adcode"] == COMMUNITY_1
    assert body["routed_to"]["role"] == "community_liaison"
    assert body["routed_to"]["name"] == f"community {COMMUNITY_1}"
    # due by the category's time limit (fire hazards: 24 hours)
    created = client.get(f"/cases/{body['id']}", params={"token": body["token"]}).json()
    hours = (
        __import__("datetime").datetime.fromisoformat(created["due_at"])
        - __import__("datetime").datetime.fromisoformat(created["created_at"])
    ).total_seconds() / 3600
    assert hours == pytest.approx(24)


def test_an_inactive_liaison_is_passed_over_for_the_streets(session, case_city):
    routing = route(session, "fire_hazard", *IN_COMMUNITY_2)
    assert routing.place.community.adcode == COMMUNITY_2
    assert routing.liaison_id == case_city.liaisons["street_1_community"]
    assert (routing.adcode, routing.role) == (STREET_1, "community_liaison")


def test_police_categories_go_to_the_first_police_liaison_of_the_street(session, case_city):
    routing = route(session, "road_hazard", *IN_COMMUNITY_1)
    assert routing.role == "police_liaison"
    assert routing.liaison_id == case_city.liaisons["police_a"]  # same scope: lowest id


def test_a_point_on_a_shared_edge_goes_to_one_community_every_time(session, case_city):
    inside = session.execute(
        text("SELECT count(*) FROM admin_areas WHERE level = 'community' AND "
             "ST_Intersects(geom, ST_SetSRID(ST_MakePoint(:x, :y), 4326))"),
        {"x": ON_SHARED_EDGE[0], "y": ON_SHARED_EDGE[1]},
    ).scalar_one()  # fmt: skip
    assert inside == 2  # the point really lies on both boundaries
    chosen = {route(session, "fire_hazard", *ON_SHARED_EDGE).place.community.adcode
              for _ in range(3)}  # fmt: skip
    assert chosen == {COMMUNITY_1}  # the smaller adcode, as everywhere in warmmap


def test_no_community_falls_back_to_the_street(session, case_city):
    place = locate(session, *STREET_1_NO_COMMUNITY)
    assert place.community is None and place.street.adcode == STREET_1
    routing = route(session, "fire_hazard", *STREET_1_NO_COMMUNITY)
    # the street-scoped community liaison takes it
    assert routing.liaison_id == case_city.liaisons["street_1_community"]


def test_nobody_of_the_role_means_the_street_office(client, case_city):
    body = report(client, IN_STREET_2, "fire_hazard")
    assert body["routed_to"] == {"adcode": STREET_2, "name": f"street {STREET_2}",
                                 "role": "street_office"}  # fmt: skip


def test_other_goes_to_the_street_office_by_its_route(client, case_city):
    body = report(client, IN_COMMUNITY_1, "other")
    assert body["routed_to"]["adcode"] == STREET_1
    assert body["routed_to"]["role"] == "street_office"


def test_a_point_only_in_the_city_goes_to_the_city(client, case_city):
    body = report(client, CITY_ONLY, "fire_hazard")
    assert body["routed_to"]["adcode"] == CITY and body["routed_to"]["role"] == "street_office"


def test_a_point_outside_every_area_is_refused_with_the_reason(client, case_city):
    response = client.post(
        "/cases", json={"lon": OUTSIDE[0], "lat": OUTSIDE[1], "category": "fire_hazard"}
    )
    assert response.status_code == 422
    assert "outside every loaded area" in response.json()["detail"]


def test_a_gcj02_point_is_converted_before_routing(client, case_city):
    x, y = wgs84_to_gcj02(*IN_COMMUNITY_2)
    body = report(client, (float(x), float(y)), "fire_hazard", crs="gcj02")
    assert body["routed_to"]["adcode"] == STREET_1  # community 2's liaison is inactive
    case = client.get(f"/cases/{body['id']}", params={"token": body["token"]}).json()
    assert case["community_adcode"] == COMMUNITY_2 and case["source_crs"] == "gcj02"
    lon, lat = case["geometry"]["coordinates"]
    assert lon == pytest.approx(IN_COMMUNITY_2[0], abs=1e-6)
    assert lat == pytest.approx(IN_COMMUNITY_2[1], abs=1e-6)


def test_station_categories_go_to_the_station(client, session, case_city):
    station = make_station(session, *IN_COMMUNITY_1)
    body = report(client, IN_COMMUNITY_1, "station_closed", station_id=station.id)
    assert body["routed_to"]["role"] == "station_contact"
    case = client.get(f"/cases/{body['id']}", params={"token": body["token"]}).json()
    assert case["routed_to"]["station_id"] == station.id
    # without a station, the street office takes it: nothing is unrouted
    assert report(client, IN_COMMUNITY_1, "station_closed")["routed_to"]["role"] == "street_office"
    response = client.post("/cases", json={"lon": 104.01, "lat": 30.62,
                                           "category": "station_closed", "station_id": 99999999})  # fmt: skip
    assert response.status_code == 404 and "99999999" in response.json()["detail"]


def test_an_areas_own_route_overrides_the_default(client, session, case_city):
    session.execute(text("INSERT INTO case_routes VALUES ('no_parking', :a, 'police_liaison', 12)"),
                    {"a": STREET_1})  # fmt: skip
    body = report(client, IN_COMMUNITY_1, "no_parking")
    assert body["routed_to"]["role"] == "police_liaison"
    elsewhere = report(client, IN_STREET_2, "no_parking")
    assert elsewhere["routed_to"]["role"] == "street_office"  # default route, nobody there
    categories = client.get("/cases/categories", params={"area": COMMUNITY_1}).json()["data"]
    assert {c["code"]: c["hours"] for c in categories}["no_parking"] == 12
    defaults = client.get("/cases/categories").json()["data"]
    assert {c["code"]: c["hours"] for c in defaults}["no_parking"] == 120
    assert len(defaults) == 10 and all(c["name_zh"] and c["name_en"] for c in defaults)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"lon": 104.01, "lat": 30.62}, "category"),
        ({"lon": 104.01, "lat": 30.62, "category": "ufo"}, "category"),
        ({"lat": 30.62, "category": "other"}, "lon"),
        ({"lon": 104.01, "lat": 95, "category": "other"}, "outside China"),
        ({"lon": 30.62, "lat": 104.01, "category": "other"}, "swapped"),
        ({"lon": 104.01, "lat": 30.62, "category": "other", "crs": "mars"}, "crs"),
        (
            {"lon": 104.01, "lat": 30.62, "category": "other", "description": "x" * 1001},
            "description",
        ),
        ({"lon": 104.01, "lat": 30.62, "category": "other", "color": "red"}, "color"),
        ({"lon": "east", "lat": 30.62, "category": "other"}, "lon"),
        (
            {"lon": 104.01, "lat": 30.62, "category": "other", "reporter_token": "wc_nope"},
            "reporter_token",
        ),
    ],
)
def test_every_bad_field_is_one_line_naming_it(client, case_city, body, named):
    response = client.post("/cases", json=body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert named in detail and "\n" not in detail


def test_a_body_that_is_not_json_is_422(client, case_city):
    response = client.post("/cases", content=b"{nope", headers={"content-type": "application/json"})
    assert response.status_code == 422 and "JSON" in response.json()["detail"]
    response = client.post("/cases", content=b"x", headers={"content-type": "text/plain"})
    assert response.status_code == 422 and "text/plain" in response.json()["detail"]
