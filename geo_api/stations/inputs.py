"""Checks of what a request names: a point and its coordinate system, a time, amenities."""

import math
import re
from datetime import datetime

from geo_api import vocab
from geo_api.coords import OUTPUT_SYSTEMS, POINT_INPUT_SYSTEMS, normalize_crs, point_in_china
from geo_api.errors import InvalidInput
from geo_api.vocab.amenities import parse_amenities
from geo_api.vocab.kinds import lookup

_DECODED_PLUS = re.compile(r"T(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def parse_crs(value: str, allowed: tuple[str, ...], parameter: str) -> str:
    """Return the canonical name of ``value`` if it is one of ``allowed``, else a 422 naming it."""
    try:
        crs = normalize_crs(value)
    except InvalidInput as exc:
        raise InvalidInput(f"{parameter}: {exc.detail}") from None
    if crs not in allowed:
        raise InvalidInput(f"{parameter}: {value!r} is not accepted here; use {', '.join(allowed)}")
    return crs


def point_to_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """Return the WGS-84 position of a point given in ``crs``; it must lie in China.

    Longitude and latitude have no range of their own here: a latitude of 104 is most likely a
    longitude, and ``point_in_china`` says so rather than "lat must be <= 90".
    """
    return point_in_china(lon, lat, parse_crs(crs, POINT_INPUT_SYSTEMS, "crs"))


def output_crs(value: str) -> str:
    """Return the canonical output system (wgs84, gcj02 or bd09)."""
    return parse_crs(value, OUTPUT_SYSTEMS, "out_crs")


def parse_at(value: str | None) -> datetime:
    """Return the instant ``at`` names (ISO 8601), or now; naive values are local time."""
    if value is None:
        return datetime.now().astimezone()
    # An unencoded "+08:00" in a query string arrives as " 08:00": take it as the offset it was.
    value = _DECODED_PLUS.sub(r"T\1+\2", value.strip())
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"at: {value!r} is not an ISO 8601 time, e.g. 2026-11-23T22:40:00+08:00"
        ) from None


def check_amenities(values: list[str], parameter: str = "amenity") -> tuple[str, ...]:
    """Return the vocabulary values ``values`` name, else a 422 naming the first unknown word.

    A value is a vocabulary name (``charging``) or the words the loader reads (``充电``,
    ``饮水、热水``): one definition of the words, ``geo_api.vocab.amenities``.
    """
    found: list[str] = []
    for value in values:
        if value in vocab.AMENITIES:  # the common case, without parsing
            found.append(value)
            continue
        known, unknown = parse_amenities(value)
        if unknown or not known:
            word = unknown[0] if unknown else value
            raise InvalidInput(
                f"{parameter}: unknown amenity {word!r}; use {', '.join(vocab.AMENITIES)} "
                "or their Chinese words (充电, 饮水, 卫生间 ...)"
            )
        found.extend(known)
    return tuple(dict.fromkeys(found))


def check_station_kind(value: str | None, parameter: str = "kind") -> str | None:
    """Return the station kind ``value`` names (``warm_station`` or ``暖新驿站``), else a 422."""
    if value is None or value in vocab.STATION_KINDS:
        return value
    kind = lookup("station_kind", value)
    if kind is None:
        raise InvalidInput(
            f"{parameter}: unknown station kind {value!r}; use {', '.join(vocab.STATION_KINDS)} "
            "or their Chinese names (暖新驿站, 工会驿站, 骑手之家 ...)"
        )
    return kind


def check_word(value: str | None, words: tuple[str, ...], parameter: str) -> str | None:
    """Return ``value`` if it is None or one of ``words``, else a 422 naming ``parameter``."""
    if value is not None and value not in words:
        raise InvalidInput(f"{parameter}: unknown value {value!r}; use {', '.join(words)}")
    return value


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """Return ``minlon,minlat,maxlon,maxlat`` as numbers, or a 422 naming ``bbox``."""
    if value is None:
        return None
    try:
        numbers = tuple(float(part) for part in value.split(","))
    except ValueError:
        numbers = ()
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise InvalidInput("bbox: give four numbers minlon,minlat,maxlon,maxlat")
    west, south, east, north = numbers
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise InvalidInput("bbox: needs minlon <= maxlon and minlat <= maxlat within lon/lat range")
    return west, south, east, north
