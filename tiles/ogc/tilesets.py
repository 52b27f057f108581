"""OGC API - Tiles documents: tilesets of each collection on WebMercatorQuad, and the TMS."""

from typing import Any

import morecantile

from tiles.grid import Box, tiles_covering
from tiles.ogc.documents import property_schema
from tiles.ogc.links import JSON, MVT, REL, WEB_MERCATOR_QUAD, link
from tiles.ogc.query import CRS84
from tiles.registry import Layer

TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
WEB_MERCATOR = "http://www.opengis.net/def/crs/EPSG/0/3857"


def tile_matrix_sets(base_url: str) -> dict[str, Any]:
    """Return the list of tile matrix sets: WebMercatorQuad only."""
    url = f"{base_url}/ogc/tileMatrixSets/{WEB_MERCATOR_QUAD}"
    return {
        "tileMatrixSets": [
            {
                "id": WEB_MERCATOR_QUAD,
                "title": "Google Maps Compatible for the World",
                "uri": TMS_URI,
                "links": [link("self", url, JSON, WEB_MERCATOR_QUAD)],
            }
        ]
    }


def tile_matrix_set() -> dict[str, Any]:
    """Return the definition of WebMercatorQuad (OGC TMS 2.0 JSON, from morecantile).

    The members of TMS 1.0 are added alongside (``identifier``, ``supportedCRS``,
    ``boundingBox``, each matrix's ``identifier`` and ``topLeftCorner``): GDAL before 3.7, the
    one Debian 12 ships, reads only those, and readers of 2.0 ignore them.
    """
    tms = morecantile.tms.get(WEB_MERCATOR_QUAD)
    found: dict[str, Any] = tms.model_dump(mode="json", exclude_none=True)
    west, south, east, north = tms.xy_bbox
    found |= {
        "type": "TileMatrixSetType",
        "identifier": WEB_MERCATOR_QUAD,
        "supportedCRS": WEB_MERCATOR,
        "boundingBox": {
            "type": "BoundingBoxType",
            "crs": WEB_MERCATOR,
            "lowerCorner": [west, south],
            "upperCorner": [east, north],
        },
    }
    for matrix in found["tileMatrices"]:
        matrix |= {
            "type": "TileMatrixType",
            "identifier": matrix["id"],
            "topLeftCorner": matrix["pointOfOrigin"],
        }
    return found


def tilesets(base_url: str, layer: Layer) -> dict[str, Any]:
    """Return the tilesets of a collection: one vector tileset on WebMercatorQuad."""
    url = f"{base_url}/ogc/collections/{layer.id}/tiles"
    return {
        "links": [link("self", url, JSON, "tilesets")],
        "tilesets": [
            {
                "title": layer.title,
                "dataType": "vector",
                "crs": WEB_MERCATOR,
                "tileMatrixSetURI": TMS_URI,
                "links": [
                    link("self", f"{url}/{WEB_MERCATOR_QUAD}", JSON, "the tileset"),
                    link(f"{REL}tiling-scheme", tms_url(base_url), JSON, WEB_MERCATOR_QUAD),
                ],
            }
        ],
    }


def tms_url(base_url: str) -> str:
    """Return the URL of WebMercatorQuad's definition."""
    return f"{base_url}/ogc/tileMatrixSets/{WEB_MERCATOR_QUAD}"


def tileset(base_url: str, layer: Layer, extent: Box | None) -> dict[str, Any]:
    """Return the tileset metadata of ``layer`` with templated tile links."""
    collection = f"{base_url}/ogc/collections/{layer.id}"
    template = f"{collection}/tiles/{WEB_MERCATOR_QUAD}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"
    found: dict[str, Any] = {
        "title": layer.title,
        "description": layer.description,
        "dataType": "vector",
        "crs": WEB_MERCATOR,
        "tileMatrixSetURI": TMS_URI,
        "layers": [
            {
                "id": layer.id,
                "dataType": "vector",
                "geometryDimension": 0 if layer.geometry_type == "Point" else 2,
                "minTileMatrix": str(layer.minzoom),
                "maxTileMatrix": str(layer.maxzoom),
                "propertiesSchema": {
                    "type": "object",
                    "properties": {p.name: property_schema(p) for p in layer.properties},
                },
            }
        ],
        "links": [
            link("self", f"{collection}/tiles/{WEB_MERCATOR_QUAD}", JSON, "this tileset"),
            link(f"{REL}tiling-scheme", tms_url(base_url), JSON, WEB_MERCATOR_QUAD),
            link(f"{REL}geodata", collection, JSON, "the collection"),
            link("item", template, MVT, "Mapbox vector tiles", templated=True),
        ],
    }
    if extent is not None:
        west, south, east, north = extent
        found["boundingBox"] = {
            "lowerLeft": [west, south],
            "upperRight": [east, north],
            "crs": CRS84,
        }
        found["tileMatrixSetLimits"] = limits(layer, extent)
    return found


def limits(layer: Layer, extent: Box) -> list[dict[str, Any]]:
    """Return the rows and columns holding the layer's features at each of its zooms."""
    found = []
    for z in range(layer.minzoom, layer.maxzoom + 1):
        x0, y0, x1, y1 = tiles_covering(extent, z)
        found.append(
            {
                "tileMatrix": str(z),
                "minTileRow": y0,
                "maxTileRow": y1,
                "minTileCol": x0,
                "maxTileCol": x1,
            }
        )
    return found
