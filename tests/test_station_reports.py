"""Workers' reports: anyone may file, at most N an hour per address, planners resolve them.

Reports are cases of the station categories now; these endpoints are a thin layer over cases.
"""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from geo_api.auth import create_key
from geo_api.models import AuditLog, Case, CaseEvent, Station
from tests.factories import make_station

ADDRESS = "203.0.113.7"


@pytest.fixture
def worker(app):
    return TestClient(app, client=(ADDRESS, 40000))


@pytest.fixture
def planner(session):
    return {"X-API-Key": create_key(session, "planning office", "planner", [])}


def test_a_worker_files_a_report_without_a_key(worker, session):
    station = make_station(session)
    response = worker.post(
        f"/stations/{station.id}/reports", json={"kind": "closed", "note": "门锁着"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["kind"] == "closed" and body["status"] == "open" and body["note"] == "门锁着"
    stored = session.get(Case, body["id"])
    assert ADDRESS not in stored.client_hash and len(stored.client_hash) == 64
    # it is a case of the station category, routed to the station, followed by its token
    assert (stored.category, stored.station_id, stored.routed_role) == (
        "station_closed",
        station.id,
        "station_contact",
    )
    followed = worker.get(f"/cases/{body['id']}", params={"token": body["token"]})
    assert followed.status_code == 200 and followed.json()["status"] == "reported"
    # a report does not change the station by itself
    session.expire_all()
    assert session.get(Station, station.id).status == "open"


def test_reports_per_address_per_hour_are_limited(app, worker, session, settings):
    station = make_station(session)
    url = f"/stations/{station.id}/reports"
    for _ in range(settings.reports_per_hour):
        assert worker.post(url, json={"kind": "other"}).status_code == 201
    response = worker.post(url, json={"kind": "other"})
    assert response.status_code == 429
    assert str(settings.reports_per_hour) in response.json()["detail"]
    # another address is not affected
    assert (
        TestClient(app, client=("198.51.100.2", 1)).post(url, json={"kind": "other"}).status_code
        == 201
    )
    assert session.scalar(select(Case.id).where(Case.client_hash.like("%203.0.113%"))) is None


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"kind": "haunted"}, "kind"),
        ({}, "kind"),
        ({"kind": "other", "note": "x" * 501}, "note"),
        ({"kind": "other", "extra": 1}, "extra"),
    ],
)
def test_bad_reports_are_422(worker, session, body, named):
    station = make_station(session)
    response = worker.post(f"/stations/{station.id}/reports", json=body)
    assert response.status_code == 422 and named in response.json()["detail"]


def test_report_on_unknown_station_is_404(worker):
    assert worker.post("/stations/987654321/reports", json={"kind": "closed"}).status_code == 404


def test_planners_list_and_resolve_reports(worker, client, session, planner):
    station = make_station(session)
    url = f"/stations/{station.id}/reports"
    first = worker.post(url, json={"kind": "hours_wrong"}).json()
    second = worker.post(url, json={"kind": "wrong_location"}).json()
    assert client.get(url).status_code == 401
    grid = {"X-API-Key": create_key(session, "grid", "grid_manager", ["510104"])}
    assert client.get(url, headers=grid).status_code == 403
    listed = client.get(url, params={"status": "open"}, headers=planner).json()["data"]
    assert [r["id"] for r in listed] == [second["id"], first["id"]]
    resolved = client.patch(f"{url}/{first['id']}", json={"status": "resolved"}, headers=planner)
    assert resolved.status_code == 200 and resolved.json()["resolved_at"] is not None
    still_open = client.get(url, params={"status": "open"}, headers=planner).json()["data"]
    assert [r["id"] for r in still_open] == [second["id"]]
    entry = session.scalars(select(AuditLog).where(AuditLog.entity == "station_report")).one()
    assert entry.entity_id == str(first["id"]) and entry.actor.endswith("planning office")
    assert (
        client.patch(f"{url}/999999", json={"status": "resolved"}, headers=planner).status_code
        == 404
    )
    assert (
        client.patch(f"{url}/{first['id']}", json={"status": "gone"}, headers=planner).status_code
        == 422
    )
    assert client.get(url, params={"status": "gone"}, headers=planner).status_code == 422
    # resolving walked the case through the lifecycle, each move an event
    moves = session.scalars(select(CaseEvent.to_status).where(CaseEvent.case_id == first["id"])
                            .order_by(CaseEvent.id)).all()  # fmt: skip
    assert moves == ["reported", "accepted", "dispatched", "resolved"]


def test_dismissing_and_reopening_reports(worker, client, session, planner):
    station = make_station(session)
    url = f"/stations/{station.id}/reports"
    report = worker.post(url, json={"kind": "other", "note": "没有热水"}).json()
    dismissed = client.patch(f"{url}/{report['id']}", json={"status": "dismissed"}, headers=planner)
    assert dismissed.json()["status"] == "dismissed"
    assert session.get(Case, report["id"]).status == "rejected"
    again = client.patch(f"{url}/{report['id']}", json={"status": "open"}, headers=planner)
    assert again.status_code == 409
    other = worker.post(url, json={"kind": "hours_wrong"}).json()
    client.patch(f"{url}/{other['id']}", json={"status": "resolved"}, headers=planner)
    reopened = client.patch(f"{url}/{other['id']}", json={"status": "open"}, headers=planner)
    assert reopened.json()["status"] == "open" and reopened.json()["resolved_at"] is None
    # a report of another station is not this station's
    elsewhere = make_station(session)
    assert client.patch(f"/stations/{elsewhere.id}/reports/{other['id']}",
                        json={"status": "resolved"}, headers=planner).status_code == 404  # fmt: skip
