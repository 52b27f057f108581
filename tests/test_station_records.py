"""Station records: read, list, create, change and close, with keys, scopes and audit."""

import random

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box, shape
from sqlalchemy import select

from geo_api.auth import create_key
from geo_api.coords import wgs84_to_bd09, wgs84_to_gcj02
from geo_api.models import AdminArea, AuditLog, Station
from tests.factories import make_station

JINJIANG = "510104"
COMMUNITY = "510104001001"
LON, LAT = 104.08, 30.65


def area(session, adcode, level, bounds, parent=None):
    geom = from_shape(MultiPolygon([box(*bounds)]), srid=4326)
    session.add(
        AdminArea(
            adcode=adcode, name=adcode, level=level, geom=geom, source="test", parent_adcode=parent
        )
    )
    session.flush()


@pytest.fixture
def areas(session):
    area(session, JINJIANG, "district", (104.05, 30.60, 104.12, 30.68))
    area(session, COMMUNITY, "community", (104.07, 30.64, 104.09, 30.66), JINJIANG)


@pytest.fixture
def planner(session):
    return {"X-API-Key": create_key(session, "planning office", "planner", [])}


def new_station(**overrides):
    return {
        "name": "锦江区春熙路暖新驿站",
        "lon": LON,
        "lat": LAT,
        "amenities": "充电、饮水、sauna",
        "hours_text": "周一至周五 9:00-21:00",
        "kind": "工会驿站",
        "external_id": "jj-1",
        **overrides,
    }


def audit_entries(session, station_id):
    return session.scalars(
        select(AuditLog)
        .where(AuditLog.entity == "station", AuditLog.entity_id == str(station_id))
        .order_by(AuditLog.id)
    ).all()


def test_create_validates_like_the_etl_and_derives_columns(client, session, areas, planner):
    response = client.post("/stations", json=new_station(), headers=planner)
    assert response.status_code == 201, response.text
    feature = response.json()
    props = feature["properties"]
    assert props["kind"] == "union_station"
    assert props["amenities"] == ["charging", "water"] and props["amenities_unknown"] == ["sauna"]
    assert props["hours"][0] == [9 * 60, 21 * 60] and len(props["hours"]) == 5
    assert props["hours_unparsed"] is False
    assert props["district_adcode"] == JINJIANG and props["community_adcode"] == COMMUNITY
    assert props["h3_r9"] and len(props["h3_r9"]) == 15
    assert shape(feature["geometry"]).equals_exact(
        shape({"type": "Point", "coordinates": [LON, LAT]}), 1e-9
    )
    entries = audit_entries(session, feature["id"])
    assert [e.action for e in entries] == ["create"]
    assert entries[0].actor.endswith(":planning office")
    assert client.get(f"/stations/{feature['id']}").json() == feature


