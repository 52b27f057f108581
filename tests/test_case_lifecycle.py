"""The lifecycle (GB/T 30428): every move allowed and refused, scopes, the reporter's token."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from geo_api import vocab
from geo_api.cases.lifecycle import MANAGER_MOVES, REPORTER_MOVES
from geo_api.models import AuditLog, Case, CaseEvent
from tests.case_city import (
    COMMUNITY_1,
    DISTRICT,
    IN_COMMUNITY_1,
    IN_STREET_2,
    STREET_1,
    STREET_2,
    key,
    report,
)

PAIRS = [(a, b) for a in vocab.CASE_STATUSES for b in vocab.CASE_STATUSES]


def put_in_state(session, case_id: int, status: str, survivor: int | None = None) -> None:
    """Set a case's status directly (the moves themselves are what the tests exercise)."""
    values = {"status": status, "duplicate_of": survivor if status == "duplicate" else None}
    if status in ("resolved", "verified", "closed"):
        values["resolved_at"] = text("now()")
    session.execute(
        text("UPDATE cases SET status = :status, duplicate_of = :duplicate_of, "
             "resolved_at = CASE WHEN :resolved THEN now() END WHERE id = :id"),
        {"id": case_id, "status": status, "duplicate_of": values["duplicate_of"],
         "resolved": "resolved_at" in values},
    )  # fmt: skip
    session.expire_all()


@pytest.mark.parametrize(("start", "to"), PAIRS)
def test_each_manager_move_is_allowed_or_409(client, session, case_city, start, to):
    manager = key(session, "grid_manager", COMMUNITY_1)
    survivor = report(client, IN_COMMUNITY_1)["id"]
    case = report(client, IN_COMMUNITY_1)["id"]
    put_in_state(session, case, start, survivor)
    body = {"to": to, "note": "checked on site"}
    if to == "duplicate":
        body["duplicate_of"] = survivor
    response = client.post(f"/cases/{case}/transitions", json=body, headers=manager)
    if to in MANAGER_MOVES[start]:
        assert response.status_code == 200, response.text
        moved = response.json()
        assert moved["status"] == to
        last = moved["events"][-1]
        assert (last["from_status"], last["to_status"], last["note"]) == (
            start,
            to,
            "checked on site",
        )
        assert last["actor"].endswith(f"grid_manager {COMMUNITY_1}")
    else:
        assert response.status_code == 409, response.text
        detail = response.json()["detail"]
        assert f"from {start} to {to}" in detail
        assert session.get(Case, case).status == start


@pytest.mark.parametrize(("start", "to"), PAIRS)
def test_each_reporter_move_is_allowed_or_409(client, session, case_city, start, to):
    receipt = report(client, IN_COMMUNITY_1)
    put_in_state(session, receipt["id"], start, report(client, IN_STREET_2)["id"])
    response = client.post(f"/cases/{receipt['id']}/transitions",
                           json={"to": to, "token": receipt["token"]})  # fmt: skip
    if to in REPORTER_MOVES.get(start, ()):
        assert response.status_code == 200, response.text
        event = response.json()["events"][-1]
        assert event["actor_role"] == "reporter" and event["to_status"] == to
    else:
        assert response.status_code == 409, response.text


def test_the_whole_loop_records_every_move(client, session, case_city):
    manager = key(session, "grid_manager", STREET_1)
    receipt = report(client, IN_COMMUNITY_1, description="消防通道被电动车堵住")
    for to in ("accepted", "dispatched", "resolved"):
        done = client.post(f"/cases/{receipt['id']}/transitions", json={"to": to},
                           headers=manager)  # fmt: skip
        assert done.status_code == 200, done.text
    assert done.json()["resolved_at"] is not None
    verified = client.post(f"/cases/{receipt['id']}/transitions",
                           json={"to": "verified", "token": receipt["token"], "note": "已清理"})  # fmt: skip
    assert verified.status_code == 200
    closed = client.post(f"/cases/{receipt['id']}/transitions", json={"to": "closed"},
                         headers=manager)  # fmt: skip
    assert closed.json()["status"] == "closed" and closed.json()["closed_at"] is not None
    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == receipt["id"])
                             .order_by(CaseEvent.id)).all()  # fmt: skip
    assert [e.to_status for e in events] == [
        "reported",
        "accepted",
        "dispatched",
        "resolved",
        "verified",
        "closed",
    ]
    assert [e.actor_role for e in events] == [
        "reporter",
        "grid_manager",
        "grid_manager",
        "grid_manager",
        "reporter",
        "grid_manager",
    ]
    audited = session.scalars(select(AuditLog).where(AuditLog.entity == "case")).all()
    assert len(audited) == 4


def test_the_reporter_sees_roles_not_names(client, session, case_city):
    manager = key(session, "grid_manager", COMMUNITY_1)
    receipt = report(client, IN_COMMUNITY_1, description="门口不让进")
    client.post(f"/cases/{receipt['id']}/transitions", json={"to": "accepted"}, headers=manager)
    seen = client.get(f"/cases/{receipt['id']}", params={"token": receipt["token"]}).json()
    assert seen["description"] == "门口不让进"
    assert (
        seen["events"][-1]["actor"] is None and seen["events"][-1]["actor_role"] == "grid_manager"
    )
    assert seen["routed_to"]["liaison_id"] is None  # the handler's identity is not the reporter's
    as_manager = client.get(f"/cases/{receipt['id']}", headers=manager).json()
    assert as_manager["routed_to"]["liaison_id"] == case_city.liaisons["community_1"]
    assert as_manager["events"][-1]["actor"].startswith("key:")


