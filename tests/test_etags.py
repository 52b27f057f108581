"""Two people editing one entity: ETag on read, If-Match on write, 412 for the stale one.

Writes without If-Match still apply (last write wins), as they did before tags.
"""

from geo_api.auth import create_key
from tests.case_city import COMMUNITY_1, IN_COMMUNITY_1, key, report


def stale_write_is_refused(client, path, read_headers, write, first, second, method="PATCH"):
    """Read, write with the tag, then write again with the old tag: 200, 412; return tags."""
    read = client.get(path, headers=read_headers)
    assert read.status_code == 200, read.text
    tag = read.headers["etag"]
    assert tag.startswith('"') and tag.endswith('"')
    assert client.get(path, headers=read_headers).headers["etag"] == tag  # stable while unchanged
    ok = client.request(method, write, json=first, headers={**read_headers, "If-Match": tag})
    assert ok.status_code == 200, ok.text
    assert ok.headers["etag"] not in ("", tag)
    assert client.get(path, headers=read_headers).headers["etag"] == ok.headers["etag"]
    stale = client.request(method, write, json=second, headers={**read_headers, "If-Match": tag})
    assert stale.status_code == 412
    assert (
        list(stale.json()) == ["detail"] and "changed since it was read" in stale.json()["detail"]
    )
    return tag, ok.headers["etag"]


def test_a_stale_station_edit_is_refused_and_a_fresh_one_applies(client, session):
    planner = {"X-API-Key": create_key(session, "p", "planner", [])}
    body = {"name": "暖新驿站（标签）", "lon": 104.06, "lat": 30.66, "kind": "warm_station"}
    station_id = client.post("/stations", json=body, headers=planner).json()["id"]
    path = f"/stations/{station_id}"
    _, fresh = stale_write_is_refused(
        client, path, planner, path, {"hours_text": "8:00-20:00"}, {"hours_text": "24小时"}
    )
    assert client.get(path).json()["properties"]["hours_text"] == "8:00-20:00"
    # The current tag, a list holding it, or * apply; no If-Match applies too.
    for capacity, template in ((3, "{}"), (4, '"nope", {}'), (5, "*")):
        if_match = template.format(fresh)
        got = client.patch(
            path, json={"capacity": capacity}, headers={**planner, "If-Match": if_match}
        )
        assert got.status_code == 200, (if_match, got.text)
        fresh = got.headers["etag"]
    assert client.patch(path, json={"capacity": 6}, headers=planner).status_code == 200
    assert client.get(path).json()["properties"]["capacity"] == 6


def test_a_stale_liaison_edit_is_refused(client, session, case_city):
    admin = {"X-API-Key": create_key(session, "a", "admin", [])}
    body = {"name": "测试联络员", "phone": "13800000001", "role": "community",
            "scope_adcode": COMMUNITY_1}  # fmt: skip
    created = client.post("/liaisons", json=body, headers=admin)
    assert created.status_code == 201, created.text
    path = f"/liaisons/{created.json()['liaison']['id']}"
    stale_write_is_refused(
        client, path, admin, path, {"phone": "13800000002"}, {"phone": "13800000003"}
    )
    assert client.get(path, headers=admin).json()["phone"] == "13800000002"


def test_a_stale_case_transition_is_refused(client, session, case_city):
    manager = key(session, "admin")
    receipt = report(client, IN_COMMUNITY_1)
    path = f"/cases/{receipt['id']}"
    stale_write_is_refused(
        client, path, manager, f"{path}/transitions", {"to": "accepted"}, {"to": "rejected"},
        method="POST",
    )  # fmt: skip
    assert client.get(path, headers=manager).json()["status"] == "accepted"
