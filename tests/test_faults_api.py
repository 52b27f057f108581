"""The API while its database is stopped or frozen: 503 within the deadline, then recovery.

The app talks to PostgreSQL through ``tests.proxy.TcpProxy``. A stopped proxy cuts every
connection; a frozen one keeps them open and passes nothing, as a stalled database server does.
Each request runs in a thread joined with a generous guard, so that a request that hangs fails
the test instead of hanging it.
"""

import concurrent.futures
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from geo_api.main import create_app
from tests.proxy import TcpProxy, proxied_settings

DEADLINE_S = 1.5
# Far past the deadline, far short of forever: a request still running then has hung.
GUARD_S = 30
PATHS = ["/healthz", "/stations/nearest?lon=104.06&lat=30.66", "/cases/categories"]


@pytest.fixture
def faulty(database_url: str) -> Iterator[tuple[TestClient, TcpProxy]]:
    """A client of an app with short timeouts whose database link can be stopped or frozen."""
    proxy, settings = proxied_settings(
        database_url,
        db_connect_timeout_s=1,
        db_pool_size=2,
        pool_timeout_s=0.5,
        statement_timeout_ms=1000,
        request_deadline_s=DEADLINE_S,
    )
    with TestClient(create_app(settings)) as client:
        yield client, proxy
        proxy.thaw()  # let requests held past their deadline end before the app shuts down
    proxy.stop()


def get_all(client: TestClient, paths: list[str]) -> list[tuple[int, dict]]:
    """GET every path at once; fail if any has not answered within ``GUARD_S``."""
    with concurrent.futures.ThreadPoolExecutor(len(paths)) as pool:
        futures = [pool.submit(client.get, path) for path in paths]
        _, pending = concurrent.futures.wait(futures, timeout=GUARD_S)
        assert not pending, f"{len(pending)} requests hung with the database frozen"
    return [(f.result().status_code, f.result().json()) for f in futures]


def recovers(client: TestClient) -> bool:
    """Return whether every path answers 200 again, trying for a while."""
    for _ in range(40):
        if all(status == 200 for status, _ in get_all(client, PATHS)):
            return True
    return False


def test_a_frozen_database_gets_503_within_the_deadline_then_recovers(faulty):
    client, proxy = faulty
    assert [status for status, _ in get_all(client, PATHS)] == [200, 200, 200]
    proxy.freeze()
    # A burst: more requests than the pool has connections, healthz among them.
    answers = get_all(client, PATHS * 3)
    assert {status for status, _ in answers} == {503}
    for _, body in answers:
        assert list(body) == ["detail"]
        assert "\n" not in body["detail"]
    assert any("longer than 1.5 s" in body["detail"] for _, body in answers)
    proxy.thaw()
    assert recovers(client)


def test_a_stopped_database_gets_503_then_recovers(faulty):
    client, proxy = faulty
    assert client.get("/healthz").status_code == 200
    proxy.stop()
    answers = get_all(client, PATHS)
    assert {status for status, _ in answers} == {503}
    proxy.start()
    assert recovers(client)


def test_healthz_names_no_host_or_port(faulty):
    client, proxy = faulty
    proxy.stop()
    detail = client.get("/healthz").json()["detail"]
    assert detail.startswith("database unavailable")
    assert "127.0.0.1" not in detail
    assert str(proxy.port) not in detail
    assert "port" not in detail
    proxy.start()
