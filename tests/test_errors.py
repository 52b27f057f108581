from typing import Annotated, Literal

import pytest
from fastapi import Query
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from geo_api import errors
from geo_api.dependencies import SessionDep
from geo_api.main import create_app


class Place(BaseModel):
    kind: Literal["city", "district"]


class Shapes(BaseModel):
    candidates: Literal["cells"] | Place
    words: list[str] | str | None = None


@pytest.fixture
def error_client(app) -> TestClient:
    """The real app, with routes that raise each domain error through the real handlers."""

    @app.get("/raise/{name}")
    def raise_error(name: str) -> None:
        raise getattr(errors, name)(f"{name} happened")

    @app.get("/needs-int")
    def needs_int(k: Annotated[int, Query(ge=1, le=50)]) -> dict[str, int]:
        return {"k": k}

    @app.post("/shapes")
    def shapes(body: Shapes) -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/bad-sql")
    def bad_sql(session: SessionDep) -> None:
        session.execute(text("SELECT * FROM no_such_table"))

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("InvalidInput", 422),
        ("NotFound", 404),
        ("Conflict", 409),
        ("Unauthenticated", 401),
        ("Forbidden", 403),
        ("PayloadTooLarge", 413),
        ("RateLimited", 429),
        ("DatabaseUnavailable", 503),
    ],
)
def test_domain_errors_map_to_status_and_detail(error_client, name, status):
    response = error_client.get(f"/raise/{name}")
    assert response.status_code == status
    assert response.json() == {"detail": f"{name} happened"}


@pytest.mark.parametrize(
    ("query", "fragment"), [("k=0", "k: "), ("k=1000", "k: "), ("k=x", "k: "), ("", "k: ")]
)
def test_validation_errors_are_one_line_naming_the_parameter(error_client, query, fragment):
    response = error_client.get(f"/needs-int?{query}")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert detail.startswith(fragment)
    assert "\n" not in detail


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"candidates": {"kind": "castle"}},
            "candidates: Input should be 'cells'; "
            "candidates.kind: Input should be 'city' or 'district'",
        ),
        (
            {"candidates": "cells", "words": 3},
            "words: Input should be a valid list; words: Input should be a valid string",
        ),
    ],
)
def test_validation_errors_name_fields_not_the_types_tried(error_client, body, expected):
    response = error_client.post("/shapes", json=body)
    assert response.status_code == 422
    assert response.json() == {"detail": expected}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"name": "\xc3\x28"}', "body: not valid UTF-8 JSON"),
        (b"{broken", "body: not valid JSON (Expecting property name enclosed in double quotes)"),
    ],
)
def test_an_unreadable_body_is_a_documented_422(error_client, body, expected):
    # Found by the fuzzer: bytes that are not UTF-8 answered an undocumented 400.
    response = error_client.post(
        "/shapes", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json() == {"detail": expected}


def test_unknown_path_is_404_with_detail(error_client):
    response = error_client.get("/nowhere")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_a_broken_query_is_a_500_without_internals(error_client):
    response = error_client.get("/bad-sql")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}


def test_errors_module_does_not_import_fastapi():
    from pathlib import Path

    source = Path(errors.__file__).read_text(encoding="utf-8")
    assert "fastapi" not in source and "starlette" not in source


def test_operational_error_is_503(settings):
    app = create_app(settings)

    @app.get("/down")
    def down() -> None:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    response = TestClient(app, raise_server_exceptions=False).get("/down")
    assert response.status_code == 503
    assert response.json() == {"detail": "database unavailable"}