def test_token_rights(client, session, case_city):
    mine, other = report(client, IN_COMMUNITY_1), report(client, IN_COMMUNITY_1)
    url = f"/cases/{mine['id']}"
    assert client.get(url).status_code == 401
    assert client.get(url, params={"token": other["token"]}).status_code == 403
    assert client.get(url, params={"token": "wc_guess"}).status_code == 403
    assert client.get(url, params={"token": mine["token"]}).status_code == 200
    assert client.get("/cases/987654", params={"token": mine["token"]}).status_code == 404
    # a reporter cannot handle the case, only confirm or reopen a resolution
    accept = client.post(f"{url}/transitions", json={"to": "accepted", "token": mine["token"]})
    assert accept.status_code == 409
    assert client.post(f"{url}/transitions", json={"to": "accepted"}).status_code == 401
    wrong = client.post(f"{url}/transitions", json={"to": "verified", "token": other["token"]})
    assert wrong.status_code == 403
    merge = client.post(f"{url}/transitions",
                        json={"to": "duplicate", "duplicate_of": other["id"], "token": mine["token"]})  # fmt: skip
    assert merge.status_code == 422
    # only the hash of the token is stored
    stored = session.get(Case, mine["id"])
    assert mine["token"] not in (stored.token_hash or "") and len(stored.token_hash) == 64


def test_the_reporter_reopens_within_seven_days_only(client, session, case_city):
    receipt = report(client, IN_COMMUNITY_1)
    put_in_state(session, receipt["id"], "resolved")
    reopen = {"to": "dispatched", "token": receipt["token"], "note": "还是堵着"}
    url = f"/cases/{receipt['id']}/transitions"
    reopened = client.post(url, json=reopen)
    assert reopened.status_code == 200 and reopened.json()["resolved_at"] is None
    assert reopened.json()["due_at"] > reopened.json()["created_at"]
    put_in_state(session, receipt["id"], "resolved")
    session.execute(text("UPDATE cases SET resolved_at = now() - :age WHERE id = :id"),
                    {"age": timedelta(days=8), "id": receipt["id"]})  # fmt: skip
    late = client.post(url, json=reopen)
    assert late.status_code == 409 and "7 days" in late.json()["detail"]


def test_every_case_route_is_403_outside_scope(client, session, case_city):
    mine = report(client, IN_COMMUNITY_1)
    theirs = report(client, IN_STREET_2)
    community_2 = key(session, "grid_manager", "510104001002")
    street_2 = key(session, "grid_manager", STREET_2)
    planner = key(session, "planner", DISTRICT)
    url = f"/cases/{mine['id']}"
    for headers in (community_2, street_2, planner):
        assert client.get(url, headers=headers).status_code == 403
        moved = client.post(f"{url}/transitions", json={"to": "accepted"}, headers=headers)
        assert moved.status_code == 403
    assert client.get("/cases", params={"scope": COMMUNITY_1}, headers=street_2).status_code == 403
    assert client.get("/cases", headers=planner).status_code == 403
    assert (
        client.get("/cases/stats", params={"city": "310100"}, headers=street_2).status_code == 403
    )
    # merging into a case outside the scope is refused too
    street_1 = key(session, "grid_manager", STREET_1)
    merge = client.post(f"{url}/transitions", headers=street_1,
                        json={"to": "duplicate", "duplicate_of": theirs["id"]})  # fmt: skip
    assert merge.status_code == 403
    assert session.get(Case, mine["id"]).status == "reported"
    # the right scope (and an admin) may
    assert client.get(url, headers=street_1).status_code == 200
    assert client.get(url, headers=key(session, "admin")).status_code == 200


def test_the_queue_holds_the_scope_and_flags_overdue_for_the_street(client, session, case_city):
    late = report(client, IN_COMMUNITY_1)
    fresh = report(client, IN_COMMUNITY_1, "building_hard_to_find")
    elsewhere = report(client, IN_STREET_2)
    session.execute(text("UPDATE cases SET due_at = now() - interval '1 hour' WHERE id = :id"),
                    {"id": late["id"]})  # fmt: skip
    community = key(session, "grid_manager", COMMUNITY_1)
    street = key(session, "grid_manager", STREET_1)
    queue = client.get("/cases", headers=community).json()
    assert [c["id"] for c in queue["data"]] == [late["id"], fresh["id"]]  # overdue first
    assert queue["data"][0]["overdue"] and not queue["data"][1]["overdue"]
    overdue = client.get("/cases", params={"scope": STREET_1, "overdue": "true"},
                         headers=street).json()  # fmt: skip
    assert [c["id"] for c in overdue["data"]] == [late["id"]]
    assert overdue["data"][0]["escalated_to"] == STREET_1
    assert elsewhere["id"] not in [
        c["id"] for c in client.get("/cases", headers=street).json()["data"]
    ]
    assert client.get("/cases", params={"status": "gone"}, headers=street).status_code == 422
