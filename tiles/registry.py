"""The layer registry: every map layer declared once, and everything else built from it.

A ``Layer`` names its SQL (the candidate rows, and an optional enrichment joined to the rows
that are kept), its geometry, its public properties (an allowlist: a column that is not a
``Property`` cannot reach a tile, an OGC item or a queryable), its zoom range, whether polygons
are simplified for the zoom, its feature cap, and which tables of the ``data_changes`` log
invalidate it. Vector tiles, TileJSON, OGC API collections, items, queryables and tilesets are
all built from these entries (``docs/layers.md`` says how to add one).

SQL conventions, so that one builder serves every layer:

- ``candidates`` is a ``SELECT`` over the layer's table(s) exposing the stored geometry as
  ``geom`` (EPSG:4326) and every column the properties use; its ``WHERE`` holds ``{where}``,
  where the builders put the spatial filter on the stored column (index-bound) and nothing
  else. Bind parameters named like the layer's ``Parameter``s may appear in it.
- Property, id and order expressions refer to a candidate row as ``c`` and to the enrichment
  as ``e``; the enrichment is a ``CROSS JOIN LATERAL (...) e`` that may read ``c``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.orm import Session

from geo_api.errors import NotFound

JsonType = Literal["string", "integer", "number", "boolean", "array"]

# TileJSON's field descriptions for each JSON type.
TILEJSON_FIELD_TYPES: dict[str, str] = {
    "string": "String",
    "integer": "Number",
    "number": "Number",
    "boolean": "Boolean",
    "array": "String",
}


@dataclass(frozen=True)
class Property:
    """A public attribute of a layer's features.

    ``sql`` is its value in OGC items; ``tile_sql`` its value in a tile when that differs (MVT
    has no arrays, so an array is joined with commas); ``filter_sql`` the condition of an
    equality filter ``name=value`` when it is not ``sql = :value`` (for an array: contains).
    ``enriched`` marks values that come from the enrichment join.
    """

    name: str
    sql: str
    type: JsonType
    description: str
    enum: tuple[str, ...] = ()
    tile_sql: str | None = None
    filter_sql: str | None = None
    enriched: bool = False


@dataclass(frozen=True)
class Parameter:
    """A query parameter that changes what a layer holds (``threshold_m``, ``res``)."""

    name: str
    type: type[int] | type[float]
    default: float
    minimum: float
    maximum: float
    description: str


@dataclass(frozen=True)
class Materialization:
    """Figures a layer joins from a table that is brought up to date on demand.

    ``stale_sql`` is a boolean SQL expression, true when the table is not up to date for the
    layer's parameters; tiles and items evaluate it in their own statement and, when true, call
    ``refresh(session, params)`` (which writes in the session's transaction) and read again.
    """

    stale_sql: str
    refresh: Callable[[Session, dict[str, float]], None]


@dataclass(frozen=True)
class Layer:
    """One map layer: its SQL, geometry, public properties, zooms and what invalidates it."""

    id: str
    title: str
    description: str
    geometry_type: Literal["Point", "Polygon", "MultiPolygon"]
    table: str
    candidates: str
    geometry_sql: str
    id_sql: str
    id_type: Literal["integer", "string"]
    properties: tuple[Property, ...]
    order_sql: str
    minzoom: int
    maxzoom: int
    # Tables of the data_changes log whose changes invalidate this layer, each with the name of
    # the parameter (a distance in metres) by which a change reaches further, or None.
    depends_on: dict[str, str | None]
    mvt_id_sql: str | None = None
    simplify: bool = False
    feature_cap: int = 10_000
    parameters: tuple[Parameter, ...] = ()
    enrichment: str = ""
    materialization: Materialization | None = None
    cap_note: str = ""
    # Paging order of OGC items (default: the id) and how an item id is looked up: a condition
    # over the candidate row and a parser of the id into its binds (None: no such id).
    id_order: str | None = None
    id_where: str | None = None
    parse_id: Callable[[str], dict[str, Any] | None] | None = None
    property_index: dict[str, Property] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "property_index", {p.name: p for p in self.properties})
        clash = set(self.property_index) & {p.name for p in self.parameters}
        if clash:
            # ?name=value would be both a filter and a parameter
            raise ValueError(f"layer {self.id}: {', '.join(clash)} is a property and a parameter")

    def find_property(self, name: str) -> Property | None:
        """Return the public property ``name``, or None when it is not one."""
        return self.property_index.get(name)

    @property
    def id_condition(self) -> str:
        """Return the SQL condition selecting the item whose id is bound as ``:fid``."""
        return self.id_where or f"{self.id_sql} = :fid"

    def id_binds(self, fid: str) -> dict[str, Any] | None:
        """Return the binds of ``id_condition`` for item id ``fid``, or None if it cannot be."""
        if self.parse_id is not None:
            return self.parse_id(fid)
        if self.id_type == "integer":
            return {"fid": int(fid)} if fid.isdigit() and len(fid) < 19 else None
        return {"fid": fid}

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Return the names of the layer's parameters, in their order."""
        return tuple(p.name for p in self.parameters)


def registry(*layers: Layer) -> dict[str, Layer]:
    """Return ``layers`` by id, refusing two layers with one id."""
    found: dict[str, Layer] = {}
    for layer in layers:
        if layer.id in found:
            raise ValueError(f"layer {layer.id} is declared twice")
        found[layer.id] = layer
    return found


def find_layer(layers: dict[str, Layer], layer_id: str) -> Layer:
    """Return the layer ``layer_id`` or raise NotFound naming the layers there are."""
    layer = layers.get(layer_id)
    if layer is None:
        raise NotFound(f"no layer {layer_id!r}; layers: {', '.join(layers)}")
    return layer