@pytest.mark.parametrize("crs", ["gcj02", "bd09", "cgcs2000", "EPSG:4326"])
def test_create_accepts_coordinates_in_any_named_system(client, areas, planner, crs):
    convert = {"gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}.get(crs, lambda x, y: (x, y))
    x, y = (float(v) for v in convert(LON, LAT))
    response = client.post("/stations", json=new_station(lon=x, lat=y, crs=crs), headers=planner)
    assert response.status_code == 201, response.text
    point = shape(response.json()["geometry"])
    assert abs(point.x - LON) < 1e-6 and abs(point.y - LAT) < 1e-6
    assert response.json()["properties"]["source_x"] == x


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"name": "  "}, "name"),
        ({"kind": "castle"}, "kind"),
        ({"status": "maybe"}, "status"),
        ({"access": "secret"}, "access"),
        ({"lon": LAT, "lat": 80.0}, "swapped"),
        ({"lon": 2.35, "lat": 48.85}, "outside China"),
        ({"crs": "mars"}, "crs"),
        ({"capacity": -1}, "capacity"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_create_rejects_bad_fields_with_a_422_naming_them(
    client, session, planner, overrides, named
):
    response = client.post("/stations", json=new_station(**overrides), headers=planner)
    assert response.status_code == 422, response.text
    assert named in response.json()["detail"]
    assert session.scalars(select(Station)).all() == []


def test_source_and_external_id_are_unique(client, planner):
    assert client.post("/stations", json=new_station(), headers=planner).status_code == 201
    response = client.post("/stations", json=new_station(name="another"), headers=planner)
    assert response.status_code == 409
    assert "jj-1" in response.json()["detail"]


def test_writes_need_a_planner_or_admin_key(client, session, areas):
    assert client.post("/stations", json=new_station()).status_code == 401
    grid = {"X-API-Key": create_key(session, "grid", "grid_manager", [COMMUNITY])}
    assert client.post("/stations", json=new_station(), headers=grid).status_code == 403
    admin = {"X-API-Key": create_key(session, "admin", "admin", [])}
    assert client.post("/stations", json=new_station(), headers=admin).status_code == 201


def test_scoped_planners_write_only_inside_their_scope(client, session, areas):
    other = {"X-API-Key": create_key(session, "pudong", "planner", ["310115"])}
    response = client.post("/stations", json=new_station(), headers=other)
    assert response.status_code == 403 and JINJIANG in response.json()["detail"]
    local = {"X-API-Key": create_key(session, "jinjiang", "planner", [JINJIANG])}
    created = client.post("/stations", json=new_station(), headers=local).json()
    assert (
        client.patch(f"/stations/{created['id']}", json={"name": "x"}, headers=other).status_code
        == 403
    )
    moved = client.patch(
        f"/stations/{created['id']}", json={"lon": 121.5, "lat": 31.2}, headers=local
    )
    assert moved.status_code == 403  # moving it out of the scope is refused too


def test_patch_changes_fields_and_moving_recomputes_derived_columns(
    client, session, areas, planner
):
    created = client.post("/stations", json=new_station(), headers=planner).json()
    assert created["properties"]["community_adcode"] == COMMUNITY
    response = client.patch(
        f"/stations/{created['id']}",
        json={"lon": 104.10, "lat": 30.62, "hours_text": "24小时", "amenities": ["toilet"]},
        headers=planner,
    )
    assert response.status_code == 200, response.text
    props = response.json()["properties"]
    assert props["district_adcode"] == JINJIANG and props["community_adcode"] is None
    assert props["h3_r9"] != created["properties"]["h3_r9"]
    assert props["is_24h"] is True and props["amenities"] == ["toilet"]
    assert props["name"] == created["properties"]["name"]
    entries = audit_entries(session, created["id"])
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].detail["community_adcode"] == {"from": COMMUNITY, "to": None}


def test_patch_rejects_half_a_move_and_bad_values(client, session, areas, planner):
    created = client.post("/stations", json=new_station(), headers=planner).json()
    url = f"/stations/{created['id']}"
    assert client.patch(url, json={"lon": 104.1}, headers=planner).status_code == 422
    assert client.patch(url, json={"status": None}, headers=planner).status_code == 422
    assert client.patch(url, json={"name": ""}, headers=planner).status_code == 422
    assert (
        client.patch("/stations/999999999", json={"name": "x"}, headers=planner).status_code == 404
    )
    assert client.get(url).json() == created


def test_unparseable_hours_are_kept_and_flagged(client, planner, areas):
    response = client.post("/stations", json=new_station(hours_text="看心情"), headers=planner)
    props = response.json()["properties"]
    assert (
        props["hours_text"] == "看心情"
        and props["hours"] is None
        and props["hours_unparsed"] is True
    )


def test_closing_sets_the_status_and_keeps_the_station(client, session, planner):
    station = make_station(session)
    response = client.delete(f"/stations/{station.id}", headers=planner)
    assert response.status_code == 200
    assert response.json()["properties"]["status"] == "closed"
    session.expire_all()
    assert session.get(Station, station.id).status == "closed"
    assert [e.action for e in audit_entries(session, station.id)] == ["close"]
    nearest = client.get("/stations/nearest", params={"lon": 104.066, "lat": 30.657}).json()
    assert station.id not in [f["id"] for f in nearest["features"]]
    assert client.delete(f"/stations/{station.id}").status_code == 401


def test_get_unknown_station_is_404(client):
    response = client.get("/stations/123456789")
    assert response.status_code == 404 and "123456789" in response.json()["detail"]
    assert client.get("/stations/abc").status_code == 422


