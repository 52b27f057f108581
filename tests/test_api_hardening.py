"""An API that cannot be starved or tricked: body limits, keys first, bounded numbers, headers.

Each test plays an attacker or a careless client against the real app and its database.
"""

import pytest
from fastapi.testclient import TestClient

from geo_api.auth import create_key
from geo_api.dependencies import get_read_session, get_session, get_write_session
from geo_api.main import create_app
from geo_api.routes.params import MAX_ID
from tests.case_city import IN_STREET_2

HUGE = str(MAX_ID + 1)  # 9223372036854775808: one past PostgreSQL's bigint
# Plausible values for the parameters a route needs, so that only the huge one is wrong.
PLAUSIBLE = {
    "lon": "104.06",
    "lat": "30.66",
    "city": "510100",
    "layer": "stations",
    "collectionId": "stations",
    "tileMatrixSetId": "WebMercatorQuad",
    "tileMatrix": "10",
    "z": "10",
    "format": "csv",
    "scope": "510100",
}


@pytest.fixture
def admin(session) -> dict[str, str]:
    return {"X-API-Key": create_key(session, "admin", "admin", [])}


def numeric_parameters(document: dict) -> list[tuple[str, str, str, list[dict]]]:
    """Return (method, path, the numeric parameter, all parameters) of every operation."""
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            parameters = operation.get("parameters", [])
            for parameter in parameters:
                schema = parameter.get("schema", {})
                types = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
                if types & {"integer", "number"}:
                    found.append((method, path, parameter["name"], parameters))
    return found


def test_a_number_past_bigint_is_a_422_on_every_route(client, admin):
    document = client.get("/openapi.json").json()
    swept = numeric_parameters(document)
    assert len(swept) > 30  # every paging parameter, id and coordinate of the API
    failures = []
    for method, path, name, parameters in swept:
        values = {p["name"]: PLAUSIBLE.get(p["name"], "1") for p in parameters}
        values[name] = HUGE
        url = path
        query = {}
        for p in parameters:
            if p["in"] == "path":
                url = url.replace("{" + p["name"] + "}", values[p["name"]])
            elif p["in"] == "query" and (p.get("required") or p["name"] == name):
                query[p["name"]] = values[p["name"]]
        body = {"json": {}} if method in ("post", "put", "patch") else {}
        response = client.request(method.upper(), url, params=query, headers=admin, **body)
        if response.status_code >= 500 or list(response.json() or {"detail": 1}) != ["detail"]:
            failures.append(f"{method} {path} {name}: {response.status_code} {response.text}")
    assert not failures, "\n".join(failures)


def test_offset_past_bigint_names_the_parameter(client, admin):
    response = client.get("/stations", params={"offset": HUGE}, headers=admin)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("offset:")
    # OGC API - Features reads its own parameters (and answers 400, as the standard asks).
    ogc = client.get("/ogc/collections/stations/items", params={"offset": HUGE})
    assert ogc.status_code == 400
    assert ogc.json()["detail"].startswith("offset: must be at most")


@pytest.fixture
def small_body_client(settings) -> TestClient:
    small = settings.model_copy(update={"max_body_bytes": 4096})
    return TestClient(create_app(small))


def test_an_announced_large_body_is_refused_before_it_is_read(small_body_client):
    # Content-Length says 10 MB and not a byte follows: only a server that answers from the
    # header alone can answer this at once.
    response = small_body_client.post(
        "/cases", content=b"{}", headers={"content-length": str(10 * 1024 * 1024)}
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": "the request body is larger than 4096 bytes (WARMMAP_MAX_BODY_BYTES)"
    }


