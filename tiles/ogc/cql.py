"""CQL2 filters (OGC API - Features Part 3) as SQL with bind parameters only.

pygeofilter parses the text (``cql2-text``) or JSON (``cql2-json``) into a syntax tree; this
module turns the tree into a condition over the layer's public properties, each value a bind
parameter and each property an expression of the registry. Supported: basic CQL2 (comparisons,
``AND``/``OR``/``NOT``, ``IS NULL``), ``LIKE``, ``BETWEEN``, ``IN``, ``CASEI`` and the spatial
predicates (``S_INTERSECTS``, ``S_WITHIN``, ... with a WKT geometry or ``BBOX``). Anything else
is refused with a line that names it.
"""

import json
from collections.abc import Callable
from typing import Any

from lark.exceptions import LarkError
from pygeofilter import ast, values
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text import parse as parse_text

from geo_api.errors import BadRequest
from tiles.registry import Layer

COMPARISONS = {
    ast.Equal: "=",
    ast.NotEqual: "<>",
    ast.LessThan: "<",
    ast.LessEqual: "<=",
    ast.GreaterThan: ">",
    ast.GreaterEqual: ">=",
}
SPATIAL = {
    ast.GeometryIntersects: "ST_Intersects",
    ast.GeometryWithin: "ST_Within",
    ast.GeometryContains: "ST_Contains",
    ast.GeometryDisjoint: "ST_Disjoint",
    ast.GeometryTouches: "ST_Touches",
    ast.GeometryCrosses: "ST_Crosses",
    ast.GeometryOverlaps: "ST_Overlaps",
    ast.GeometryEquals: "ST_Equals",
}
GEOMETRY_NAMES = ("geometry", "geom")
Literal = str | int | float | bool


