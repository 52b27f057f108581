"""Vector tiles: one SQL statement per tile, built from the layer's registry entry.

How a tile is made (the statements are ``tile_sql``'s):

- **Index-bound.** Candidates are found with ``stored geom && envelope``, the stored column
  (EPSG:4326) against the tile envelope transformed once to 4326 and widened by the buffer
  (``ST_TileEnvelope(..., margin => 256/4096)``), never ``ST_Transform(column)`` in a WHERE:
  the GiST index answers (``tests/test_tiles_sql.py`` checks the plan).
- **Capped, deterministically.** At most ``layer.feature_cap`` candidates are kept, in the
  layer's ``order_sql`` (for outlets: most riders first); one more is read to know whether any
  was dropped, which the answer reports (``Tile.capped``; the HTTP header
  ``Warmmap-Tile-Capped``). A tile is first read without sorting, since a tile under the cap
  keeps every candidate whatever the order; only a capped tile is read again in order
  (sorting the candidates of a dense zoom-10 tile is a sixth of its time).
- **Clipped and simplified.** Polygons are cut to the tile plus twice its buffer in 4326
  (``ST_ClipByBox2D``, so a district at zoom 14 is not transformed whole), simplified where the
  layer asks for it to a tolerance that moves no vertex by more than one tile unit (done in
  4326 before the transform: at zooms 6-8 it halves the time of the district and street
  tiles and their size), transformed to EPSG:3857 and encoded by ``ST_AsMVTGeom`` (extent
  4096, buffer 256, clipped), which snaps them to the grid and makes them valid.
- **Enriched after the cap.** A layer's enrichment (communities' coverage figures) is computed
  only for the rows the tile keeps.
"""

import math
from dataclasses import dataclass

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from tiles.grid import BUFFER, EXTENT, MARGIN, tile_box, unit_m
from tiles.params import Values, bind
from tiles.registry import Layer

BOUNDS = """
WITH bounds AS MATERIALIZED (
    SELECT ST_TileEnvelope(:z, :x, :y) AS tile,
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => :margin), 4326) AS search,
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => :clip_margin), 4326)::box2d
               AS clip
)"""

# Unordered: one pass over at most cap + 1 candidates. When there are cap + 1, the tile is
# capped and read again in order (ORDERED_SQL); otherwise every candidate is in it anyway.
UNORDERED_SQL = (
    BOUNDS
    + """, t AS (
    SELECT {columns}, ST_AsMVTGeom({geometry}, bounds.tile, {extent}, {buffer}, true) AS geom
    FROM (SELECT * FROM ({candidates}) AS c LIMIT :cap + 1) AS c
    {enrichment}
    CROSS JOIN bounds
)
SELECT count(*) AS candidates, count(*) FILTER (WHERE t.geom IS NOT NULL) AS features,
       ST_AsMVT(t.*, :layer, {extent}, 'geom'{id_column}) FILTER (WHERE t.geom IS NOT NULL)
           AS data,
       {stale} AS stale
FROM t
"""
)

ORDERED_SQL = (
    BOUNDS
    + """, c AS MATERIALIZED (
    SELECT * FROM ({candidates}) AS c
    ORDER BY {order}
    LIMIT :cap + 1
), t AS (
    SELECT {columns}, ST_AsMVTGeom({geometry}, bounds.tile, {extent}, {buffer}, true) AS geom
    FROM (SELECT * FROM c ORDER BY {order} LIMIT :cap) AS c
    {enrichment}
    CROSS JOIN bounds
)
SELECT (SELECT count(*) FROM c) AS candidates, count(*) AS features,
       ST_AsMVT(t.*, :layer, {extent}, 'geom'{id_column}) AS data, {stale} AS stale
FROM t
WHERE t.geom IS NOT NULL
"""
)

SEARCH = "(SELECT search FROM bounds)"


@dataclass(frozen=True)
class Tile:
    """A rendered tile: its MVT bytes, how many features it holds, whether it was capped.

    ``stale`` says that the layer's materialized figures were not up to date when it was read.
    """

    data: bytes
    features: int
    capped: bool
    stale: bool = False


