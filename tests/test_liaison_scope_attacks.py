"""A community grid manager tries to reach another community's people: every door is shut.

The attacker holds a grid_manager key for community A1 and knows (or guesses) the ids and codes
of community B1 and its street.
"""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from etl.load import load_normalized
from etl.normalize.table import normalize
from etl.read.tables import read_table
from tests.liaison_world import A1, B1, STREET_B, build_world, reveals


@pytest.fixture
def world(session):
    return build_world(session)


def attacks(world):
    """(method, path, body) of every liaison route, aimed at B1's people and outlets."""
    cB1, pB = world.liaisons["cB1"].id, world.liaisons["pB"].id
    outlet = world.outlets[B1][0].id
    return [
        ("GET", f"/liaisons?community={B1}", None),
        ("GET", f"/liaisons?street={STREET_B}", None),
        ("GET", f"/liaisons?scope={STREET_B[:6]}", None),
        ("GET", f"/liaisons/{cB1}", None),
        ("GET", f"/liaisons/{pB}", None),
        ("PATCH", f"/liaisons/{cB1}", {"phone": "13800009999"}),
        ("PATCH", f"/liaisons/{world.liaisons['cA1'].id}", {"scope_adcode": B1}),
        ("DELETE", f"/liaisons/{cB1}", None),
        ("POST", "/liaisons", {"name": "x", "role": "community", "scope_adcode": B1}),
        ("GET", f"/liaisons/export?scope={B1}", None),
        ("GET", f"/liaisons/export?scope={B1}&format=xlsx", None),
        ("GET", f"/outlets/{outlet}/liaisons", None),
        ("PUT", f"/outlets/{outlet}/liaisons", {"community": cB1}),
        ("GET", f"/outlets/{outlet}/liaisons/history", None),
        ("GET", f"/outlets/unassigned?community={B1}", None),
        ("GET", f"/outlets/unassigned?street={STREET_B}", None),
        ("POST", "/assignments/auto",
         {"scope_adcode": B1, "role": "community", "max_per_liaison": 5, "dry_run": True}),
        ("POST", "/assignments/auto",
         {"scope_adcode": STREET_B[:6], "role": "police", "max_per_liaison": 5, "dry_run": True}),
    ]  # fmt: skip


def test_every_route_answers_403_outside_the_scope(client, session, world):
    before = session.execute(text("SELECT count(*) FROM outlet_liaisons")).scalar_one()
    for method, path, body in attacks(world):
        response = client.request(method, path, json=body, headers=world.headers("gm_A1"))
        assert response.status_code == 403, (method, path, response.text)
        assert "scope" in response.json()["detail"]
        assert "王芳" not in response.text and "13800000003" not in response.text
    assert session.execute(text("SELECT count(*) FROM outlet_liaisons")).scalar_one() == before
    assert reveals(session, "gm A1") == []


def test_lists_without_an_area_stay_inside_the_scope(client, world):
    for path in ("/liaisons", "/liaisons/export", "/outlets/unassigned?limit=1000"):
        response = client.get(path, headers=world.headers("gm_A1"))
        assert response.status_code == 200
        assert "王芳" not in response.text and "13800000003" not in response.text
        assert "陈静" not in response.text and "13900000005" not in response.text
    unassigned = client.get("/outlets/unassigned", headers=world.headers("gm_A1")).json()
    assert {o["community_adcode"] for o in unassigned["data"]} == {A1}


def test_public_outlet_lists_never_carry_people(client, world):
    cB1 = world.liaisons["cB1"].id
    client.put(f"/outlets/{world.outlets[B1][0].id}/liaisons", json={"community": cB1},
               headers=world.headers("gm_B1"))  # fmt: skip
    for headers in ({}, world.headers("gm_A1")):
        response = client.get("/outlets?limit=1000", headers=headers)
        assert "王芳" not in response.text and "13800000003" not in response.text


def load_liaison_file(session, tmp_path, rows):
    path = tmp_path / "liaisons.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["姓名", "电话", "角色", "所属社区"])
        writer.writerows(rows)
    normalized = normalize("liaisons", read_table(path), crs="wgs84", source="attack")
    return load_normalized(
        session, normalized, path=path, crs="wgs84", source="attack",
        options={"columns": normalized.columns}, started_at=datetime.now(UTC),
    ).batch_id  # fmt: skip


