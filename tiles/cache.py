"""A bounded in-process cache of rendered tiles, dropped where the data changed.

Entries are kept in least-recently-used order within ``max_bytes``. A change of a table drops
only the tiles of the layers that depend on it and whose area (the tile and its buffer) meets
the change's extent, widened by how far the change reaches into the layer (a station's change
reaches every community within ``threshold_m``): one city's load leaves the tiles of other
cities cached. Tiles are indexed by layer, parameters and zoom, so a change looks up the few
tiles over its extent instead of scanning the cache. A tile rendered while a change was being
read is not kept if that change touches it, so no stale tile outlives the poll that saw it.
"""

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from tiles.changes import Change
from tiles.grid import MARGIN, Box, intersects, tile_box, tiles_covering, widen
from tiles.params import Values, reach_m
from tiles.registry import Layer

TileKey = tuple[str, Values, int, int, int]  # layer id, parameter values, z, x, y
GroupKey = tuple[str, Values, int]
ENTRY_OVERHEAD_BYTES = 300  # a key, an entry and their index slots, roughly
RECENT_POLLS = 64


@dataclass
class Entry:
    """A cached tile: its bytes, their gzip form once asked for, and its validator."""

    data: bytes
    etag: str
    features: int
    capped: bool
    gzipped: bytes | None = field(default=None)

    @property
    def size(self) -> int:
        """Return the bytes this entry holds, with a fixed overhead."""
        return len(self.data) + len(self.gzipped or b"") + ENTRY_OVERHEAD_BYTES


def content_box(z: int, x: int, y: int) -> Box:
    """Return the lon/lat box a tile's content comes from: the tile and its buffer."""
    return tile_box(z, x, y, MARGIN)


class TileCache:
    """Tiles by key within ``max_bytes`` (0 keeps nothing), invalidated by ``Change``s."""

    def __init__(self, layers: dict[str, Layer], max_bytes: int) -> None:
        self.layers = layers
        self.max_bytes = max_bytes
        self.bytes = 0
        self.entries: OrderedDict[TileKey, Entry] = OrderedDict()
        self.groups: dict[GroupKey, set[tuple[int, int]]] = {}
        self.generation = 0
        self.recent: deque[tuple[int, list[Change]]] = deque(maxlen=RECENT_POLLS)
        self.lock = threading.Lock()

    def get(self, key: TileKey) -> Entry | None:
        """Return the entry of ``key`` (now the most recently used), or None."""
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: TileKey, entry: Entry, generation: int) -> bool:
        """Keep ``entry`` unless a change seen after ``generation`` touches it; say if kept."""
        if entry.size > self.max_bytes:
            return False
        with self.lock:
            if self._touched_since(key, generation):
                return False
            self._drop(key)
            self.entries[key] = entry
            self.groups.setdefault(key[:3], set()).add(key[3:])
            self.bytes += entry.size
            while self.bytes > self.max_bytes:
                self._drop(next(iter(self.entries)))
            return True

    def add_gzipped(self, key: TileKey, entry: Entry, gzipped: bytes) -> None:
        """Keep the gzip form of a cached entry, counting its bytes."""
        with self.lock:
            if entry.gzipped is None and self.entries.get(key) is entry:
                entry.gzipped = gzipped
                self.bytes += len(gzipped)

    def invalidate(self, changes: list[Change]) -> int:
        """Drop the entries ``changes`` touch; return how many were dropped."""
        with self.lock:
            self.generation += 1
            self.recent.append((self.generation, changes))
            doomed = {key for change in changes for key in self._touched(change)}
            for key in doomed:
                self._drop(key)
            return len(doomed)

    def _drop(self, key: TileKey) -> None:
        entry = self.entries.pop(key, None)
        if entry is None:
            return
        self.bytes -= entry.size
        group = self.groups[key[:3]]
        group.discard(key[3:])
        if not group:
            del self.groups[key[:3]]

    def _touched(self, change: Change) -> list[TileKey]:
        """Return the cached keys whose content ``change`` may alter."""
        found = []
        for (layer_id, values, z), cells in self.groups.items():
            layer = self.layers[layer_id]
            if change.layer not in layer.depends_on:
                continue
            if change.box is None:
                found += [(layer_id, values, z, x, y) for x, y in cells]
                continue
            reach = widen(change.box, reach_m(layer, values, change.layer))
            x0, y0, x1, y1 = tiles_covering(reach, z)
            if (x1 - x0 + 3) * (y1 - y0 + 3) < len(cells):
                # probe the tiles over the reach, one more around for the buffer
                near = ((x, y) for x in range(x0 - 1, x1 + 2) for y in range(y0 - 1, y1 + 2))
                candidates = [cell for cell in near if cell in cells]
            else:
                candidates = list(cells)
            found += [
                (layer_id, values, z, x, y)
                for x, y in candidates
                if intersects(content_box(z, x, y), reach)
            ]
        return found

    def _touched_since(self, key: TileKey, generation: int) -> bool:
        if generation == self.generation:
            return False
        polls = [changes for seen, changes in self.recent if seen > generation]
        if len(polls) < self.generation - generation:
            return True  # the render outlived the polls remembered: do not trust it
        return any(self._touches(key, change) for changes in polls for change in changes)

    def _touches(self, key: TileKey, change: Change) -> bool:
        layer = self.layers[key[0]]
        if change.layer not in layer.depends_on:
            return False
        if change.box is None:
            return True
        reach = widen(change.box, reach_m(layer, key[1], change.layer))
        return intersects(content_box(*key[2:]), reach)