def geometry_sql(layer: Layer) -> str:
    """Return the expression turning a candidate's geometry into the tile's (EPSG:3857)."""
    if layer.geometry_type == "Point":
        return "ST_Transform(c.geom, 3857)"
    clipped = "ST_ClipByBox2D(c.geom, bounds.clip)"
    if layer.simplify:
        # preserveCollapsed false: a polygon smaller than a unit disappears, as it would anyway
        clipped = f"ST_Simplify({clipped}, :tolerance_deg, false)"
    return f"ST_Transform({clipped}, 3857)"


def tile_columns(layer: Layer) -> str:
    """Return the tile's property columns, named as the registry names them."""
    columns = [f'{p.tile_sql or p.sql} AS "{p.name}"' for p in layer.properties]
    if layer.mvt_id_sql:
        columns.insert(0, f"{layer.mvt_id_sql} AS mvt_id")
    return ", ".join(columns)


def tile_sql(layer: Layer, ordered: bool = True) -> str:
    """Return the SQL text of one tile of ``layer`` (every value a bind parameter).

    ``ordered`` sorts the candidates in the layer's cap order before the cap applies.
    """
    return (ORDERED_SQL if ordered else UNORDERED_SQL).format(
        candidates=layer.candidates.format(where=f"{layer.geometry_sql} && {SEARCH}"),
        order=layer.order_sql,
        columns=tile_columns(layer),
        geometry=geometry_sql(layer),
        enrichment=layer.enrichment,
        extent=EXTENT,
        buffer=BUFFER,
        id_column=", 'mvt_id'" if layer.mvt_id_sql else "",
        stale=stale_sql(layer),
    )


def stale_sql(layer: Layer) -> str:
    """Return the layer's staleness test as SQL (``false`` without a materialization)."""
    return layer.materialization.stale_sql if layer.materialization else "false"


_STATEMENTS: dict[str, TextClause] = {}


def statement(layer: Layer, ordered: bool) -> TextClause:
    """Return the compiled statement of ``layer``'s tiles, compiled once per SQL text."""
    sql = tile_sql(layer, ordered)
    found = _STATEMENTS.get(sql)
    if found is None:
        found = _STATEMENTS[sql] = text(sql)
    return found


def tolerance_deg(z: int, y: int) -> float:
    """Return a tolerance in degrees that moves no vertex of tile row (z, y) by over one unit.

    A unit is ``unit_m`` Mercator metres, each 1/111,319.5 degree of longitude, and as much
    in latitude shrunk by the cosine of the tile's latitude farthest from the equator.
    """
    _, south, _, north = tile_box(z, 0, y)
    return unit_m(z) / 111_319.5 * math.cos(math.radians(max(abs(south), abs(north))))


def tile_params(layer: Layer, values: Values, z: int, x: int, y: int) -> dict[str, object]:
    """Return the bind parameters of tile z/x/y of ``layer`` with parameter ``values``."""
    return {
        "z": z,
        "x": x,
        "y": y,
        "margin": MARGIN,
        "clip_margin": 2 * MARGIN,
        "cap": layer.feature_cap,
        "layer": layer.id,
        "tolerance_deg": tolerance_deg(z, y),
        **bind(layer, values),
    }


def render_tile(session: Session, layer: Layer, values: Values, z: int, x: int, y: int) -> Tile:
    """Return tile z/x/y of ``layer`` for parameter ``values``, straight from the database.

    Parameters
    ----------
    session
        Any session; the tile is read in one statement.
    layer
        The registry entry.
    values
        The layer's parameter values (``tiles.params.parse_parameters``).
    z, x, y
        The tile in WebMercatorQuad, already checked (``tiles.grid.check_tile``).

    Returns
    -------
    Tile
        Empty ``data`` when no feature falls in the tile.
    """
    params = tile_params(layer, values, z, x, y)
    row = session.execute(statement(layer, ordered=False), params).one()
    if row.candidates > layer.feature_cap:
        row = session.execute(statement(layer, ordered=True), params).one()
    data = bytes(row.data) if row.features else b""
    return Tile(
        data=data,
        features=int(row.features),
        capped=row.candidates > layer.feature_cap,
        stale=bool(row.stale),
    )