def test_rejected_rows_of_a_liaison_load_are_shown_only_in_the_scope(
    client, session, world, tmp_path
):
    batch = load_liaison_file(session, tmp_path, [
        ["周杰", "13800001111", "民兵", A1],  # unknown role: rejected
        ["吴磊", "13800002222", "消防", B1],  # unknown role: rejected
        ["郑爽", "13800003333", "社区", A1],  # loaded
    ])  # fmt: skip
    mine = client.get(f"/batches/{batch}/rejects", headers=world.headers("gm_A1"))
    assert mine.status_code == 200, mine.text
    rows = {row["raw"]["所属社区"]: row for row in mine.json()["data"]}
    assert rows[A1]["raw"]["姓名"] == "周杰" and rows[A1]["raw"]["电话"] == "13800001111"
    # Another area's row is not there at all, not even masked, nor counted.
    assert set(rows) == {A1} and mine.json()["total"] == 1
    assert "吴" not in mine.text and "2222" not in mine.text
    planner = client.get(f"/batches/{batch}/rejects", headers=world.headers("planner"))
    assert planner.status_code == 403
    assert "周杰" not in planner.text and "吴磊" not in planner.text
    admin = client.get(f"/batches/{batch}/rejects", headers=world.headers("admin"))
    assert "周杰" in admin.text and "吴磊" in admin.text
    audit = session.execute(text(
        "SELECT detail FROM audit_log WHERE action = 'read' AND entity = 'rejected_rows' "
        "AND actor LIKE '%gm A1' ORDER BY id DESC LIMIT 1"
    )).scalar_one()  # fmt: skip
    assert audit["revealed_rows"] == [rows[A1]["row_number"]]


def test_a_batch_without_its_column_map_is_for_admins_only(client, session, world, tmp_path):
    batch = load_liaison_file(session, tmp_path, [["周杰", "13800001111", "民兵", A1]])
    session.execute(text("UPDATE load_batches SET options = '{}' WHERE id = :b"), {"b": batch})
    response = client.get(f"/batches/{batch}/rejects", headers=world.headers("gm_A1"))
    assert response.status_code == 403
    assert "周杰" not in response.text and "13800001111" not in response.text
    admin = client.get(f"/batches/{batch}/rejects", headers=world.headers("admin"))
    assert json.loads(admin.text)["data"][0]["reason"].startswith("unknown role")


def test_every_batch_route_is_shut_to_another_areas_manager(client, session, world, tmp_path):
    # A batch of A1's people only: B1's manager, a planner and a street manager elsewhere get
    # nothing of it by any route that can show its rows, whatever the page they ask for.
    batch = load_liaison_file(session, tmp_path, [
        ["周杰", "13800001111", "民兵", A1],  # rejected
        ["郑爽", "13800003333", "社区", A1],  # loaded
    ])  # fmt: skip
    document = client.get("/openapi.json").json()
    routes = [path for path in document["paths"] if path.startswith("/batches/{batch_id}")]
    assert len(routes) >= 3
    for who in ("gm_B1", "planner"):
        for path in routes:
            for query in ("", "?offset=0&limit=1000", "?lang=zh"):
                url = path.replace("{batch_id}", str(batch)) + query
                response = client.get(url, headers=world.headers(who))
                assert response.status_code == 403, (who, url, response.text)
                assert "周杰" not in response.text and "13800001111" not in response.text
    for path in routes:
        url = path.replace("{batch_id}", str(batch))
        assert client.get(url, headers=world.headers("gm_A1")).status_code == 200
        assert client.get(url, headers=world.headers("admin")).status_code == 200
        assert client.get(url).status_code == 401


def test_export_of_another_scope_reveals_nothing_in_any_format(client, world):
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/liaisons/export?format={fmt}", headers=world.headers("gm_B1"))
        assert response.status_code == 200
        if fmt == "csv":
            text_body = response.content.decode("utf-8-sig")
            assert "张伟" not in text_body and "13800000001" not in text_body
            ids = {int(row["id"]) for row in csv.DictReader(io.StringIO(text_body))}
            assert ids == {world.liaisons["cB1"].id, world.liaisons["pB"].id}
