"""POST /assignments/auto against the database: dry runs, applying, keep_existing, infeasible."""

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from sqlalchemy import text

from geo_api.assignments.geodesy import geodesic_m
from tests.liaison_world import (
    A1,
    A2,
    B1,
    DISTRICT,
    STREET_A,
    add_outlets,
    build_world,
    make_liaison,
)


@pytest.fixture
def world(session):
    return build_world(session)


def auto(client, world, who="gm_A", **body):
    request = {"scope_adcode": STREET_A, "role": "community", "max_per_liaison": 5} | body
    return client.post("/assignments/auto", json=request, headers=world.headers(who))


def current(session, role="community"):
    rows = session.execute(text(
        "SELECT outlet_id, liaison_id, method FROM outlet_liaisons WHERE role = :r AND ended_at IS NULL"
    ), {"r": role})  # fmt: skip
    return {r.outlet_id: (r.liaison_id, r.method) for r in rows}


def test_dry_run_plans_without_writing(client, session, world):
    response = auto(client, world, dry_run=True)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["feasible"] and body["optimal"] and not body["applied"]
    assert body["outlets"] == 5 and body["kept"] == 0 and len(body["assignments"]) == 5
    cA1, cA2 = world.liaisons["cA1"].id, world.liaisons["cA2"].id
    by_outlet = {a["outlet_id"]: a["liaison_id"] for a in body["assignments"]}
    assert all(by_outlet[o.id] == cA1 for o in world.outlets[A1])
    assert all(by_outlet[o.id] == cA2 for o in world.outlets[A2])
    assert body["proof"]["primal_cost_mm"] == body["proof"]["dual_bound_mm"]
    assert current(session) == {}


def test_applying_writes_auto_history_and_audit(client, session, world):
    body = auto(client, world).json()
    assert body["applied"]
    assigned = current(session)
    assert len(assigned) == 5 and all(method == "auto" for _, method in assigned.values())
    audited = session.execute(text(
        "SELECT count(*) FROM audit_log WHERE action = 'assign' AND detail->>'method' = 'auto'"
    )).scalar_one()  # fmt: skip
    assert audited == 5
    again = auto(client, world).json()
    assert again["assignments"] == [] and again["kept"] == 5


def test_distances_and_nearer_full_explain_each_assignment(client, session, world):
    # Street A's police liaison is the nearer one for most of its 5 outlets but may take 3.
    make_liaison(session, "黄磊", "13900000006", "police", STREET_A, 104.049, 30.679)
    body = auto(client, world, role="police", max_per_liaison=3, dry_run=True).json()
    assert body["feasible"]
    liaisons = {row.id: (row.lon, row.lat) for row in session.execute(text(
        "SELECT id, ST_X(geom) lon, ST_Y(geom) lat FROM liaisons WHERE role = 'police'"
    ))}  # fmt: skip
    loads = {j: sum(p["liaison_id"] == j for p in body["assignments"]) for j in liaisons}
    for planned in body["assignments"]:
        outlet = session.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM outlets WHERE id = :i"),
                                 {"i": planned["outlet_id"]}).one()  # fmt: skip
        to = {
            j: geodesic_m(np.array([outlet]), np.array([base]))[0] for j, base in liaisons.items()
        }
        assert abs(planned["distance_m"] - to[planned["liaison_id"]]) < 0.1
        nearer_full = [j for j in to if to[j] < to[planned["liaison_id"]] and loads[j] == 3]
        assert planned["nearer_full"] == len(nearer_full)
    assert len(body["assignments"]) == 5
    # pA is the nearer for at least four of the five and may take three: one passes it full.
    assert sum(p["nearer_full"] for p in body["assignments"]) >= 1


