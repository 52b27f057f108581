"""The OpenAPI document is valid and tells the truth: schemas, errors, security, vocabularies."""

import json
import re

import pytest
from openapi_spec_validator import validate

from geo_api import vocab
from geo_api.coords import BD09, GCJ02, OUTPUT_SYSTEMS, WGS84
from geo_api.vocab import amenities, kinds

ERROR_BODY = "#/components/schemas/ErrorBody"


@pytest.fixture
def document(client) -> dict:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document: dict) -> list[tuple[str, str, dict]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_the_document_is_valid_openapi(document):
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_operation_ids_are_the_route_names_and_unique(document):
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids))
    assert "nearest" in ids and "create_station" in ids


def expected_errors(path: str, operation: dict) -> set[str]:
    """The error statuses an operation must document, from what the document itself says."""
    expected = {"503"}  # every operation reads the database
    security = operation.get("security", [])
    if security:
        expected.add("401")
    if any(roles for requirement in security for roles in requirement.values()):
        expected.add("403")
    if "{" in path:
        expected.add("404")
    if operation.get("parameters") or operation.get("requestBody"):
        expected.add("422")
    return expected


def problems_of(method: str, path: str, operation: dict) -> list[str]:
    """What an operation fails to document, each as one line."""
    problems = []
    responses = operation["responses"]
    success = [status for status in responses if status.startswith("2")]
    if len(success) != 1:
        return [f"{method} {path}: documents {len(success)} success statuses"]
    content = responses[success[0]].get("content", {})
    schema = content.get("application/json", {}).get("schema")
    binary = bool(content) and all(c.get("schema", {}).get("format") == "binary"
                                   for c in content.values())  # fmt: skip
    # An answer of bytes (a case's photo) has no JSON model, only its media types.
    if not binary and (
        not schema or not schema.get("$ref", "").startswith("#/components/schemas/")
    ):
        problems.append(f"{method} {path}: its {success[0]} answer has no model: {schema}")
    documented = {status for status in responses if not status.startswith("2")}
    missing = expected_errors(path, operation) - documented
    if missing:
        problems.append(f"{method} {path}: does not document {sorted(missing)}")
    for status in sorted(documented):
        content = responses[status].get("content", {}).get("application/json", {})
        if content.get("schema") != {"$ref": ERROR_BODY}:
            problems.append(f"{method} {path}: its {status} body is not ErrorBody")
        elif not isinstance(content.get("example", {}).get("detail"), str):
            problems.append(f"{method} {path}: its {status} has no example detail")
    # A public operation never answers 401; one that admits any key never 403.
    if not operation.get("security") and {"401", "403"} & documented:
        problems.append(f"{method} {path}: is public but documents 401/403")
    return problems


def test_every_operation_documents_its_answer_and_errors(document):
    ops = operations(document)
    assert len(ops) >= 17
    problems = [line for method, path, op in ops for line in problems_of(method, path, op)]
    assert problems == []


def test_the_summary_is_the_routes_docstring(document):
    for method, path, operation in operations(document):
        generated = operation["operationId"].replace("_", " ").title()
        assert operation["summary"] != generated, (method, path)


def test_errors_are_documented_as_they_are_answered(document):
    text = json.dumps(document)
    # FastAPI's default 422 is a list of errors; warmmap answers one line.
    assert "HTTPValidationError" not in text and '"ValidationError"' not in text
    assert set(document["components"]["schemas"]["ErrorBody"]["properties"]) == {"detail"}
    assert document["components"]["schemas"]["ErrorBody"]["properties"]["detail"]["type"] == (
        "string"
    )


