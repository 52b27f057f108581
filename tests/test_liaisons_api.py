"""Liaisons over HTTP: masking per role, audited reveals, bases, deactivation."""

import pytest
from sqlalchemy import text

from tests.liaison_world import A1, A2, STREET_A, build_world, reveals


@pytest.fixture
def world(session):
    return build_world(session)


def by_id(response):
    return {row["id"]: row for row in response.json()["data"]}


def test_no_key_no_liaisons(client, world):
    assert client.get("/liaisons").status_code == 401
    assert client.get(f"/liaisons/{world.liaisons['cA1'].id}").status_code == 401


def test_admin_sees_everyone_unmasked_and_each_reveal_is_audited(client, session, world):
    response = client.get("/liaisons", headers=world.headers("admin"))
    assert response.status_code == 200, response.text
    rows = by_id(response)
    assert len(rows) == 5
    cA1 = rows[world.liaisons["cA1"].id]
    assert (cA1["name"], cA1["phone"], cA1["masked"]) == ("张伟", "13800000001", False)
    assert sorted(reveals(session, "admin")) == sorted(str(p.id) for p in world.liaisons.values())


def test_street_manager_sees_the_street_unmasked(client, session, world):
    rows = by_id(client.get("/liaisons", headers=world.headers("gm_A")))
    ids = {world.liaisons[k].id for k in ("cA1", "cA2", "pA")}
    assert set(rows) == ids  # nothing of street B
    assert all(not row["masked"] for row in rows.values())
    assert sorted(reveals(session, "gm A")) == sorted(str(i) for i in ids)


def test_community_manager_sees_the_street_police_masked(client, session, world):
    rows = by_id(client.get("/liaisons", headers=world.headers("gm_A1")))
    cA1, pA = world.liaisons["cA1"].id, world.liaisons["pA"].id
    assert set(rows) == {cA1, pA}
    assert rows[cA1]["phone"] == "13800000001" and not rows[cA1]["masked"]
    assert (rows[pA]["name"], rows[pA]["phone"], rows[pA]["masked"]) == ("刘*", "139****0004", True)
    assert reveals(session, "gm A1") == [str(cA1)]


def test_planner_sees_names_and_phones_masked_and_nothing_is_audited_as_revealed(
    client, session, world
):
    rows = by_id(client.get("/liaisons", headers=world.headers("planner")))
    assert len(rows) == 5
    assert all(row["masked"] and "*" in row["phone"] and row["name"].endswith("*")
               for row in rows.values())  # fmt: skip
    assert reveals(session, "planner") == []


def test_listing_filters_by_area_role_and_activity(client, world):
    response = client.get(
        f"/liaisons?community={A2}&role=community", headers=world.headers("admin")
    )
    assert [row["id"] for row in response.json()["data"]] == [world.liaisons["cA2"].id]
    response = client.get(f"/liaisons?street={STREET_A}", headers=world.headers("admin"))
    assert response.json()["total"] == 3
    response = client.get(
        f"/liaisons?community={A1}&street={STREET_A}", headers=world.headers("admin")
    )
    assert response.status_code == 422 and "only one" in response.json()["detail"]


def test_create_without_a_base_takes_the_scope_centre(client, session, world):
    body = {"name": "赵敏", "phone": "13800000099", "role": "社区", "scope_adcode": A2}
    response = client.post("/liaisons", json=body, headers=world.headers("gm_A"))
    assert response.status_code == 201, response.text
    liaison = response.json()["liaison"]
    assert liaison["role"] == "community" and liaison["base_source"] == "scope_centre"
    lon, lat = liaison["base"]["coordinates"]
    assert 104.00 < lon < 104.05 and 30.64 < lat < 30.68
    audit = session.execute(text(
        "SELECT detail FROM audit_log WHERE action = 'create' AND entity = 'liaison'"
    )).scalar_one()  # fmt: skip
    assert "13800000099" not in str(audit) and "赵敏" not in str(audit)


