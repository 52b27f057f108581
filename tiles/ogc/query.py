"""The query string of an OGC API items request, checked: 400 with one line when it is wrong."""

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from pygeofilter import ast

from geo_api.errors import BadRequest
from tiles.grid import Box
from tiles.ogc.cql import parse_filter
from tiles.params import Values, parse_parameters
from tiles.registry import Layer, Property

DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CRS84_NAMES = {CRS84, "CRS84", "OGC:CRS84", "http://www.opengis.net/def/crs/EPSG/0/4326"}
# Past this, an offset is not paging but probing (and past 2**63 the database refuses it).
MAX_OFFSET = 1_000_000_000
STANDARD = {"f", "limit", "offset", "bbox", "bbox-crs", "filter", "filter-lang", "filter-crs"}


@dataclass(frozen=True)
class ItemsQuery:
    """What an items request asks for."""

    values: Values
    bbox: Box | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    equals: tuple[tuple[Property, Any], ...] = ()
    filter: ast.AstType | None = None


def parse_items_query(
    layer: Layer, query: Mapping[str, str], parameter_names: Collection[str]
) -> ItemsQuery:
    """Return the checked ``query`` of an items request for ``layer``."""
    allowed = STANDARD | set(layer.parameter_names) | set(layer.property_index)
    for name in query:
        if name not in allowed and name not in parameter_names:
            raise BadRequest(
                f"{name}: unknown parameter; {layer.id} takes {', '.join(sorted(allowed - {'f'}))}"
            )
    check_format(query.get("f"))
    check_crs(query, "bbox-crs")
    check_crs(query, "filter-crs")
    return ItemsQuery(
        values=parse_parameters(layer, query, parameter_names, BadRequest),
        bbox=parse_bbox(query.get("bbox")),
        # Above the maximum the maximum applies (OGC API - Features, /req/core/fc-limit-response)
        limit=min(integer(query, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT),
        offset=integer(query, "offset", 0, 0, MAX_OFFSET),
        equals=tuple(
            (prop, typed(prop, query[prop.name])) for prop in layer.properties if prop.name in query
        ),
        filter=parse_cql(query),
    )


def check_format(f: str | None) -> None:
    """Refuse an ``f`` other than JSON: GeoJSON and JSON are what the API speaks."""
    if f is not None and f.lower() not in ("json", "geojson", "application/json"):
        raise BadRequest(f"f: only json is served, not {f!r}")


def check_crs(query: Mapping[str, str], name: str) -> None:
    """Refuse a coordinate system other than CRS84 for ``bbox-crs`` or ``filter-crs``."""
    value = query.get(name)
    if value is not None and value not in CRS84_NAMES:
        raise BadRequest(f"{name}: only {CRS84} is supported")


def integer(
    query: Mapping[str, str], name: str, default: int, minimum: int, maximum: int | None = None
) -> int:
    """Return the integer parameter ``name`` (at least ``minimum``, at most ``maximum``)."""
    raw = query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name}: must be an integer, got {raw!r}") from None
    if value < minimum:
        raise BadRequest(f"{name}: must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise BadRequest(f"{name}: must be at most {maximum}, got {value}")
    return value


def parse_bbox(raw: str | None) -> Box | None:
    """Return ``bbox`` as west, south, east, north (a 3-D box loses its heights)."""
    if raw is None:
        return None
    try:
        numbers = [float(part) for part in raw.split(",")]
    except ValueError:
        raise BadRequest(f"bbox: must be 4 or 6 numbers separated by commas, got {raw!r}") from None
    if len(numbers) not in (4, 6) or not all(math.isfinite(n) for n in numbers):
        raise BadRequest(f"bbox: must be 4 or 6 numbers separated by commas, got {raw!r}")
    west, south, east, north = numbers if len(numbers) == 4 else [numbers[i] for i in (0, 1, 3, 4)]
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise BadRequest(
            "bbox: west and east within -180..180, south <= north within -90..90 "
            f"(longitude first), got {raw}"
        )
    return west, south, east, north


def typed(prop: Property, raw: str) -> Any:
    """Return the value of an equality filter on ``prop`` in the property's type."""
    try:
        if prop.type == "integer":
            return int(raw)
        if prop.type == "number":
            return float(raw)
    except ValueError:
        raise BadRequest(f"{prop.name}: must be a number, got {raw!r}") from None
    if prop.type == "boolean":
        if raw.lower() not in ("true", "false"):
            raise BadRequest(f"{prop.name}: must be true or false, got {raw!r}")
        return raw.lower() == "true"
    return raw


def parse_cql(query: Mapping[str, str]) -> ast.AstType | None:
    """Return the parsed ``filter`` (in ``filter-lang``, default cql2-text), if any."""
    lang = query.get("filter-lang", "cql2-text")
    if lang not in ("cql2-text", "cql2-json"):
        raise BadRequest(f"filter-lang: cql2-text or cql2-json, not {lang!r}")
    text = query.get("filter")
    return None if text is None or not text.strip() else parse_filter(text, lang)
