"""Check a real answer against what the OpenAPI document promises for it.

``assert_documented(document, "GET", "/stations/{station_id}", response)`` fails unless the
document lists the answer's status for that operation and the body validates against the
schema it gives. Validation is strict where the document is loose by default: an object with
declared properties may not carry undeclared ones (a field the model forgot is a lie too).
"""

import copy
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = "urn:warmmap:openapi"


def _closed(schema: Any) -> Any:
    """Return ``schema`` with ``additionalProperties: false`` wherever properties are declared."""
    if isinstance(schema, dict):
        closed = {key: _closed(value) for key, value in schema.items()}
        if "properties" in closed and "additionalProperties" not in closed:
            closed["additionalProperties"] = False
        return closed
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    return schema


def documented_schema(document: dict, method: str, path: str, status: int) -> dict[str, Any]:
    """Return the JSON schema the document gives for ``method path`` answering ``status``."""
    operation = document["paths"][path][method.lower()]
    responses = operation["responses"]
    assert str(status) in responses, f"{method} {path} answered {status}, not documented"
    return responses[str(status)]["content"]["application/json"]["schema"]


def validator(document: dict, schema: dict[str, Any]) -> Draft202012Validator:
    """Return a strict validator of ``schema`` whose $refs resolve in ``document``."""
    components = _closed(copy.deepcopy(document))
    registry: Registry = Registry().with_resource(
        ROOT, Resource.from_contents(components, default_specification=DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": ROOT + schema["$ref"]} if "$ref" in schema else _closed(schema),
        registry=registry,
    )


def assert_documented(document: dict, method: str, path: str, response: Any) -> None:
    """Assert that ``response`` (an httpx response) is an answer the document promises."""
    media_type = response.headers.get("content-type", "").split(";")[0]
    if not media_type.endswith("json"):  # bytes (a case's photo): a documented media type
        operation = document["paths"][path][method.lower()]
        content = operation["responses"][str(response.status_code)]["content"]
        assert media_type in content, f"{method} {path}: {media_type} not documented"
        return
    schema = documented_schema(document, method, path, response.status_code)
    errors = sorted(validator(document, schema).iter_errors(response.json()), key=str)
    details = [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    assert not errors, f"{method} {path} {response.status_code}: " + "; ".join(details)
