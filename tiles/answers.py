"""What a tile request gets back: status, body and headers, from a rendered or cached tile.

Plain values only (the route turns them into a response): a strong ETag per representation
(the hash of the tile's bytes, with ``-gzip`` for the compressed form), ``304`` when
``If-None-Match`` names the tile's content, ``204`` for an empty tile, gzip when the client
accepts it, and headers saying whether the tile was capped and came from the cache.
"""

import gzip
import hashlib
from dataclasses import dataclass

from tiles.cache import Entry

MVT_MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
EXPOSED = "ETag, Warmmap-Cache, Warmmap-Tile-Features, Warmmap-Tile-Capped"


@dataclass(frozen=True)
class Answer:
    """A tile response as plain values."""

    status: int
    body: bytes
    headers: dict[str, str]
    media_type: str = MVT_MEDIA_TYPE


def etag_of(data: bytes) -> str:
    """Return the validator of tile bytes ``data`` (its BLAKE2b-128 in hex, unquoted)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def compress(data: bytes) -> bytes:
    """Return ``data`` gzipped, the same bytes every time (no timestamp)."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Return whether an ``Accept-Encoding`` header admits gzip."""
    for part in (accept_encoding or "").lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "x-gzip", "*"):
            quality = params.strip().removeprefix("q=").strip() if params else "1"
            try:
                return float(quality) > 0
            except ValueError:
                return True
    return False


def matches(if_none_match: str | None, etag: str) -> bool:
    """Return whether ``If-None-Match`` names a representation of the content ``etag``."""
    if not if_none_match:
        return False
    for tag in if_none_match.split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        if tag == "*" or tag.removesuffix("-gzip") == etag:
            return True
    return False


def tile_answer(
    entry: Entry,
    cached: bool,
    if_none_match: str | None,
    gzipped: bytes | None,
    max_age_s: int,
) -> Answer:
    """Return the answer for ``entry``; ``gzipped`` is its compressed body when accepted."""
    headers = {
        "Cache-Control": f"public, max-age={max_age_s}" if max_age_s else "no-cache",
        "Vary": "Accept-Encoding",
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": EXPOSED,
        "Warmmap-Cache": "hit" if cached else "miss",
        "Warmmap-Tile-Features": str(entry.features),
    }
    if entry.capped:
        headers["Warmmap-Tile-Capped"] = "true"
    empty = not entry.data
    headers["ETag"] = (
        f'"{entry.etag}-gzip"' if gzipped is not None and not empty else f'"{entry.etag}"'
    )
    if matches(if_none_match, entry.etag):
        return Answer(304, b"", headers)
    if empty:
        return Answer(204, b"", headers)
    if gzipped is not None:
        headers["Content-Encoding"] = "gzip"
        return Answer(200, gzipped, headers)
    return Answer(200, entry.data, headers)
