"""TileJSON 3.0.0 documents of the layers, built from the registry."""

from typing import Any

from tiles.grid import MAX_LAT, Box
from tiles.params import Values, query_string
from tiles.registry import TILEJSON_FIELD_TYPES, Layer

WORLD: Box = (-180.0, -MAX_LAT, 180.0, MAX_LAT)


def tile_url(base_url: str, layer: Layer, values: Values) -> str:
    """Return the templated URL of the layer's tiles for parameter ``values``."""
    return f"{base_url}/tiles/{layer.id}/{{z}}/{{x}}/{{y}}.mvt{query_string(layer, values)}"


def vector_layer(layer: Layer) -> dict[str, Any]:
    """Return the ``vector_layers`` entry of ``layer``: its fields and zooms, and its cap."""
    return {
        "id": layer.id,
        "description": layer.description,
        "minzoom": layer.minzoom,
        "maxzoom": layer.maxzoom,
        "fields": {p.name: TILEJSON_FIELD_TYPES[p.type] for p in layer.properties},
        "geometry_type": layer.geometry_type,
        "feature_cap": layer.feature_cap,
        "feature_cap_order": layer.cap_note,
    }


def tilejson(base_url: str, layer: Layer, values: Values, extent: Box | None) -> dict[str, Any]:
    """Return the TileJSON 3.0.0 document of ``layer``.

    Parameters
    ----------
    base_url
        The service's URL without a trailing slash.
    layer, values
        The registry entry and its parameter values (kept in the tile URL).
    extent
        The lon/lat box of the layer's features, or None for the world.
    """
    west, south, east, north = extent or WORLD
    center_zoom = max(layer.minzoom, min(layer.maxzoom, 10))
    return {
        "tilejson": "3.0.0",
        "name": layer.title,
        "description": layer.description,
        "version": "1.0.0",
        "scheme": "xyz",
        "tiles": [tile_url(base_url, layer, values)],
        "minzoom": layer.minzoom,
        "maxzoom": layer.maxzoom,
        "bounds": [west, max(south, -MAX_LAT), east, min(north, MAX_LAT)],
        "center": [(west + east) / 2, (south + north) / 2, center_zoom],
        "vector_layers": [vector_layer(layer)],
    }
