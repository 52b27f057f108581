from fastapi.testclient import TestClient
from sqlalchemy import text

from geo_api.main import create_app
from geo_api.settings import Settings


def test_healthz_reports_postgis_version(client, connection):
    response = client.get("/healthz")
    assert response.status_code == 200
    expected = connection.execute(text("SELECT postgis_lib_version()")).scalar_one()
    assert response.json() == {"status": "ok", "postgis": expected}


def test_healthz_is_503_when_nothing_listens():
    settings = Settings(
        database_url="postgresql://postgres@127.0.0.1:1/warmmap", db_connect_timeout_s=1
    )
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert detail.startswith("database unavailable:")
    assert "\n" not in detail


def test_healthz_follows_the_database_down_and_up_without_a_restart(proxied_client):
    client, proxy = proxied_client
    assert client.get("/healthz").json()["status"] == "ok"
    proxy.stop()
    down = client.get("/healthz")
    assert down.status_code == 503
    assert "database unavailable" in down.json()["detail"]
    proxy.start()
    up = client.get("/healthz")
    assert up.status_code == 200
    assert up.json()["status"] == "ok"


def test_openapi_docs_are_served(client):
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/healthz" in spec["paths"]