def test_keys_are_a_security_scheme_with_roles(document):
    scheme = document["components"]["securitySchemes"]["ApiKey"]
    assert scheme == scheme | {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    for role in vocab.API_ROLES:
        assert role in scheme["description"]
    for method, path, operation in operations(document):
        parameters = operation.get("parameters", [])
        assert not [p for p in parameters if p["name"].lower() == "x-api-key"], (method, path)
        for requirement in operation.get("security", []):
            assert set(requirement) == {"ApiKey"}
            assert set(requirement["ApiKey"]) <= set(vocab.API_ROLES), (method, path)
    secured = {f"{m} {p}" for m, p, o in operations(document) if o.get("security")}
    assert {"POST /stations", "POST /plan/sites", "GET /batches/{batch_id}"} <= secured
    assert "GET /stations/nearest" not in secured


def resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def enum_of(document: dict, schema: dict) -> list[str]:
    """The values of a (possibly nullable, possibly array) enumeration."""
    schema = resolve(document, schema)
    if "anyOf" in schema:
        options = [o for o in schema["anyOf"] if o.get("type") != "null"]
        return [value for option in options for value in enum_of(document, option)]
    if schema.get("type") == "array":
        return enum_of(document, schema["items"])
    return schema["enum"]


def parameter(document: dict, method: str, path: str, name: str) -> dict:
    operation = document["paths"][path][method]
    return next(p for p in operation["parameters"] if p["name"] == name)


def field(document: dict, model: str, name: str) -> dict:
    return document["components"]["schemas"][model]["properties"][name]


@pytest.mark.parametrize(
    ("method", "path", "name", "values"),
    [
        ("get", "/stations/nearest", "kind", vocab.STATION_KINDS),
        ("get", "/stations/nearest", "amenity", vocab.AMENITIES),
        ("get", "/stations", "kind", vocab.STATION_KINDS),
        ("get", "/stations", "amenity", vocab.AMENITIES),
    ],
)
def test_word_parameters_list_their_vocabulary(document, method, path, name, values):
    # Checked by the route (a 422 naming the unknown word), so listed in the description.
    description = parameter(document, method, path, name)["description"]
    for value in values:
        assert re.search(rf"\b{value}\b", description), value


@pytest.mark.parametrize(
    ("method", "path", "name", "values"),
    [
        ("get", "/stations/{station_id}/reports", "status", vocab.REPORT_STATUSES),
        ("get", "/coverage/communities", "level", vocab.COVERAGE_LEVELS),
    ],
)
def test_parameters_list_their_vocabulary(document, method, path, name, values):
    assert enum_of(document, parameter(document, method, path, name)["schema"]) == list(values)


@pytest.mark.parametrize(
    ("model", "name", "values"),
    [
        ("ReportCreate", "kind", vocab.REPORT_KINDS),
        ("ReportUpdate", "status", vocab.REPORT_STATUSES),
        ("Report", "status", vocab.REPORT_STATUSES),
        ("StationProperties", "kind", vocab.STATION_KINDS),
        ("StationProperties", "status", vocab.STATION_STATUSES),
        ("StationProperties", "access", vocab.STATION_ACCESS),
        ("StationProperties", "amenities", vocab.AMENITIES),
        ("CandidateKind", "kind", vocab.STATION_KINDS + vocab.ADMIN_LEVELS),
        ("Batch", "kind", vocab.LOAD_KINDS),
        ("Batch", "status", vocab.BATCH_STATUSES),
        ("CommunityCoverage", "level", vocab.COVERAGE_LEVELS),
    ],
)
def test_fields_list_their_vocabulary(document, model, name, values):
    assert sorted(enum_of(document, field(document, model, name))) == sorted(values)


@pytest.mark.parametrize("model", ["SitesRequest", "CoverRequest"])
def test_out_crs_of_plans_lists_the_output_systems(document, model):
    assert enum_of(document, field(document, model, "out_crs")) == list(OUTPUT_SYSTEMS)
    assert OUTPUT_SYSTEMS == (WGS84, GCJ02, BD09)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("kind", kinds.chinese_words("station_kind")),
        ("status", kinds.chinese_words("status")),
        ("access", kinds.chinese_words("access")),
        ("amenities", amenities.chinese_words()),
    ],
)
def test_fields_taking_chinese_words_list_them(document, name, words):
    for model in ("StationFields", "StationCreate"):
        description = field(document, model, name)["description"]
        for value, chinese in words.items():
            assert value in description
            for word in chinese:
                assert re.search(rf"\b{re.escape(value)} \([^)]*{word}", description), word
