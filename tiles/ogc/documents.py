"""OGC API documents built from the registry: landing page, conformance, collections, queryables."""

from typing import Any

from tiles.grid import Box
from tiles.ogc.links import GEOJSON, JSON, OPENAPI, REL, SCHEMA, link
from tiles.ogc.query import CRS84, MAX_LIMIT
from tiles.registry import Layer, Property

TITLE = "warmmap map layers"
DESCRIPTION = (
    "Warm stations, delivery outlets, coverage gaps and administrative areas as OGC API "
    "Features collections and vector tilesets (WebMercatorQuad). GeoJSON in CRS84."
)
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/landing-page",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/json",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
    "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
]
GEOMETRY_FORMATS = {
    "Point": "geometry-point",
    "Polygon": "geometry-polygon",
    "MultiPolygon": "geometry-multipolygon",
}


def landing(base_url: str) -> dict[str, Any]:
    """Return the landing page of ``/ogc``."""
    ogc = f"{base_url}/ogc"
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "links": [
            link("self", ogc, JSON, "this document"),
            link("service-desc", f"{ogc}/api", OPENAPI, "the API definition (OpenAPI 3.0)"),
            link("service-doc", f"{base_url}/docs", "text/html", "the API documentation"),
            link("conformance", f"{ogc}/conformance", JSON, "conformance classes"),
            link(f"{REL}conformance", f"{ogc}/conformance", JSON, "conformance classes"),
            link("data", f"{ogc}/collections", JSON, "the collections"),
            link(f"{REL}data", f"{ogc}/collections", JSON, "the collections"),
            link(f"{REL}tiling-schemes", f"{ogc}/tileMatrixSets", JSON, "tile matrix sets"),
        ],
    }


def conformance() -> dict[str, Any]:
    """Return the conformance declaration."""
    return {"conformsTo": CONFORMANCE}


def collection(base_url: str, layer: Layer, extent: Box | None) -> dict[str, Any]:
    """Return the collection document of ``layer`` with its spatial extent."""
    url = f"{base_url}/ogc/collections/{layer.id}"
    found: dict[str, Any] = {
        "id": layer.id,
        "title": layer.title,
        "description": layer.description + parameters_note(layer),
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            link("self", url, JSON, layer.title),
            link("items", f"{url}/items", GEOJSON, f"{layer.title} as GeoJSON"),
            link(f"{REL}queryables", f"{url}/queryables", SCHEMA, "queryables"),
            link(f"{REL}tilesets-vector", f"{url}/tiles", JSON, "vector tilesets"),
            # the properties' schema, which GDAL reads to type its fields
            link("describedby", f"{url}/queryables", SCHEMA, "schema of the features"),
        ],
    }
    if extent is not None:
        found["extent"] = {"spatial": {"bbox": [list(extent)], "crs": CRS84}}
    return found


def parameters_note(layer: Layer) -> str:
    """Return a sentence naming the layer's own query parameters, if it has any."""
    if not layer.parameters:
        return ""
    named = "; ".join(
        f"{p.name}: {p.description} (default {p.default:g})" for p in layer.parameters
    )
    return f" Query parameters: {named}."


def property_schema(prop: Property) -> dict[str, Any]:
    """Return the JSON Schema of one property."""
    schema: dict[str, Any] = {"title": prop.name, "description": prop.description}
    if prop.type == "array":
        items: dict[str, Any] = {"type": "string"}
        if prop.enum:
            items["enum"] = list(prop.enum)
        return schema | {"type": "array", "items": items}
    schema["type"] = prop.type
    if prop.enum:
        schema["enum"] = list(prop.enum)
    return schema


def queryables(base_url: str, layer: Layer) -> dict[str, Any]:
    """Return the queryables of ``layer``: its public properties and its geometry."""
    properties: dict[str, Any] = {
        "geometry": {
            "title": "geometry",
            "format": GEOMETRY_FORMATS[layer.geometry_type],
            "x-ogc-role": "primary-geometry",
        }
    }
    properties.update({p.name: property_schema(p) for p in layer.properties})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{base_url}/ogc/collections/{layer.id}/queryables",
        "type": "object",
        "title": layer.title,
        "properties": properties,
        "additionalProperties": False,
    }


def limit_note() -> str:
    """Return how ``limit`` behaves, for the API definition."""
    return f"default 10; above {MAX_LIMIT:,} the maximum applies"