def test_list_pages_through_bbox_kind_and_amenity(client, session):
    inside = [
        make_station(
            session, lon=104.0 + i * 0.001, lat=30.6, amenities=["charging"] if i % 2 else []
        )
        for i in range(7)
    ]
    make_station(session, lon=121.5, lat=31.2)
    bbox = "103.99,30.59,104.01,30.61"
    first = client.get("/stations", params={"bbox": bbox, "limit": 4}).json()
    second = client.get("/stations", params={"bbox": bbox, "limit": 4, "offset": 4}).json()
    assert first["numberMatched"] == 7 and first["numberReturned"] == 4
    assert [f["id"] for f in first["features"] + second["features"]] == [s.id for s in inside]
    charging = client.get("/stations", params={"bbox": bbox, "amenity": "charging"}).json()
    assert [f["id"] for f in charging["features"]] == [
        s.id for s in inside if "charging" in s.amenities
    ]
    assert client.get("/stations", params={"kind": "youth_station"}).json()["numberMatched"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "1,2,3"},
        {"bbox": "a,b,c,d"},
        {"bbox": "10,10,5,5"},
        {"limit": 0},
        {"offset": -1},
        {"amenity": "sauna"},
        {"kind": "x"},
    ],
)
def test_list_rejects_bad_parameters(client, params):
    response = client.get("/stations", params=params)
    assert response.status_code == 422
    assert next(iter(params)) in response.json()["detail"]


def test_random_junk_bodies_never_give_a_500(client, planner, areas):
    rng = random.Random(11)
    junk = [
        None,
        "",
        " ",
        "九",
        "x" * 600,
        0,
        -1,
        1e308,
        -1e308,
        2**70,
        True,
        [],
        ["charging", 3],
        {"a": 1},
        "EPSG:3857",
        "EPSG:99999",
        "bd09",
        "104.08",
        "'; DROP TABLE stations;--",
    ]
    fields = [
        "name",
        "kind",
        "address",
        "phone",
        "amenities",
        "hours_text",
        "access",
        "capacity",
        "area_m2",
        "status",
        "lon",
        "lat",
        "crs",
        "source",
        "external_id",
    ]
    for i in range(120):
        body = new_station(external_id=f"junk-{i}")
        for field in rng.sample(fields, rng.randint(1, 3)):
            body[field] = rng.choice(junk)
        response = client.post("/stations", json=body, headers=planner)
        assert response.status_code in (201, 409, 422), (body, response.text)
        assert "\n" not in response.json().get("detail", "")
        if response.status_code == 201:
            patch = {rng.choice(fields): rng.choice(junk)}
            changed = client.patch(
                f"/stations/{response.json()['id']}", json=patch, headers=planner
            )
            assert changed.status_code in (200, 409, 422), (patch, changed.text)


def test_a_patch_marks_the_fields_it_changed_for_the_next_load(client, session, areas, planner):
    created = client.post("/stations", json=new_station(), headers=planner).json()
    station = session.get(Station, created["id"])
    assert set(station.edited_fields) >= {"name", "position"}  # created here: every field given
    station.edited_fields = {}
    session.flush()
    client.patch(
        f"/stations/{created['id']}",
        json={"hours_text": "24小时", "name": created["properties"]["name"]},
        headers=planner,
    )
    session.refresh(station)
    assert set(station.edited_fields) == {"hours"}  # the unchanged name is no edit
    client.patch(f"/stations/{created['id']}", json={"lon": 104.10, "lat": 30.62}, headers=planner)
    session.refresh(station)
    assert set(station.edited_fields) == {"hours", "position"}


def test_the_api_keeps_the_name_as_loads_compare_it(client, session, areas, planner):
    created = client.post(
        "/stations", json=new_station(name="Ａ站（一号）"), headers=planner
    ).json()
    station = session.get(Station, created["id"])
    assert station.name_key == "a站(一号)"
    client.patch(f"/stations/{created['id']}", json={"name": "Ｂ站 【二号】"}, headers=planner)
    session.refresh(station)
    assert station.name_key == "b站(二号)"
