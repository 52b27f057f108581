"""What operators see: request ids, one JSON log line per request without personal data, metrics."""

import io
import json
import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families

from geo_api.auth import create_key
from geo_api.web.observe import JsonFormatter, log


@pytest.fixture
def log_lines():
    """The JSON lines ``warmmap.requests`` writes during the test."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    log.addHandler(handler)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    log.removeHandler(handler)


def test_a_plain_request_id_is_echoed_and_any_other_replaced(client):
    assert (
        client.get("/healthz", headers={"X-Request-ID": "rider-42.a"}).headers["x-request-id"]
        == "rider-42.a"
    )
    for bad in ("", "x" * 65, "a b", "<script>"):
        given = client.get("/healthz", headers={"X-Request-ID": bad}).headers["x-request-id"]
        assert given != bad and len(given) == 32
    # Errors carry one too, so a rider's complaint can be found in the log.
    assert client.get("/nowhere").headers["x-request-id"]


def test_each_request_is_one_json_line_without_tokens_keys_or_addresses(client, session, log_lines):
    key = create_key(session, "p", "planner", [])
    client.get("/cases/1", params={"token": "wc_secret-token"}, headers={"X-Request-ID": "r-1"})
    client.get("/stations", params={"limit": 1}, headers={"X-API-Key": key})
    lines = log_lines()
    assert len(lines) == 2
    first = lines[0]
    assert first["request_id"] == "r-1"
    assert first["route"] == "/cases/{case_id}" and first["path"] == "/cases/1"
    assert first["method"] == "GET" and first["status"] == 404
    assert isinstance(first["duration_ms"], float)
    written = json.dumps(lines)
    for secret in ("wc_secret-token", "token=", key, "testclient"):
        assert secret not in written


def counts(client) -> dict[tuple[str, str, str], float]:
    text = client.get("/metrics").text
    return {
        (s.labels["method"], s.labels["route"], s.labels["status"]): s.value
        for family in text_string_to_metric_families(text)
        if family.name == "warmmap_http_requests"
        for s in family.samples
        if s.name == "warmmap_http_requests_total"
    }


def test_metrics_count_requests_by_route_template_not_by_path(client):
    for station_id in (123456, 234567, 345678):
        assert client.get(f"/stations/{station_id}").status_code == 404
    for path in ("/nowhere/1", "/nowhere/2"):
        client.get(path)
    seen = counts(client)
    assert seen[("GET", "/stations/{station_id}", "404")] == 3
    assert seen[("GET", "unmatched", "404")] == 2
    assert not any("123456" in route for _, route, _ in seen)
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    assert "warmmap_http_request_duration_seconds_bucket" in response.text


def test_nearest_answers_of_the_shortcut_are_counted_under_their_route(client):
    # A plain request is answered by geo_api.nearest_shortcut before routing; a malformed one by
    # the route itself. Both are the documented operation, and the metrics say so.
    assert client.get("/stations/nearest?lon=104.06&lat=30.66").status_code == 200
    assert client.get("/stations/nearest?lon=104.06&lat=95").status_code == 422
    seen = counts(client)
    assert seen[("GET", "/stations/nearest", "200")] == 1
    assert seen[("GET", "/stations/nearest", "422")] == 1
