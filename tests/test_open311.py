"""Open311 GeoReport v2 (JSON) over the cases, checked against the spec's field lists."""

import io
from datetime import datetime

from PIL import Image

from tests.case_city import COMMUNITY_1, IN_COMMUNITY_1, IN_STREET_2, key, report

# The field lists of the GeoReport v2 specification (wiki.open311.org/GeoReport_v2).
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords",
                  "group"}  # fmt: skip
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
    "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip
POST_RESPONSE_FIELDS = {"service_request_id", "service_notice", "account_id"}
SERVICE_TYPES = {"realtime", "batch", "blackbox"}
STATUSES = {"open", "closed"}


def test_services_list_every_category(client):
    services = client.get("/open311/v2/services.json").json()
    assert len(services) == 10
    for service in services:
        assert set(service) == SERVICE_FIELDS
        assert service["type"] in SERVICE_TYPES and service["metadata"] is False
    english = {s["service_code"]: s["service_name"]
               for s in client.get("/open311/v2/services.json", params={"lang": "en"}).json()}  # fmt: skip
    assert english["no_rider_entry"] == "No rider entry to a compound"
    assert {s["service_code"]: s["service_name"] for s in services}["fire_hazard"] == "消防隐患"


def test_post_and_read_a_request(client, session, case_city):
    form = {"api_key": key(session, "grid_manager", COMMUNITY_1)["X-API-Key"],
            "service_code": "blocked_passage", "lat": str(IN_COMMUNITY_1[1]),
            "long": str(IN_COMMUNITY_1[0]), "description": "电动车堵住消防通道",
            "email": "rider@example.com", "first_name": "张"}  # fmt: skip
    response = client.post("/open311/v2/requests.json", data=form)
    assert response.status_code == 201, response.text
    (created,) = response.json()
    assert POST_RESPONSE_FIELDS <= set(created)
    request_id = created["service_request_id"]
    (one,) = client.get(f"/open311/v2/requests/{request_id}.json").json()
    assert set(one) == REQUEST_FIELDS
    assert one["status"] == "open" and one["service_code"] == "blocked_passage"
    assert one["description"] is None and one["media_url"] is None  # never public
    assert one["lat"] == IN_COMMUNITY_1[1] and one["long"] == IN_COMMUNITY_1[0]
    assert "community liaison" in one["agency_responsible"] or "社区" in one["agency_responsible"]
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert datetime.fromisoformat(one[field]).tzinfo is not None
    assert "电动车" not in client.get("/open311/v2/requests.json").text
    # the names and e-mail a rider's app may send are not kept anywhere
    from sqlalchemy import text

    row = session.execute(text("SELECT to_jsonb(c) FROM cases c WHERE id = :id"),
                          {"id": int(request_id)}).scalar_one()  # fmt: skip
    assert "example.com" not in str(row) and "张" not in str(row)
    # the token follows the case
    followed = client.get(f"/cases/{request_id}", params={"token": created["token"]})
    assert followed.status_code == 200 and followed.json()["channel"] == "open311"


def test_statuses_map_to_open_and_closed_with_notes(client, session, case_city):
    manager = key(session, "grid_manager", COMMUNITY_1)
    done, merged = report(client, IN_COMMUNITY_1), report(client, IN_COMMUNITY_1)
    still_open = report(client, IN_STREET_2, "other")
    for to in ("accepted", "dispatched", "resolved"):
        client.post(f"/cases/{done['id']}/transitions", json={"to": to}, headers=manager)
    client.post(f"/cases/{merged['id']}/transitions", headers=manager,
                json={"to": "duplicate", "duplicate_of": done["id"]})  # fmt: skip
    everything = {r["service_request_id"]: r
                  for r in client.get("/open311/v2/requests.json").json()}  # fmt: skip
    assert everything[str(done["id"])]["status"] == "closed"
    assert "resolved" in everything[str(done["id"])]["status_notes"]
    assert everything[str(merged["id"])]["status"] == "closed"
    assert everything[str(merged["id"])]["status_notes"].endswith(f"duplicate of {done['id']}")
    assert everything[str(still_open["id"])]["status"] == "open"
    assert (
        "street office"
        in client.get(
            f"/open311/v2/requests/{still_open['id']}.json", params={"lang": "en"}
        ).json()[0]["agency_responsible"]
    )
    closed = client.get("/open311/v2/requests.json", params={"status": "closed"}).json()
    assert {r["service_request_id"] for r in closed} == {str(done["id"]), str(merged["id"])}
    by_ids = client.get("/open311/v2/requests.json",
                        params={"service_request_id": f"{done['id']},{still_open['id']}"}).json()  # fmt: skip
    assert {r["service_request_id"] for r in by_ids} == {str(done["id"]), str(still_open["id"])}
    by_code = client.get("/open311/v2/requests.json", params={"service_code": "other"}).json()
    assert [r["service_request_id"] for r in by_code] == [str(still_open["id"])]
    future = client.get("/open311/v2/requests.json",
                        params={"start_date": "2099-01-01T00:00:00Z"}).json()  # fmt: skip
    assert future == []


def test_post_needs_a_key_a_service_and_a_position(client, session, case_city):
    api_key = key(session, "grid_manager", COMMUNITY_1)["X-API-Key"]
    base = {"service_code": "other", "lat": str(IN_STREET_2[1]), "long": str(IN_STREET_2[0])}
    assert client.post("/open311/v2/requests.json", data=base).status_code == 401
    bad_key = client.post("/open311/v2/requests.json", data={**base, "api_key": "wm_nope"})
    assert bad_key.status_code == 401
    no_place = client.post("/open311/v2/requests.json",
                           data={"api_key": api_key, "service_code": "other",
                                 "address_string": "天府大道"})  # fmt: skip
    assert no_place.status_code == 422 and "lat/long" in no_place.json()["detail"]
    unknown = client.post("/open311/v2/requests.json",
                          data={**base, "api_key": api_key, "service_code": "pothole"})  # fmt: skip
    assert unknown.status_code == 422 and "category" in unknown.json()["detail"]
    assert client.get("/open311/v2/requests/999999.json").status_code == 404
    assert client.get("/open311/v2/requests.json",
                      params={"start_date": "yesterday"}).status_code == 422  # fmt: skip


def test_post_with_media(client, session, case_city):
    api_key = key(session, "grid_manager", COMMUNITY_1)["X-API-Key"]
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 0, 255)).save(photo, "JPEG")
    response = client.post(
        "/open311/v2/requests.json",
        data={"api_key": api_key, "service_code": "road_hazard", "lat": str(IN_COMMUNITY_1[1]),
              "long": str(IN_COMMUNITY_1[0])},
        files={"media": ("road.jpg", photo.getvalue(), "image/jpeg")},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    (created,) = response.json()
    case = client.get(f"/cases/{created['service_request_id']}",
                      params={"token": created["token"]}).json()  # fmt: skip
    assert len(case["photos"]) == 1
    (listed,) = client.get(f"/open311/v2/requests/{created['service_request_id']}.json").json()
    assert listed["media_url"] is None
