"""Outlets and manual assignments over HTTP: public fields, liaisons in scope, history, 409s."""

import pytest
from sqlalchemy import text

from tests.liaison_world import A1, A2, B1, STREET_A, build_world, reveals


@pytest.fixture
def world(session):
    return build_world(session)


def put(client, world, who, outlet, **roles):
    return client.put(f"/outlets/{outlet}/liaisons", json=roles, headers=world.headers(who))


def test_public_outlets_carry_no_liaison_data(client, world):
    outlet = world.outlets[A1][0].id
    put(client, world, "gm_A1", outlet, community=world.liaisons["cA1"].id)
    response = client.get(f"/outlets?community={A1}")
    assert response.status_code == 200
    body = response.json()
    assert body["numberMatched"] == 3
    assert all(f["properties"]["liaisons"] is None for f in body["features"])
    assert "张伟" not in response.text and "13800000001" not in response.text
    one = client.get(f"/outlets/{outlet}").json()
    assert one["properties"]["liaisons"] is None


def test_outlets_filter_and_page(client, world):
    everything = client.get("/outlets?limit=3").json()
    assert everything["numberMatched"] == 7 and everything["numberReturned"] == 3
    street = client.get(f"/outlets?street={STREET_A}").json()
    assert street["numberMatched"] == 5
    boxed = client.get("/outlets?bbox=104.05,30.60,104.10,30.68").json()
    assert {f["properties"]["community_adcode"] for f in boxed["features"]} == {B1}
    assert client.get("/outlets?kind=express").json()["numberMatched"] == 7
    assert client.get("/outlets?kind=spaceship").status_code == 422
    assert client.get("/outlets?bbox=1,2").status_code == 422


def test_a_key_in_scope_sees_the_liaisons_a_key_outside_does_not(client, session, world):
    outlet = world.outlets[A1][0].id
    put(client, world, "gm_A1", outlet, community=world.liaisons["cA1"].id,
        police=world.liaisons["pA"].id)  # fmt: skip
    mine = client.get(f"/outlets/{outlet}", headers=world.headers("gm_A1")).json()
    liaisons = mine["properties"]["liaisons"]
    assert liaisons["community"]["liaison"]["phone"] == "13800000001"
    assert liaisons["police"]["liaison"]["masked"] is True  # the street's police: wider scope
    other = client.get(f"/outlets/{outlet}", headers=world.headers("gm_B1")).json()
    assert other["properties"]["liaisons"] is None
    listed = client.get(f"/outlets?community={A1}", headers=world.headers("gm_B1"))
    assert "13800000001" not in listed.text and "张伟" not in listed.text


def test_put_sets_replaces_and_ends_with_history(client, world):
    outlet = world.outlets[A2][0].id
    cA2, pA = world.liaisons["cA2"].id, world.liaisons["pA"].id
    first = put(client, world, "gm_A", outlet, community=cA2, police=pA)
    assert first.status_code == 200, first.text
    assert {
        (c["role"], c["from_liaison_id"], c["to_liaison_id"]) for c in first.json()["changes"]
    } == {("community", None, cA2), ("police", None, pA)}
    again = put(client, world, "gm_A", outlet, community=cA2)
    assert again.json()["changes"] == []
    ended = put(client, world, "gm_A", outlet, police=None)
    assert ended.json()["liaisons"]["police"] is None
    history = client.get(f"/outlets/{outlet}/liaisons/history", headers=world.headers("gm_A"))
    entries = history.json()["data"]
    assert [(e["role"], e["ended_reason"]) for e in entries] == [
        ("police", "unassigned"),
        ("community", None),
    ] or [(e["role"], e["ended_reason"]) for e in entries] == [
        ("community", None),
        ("police", "unassigned"),
    ]
    assert all(e["method"] == "manual" for e in entries)


def test_put_refuses_a_liaison_whose_scope_does_not_hold_the_outlet(client, world):
    outlet = world.outlets[A1][0].id
    response = put(client, world, "gm_A1", outlet, community=world.liaisons["cA2"].id)
    assert response.status_code == 409
    assert f"does not contain outlet {outlet}" in response.json()["detail"]
    wrong_role = put(client, world, "gm_A1", outlet, community=world.liaisons["pA"].id)
    assert wrong_role.status_code == 409 and "police liaison" in wrong_role.json()["detail"]
    assert put(client, world, "gm_A1", outlet, community=999999).status_code == 404


def test_put_writes_audit_rows(client, session, world):
    outlet = world.outlets[A1][1].id
    put(client, world, "gm_A1", outlet, community=world.liaisons["cA1"].id)
    detail = session.execute(text(
        "SELECT detail FROM audit_log WHERE action = 'assign' AND entity_id = :o"
    ), {"o": str(outlet)}).scalar_one()  # fmt: skip
    assert detail["to_liaison_id"] == world.liaisons["cA1"].id and detail["method"] == "manual"


def test_unassigned_lists_the_missing_role(client, world):
    outlet = world.outlets[A1][0].id
    put(client, world, "gm_A1", outlet, community=world.liaisons["cA1"].id)
    response = client.get(f"/outlets/unassigned?community={A1}", headers=world.headers("gm_A1"))
    rows = {row["id"]: row for row in response.json()["data"]}
    assert response.json()["total"] == 3
    assert rows[outlet]["missing"] == ["police"]
    others = [o.id for o in world.outlets[A1][1:]]
    assert all(rows[o]["missing"] == ["community", "police"] for o in others)
    police_only = client.get(f"/outlets/unassigned?community={A1}&role=community",
                             headers=world.headers("gm_A1"))  # fmt: skip
    assert {row["id"] for row in police_only.json()["data"]} == set(others)
    mine = client.get("/outlets/unassigned", headers=world.headers("gm_A1")).json()
    assert mine["total"] == 3  # the key's own scope when no area is given


def test_an_outlet_that_moved_community_leaves_its_old_manager_and_its_liaison(
    client, session, world
):
    outlet = world.outlets[A1][0].id
    cA1 = world.liaisons["cA1"].id
    put(client, world, "gm_A1", outlet, community=cA1)
    session.execute(text("UPDATE outlets SET community_adcode = :c WHERE id = :o"),
                    {"c": B1, "o": outlet})  # fmt: skip
    for path in ("", "/liaisons", "/liaisons/history"):
        if path:
            assert (
                client.get(f"/outlets/{outlet}{path}", headers=world.headers("gm_A1")).status_code
                == 403
            )
    assert put(client, world, "gm_A1", outlet, community=None).status_code == 403
    # The new community's manager sees the old liaison only masked, and the assignment as stale.
    history = client.get(f"/outlets/{outlet}/liaisons/history", headers=world.headers("gm_B1"))
    assert history.status_code == 200
    assert "张伟" not in history.text and "13800000001" not in history.text
    current = client.get(f"/outlets/{outlet}/liaisons", headers=world.headers("gm_B1")).json()
    assert current["community"]["valid"] is False and current["community"]["liaison"]["masked"]
    lacking = client.get(f"/outlets/unassigned?community={B1}", headers=world.headers("gm_B1"))
    row = next(r for r in lacking.json()["data"] if r["id"] == outlet)
    assert "community" in row["missing"] and row["stale"] == [cA1]
    assert reveals(session, "gm B1") == []
