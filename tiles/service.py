"""One process's map layers: tiles through the cache, layer extents, and the change log.

``MapLayers`` lives on the app (``app.state.layers``). Each request first lets the watcher
read the ``data_changes`` log (at most once per ``tile_change_poll_s``) and drop the cached
tiles and extents the changes touch; then the tile comes from the cache or from PostGIS.
"""

import threading
import time

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.settings import Settings
from tiles.answers import Answer, accepts_gzip, compress, etag_of, tile_answer
from tiles.cache import Entry, TileCache, TileKey
from tiles.changes import ChangeWatcher
from tiles.grid import Box, check_tile
from tiles.mvt import Tile, render_tile
from tiles.params import Values, bind
from tiles.registry import Layer

EXTENT_SQL = """
SELECT ST_XMin(x) AS west, ST_YMin(x) AS south, ST_XMax(x) AS east, ST_YMax(x) AS north
FROM (SELECT ST_Extent(c.geom)::geometry AS x FROM ({candidates}) AS c) AS extent
"""

TABLE_ROWS = "SELECT reltuples FROM pg_class WHERE oid = CAST(:table AS regclass)"
SIZE_TTL_S = 60.0


class MapLayers:
    """The layers of one worker process, with its tile cache and its reader of the log."""

    def __init__(self, layers: dict[str, Layer], settings: Settings) -> None:
        self.layers = layers
        self.cache = TileCache(layers, int(settings.tile_cache_mb * 1_000_000))
        self.watcher = ChangeWatcher(settings.tile_change_poll_s)
        self.max_age_s = settings.tile_max_age_s
        self.extents: dict[tuple[str, Values], Box | None] = {}
        self.extents_lock = threading.Lock()
        self.sizes: dict[str, tuple[float, float]] = {}  # table -> (rows, when read)

    def follow_changes(self, session: Session) -> None:
        """Read the log if it is time, and drop what the new changes touch."""
        changes = self.watcher.poll(session)
        if not changes:
            return
        self.cache.invalidate(changes)
        tables = {change.layer for change in changes}
        for table in tables:
            self.sizes.pop(table, None)
        with self.extents_lock:
            for key in [k for k in self.extents if tables & set(self.layers[k[0]].depends_on)]:
                del self.extents[key]

    def tile(
        self,
        read: Session,
        write: Session,
        layer: Layer,
        values: Values,
        tile: tuple[int, int, int],
        headers: tuple[str | None, str | None],
    ) -> Answer:
        """Return the answer to a request for ``tile`` (z, x, y) of ``layer``.

        Parameters
        ----------
        read
            The session tiles are read in (an autocommit one in production).
        write
            A session that may write and commit: a layer's materialized figures are brought
            up to date in it when the tile's statement finds them stale.
        layer, values
            The registry entry and its parameter values.
        tile
            z, x, y in WebMercatorQuad.
        headers
            The request's ``If-None-Match`` and ``Accept-Encoding``.
        """
        z, x, y = tile
        check_tile(layer, z, x, y)
        self.follow_changes(read)
        key: TileKey = (layer.id, values, z, x, y)
        entry = self.cache.get(key)
        cached = entry is not None
        if entry is None:
            generation = self.cache.generation
            rendered = self.render(read, write, layer, values, tile)
            entry = Entry(rendered.data, etag_of(rendered.data), rendered.features, rendered.capped)
            self.cache.put(key, entry, generation)
        if_none_match, accept_encoding = headers
        gzipped = None
        if entry.data and accepts_gzip(accept_encoding):
            gzipped = entry.gzipped or compress(entry.data)
            self.cache.add_gzipped(key, entry, gzipped)
        return tile_answer(entry, cached, if_none_match, gzipped, self.max_age_s)

    def render(
        self,
        read: Session,
        write: Session,
        layer: Layer,
        values: Values,
        tile: tuple[int, int, int],
    ) -> Tile:
        """Render ``tile`` from the database, refreshing stale materialized figures once."""
        rendered = render_tile(read, layer, values, *tile)
        if rendered.stale and layer.materialization is not None:
            layer.materialization.refresh(write, bind(layer, values))
            write.commit()
            rendered = render_tile(read, layer, values, *tile)
        return rendered

    def extent(self, session: Session, layer: Layer, values: Values) -> Box | None:
        """Return the lon/lat box of the layer's features (None when it has none)."""
        self.follow_changes(session)
        key = (layer.id, values)
        with self.extents_lock:
            if key in self.extents:
                return self.extents[key]
        sql = EXTENT_SQL.format(candidates=layer.candidates.format(where="true"))
        row = session.execute(text(sql), bind(layer, values)).one()
        box = None if row.west is None else (row.west, row.south, row.east, row.north)
        with self.extents_lock:
            self.extents[key] = box
        return box

    def table_rows(self, session: Session, table: str) -> float:
        """Return the planner's row count of ``table`` (-1 when never analysed).

        Re-read at most every ``SIZE_TTL_S``, or after the table changed.
        """
        found = self.sizes.get(table)
        if found is not None and time.monotonic() - found[1] < SIZE_TTL_S:
            return found[0]
        rows = session.execute(text(TABLE_ROWS), {"table": table}).scalar_one()
        self.sizes[table] = (float(rows), time.monotonic())
        return float(rows)