def parse_filter(text: str, lang: str) -> ast.AstType:
    """Return the syntax tree of a ``filter`` in ``lang`` (cql2-text or cql2-json)."""
    try:
        if lang == "cql2-json":
            return parse_json(_bbox_as_polygon(json.loads(text)))
        return parse_text(text)
    except (LarkError, ValueError, TypeError, KeyError, AttributeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BadRequest(f"filter: not valid {lang}: {first}") from None


def _bbox_as_polygon(node: Any) -> Any:
    # pygeofilter 0.4 reads a cql2-json {"bbox": [w, s, e, n]} into a swapped envelope.
    if isinstance(node, dict):
        if set(node) == {"bbox"} and isinstance(node["bbox"], list) and len(node["bbox"]) == 4:
            w, s, e, n = node["bbox"]
            ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
            return {"type": "Polygon", "coordinates": [ring]}
        return {key: _bbox_as_polygon(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_bbox_as_polygon(item) for item in node]
    return node


class FilterSQL:
    """Translates one filter for one layer, collecting its bind parameters."""

    def __init__(self, layer: Layer, prefix: str = "q") -> None:
        self.layer = layer
        self.prefix = prefix
        self.binds: dict[str, Any] = {}
        self.uses_enrichment = False

    def condition(self, node: ast.AstType) -> str:
        """Return the SQL condition of ``node``."""
        for kind, handler in self._handlers():
            if isinstance(node, kind):
                return handler(node)
        if isinstance(node, bool):
            return "true" if node else "false"
        raise BadRequest(f"filter: {type(node).__name__} is not supported here")

    def _handlers(self) -> list[tuple[Any, Callable[[Any], str]]]:
        return [
            (ast.And, lambda n: f"({self.condition(n.lhs)} AND {self.condition(n.rhs)})"),
            (ast.Or, lambda n: f"({self.condition(n.lhs)} OR {self.condition(n.rhs)})"),
            (ast.Not, lambda n: f"(NOT {self.condition(n.sub_node)})"),
            (ast.Include, lambda n: "false" if n.not_ else "true"),
            (tuple(COMPARISONS), self._comparison),
            (ast.IsNull, lambda n: f"({self.scalar(n.lhs)} IS {'NOT ' if n.not_ else ''}NULL)"),
            (ast.Like, self._like),
            (ast.Between, self._between),
            (ast.In, self._in),
            (tuple(SPATIAL), self._spatial),
        ]

    def _comparison(self, node: Any) -> str:
        return f"({self.scalar(node.lhs)} {COMPARISONS[type(node)]} {self.scalar(node.rhs)})"

    def _like(self, node: Any) -> str:
        # CQL2's LIKE wildcards are SQL's: % for any run, _ for one character, \\ escapes.
        op = ("NOT " if node.not_ else "") + ("ILIKE" if node.nocase else "LIKE")
        return f"({self.scalar(node.lhs)} {op} {self.bind(str(node.pattern))})"

    def _between(self, node: Any) -> str:
        op = "NOT BETWEEN" if node.not_ else "BETWEEN"
        low, high = self.scalar(node.low), self.scalar(node.high)
        return f"({self.scalar(node.lhs)} {op} {low} AND {high})"

    def _in(self, node: Any) -> str:
        items = ", ".join(self.scalar(item) for item in node.sub_nodes)
        return f"({self.scalar(node.lhs)} {'NOT IN' if node.not_ else 'IN'} ({items}))"

    def _spatial(self, node: Any) -> str:
        lhs, rhs = node.lhs, node.rhs
        if not self._is_geometry(lhs):
            lhs, rhs = rhs, lhs
        if not self._is_geometry(lhs):
            raise BadRequest("filter: a spatial predicate needs the property geometry")
        return f"{SPATIAL[type(node)]}(c.geom, {self.geometry(rhs)})"

    def _is_geometry(self, node: Any) -> bool:
        return isinstance(node, ast.Attribute) and node.name in GEOMETRY_NAMES

    def geometry(self, node: Any) -> str:
        """Return the SQL of a geometry literal (CRS84)."""
        if isinstance(node, values.Geometry):
            return f"ST_GeomFromGeoJSON({self.bind(json.dumps(node.geometry))})"
        if isinstance(node, ast.Function) and node.name.lower() == "bbox":
            numbers = [self.bind(float(a)) for a in node.arguments]
            if len(numbers) != 4:
                raise BadRequest("filter: BBOX takes west, south, east, north")
            return f"ST_MakeEnvelope({', '.join(numbers)}, 4326)"
        raise BadRequest(f"filter: {type(node).__name__} is not a geometry")

    def scalar(self, node: Any) -> str:
        """Return the SQL of a property, a literal, or CASEI/LOWER/UPPER of one."""
        if isinstance(node, ast.Attribute):
            return self.attribute(node.name)
        if isinstance(node, ast.Function) and node.name.lower() in ("lower", "upper"):
            if len(node.arguments) != 1:
                raise BadRequest(f"filter: {node.name} takes one argument")
            return f"{node.name.lower()}({self.scalar(node.arguments[0])})"
        if isinstance(node, bool | int | float | str):
            return self.bind(node)
        if isinstance(node, ast.Node):
            raise BadRequest(f"filter: {type(node).__name__} is not supported here")
        raise BadRequest(f"filter: {type(node).__name__} values are not supported")

    def attribute(self, name: str) -> str:
        """Return the SQL of the public property ``name``."""
        prop = self.layer.find_property(name)
        if prop is None:
            names = ", ".join(p.name for p in self.layer.properties)
            raise BadRequest(f"filter: {name!r} is not a queryable of {self.layer.id}: {names}")
        if prop.type == "array":
            raise BadRequest(f"filter: {name} is a list; filter it with {name}=value instead")
        self.uses_enrichment = self.uses_enrichment or prop.enriched
        return prop.sql

    def bind(self, value: Literal) -> str:
        """Return a new bind parameter holding ``value``."""
        name = f"{self.prefix}{len(self.binds)}"
        self.binds[name] = value
        return f":{name}"
