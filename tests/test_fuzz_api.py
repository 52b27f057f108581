"""Schemathesis fuzzes every operation of the OpenAPI document, with no key and a key per role.

The document is the app's own (``schemathesis.openapi.from_dict``, one test per operation); the
requests go in-process to the app (ASGI) on a database of its own, migrated and seeded with a
small district (areas, stations, outlets, liaisons, coverage cells), so that generated ids and
adcodes sometimes hit real rows. Each generated example is sent four times: without a key, and
with an admin's, a planner's and a district grid manager's key (the coverage phase's boundary
cases take the roles in turn). Every answer must be no 5xx, a documented status, a documented
content type, and a body valid against the documented schema. Hypothesis is derandomized (a
fixed seed), so a run is reproducible. The fuzzer's findings are pinned by the tests below it.
"""

import itertools
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from alembic import command
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from geo_api.auth import create_key
from geo_api.coverage.refresh import refresh_city
from geo_api.database import sqlalchemy_url
from geo_api.main import create_app
from geo_api.migrate import alembic_config
from geo_api.routes.params import MAX_OFFSET
from geo_api.settings import Settings
from tests.case_city import CITY, DISTRICT, build_case_city
from tests.coverage_city import make_outlet, make_station
from tests.dbutil import create_database, drop_database

# Examples per operation (each sent once per role), besides the coverage phase's boundary cases:
# about 2 minutes in all on a loaded 2-core machine. WARMMAP_FUZZ_EXAMPLES=100 searches deeper.
MAX_EXAMPLES = int(os.environ.get("WARMMAP_FUZZ_EXAMPLES", "6"))
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
CONFIG = schemathesis.Config.from_dict(
    {"checks": {"enabled": False} | {name: {"enabled": True} for name in CHECKS}}
)


def seed(session: Session) -> dict[str, dict[str, str]]:
    """A district with stations, outlets, liaisons and coverage; return each role's headers."""
    build_case_city(session)
    for i in range(6):
        make_station(session, 104.005 + 0.015 * i, 30.61 + 0.012 * i)
    for i in range(12):
        make_outlet(session, 104.003 + 0.008 * i, 30.605 + 0.007 * i, riders=3 * i)
    refresh_city(session, CITY, 9)
    roles = {"admin": [], "planner": [], "grid_manager": [DISTRICT]}
    return {
        role: {"X-API-Key": create_key(session, f"fuzz {role}", role, scope)}
        for role, scope in roles.items()
    }


@pytest.fixture(scope="module")
def fuzz_database() -> Iterator[tuple[str, dict[str, dict[str, str]]]]:
    url = create_database("warmmap_test_fuzz")
    try:
        command.upgrade(alembic_config(url), "head")
        engine = create_engine(sqlalchemy_url(url))
        with Session(engine) as session, session.begin():
            headers = seed(session)
        engine.dispose()
        yield url, headers
    finally:
        drop_database(url)


@pytest.fixture(scope="module")
def role_headers(fuzz_database: tuple[str, dict[str, dict[str, str]]]) -> list[dict[str, str]]:
    return [{}, *fuzz_database[1].values()]


@pytest.fixture(scope="module")
def fuzz_app(fuzz_database: tuple[str, dict[str, dict[str, str]]]) -> Iterator[Any]:
    # Riders' reports are rate-limited per client; the fuzzer is one client sending hundreds.
    app = create_app(Settings(database_url=fuzz_database[0], reports_per_hour=10**6))
    yield app
    app.state.engine.dispose()
    app.state.read_engine.dispose()


def openapi_document() -> dict[str, Any]:
    """The app's OpenAPI document, built without a database (no connection is made)."""
    app = create_app(Settings())
    document = app.openapi()
    app.state.engine.dispose()
    app.state.read_engine.dispose()
    return document


# Loaded when the module is collected, so that pytest names one test per operation; the calls
# go to ``fuzz_app``, on the seeded database.
schema = schemathesis.openapi.from_dict(openapi_document(), config=CONFIG)

# One past PostgreSQL's bigint: an integer the document leaves unbounded must still be refused
# with a 422 or found absent, never reach a query and fail there. Generators seldom draw such
# numbers, so each generated set of parameters also comes with one integer at a time set to it.
PAST_BIGINT = 2**63


def one_past_bigint(values: Any) -> Any:
    """A strategy of ``values`` as generated, or with one of its integers set to PAST_BIGINT."""
    if not isinstance(values, dict):
        return st.just(values)
    keys = [key for key, value in values.items() if type(value) is int]
    return st.sampled_from([values] + [values | {key: PAST_BIGINT} for key in keys])


@schema.hook
def flatmap_query(context: Any, query: Any) -> Any:
    return one_past_bigint(query)


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: Any) -> Any:
    return one_past_bigint(path_parameters)


@schema.hook
def flatmap_body(context: Any, body: Any) -> Any:
    return one_past_bigint(body)


ROTATION = itertools.count()


def roles_for(case: Any, role_headers: list[dict[str, str]]) -> list[dict[str, str]]:
    """Every role for generated examples; one in turn for the coverage phase's many cases.

    The coverage phase sends each parameter's boundary and wrong values, some forty cases an
    operation, mostly refused before the role matters: taking the roles in turn keeps every
    role in it and the run within its time budget.
    """
    if case.meta is not None and case.meta.phase.name == "coverage":
        return [role_headers[next(ROTATION) % len(role_headers)]]
    return role_headers


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case, fuzz_app, role_headers):
    for headers in roles_for(case, role_headers):
        case.call_and_validate(headers=headers, app=fuzz_app)


# What the fuzzer found, pinned where it was found (each also in the commit that fixed it).

LISTINGS = ["/stations", "/cases", "/outlets", "/outlets/unassigned", "/liaisons",
            "/batches/1/rejects", "/batches/1/flagged"]  # fmt: skip


@pytest.mark.parametrize("path", LISTINGS)
def test_an_offset_past_the_bound_is_a_422_naming_it(client, session, path):
    # Found: offset=9223372036854775808 reached the query, "bigint out of range", a 500.
    admin = {"X-API-Key": create_key(session, "admin", "admin", [])}
    response = client.get(path, params={"offset": PAST_BIGINT}, headers=admin)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("offset: ")


def test_the_largest_offset_allowed_reaches_the_query(client):
    response = client.get("/stations", params={"offset": MAX_OFFSET})
    assert response.status_code == 200, response.text
    assert response.json()["features"] == []