def test_create_with_a_gcj02_base_stores_wgs84_and_says_given(client, world):
    body = {"name": "孙悦", "role": "police", "scope_adcode": STREET_A,
            "lon": 104.0356, "lat": 30.6376, "crs": "gcj02"}  # fmt: skip
    liaison = client.post("/liaisons", json=body, headers=world.headers("admin")).json()["liaison"]
    assert liaison["base_source"] == "given"
    lon, lat = liaison["base"]["coordinates"]
    assert abs(lon - (104.0356 - 0.0025)) < 0.001 and abs(lat - (30.6376 + 0.0025)) < 0.001


def test_create_rejects_bad_input_in_one_line(client, world):
    bad = [
        ({"name": "x", "role": "fireman", "scope_adcode": A1}, "role"),
        ({"name": "x", "role": "police", "scope_adcode": "519901009"}, "scope_adcode"),
        ({"name": "x", "role": "police", "scope_adcode": A1, "lon": 104.0}, "lon/lat"),
        ({"name": "x", "role": "police", "scope_adcode": A1, "lon": 30.6, "lat": 104.0}, "swapped"),
    ]
    for body, word in bad:
        response = client.post("/liaisons", json=body, headers=world.headers("admin"))
        assert response.status_code == 422, body
        assert word in response.json()["detail"]


def test_planner_may_not_change_liaisons(client, world):
    body = {"name": "x", "role": "police", "scope_adcode": A1}
    assert client.post("/liaisons", json=body, headers=world.headers("planner")).status_code == 403


def test_deactivation_ends_assignments_and_lists_the_outlets(client, session, world):
    outlet = world.outlets[A1][0]
    cA1 = world.liaisons["cA1"].id
    client.put(f"/outlets/{outlet.id}/liaisons", json={"community": cA1},
               headers=world.headers("gm_A1"))  # fmt: skip
    response = client.delete(f"/liaisons/{cA1}", headers=world.headers("gm_A1"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["liaison"]["active"] is False and body["liaison"]["deactivated_at"]
    assert [(o["id"], o["role"]) for o in body["released_outlets"]] == [(outlet.id, "community")]
    history = client.get(f"/outlets/{outlet.id}/liaisons/history", headers=world.headers("gm_A1"))
    entry = history.json()["data"][0]
    assert entry["ended_reason"] == "liaison_deactivated" and entry["ended_by"].endswith("gm A1")
    assert session.execute(text("SELECT count(*) FROM liaisons")).scalar_one() == 5  # kept
    unassigned = client.get(f"/outlets/unassigned?community={A1}", headers=world.headers("gm_A1"))
    assert outlet.id in {o["id"] for o in unassigned.json()["data"]}


def test_a_load_that_deactivates_also_ends_assignments(client, session, world):
    outlet = world.outlets[A2][0]
    cA2 = world.liaisons["cA2"].id
    client.put(f"/outlets/{outlet.id}/liaisons", json={"community": cA2},
               headers=world.headers("gm_A"))  # fmt: skip
    session.execute(text("UPDATE liaisons SET active = false WHERE id = :id"), {"id": cA2})
    row = session.execute(text(
        "SELECT ended_at IS NOT NULL, ended_reason FROM outlet_liaisons WHERE liaison_id = :id"
    ), {"id": cA2}).one()  # fmt: skip
    assert tuple(row) == (True, "liaison_deactivated")
    stamp = session.execute(text("SELECT deactivated_at FROM liaisons WHERE id = :id"), {"id": cA2})
    assert stamp.scalar_one() is not None


def test_narrowing_a_scope_releases_the_outlets_outside_it(client, world):
    pA = world.liaisons["pA"].id
    outlets = [world.outlets[A1][0].id, world.outlets[A2][0].id]
    for outlet in outlets:
        client.put(
            f"/outlets/{outlet}/liaisons", json={"police": pA}, headers=world.headers("gm_A")
        )
    response = client.patch(
        f"/liaisons/{pA}", json={"scope_adcode": A1}, headers=world.headers("gm_A")
    )
    assert response.status_code == 200, response.text
    assert [o["id"] for o in response.json()["released_outlets"]] == [outlets[1]]
    assert response.json()["liaison"]["base_source"] == "given"
