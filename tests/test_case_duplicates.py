"""Duplicates within 100 m on the spheroid and 7 days; merges; reporters follow the survivor."""

from pyproj import Geod
from sqlalchemy import select, text

from geo_api.models import Case, RiderPoint
from tests.case_city import COMMUNITY_1, IN_COMMUNITY_1, key, report

GEOD = Geod(ellps="WGS84")


def moved(point, azimuth_deg, distance_m):
    lon, lat, _ = GEOD.fwd(point[0], point[1], azimuth_deg, distance_m)
    return (lon, lat)


def test_same_category_within_100_m_and_7_days_is_offered(client, session, case_city):
    first = report(client, IN_COMMUNITY_1, "blocked_passage")
    near = report(client, moved(IN_COMMUNITY_1, 45, 99.0), "blocked_passage")
    assert near["possible_duplicates"] == [first["id"]]
    far = report(client, moved(IN_COMMUNITY_1, 45, 101.0), "blocked_passage")
    assert first["id"] not in far["possible_duplicates"]
    other_kind = report(client, IN_COMMUNITY_1, "no_parking")
    assert other_kind["possible_duplicates"] == []
    # nearest first
    again = report(client, moved(IN_COMMUNITY_1, 45, 10.0), "blocked_passage")
    assert again["possible_duplicates"][0] == first["id"]
    # a week old no longer counts
    session.execute(text("UPDATE cases SET created_at = now() - interval '8 days' "
                         "WHERE category = 'blocked_passage'"))  # fmt: skip
    assert report(client, IN_COMMUNITY_1, "blocked_passage")["possible_duplicates"] == []


def test_rejected_and_merged_cases_are_not_offered(client, session, case_city):
    manager = key(session, "grid_manager", COMMUNITY_1)
    first = report(client, IN_COMMUNITY_1, "fire_hazard")
    second = report(client, IN_COMMUNITY_1, "fire_hazard")
    assert second["possible_duplicates"] == [first["id"]]
    client.post(f"/cases/{first['id']}/transitions", json={"to": "rejected"}, headers=manager)
    third = report(client, IN_COMMUNITY_1, "fire_hazard")
    assert third["possible_duplicates"] == [second["id"]]


def test_a_merge_makes_the_reporters_follow_the_survivor(client, session, case_city):
    manager = key(session, "grid_manager", COMMUNITY_1)
    survivor = report(
        client, IN_COMMUNITY_1, "no_rider_entry", description="保安不让进，说要登记身份证"
    )
    merged = report(client, IN_COMMUNITY_1, "no_rider_entry", description="我的电话13912345678")
    third = report(client, IN_COMMUNITY_1, "no_rider_entry")
    for case in (merged, third):
        done = client.post(f"/cases/{case['id']}/transitions", headers=manager,
                           json={"to": "duplicate", "duplicate_of": survivor["id"]})  # fmt: skip
        assert done.status_code == 200 and done.json()["duplicate_of"] == survivor["id"]
    stored = session.get(Case, merged["id"])
    assert stored.status == "duplicate" and stored.duplicate_of == survivor["id"]
    url = f"/cases/{survivor['id']}"
    assert client.get(url, headers=manager).json()["merged"] == [merged["id"], third["id"]]
    # the merged reporter reads the survivor, without its reporter's words
    followed = client.get(url, params={"token": merged["token"]})
    assert followed.status_code == 200
    assert followed.json()["description"] is None
    assert "身份证" not in followed.text and "13912345678" not in followed.text
    own = client.get(url, params={"token": survivor["token"]}).json()
    assert own["description"].startswith("保安")
    # the survivor's reporter does not read the merged case (nor its reporter's words)
    assert (
        client.get(f"/cases/{merged['id']}", params={"token": survivor["token"]}).status_code == 403
    )
    # every merged reporter confirms the survivor's resolution
    for to in ("accepted", "dispatched", "resolved"):
        client.post(f"{url}/transitions", json={"to": to}, headers=manager)
    confirm = client.post(f"{url}/transitions", json={"to": "verified", "token": third["token"]})
    assert confirm.status_code == 200
    # a merged case is final; merging into a duplicate is refused; no merge into itself
    assert client.post(f"/cases/{merged['id']}/transitions", json={"to": "accepted"},
                       headers=manager).status_code == 409  # fmt: skip
    fourth = report(client, IN_COMMUNITY_1, "no_rider_entry")
    into_merged = client.post(f"/cases/{fourth['id']}/transitions", headers=manager,
                              json={"to": "duplicate", "duplicate_of": merged["id"]})  # fmt: skip
    assert into_merged.status_code == 409 and str(survivor["id"]) in into_merged.json()["detail"]
    itself = client.post(f"/cases/{fourth['id']}/transitions", headers=manager,
                         json={"to": "duplicate", "duplicate_of": fourth["id"]})  # fmt: skip
    assert itself.status_code == 422
    missing = client.post(f"/cases/{fourth['id']}/transitions", headers=manager,
                          json={"to": "duplicate"})  # fmt: skip
    assert missing.status_code == 422 and "duplicate_of" in missing.json()["detail"]
    # points go to the survivor's reporter only
    ledger = session.scalars(select(RiderPoint)).all()
    assert [(p.case_id, p.points) for p in ledger] == [(survivor["id"], 10)]


def test_a_merge_chain_still_reads_the_last_survivor(client, session, case_city):
    manager = key(session, "grid_manager", COMMUNITY_1)
    a, b = report(client, IN_COMMUNITY_1), report(client, IN_COMMUNITY_1)
    c = report(client, IN_COMMUNITY_1)
    client.post(f"/cases/{a['id']}/transitions", headers=manager,
                json={"to": "duplicate", "duplicate_of": b["id"]})  # fmt: skip
    client.post(f"/cases/{b['id']}/transitions", headers=manager,
                json={"to": "duplicate", "duplicate_of": c["id"]})  # fmt: skip
    assert client.get(f"/cases/{c['id']}", params={"token": a["token"]}).status_code == 200
    assert client.get(f"/cases/{a['id']}", params={"token": c["token"]}).status_code == 403
