import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geo_api.auth import Principal, authenticate, create_key, hash_key
from geo_api.dependencies import GridManagerDep, PlannerDep
from geo_api.errors import InvalidInput
from geo_api.models import ApiKey


@pytest.fixture
def guarded_client(app) -> TestClient:
    @app.post("/planner-only")
    def planner_only(principal: PlannerDep) -> dict[str, str]:
        return {"actor": principal.actor}

    @app.post("/in-scope/{adcode}")
    def in_scope(adcode: str, principal: GridManagerDep) -> dict[str, bool]:
        principal.require_scope(adcode)
        return {"ok": True}

    return TestClient(app)


def test_keys_are_stored_hashed_and_shown_once(session):
    key = create_key(session, "Chengdu planning office", "planner", [])
    row = session.scalars(select(ApiKey).where(ApiKey.name == "Chengdu planning office")).one()
    assert key.startswith("wm_") and len(key) > 40
    assert row.key_hash == hash_key(key) != key
    assert key not in {row.key_prefix, row.key_hash}


def test_no_key_is_401_and_a_wrong_key_is_401(guarded_client):
    response = guarded_client.post("/planner-only")
    assert response.status_code == 401
    assert "X-API-Key" in response.json()["detail"]
    response = guarded_client.post("/planner-only", headers={"X-API-Key": "wm_guess"})
    assert response.status_code == 401


def test_role_outside_the_route_is_403(guarded_client, session):
    key = create_key(session, "grid", "grid_manager", ["510104001"])
    response = guarded_client.post("/planner-only", headers={"X-API-Key": key})
    assert response.status_code == 403
    assert "planner" in response.json()["detail"]


def test_planner_and_admin_pass(guarded_client, session):
    for role in ("planner", "admin"):
        key = create_key(session, role, role, [])
        response = guarded_client.post("/planner-only", headers={"X-API-Key": key})
        assert response.status_code == 200, response.text
        assert response.json()["actor"].endswith(f":{role}")


def test_revoked_keys_are_refused(guarded_client, session):
    key = create_key(session, "old", "planner", [])
    session.execute(text("UPDATE api_keys SET revoked_at = now() WHERE name = 'old'"))
    assert guarded_client.post("/planner-only", headers={"X-API-Key": key}).status_code == 401


def test_grid_manager_scope_nests_by_adcode_prefix(guarded_client, session):
    key = create_key(session, "grid", "grid_manager", ["510104001"])
    headers = {"X-API-Key": key}
    assert guarded_client.post("/in-scope/510104001003", headers=headers).status_code == 200
    response = guarded_client.post("/in-scope/510104002003", headers=headers)
    assert response.status_code == 403
    assert "outside" in response.json()["detail"]


def test_principal_covers():
    admin = Principal(1, "a", "admin", ("510104",))
    grid = Principal(2, "g", "grid_manager", ("510104", "510105001"))
    assert admin.covers("310115")
    assert grid.covers("510104003002") and grid.covers("510105001009")
    assert not grid.covers("510105002001") and not grid.covers(None)


@pytest.mark.parametrize(
    ("role", "scope", "message"),
    [
        ("mayor", [], "unknown role"),
        ("grid_manager", [], "needs at least one"),
        ("planner", ["51x"], "digits"),
    ],
)
def test_bad_key_requests_are_refused(session, role, scope, message):
    with pytest.raises(InvalidInput, match=message):
        create_key(session, "x", role, scope)


def test_cli_creates_a_working_key(database_url, engine):
    # The real command, in a process of its own, on the test database; its rows are removed after.
    env = {"WARMMAP_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    arguments = ["keys", "create", "--role", "grid_manager", "--name", "cli test"]
    scopes = ["--scope", "510104001", "--scope", "510104002"]
    result = subprocess.run(
        [sys.executable, "-m", "warmmap_cli", *arguments, *scopes],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        assert result.returncode == 0, result.stderr
        key = result.stdout.strip()
        with Session(engine) as session:
            row = session.scalars(select(ApiKey).where(ApiKey.key_hash == hash_key(key))).one()
            assert row.role == "grid_manager"
            assert row.scope_adcodes == ["510104001", "510104002"]
            principal = authenticate(session, key)
            assert principal is not None and principal.role == "grid_manager"
            audited = session.execute(
                text(
                    "SELECT count(*) FROM audit_log"
                    " WHERE entity = 'api_key' AND entity_id = 'cli test'"
                )
            ).scalar_one()
            assert audited == 1
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM api_keys WHERE name = 'cli test'"))
            connection.execute(
                text("DELETE FROM audit_log WHERE entity = 'api_key' AND entity_id = 'cli test'")
            )


def test_cli_refuses_a_bad_role_in_one_line(database_url):
    env = {"WARMMAP_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "warmmap_cli", "keys", "create", "--role", "mayor", "--name", "x"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "error: unknown role 'mayor': use one of admin, planner, grid_manager"
    )


def test_requests_with_one_key_do_not_wait_for_each_other(engine):
    # Found by the load test: each request updated its key's last_used_at and held the row
    # until it committed, so every request of one key waited for the one before it.
    with Session(engine) as creating, creating.begin():
        key = create_key(creating, "shared", "planner", [])
    first, second = Session(engine), Session(engine)
    try:
        first.begin()
        authenticate(first, key)  # its transaction stays open, as during a slow request
        second.begin()
        second.execute(text("SET LOCAL lock_timeout = '5s'"))  # a wait fails instead of hanging
        assert authenticate(second, key).role == "planner"
        used = second.scalar(select(ApiKey.last_used_at).where(ApiKey.key_hash == hash_key(key)))
        assert used is None  # the first request's touch is not committed yet; nobody waited
    finally:
        first.rollback()
        second.rollback()
        first.close()
        second.close()
        with engine.begin() as cleanup:
            cleanup.execute(text("DELETE FROM api_keys WHERE key_hash = :h"), {"h": hash_key(key)})
