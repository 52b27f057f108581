"""Every route's real answers validate against the models the OpenAPI document declares.

Each operation of the document is called here on real data (a small city, a load batch, keys)
and its answer checked with ``tests.openapi_check`` (strictly: no undeclared fields). A new
route fails ``test_every_operation_is_called`` until a call of it is added to ``CALLS``.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import text

from etl.load import load_normalized
from etl.normalize.table import Rejection
from geo_api.auth import create_key
from geo_api.coverage.refresh import refresh_city
from tests.coverage_city import CITY, build_city, make_station
from tests.layer_calls import LAYER_CALLS
from tests.loadutil import frame, normalized, outlet
from tests.openapi_check import assert_documented

BATCH_FILE = Path(__file__).parent / "fixtures" / "load" / "outlets.xlsx"
LON, LAT = 104.05, 30.64  # inside the coverage test city


@dataclass
class World:
    """Real data for every route: a city with cells, a station, a report, a batch and keys."""

    client: TestClient
    planner: dict[str, str]
    outsider: dict[str, str]
    station_id: int
    report_id: int
    batch_id: int
    manager: dict[str, str]
    case: dict[str, Any]
    people: "People"


@dataclass
class People:
    """Street 519900001 of the city: its grid manager, two liaisons and an outlet."""

    manager: dict[str, str]
    liaison_id: int
    police_id: int
    outlet_id: int


STREET, COMMUNITY = "519900001", "519900001001"
LOCATE_OUTLETS = text(
    "UPDATE outlets o SET community_adcode = (SELECT a.adcode FROM admin_areas a "
    "WHERE a.level = 'community' AND ST_Intersects(a.geom, o.geom) ORDER BY a.adcode LIMIT 1)"
)


def make_people(client: TestClient, session: Any) -> People:
    session.execute(LOCATE_OUTLETS)
    admin = {"X-API-Key": create_key(session, "admin", "admin", [])}
    manager = {"X-API-Key": create_key(session, "street", "grid_manager", [STREET])}
    ids = []
    for role, scope in (("community", COMMUNITY), ("police", STREET)):
        body = {"name": "测试联络员", "phone": "13800000001", "role": role, "scope_adcode": scope}
        created = client.post("/liaisons", json=body, headers=admin)
        assert created.status_code == 201, created.text
        ids.append(created.json()["liaison"]["id"])
    outlet_id = session.execute(
        text("SELECT min(id) FROM outlets WHERE community_adcode = :c"), {"c": COMMUNITY}
    ).scalar_one()
    return People(manager, ids[0], ids[1], outlet_id)


@pytest.fixture
def world(client, session) -> World:
    build_city(session)
    for lon, lat in [(104.01, 30.61), (104.09, 30.67), (104.02, 30.67), (104.09, 30.61)]:
        make_station(session, lon, lat, kind="party_service_center")
    refresh_city(session, CITY, 9)
    planner = {"X-API-Key": create_key(session, "planner", "planner", [])}
    outsider = {"X-API-Key": create_key(session, "elsewhere", "grid_manager", ["310115"])}
    created = client.post(
        "/stations",
        json={
            "name": "暖新驿站（测试）",
            "lon": LON,
            "lat": LAT,
            "kind": "暖新驿站",
            "amenities": "充电、饮水、桑拿",
            "hours_text": "9:00-21:00",
        },
        headers=planner,
    )
    assert created.status_code == 201, created.text
    station_id = created.json()["id"]
    report = client.post(f"/stations/{station_id}/reports", json={"kind": "hours_wrong"})
    assert report.status_code == 201, report.text
    batch = load_normalized(
        session,
        normalized(
            "outlets",
            frame([outlet("a", 104.05, 30.55)]),
            [Rejection(3, {"名称": "row 3"}, "missing longitude")],
            flagged=1,
        ),
        path=BATCH_FILE,
        crs="wgs84",
        source="answers-test",
        options={"format": "xlsx"},
        started_at=datetime.now(UTC),
    )
    manager = {"X-API-Key": create_key(session, "city grid", "grid_manager", [CITY])}
    photo = io.BytesIO()
    Image.new("RGB", (32, 24), (250, 200, 0)).save(photo, "JPEG")
    case = client.post(
        "/cases",
        data={"lon": str(LON), "lat": str(LAT), "category": "no_rider_entry"},
        files={"photo": ("gate.jpg", photo.getvalue(), "image/jpeg")},
    )
    assert case.status_code == 201, case.text
    people = make_people(client, session)
    return World(
        client, planner, outsider, station_id, report.json()["id"], batch.batch_id, manager,
        case.json(), people,
    )  # fmt: skip


Call = Callable[[World], Any]
PLAN = {"city": CITY, "threshold_m": 800}
REPORT = {"lon": LON, "lat": LAT, "category": "blocked_passage", "description": "堵住了"}


def case_url(w: World, suffix: str = "") -> str:
    return f"/cases/{w.case['id']}{suffix}"


def token(w: World) -> dict[str, str]:
    return {"token": w.case["token"]}


def open311_form(w: World) -> dict[str, str]:
    return {"api_key": w.manager["X-API-Key"], "service_code": "no_parking",
            "lat": str(LAT), "long": str(LON)}  # fmt: skip


CASE_CALLS: list[tuple[str, str, Call, list[Call]]] = [
    (
        "GET",
        "/cases/categories",
        lambda w: w.client.get("/cases/categories", params={"area": CITY}),
        [lambda w: w.client.get("/cases/categories", params={"area": "999999999"}),
         lambda w: w.client.get("/cases/categories", params={"area": "abc"})],
    ),
    (
        "POST",
        "/cases",
        lambda w: w.client.post("/cases", json=REPORT),
        [lambda w: w.client.post("/cases", json=REPORT | {"category": "ufo"}),
         lambda w: w.client.post("/cases", json=REPORT | {"station_id": 987654321}),
         lambda w: w.client.post("/cases", json=REPORT | {"lon": 110.0, "lat": 35.0})],
    ),
    (
        "GET",
        "/cases",
        lambda w: w.client.get("/cases", params={"overdue": "false"}, headers=w.manager),
        [lambda w: w.client.get("/cases"),
         lambda w: w.client.get("/cases", params={"scope": CITY}, headers=w.outsider),
         lambda w: w.client.get("/cases", params={"status": "gone"}, headers=w.manager)],
    ),
    (
        "GET",
        "/cases/stats",
        lambda w: w.client.get("/cases/stats", params={"city": CITY, "level": "community"},
                               headers=w.planner),
        [lambda w: w.client.get("/cases/stats", params={"city": CITY}),
         lambda w: w.client.get("/cases/stats", params={"city": CITY}, headers=w.outsider),
         lambda w: w.client.get("/cases/stats", params={"city": "x"}, headers=w.planner)],
    ),
    (
        "GET",
        "/cases/friendliness",
        lambda w: w.client.get("/cases/friendliness", params={"city": CITY}),
        [lambda w: w.client.get("/cases/friendliness", params={"city": "x"})],
    ),
    (
        "GET",
        "/cases/public",
        lambda w: w.client.get("/cases/public", params={"bbox": "104,30.6,104.1,30.7"}),
        [lambda w: w.client.get("/cases/public", params={"bbox": "104,30.6"})],
    ),
    (
        "GET",
        "/cases/{case_id}",
        lambda w: w.client.get(case_url(w), params=token(w)),
        [lambda w: w.client.get(case_url(w)),
         lambda w: w.client.get(case_url(w), headers=w.outsider),
         lambda w: w.client.get("/cases/987654", headers=w.manager),
         lambda w: w.client.get("/cases/abc", headers=w.manager)],
    ),
    (
        "POST",
        "/cases/{case_id}/transitions",
        lambda w: w.client.post(case_url(w, "/transitions"), json={"to": "accepted"},
                                headers=w.manager),
        [lambda w: w.client.post(case_url(w, "/transitions"), json={"to": "closed"},
                                 headers=w.manager),
         lambda w: w.client.post(case_url(w, "/transitions"), json={"to": "accepted"}),
         lambda w: w.client.post(case_url(w, "/transitions"), json={"to": "accepted"},
                                 headers=w.outsider),
         lambda w: w.client.post("/cases/987654/transitions", json={"to": "accepted"},
                                 headers=w.manager),
         lambda w: w.client.post(case_url(w, "/transitions"), json={"to": "gone"},
                                 headers=w.manager)],
    ),
    (
        "GET",
        "/cases/{case_id}/photos/{photo_id}",
        lambda w: w.client.get(case_url(w, f"/photos/{w.case['photo_id']}"), params=token(w)),
        [lambda w: w.client.get(case_url(w, f"/photos/{w.case['photo_id']}")),
         lambda w: w.client.get(case_url(w, f"/photos/{w.case['photo_id']}"),
                                headers=w.outsider),
         lambda w: w.client.get(case_url(w, "/photos/987654"), headers=w.manager),
         lambda w: w.client.get(case_url(w, "/photos/x"), headers=w.manager)],
    ),
    (
        "GET",
        "/points",
        lambda w: w.client.get("/points", params=token(w)),
        [lambda w: w.client.get("/points", params={"token": "wc_nobody"}),
         lambda w: w.client.get("/points")],
    ),
    (
        "GET",
        "/open311/v2/services.json",
        lambda w: w.client.get("/open311/v2/services.json", params={"lang": "en"}),
        [lambda w: w.client.get("/open311/v2/services.json", params={"lang": "fr"})],
    ),
    (
        "GET",
        "/open311/v2/requests.json",
        lambda w: w.client.get("/open311/v2/requests.json", params={"status": "open"}),
        [lambda w: w.client.get("/open311/v2/requests.json", params={"start_date": "soon"})],
    ),
    (
        "GET",
        "/open311/v2/requests/{service_request_id}.json",
        lambda w: w.client.get(f"/open311/v2/requests/{w.case['id']}.json"),
        [lambda w: w.client.get("/open311/v2/requests/987654.json"),
         lambda w: w.client.get("/open311/v2/requests/0.json")],
    ),
    (
        "POST",
        "/open311/v2/requests.json",
        lambda w: w.client.post("/open311/v2/requests.json", data=open311_form(w)),
        [lambda w: w.client.post("/open311/v2/requests.json",
                                 data=open311_form(w) | {"api_key": ""}),
         lambda w: w.client.post("/open311/v2/requests.json",
                                 data=open311_form(w) | {"service_code": "pothole"})],
    ),
]  # fmt: skip

# (method, path as documented, a call answering 2xx, calls answering errors)
CALLS: list[tuple[str, str, Call, list[Call]]] = [
    ("GET", "/healthz", lambda w: w.client.get("/healthz"), []),
    ("GET", "/metrics", lambda w: w.client.get("/metrics"), []),
    (
        "GET",
        "/batches/{batch_id}",
        lambda w: w.client.get(f"/batches/{w.batch_id}", headers=w.planner),
        [
            lambda w: w.client.get(f"/batches/{w.batch_id}"),
            lambda w: w.client.get("/batches/987654", headers=w.planner),
            lambda w: w.client.get("/batches/0", headers=w.planner),
        ],
    ),
    (
        "GET",
        "/batches/{batch_id}/rejects",
        lambda w: w.client.get(f"/batches/{w.batch_id}/rejects", headers=w.planner),
        [lambda w: w.client.get(f"/batches/{w.batch_id}/rejects?limit=0", headers=w.planner)],
    ),
    (
        "GET",
        "/batches/{batch_id}/flagged",
        lambda w: w.client.get(f"/batches/{w.batch_id}/flagged?lang=zh", headers=w.planner),
        [
            lambda w: w.client.get(f"/batches/{w.batch_id}/flagged"),
            lambda w: w.client.get(f"/batches/{w.batch_id}/flagged?lang=fr", headers=w.planner),
        ],
    ),
    (
        "GET",
        "/stations/nearest",
        lambda w: w.client.get(
            "/stations/nearest",
            params={"lon": LON, "lat": LAT, "amenity": "charging", "out_crs": "gcj02"},
        ),
        [lambda w: w.client.get("/stations/nearest", params={"lon": LON, "lat": 95})],
    ),
    (
        "GET",
        "/stations",
        lambda w: w.client.get("/stations", params={"bbox": "104,30.6,104.1,30.7"}),
        [lambda w: w.client.get("/stations", params={"kind": "castle"})],
    ),
    (
        "POST",
        "/stations",
        lambda w: w.client.post(
            "/stations", json={"name": "青年驿站", "lon": LON, "lat": LAT}, headers=w.planner
        ),
        [
            lambda w: w.client.post("/stations", json={"name": "x", "lon": LON, "lat": LAT}),
            lambda w: w.client.post(
                "/stations", json={"name": "x", "lon": LON, "lat": LAT}, headers=w.outsider
            ),
            lambda w: w.client.post("/stations", json={"name": "x"}, headers=w.planner),
        ],
    ),
    (
        "GET",
        "/stations/{station_id}",
        lambda w: w.client.get(f"/stations/{w.station_id}"),
        [lambda w: w.client.get("/stations/987654321")],
    ),
    (
        "PATCH",
        "/stations/{station_id}",
        lambda w: w.client.patch(
            f"/stations/{w.station_id}", json={"status": "暂停开放"}, headers=w.planner
        ),
        [lambda w: w.client.patch("/stations/987654321", json={}, headers=w.planner)],
    ),
    (
        "DELETE",
        "/stations/{station_id}",
        lambda w: w.client.delete(f"/stations/{w.station_id}", headers=w.planner),
        [lambda w: w.client.delete(f"/stations/{w.station_id}", headers=w.outsider)],
    ),
    (
        "POST",
        "/stations/{station_id}/reports",
        lambda w: w.client.post(f"/stations/{w.station_id}/reports", json={"kind": "closed"}),
        [lambda w: w.client.post(f"/stations/{w.station_id}/reports", json={"kind": "x"})],
    ),
    (
        "GET",
        "/stations/{station_id}/reports",
        lambda w: w.client.get(f"/stations/{w.station_id}/reports", headers=w.planner),
        [lambda w: w.client.get(f"/stations/{w.station_id}/reports")],
    ),
    (
        "PATCH",
        "/stations/{station_id}/reports/{report_id}",
        lambda w: w.client.patch(
            f"/stations/{w.station_id}/reports/{w.report_id}",
            json={"status": "resolved"},
            headers=w.planner,
        ),
        [
            lambda w: w.client.patch(
                f"/stations/{w.station_id}/reports/987654",
                json={"status": "resolved"},
                headers=w.planner,
            )
        ],
    ),
    (
        "POST",
        "/coverage/refresh",
        lambda w: w.client.post("/coverage/refresh", json={"city": CITY}, headers=w.planner),
        [lambda w: w.client.post("/coverage/refresh", json={"city": CITY}, headers=w.outsider)],
    ),
    (
        "GET",
        "/coverage/gaps",
        lambda w: w.client.get("/coverage/gaps", params={"city": CITY, "threshold_m": 500}),
        [lambda w: w.client.get("/coverage/gaps", params={"city": CITY, "res": 7})],
    ),
    (
        "GET",
        "/coverage/communities",
        lambda w: w.client.get("/coverage/communities", params={"city": CITY, "level": "street"}),
        [lambda w: w.client.get("/coverage/communities", params={"city": "999999"})],
    ),
    (
        "POST",
        "/plan/sites",
        lambda w: w.client.post("/plan/sites", json=PLAN | {"p": 2}, headers=w.planner),
        [lambda w: w.client.post("/plan/sites", json=PLAN | {"p": 0}, headers=w.planner)],
    ),
    (
        "POST",
        "/plan/cover",
        lambda w: w.client.post(
            "/plan/cover", json=PLAN | {"target_share": 0.9}, headers=w.planner
        ),
        [lambda w: w.client.post("/plan/cover", json=PLAN | {"target_share": 0.9})],
    ),
    *CASE_CALLS,
    (
        "GET",
        "/outlets",
        lambda w: w.client.get("/outlets", params={"street": STREET}, headers=w.people.manager),
        [
            lambda w: w.client.get("/outlets", params={"kind": "castle"}),
            lambda w: w.client.get("/outlets", headers={"X-API-Key": "wm_guess"}),
        ],
    ),
    (
        "GET",
        "/outlets/unassigned",
        lambda w: w.client.get("/outlets/unassigned", headers=w.people.manager),
        [
            lambda w: w.client.get("/outlets/unassigned"),
            lambda w: w.client.get(
                "/outlets/unassigned", params={"community": COMMUNITY}, headers=w.outsider
            ),
            lambda w: w.client.get(
                "/outlets/unassigned", params={"community": "51x"}, headers=w.people.manager
            ),
        ],
    ),
    (
        "GET",
        "/outlets/{outlet_id}",
        lambda w: w.client.get(f"/outlets/{w.people.outlet_id}", headers=w.people.manager),
        [
            lambda w: w.client.get("/outlets/987654321"),
            lambda w: w.client.get("/outlets/x"),
        ],
    ),
    (
        "GET",
        "/outlets/{outlet_id}/liaisons",
        lambda w: w.client.get(f"/outlets/{w.people.outlet_id}/liaisons", headers=w.people.manager),
        [lambda w: w.client.get(f"/outlets/{w.people.outlet_id}/liaisons", headers=w.outsider)],
    ),
    (
        "PUT",
        "/outlets/{outlet_id}/liaisons",
        lambda w: w.client.put(
            f"/outlets/{w.people.outlet_id}/liaisons",
            json={"community": w.people.liaison_id, "police": w.people.police_id},
            headers=w.people.manager,
        ),
        [
            lambda w: w.client.put(
                f"/outlets/{w.people.outlet_id}/liaisons",
                json={"police": w.people.liaison_id},
                headers=w.people.manager,
            ),
            lambda w: w.client.put(
                f"/outlets/{w.people.outlet_id}/liaisons", json={}, headers=w.planner
            ),
        ],
    ),
    (
        "GET",
        "/outlets/{outlet_id}/liaisons/history",
        lambda w: w.client.get(
            f"/outlets/{w.people.outlet_id}/liaisons/history", headers=w.people.manager
        ),
        [
            lambda w: w.client.get(
                f"/outlets/{w.people.outlet_id}/liaisons/history", headers=w.outsider
            )
        ],
    ),
    (
        "GET",
        "/liaisons",
        lambda w: w.client.get("/liaisons", headers=w.people.manager),
        [
            lambda w: w.client.get("/liaisons"),
            lambda w: w.client.get("/liaisons", params={"street": STREET}, headers=w.outsider),
            lambda w: w.client.get(
                "/liaisons",
                params={"street": STREET, "community": COMMUNITY},
                headers=w.people.manager,
            ),
        ],
    ),
    (
        "POST",
        "/liaisons",
        lambda w: w.client.post(
            "/liaisons",
            json={"name": "新联络员", "role": "社区", "scope_adcode": "519900001002"},
            headers=w.people.manager,
        ),
        [
            lambda w: w.client.post(
                "/liaisons",
                json={"name": "x", "role": "police", "scope_adcode": STREET},
                headers=w.outsider,
            ),
            lambda w: w.client.post(
                "/liaisons",
                json={"name": "x", "role": "fireman", "scope_adcode": STREET},
                headers=w.people.manager,
            ),
        ],
    ),
    (
        "GET",
        "/liaisons/{liaison_id}",
        lambda w: w.client.get(f"/liaisons/{w.people.liaison_id}", headers=w.people.manager),
        [
            lambda w: w.client.get("/liaisons/987654321", headers=w.people.manager),
            lambda w: w.client.get(f"/liaisons/{w.people.liaison_id}", headers=w.outsider),
        ],
    ),
    (
        "PATCH",
        "/liaisons/{liaison_id}",
        lambda w: w.client.patch(
            f"/liaisons/{w.people.liaison_id}",
            json={"phone": "13800000002"},
            headers=w.people.manager,
        ),
        [
            lambda w: w.client.patch(
                f"/liaisons/{w.people.liaison_id}", json={"name": None}, headers=w.people.manager
            ),
            lambda w: w.client.patch(
                f"/liaisons/{w.people.liaison_id}", json={"phone": "1"}, headers=w.outsider
            ),
        ],
    ),
    (
        "DELETE",
        "/liaisons/{liaison_id}",
        lambda w: w.client.delete(f"/liaisons/{w.people.liaison_id}", headers=w.people.manager),
        [lambda w: w.client.delete(f"/liaisons/{w.people.police_id}", headers=w.outsider)],
    ),
    (
        "GET",
        "/liaisons/export",
        lambda w: w.client.get(
            "/liaisons/export", params={"format": "xlsx"}, headers=w.people.manager
        ),
        [
            lambda w: w.client.get(
                "/liaisons/export", params={"format": "pdf"}, headers=w.people.manager
            ),
            lambda w: w.client.get(
                "/liaisons/export", params={"scope": STREET}, headers=w.outsider
            ),
        ],
    ),
    (
        "POST",
        "/assignments/auto",
        lambda w: w.client.post(
            "/assignments/auto",
            json={"scope_adcode": STREET, "role": "police", "max_per_liaison": 50, "dry_run": True},
            headers=w.people.manager,
        ),
        [
            lambda w: w.client.post(
                "/assignments/auto",
                json={"scope_adcode": STREET, "role": "police", "max_per_liaison": 5},
                headers=w.outsider,
            ),
            lambda w: w.client.post(
                "/assignments/auto",
                json={"scope_adcode": STREET, "role": "police", "max_per_liaison": 0},
                headers=w.people.manager,
            ),
        ],
    ),
    *LAYER_CALLS,
]


@pytest.fixture
def document(client) -> dict:
    return client.get("/openapi.json").json()


def test_every_operation_is_called(document):
    documented = {(m.upper(), p) for p, item in document["paths"].items() for m in item}
    assert documented == {(method, path) for method, path, _, _ in CALLS}


@pytest.mark.parametrize(
    ("method", "path", "ok", "errors"), CALLS, ids=[f"{c[0]} {c[1]}" for c in CALLS]
)
def test_answers_validate_against_the_document(world, document, method, path, ok, errors):
    response = ok(world)
    assert response.status_code < 300, response.text
    assert_documented(document, method, path, response)
    for call in errors:
        response = call(world)
        assert response.status_code >= 400, response.text
        assert_documented(document, method, path, response)


@pytest.mark.parametrize(
    "candidates", ["cells", {"kind": "party_service_center"}, {"kind": "community"}]
)
def test_every_kind_of_site_validates(world, document, candidates):
    body = PLAN | {"p": 2, "candidates": candidates}
    response = world.client.post("/plan/sites", json=body, headers=world.planner)
    assert response.status_code == 200, response.text
    assert response.json()["sites"], "the plan should choose sites"
    assert_documented(document, "POST", "/plan/sites", response)
    cover = world.client.post(
        "/plan/cover", json=body | {"target_share": 1.0}, headers=world.planner
    )
    assert_documented(document, "POST", "/plan/cover", cover)


def test_gaps_without_any_open_station_validate(world, document, session):
    session.execute(text("UPDATE stations SET status = 'closed'"))
    world.client.post("/coverage/refresh", json={"city": CITY, "res": 8}, headers=world.planner)
    response = world.client.get("/coverage/gaps", params={"city": CITY, "res": 8})
    features = response.json()["features"]
    assert features and all(f["properties"]["nearest_station_id"] is None for f in features)
    assert_documented(document, "GET", "/coverage/gaps", response)
