"""Points for verified cases; the per-client hourly limit, also under 40 concurrent requests."""

import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
import uvicorn
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from geo_api.database import sqlalchemy_url
from geo_api.main import create_app
from geo_api.migrate import alembic_config
from geo_api.models import Case, RiderPoint
from geo_api.settings import Settings
from tests.case_city import COMMUNITY_1, IN_COMMUNITY_1, IN_STREET_2, build_case_city, key, report
from tests.dbutil import create_database, drop_database

ADDRESS = "203.0.113.9"


def resolve(client, manager, case_id):
    for to in ("accepted", "dispatched", "resolved"):
        assert client.post(f"/cases/{case_id}/transitions", json={"to": to},
                           headers=manager).status_code == 200  # fmt: skip


def test_a_verified_case_earns_points_once(client, session, case_city):
    manager = key(session, "grid_manager", COMMUNITY_1)
    first = report(client, IN_COMMUNITY_1, "fire_hazard")
    # a second case linked by the first one's token: the points add up
    second = report(client, IN_COMMUNITY_1, "no_parking", reporter_token=first["token"])
    stranger = report(client, IN_COMMUNITY_1, "no_parking")
    assert client.get("/points", params={"token": first["token"]}).json() == {
        "total": 0,
        "entries": [],
    }
    resolve(client, manager, first["id"])
    assert client.get("/points", params={"token": first["token"]}).json()["total"] == 0
    url = f"/cases/{first['id']}/transitions"
    client.post(url, json={"to": "verified", "token": first["token"]})
    # reopened and verified again (by the manager this time): still once
    client.post(url, json={"to": "dispatched", "token": first["token"]})
    client.post(url, json={"to": "resolved"}, headers=manager)
    client.post(url, json={"to": "verified"}, headers=manager)
    resolve(client, manager, second["id"])
    client.post(f"/cases/{second['id']}/transitions", json={"to": "verified"}, headers=manager)
    balance = client.get("/points", params={"token": second["token"]}).json()
    assert balance["total"] == 20 + 5
    assert [(e["case_id"], e["points"], e["reason"]) for e in balance["entries"]] == [
        (first["id"], 20, "verified"),
        (second["id"], 5, "verified"),
    ]
    assert client.get("/points", params={"token": stranger["token"]}).json()["total"] == 0
    assert client.get("/points", params={"token": "wc_nobody"}).status_code == 404
    assert len(session.scalars(select(RiderPoint)).all()) == 2


def test_reports_per_client_per_hour_are_limited(app, session, settings, case_city):
    rider = TestClient(app, client=(ADDRESS, 5000))
    body = {"lon": IN_STREET_2[0], "lat": IN_STREET_2[1], "category": "other"}
    for _ in range(settings.reports_per_hour):
        assert rider.post("/cases", json=body).status_code == 201
    refused = rider.post("/cases", json=body)
    assert refused.status_code == 429 and str(settings.reports_per_hour) in refused.json()["detail"]
    # a refused request does not count, and another client is not affected
    assert TestClient(app, client=("198.51.100.7", 1)).post("/cases", json=body).status_code == 201
    hashes = session.scalars(select(Case.client_hash)).all()
    assert all(ADDRESS not in h and len(h) == 64 for h in hashes)
    # cases of more than an hour ago no longer count
    session.execute(text("UPDATE cases SET created_at = now() - interval '61 minutes'"))
    assert rider.post("/cases", json=body).status_code == 201


@pytest.fixture(scope="module")
def live_server() -> Iterator[tuple[str, str]]:
    """``warmmap``'s app served by uvicorn in a thread, on a database of its own."""
    url = create_database("warmmap_test_limits")
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(sqlalchemy_url(url))
    with Session(engine) as session:
        build_case_city(session)
        session.commit()
    engine.dispose()
    settings = Settings(database_url=url, reports_per_hour=7, db_pool_size=20)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                threading.Event().wait(0.05)
        yield f"http://127.0.0.1:{port}", url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        drop_database(url)


def test_the_limit_holds_under_40_concurrent_requests(live_server):
    base, url = live_server
    body = {"lon": IN_STREET_2[0], "lat": IN_STREET_2[1], "category": "other"}
    start = threading.Barrier(40)
    codes: list[int] = []
    lock = threading.Lock()

    def post() -> None:
        request = urllib.request.Request(f"{base}/cases", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})  # fmt: skip
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status = response.status
        except urllib.error.HTTPError as refused:
            status = refused.code
            refused.close()
        with lock:
            codes.append(status)

    threads = [threading.Thread(target=post) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(codes)) == [201, 429]
    assert codes.count(201) == 7 and codes.count(429) == 33
    engine = create_engine(sqlalchemy_url(url))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM cases")).scalar_one() == 7
    engine.dispose()
