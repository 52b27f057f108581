"""The OpenAPI 3.0 definition of ``/ogc``, built from the registry (the ``service-desc``).

FastAPI's own ``/openapi.json`` is OpenAPI 3.1 and describes the whole service; OGC API
clients expect 3.0 (conformance class oas30), so this document is written for them: every
collection's paths with its own property filters and parameters.
"""

from typing import Any

from tiles.ogc.documents import DESCRIPTION, TITLE, property_schema
from tiles.ogc.links import GEOJSON, JSON, MVT, OPENAPI, SCHEMA, WEB_MERCATOR_QUAD
from tiles.ogc.query import DEFAULT_LIMIT, MAX_LIMIT
from tiles.registry import Layer

REF = "#/components/parameters/"


def _ok(media_type: str, description: str) -> dict[str, Any]:
    return {
        "200": {
            "description": description,
            "content": {media_type: {"schema": {"type": "object"}}},
        },
        "400": {"$ref": "#/components/responses/BadRequest"},
        "404": {"$ref": "#/components/responses/NotFound"},
    }


def _get(
    summary: str, media_type: str, parameters: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": parameters or [],
            "responses": _ok(media_type, summary),
        }
    }


def _layer_parameters(layer: Layer) -> list[dict[str, Any]]:
    own = [
        {
            "name": p.name,
            "in": "query",
            "required": False,
            "description": p.description,
            "schema": {
                "type": "integer" if p.type is int else "number",
                "default": p.default,
                "minimum": p.minimum,
                "maximum": p.maximum,
            },
        }
        for p in layer.parameters
    ]
    filters = [
        {
            "name": prop.name,
            "in": "query",
            "required": False,
            "description": f"only features whose {prop.name} is this value"
            + (" (a list: that contains it)" if prop.type == "array" else ""),
            "schema": property_schema(prop)["items"]
            if prop.type == "array"
            else {k: v for k, v in property_schema(prop).items() if k in ("type", "enum")},
        }
        for prop in layer.properties
    ]
    return own + filters


def _collection_paths(layer: Layer) -> dict[str, Any]:
    root = f"/ogc/collections/{layer.id}"
    own = _layer_parameters(layer)
    paging = [{"$ref": REF + name} for name in ("limit", "offset", "bbox", "filter", "filter-lang")]
    tile = [{"$ref": REF + name} for name in ("tileMatrix", "tileRow", "tileCol")]
    return {
        root: _get(f"the collection {layer.id}", JSON),
        f"{root}/items": _get(f"features of {layer.id}", GEOJSON, paging + own),
        f"{root}/items/{{featureId}}": _get(
            f"one feature of {layer.id}", GEOJSON,
            [{"$ref": REF + "featureId"}, *own[: len(layer.parameters)]],
        ),
        f"{root}/queryables": _get(f"queryables of {layer.id}", SCHEMA),
        f"{root}/tiles": _get(f"vector tilesets of {layer.id}", JSON),
        f"{root}/tiles/{WEB_MERCATOR_QUAD}": _get(f"the {WEB_MERCATOR_QUAD} tileset", JSON),
        f"{root}/tiles/{WEB_MERCATOR_QUAD}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}": _get(
            f"a vector tile of {layer.id}", MVT, tile + own[: len(layer.parameters)]
        ),
    }  # fmt: skip


def _path_parameter(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema,
    }


COMPONENT_PARAMETERS: dict[str, Any] = {
    "limit": {
        "name": "limit", "in": "query", "required": False, "style": "form", "explode": False,
        "description": f"default {DEFAULT_LIMIT}; above {MAX_LIMIT} the maximum applies",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    },
    "offset": {
        "name": "offset", "in": "query", "required": False,
        "description": "features to skip (the next link carries it)",
        "schema": {"type": "integer", "minimum": 0, "maximum": 1_000_000_000, "default": 0},
    },
    "bbox": {
        "name": "bbox", "in": "query", "required": False, "style": "form", "explode": False,
        "description": "west,south,east,north in CRS84",
        "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
    },
    "filter": {
        "name": "filter", "in": "query", "required": False,
        "description": "a CQL2 filter over the queryables", "schema": {"type": "string"},
    },
    "filter-lang": {
        "name": "filter-lang", "in": "query", "required": False,
        "schema": {"type": "string", "enum": ["cql2-text", "cql2-json"], "default": "cql2-text"},
    },
    "featureId": _path_parameter("featureId", "the feature's id", {"type": "string"}),
    "tileMatrix": _path_parameter("tileMatrix", "zoom level", {"type": "string"}),
    "tileRow": _path_parameter("tileRow", "row (y)", {"type": "integer", "minimum": 0}),
    "tileCol": _path_parameter("tileCol", "column (x)", {"type": "integer", "minimum": 0}),
}  # fmt: skip

ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}


def openapi(base_url: str, layers: dict[str, Layer]) -> dict[str, Any]:
    """Return the OpenAPI 3.0.3 definition of the OGC API under ``base_url``."""
    paths: dict[str, Any] = {
        "/ogc": _get("landing page", JSON),
        "/ogc/api": _get("this definition", OPENAPI),
        "/ogc/conformance": _get("conformance classes", JSON),
        "/ogc/collections": _get("the collections", JSON),
        "/ogc/tileMatrixSets": _get("tile matrix sets", JSON),
        f"/ogc/tileMatrixSets/{WEB_MERCATOR_QUAD}": _get(WEB_MERCATOR_QUAD, JSON),
    }
    for layer in layers.values():
        paths.update(_collection_paths(layer))
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": TITLE, "version": "1.0.0", "description": DESCRIPTION},
        "servers": [{"url": base_url}],
        "paths": paths,
        "components": {
            "parameters": COMPONENT_PARAMETERS,
            "schemas": {"Error": ERROR},
            "responses": {
                "BadRequest": {"description": "a parameter is invalid", "content": error},
                "NotFound": {"description": "no such collection or feature", "content": error},
            },
        },
    }