def test_optimal_against_brute_force_through_the_api(client, session, world):
    rng = np.random.default_rng(4)
    points = rng.uniform((104.0, 30.6), (104.05, 30.64), size=(8, 2))
    add_outlets(session, A1, [tuple(p) for p in points])
    extra = make_liaison(session, "何炅", "13800000010", "community", A1, 104.045, 30.605)
    body = auto(client, world, scope_adcode=A1, max_per_liaison=6, dry_run=True).json()
    assert body["feasible"]
    outlets = session.execute(text(
        "SELECT id, ST_X(geom) x, ST_Y(geom) y FROM outlets WHERE community_adcode = :c ORDER BY id"
    ), {"c": A1}).all()  # fmt: skip
    bases = np.array([[104.02, 30.62], [104.045, 30.605]])
    ids = [world.liaisons["cA1"].id, extra.id]
    xy = np.array([(o.x, o.y) for o in outlets])
    matrix = geodesic_m(np.repeat(xy, 2, axis=0), np.tile(bases, (len(xy), 1))).reshape(-1, 2)
    expanded = np.repeat(matrix, 6, axis=1)
    rows, cols = linear_sum_assignment(expanded)
    assert body["total_distance_m"] == pytest.approx(expanded[rows, cols].sum(), abs=0.5)
    assert {a["liaison_id"] for a in body["assignments"]} <= set(ids)


def test_keep_existing_moves_nothing_unless_capacity_forces_it(client, session, world):
    cA1 = world.liaisons["cA1"].id
    a1 = [o.id for o in world.outlets[A1]]
    for outlet in a1:
        client.put(f"/outlets/{outlet}/liaisons", json={"community": cA1},
                   headers=world.headers("gm_A"))  # fmt: skip
    # The street's police liaison held the outlets of A2; a second community liaison arrives in A1.
    newcomer = make_liaison(session, "何炅", "13800000010", "community", A1, 104.011, 30.611)
    body = auto(client, world, max_per_liaison=3, dry_run=True).json()
    assert body["kept"] == 3 and all(not a["forced_by_capacity"] for a in body["assignments"])
    assert {a["outlet_id"] for a in body["assignments"]} == {o.id for o in world.outlets[A2]}
    # Now cA1 may take only 1: two of its three must move, to the newcomer, and no more.
    body = auto(client, world, max_per_liaison=1, scope_adcode=A1).json()
    assert body["feasible"] is False  # three outlets, two liaisons of one place each
    assert "3 outlets" in body["reason"] and "2 places" in body["reason"]
    body = auto(client, world, max_per_liaison=2, scope_adcode=A1).json()
    moved = [a for a in body["assignments"] if a["forced_by_capacity"]]
    assert len(moved) == 1 and moved[0]["previous_liaison_id"] == cA1
    assert moved[0]["liaison_id"] == newcomer.id and body["applied"]
    history = client.get(f"/outlets/{moved[0]['outlet_id']}/liaisons/history",
                         headers=world.headers("gm_A")).json()["data"]  # fmt: skip
    assert [(e["method"], e["ended_reason"]) for e in history] == [
        ("auto", None),
        ("manual", "auto_moved"),
    ]
    # keep_existing=false re-plans every outlet of the scope for the least total distance.
    replanned = auto(client, world, scope_adcode=A1, max_per_liaison=2, keep_existing=False,
                     dry_run=True).json()  # fmt: skip
    assert replanned["proof"]["plan_distance_m"] <= body["proof"]["plan_distance_m"] + 0.1


def test_infeasible_names_the_area_without_liaisons(client, session, world):
    session.execute(text("UPDATE liaisons SET active = false WHERE id = :i"),
                    {"i": world.liaisons["cB1"].id})  # fmt: skip
    body = auto(client, world, who="admin", scope_adcode=DISTRICT, dry_run=False).json()
    assert body["feasible"] is False and body["applied"] is False
    assert body["reason"].startswith("infeasible: 7 outlets in 519901 need a community liaison")
    assert f"no active community liaison serves {B1}" in body["reason"]
    assert "\n" not in body["reason"]
    assert body["short_areas"] == [{"adcode": B1, "outlets": 2, "without_any_liaison": True}]
    assert current(session) == {}
    assert set(body["unassigned"]) == {o.id for outlets in world.outlets.values() for o in outlets}


def test_infeasible_capacity_says_how_much(client, world):
    body = auto(client, world, max_per_liaison=2, dry_run=True).json()
    assert not body["feasible"]
    assert (
        "5 outlets in 519901001 need a community liaison but at most 4 can get one"
        in body["reason"]
    )
    assert "4 places at max_per_liaison 2" in body["reason"]


def test_auto_needs_a_manager_and_valid_input(client, world):
    assert auto(client, world, who="planner").status_code == 403
    response = auto(client, world, role="fireman")
    assert response.status_code == 422 and "role" in response.json()["detail"]
    response = auto(client, world, max_per_liaison=0)
    assert response.status_code == 422 and "max_per_liaison" in response.json()["detail"]