def test_a_streamed_large_body_is_refused_as_it_arrives(small_body_client):
    def chunks():
        for _ in range(64):
            yield b" " * 1024

    response = small_body_client.post(
        "/cases", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "4096 bytes" in response.json()["detail"]


def test_a_write_without_a_key_is_refused_before_its_body_is_parsed(client):
    # Not JSON at all: were the body parsed first, the answer would be a 422.
    for method, path in [("POST", "/stations"), ("PATCH", "/liaisons/1"), ("POST", "/plan/sites")]:
        response = client.request(
            method, path, content=b"{" * 10_000, headers={"content-type": "application/json"}
        )
        assert response.status_code == 401, (method, path, response.text)
        bogus = client.request(
            method,
            path,
            content=b"{" * 10_000,
            headers={"content-type": "application/json", "X-API-Key": "wm_not-a-key"},
        )
        assert bogus.status_code == 401
        assert bogus.json() == {"detail": "unknown or revoked API key"}


def test_a_valid_key_still_writes(client, session):
    planner = {"X-API-Key": create_key(session, "p", "planner", [])}
    body = {"name": "暖新驿站（钥匙）", "lon": 104.06, "lat": 30.66, "kind": "warm_station"}
    assert client.post("/stations", json=body, headers=planner).status_code == 201


@pytest.mark.parametrize("path", ["/healthz", "/docs", "/redoc", "/nowhere", "/stations?k=0"])
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors" in policy
    if response.headers["content-type"].startswith("text/html"):
        assert "default-src 'self'" in policy
    else:
        assert "default-src 'none'" in policy


def test_cors_is_closed_by_default(client):
    response = client.options(
        "/stations/nearest",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in response.headers
    got = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in got.headers


def test_cors_admits_the_configured_origins_only(settings):
    opened = settings.model_copy(update={"cors_origins": "https://map.city.example"})
    with TestClient(create_app(opened)) as client:
        ok = client.get("/healthz", headers={"Origin": "https://map.city.example"})
        assert ok.headers["access-control-allow-origin"] == "https://map.city.example"
        other = client.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_error_bodies_tell_no_internals(client):
    for response in (
        client.get("/stations/nearest", params={"lon": "abc", "lat": "30"}),
        client.get("/stations/" + HUGE),
        client.post("/cases", content=b"\x00\xff", headers={"content-type": "application/json"}),
    ):
        text = response.text
        assert response.status_code < 500
        for leak in ("Traceback", "SELECT", "psycopg", "sqlalchemy", 'File "'):
            assert leak not in text


def app_with(settings, session, **changes):
    """The app of ``settings`` changed by ``changes``, its requests in the test's transaction."""
    app = create_app(settings.model_copy(update=changes))

    def test_session():
        yield session
        session.flush()

    for dependency in (get_session, get_read_session, get_write_session):
        app.dependency_overrides[dependency] = test_session
    return app


def reports_through(app, forwarded_for: list[str]) -> list[int]:
    """Post one report per X-Forwarded-For value, all from one proxy's address."""
    proxy = TestClient(app, client=("10.0.0.2", 4000))
    body = {"lon": IN_STREET_2[0], "lat": IN_STREET_2[1], "category": "other"}
    return [
        proxy.post("/cases", json=body, headers={"X-Forwarded-For": address}).status_code
        for address in forwarded_for
    ]


def test_x_forwarded_for_is_ignored_unless_the_proxy_is_configured(settings, session, case_city):
    app = app_with(settings, session, reports_per_hour=3)
    # A client inventing a new address per request is still one client.
    codes = reports_through(app, [f"203.0.113.{i}" for i in range(5)])
    assert codes == [201, 201, 201, 429, 429]


def test_x_forwarded_for_names_the_client_behind_a_configured_proxy(settings, session, case_city):
    app = app_with(settings, session, reports_per_hour=3, trusted_proxies="10.0.0.0/24")
    # Five riders behind the city's proxy each have their own limit; the sixth is one of them.
    addresses = [f"203.0.113.{i}" for i in range(5)]
    assert reports_through(app, addresses) == [201] * 5
    assert reports_through(app, ["203.0.113.1"] * 3) == [201, 201, 429]


def test_a_bug_answers_one_line_that_tells_nothing_of_it(settings):
    app = create_app(settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("SELECT secret FROM internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}
