"""Administrative areas: which area holds a point, and which area holds another.

Chinese area codes (GB/T 2260, extended by the statistics office) nest: a province ``510000``
holds the city ``510100``, which holds the district ``510104``, which holds the street
``510104001``, which holds the community ``510104001001``. The six-digit codes are padded with
zeros, so containment is a prefix test on the significant part, not on the code as written:
``510100`` holds ``510104`` although it is not a prefix of it. Every scope check goes through
``contains``.
"""

import re
from typing import Annotated

from pydantic import StringConstraints

ADCODE_PATTERN = r"^\d{6,32}$"
ADCODE_RE = re.compile(ADCODE_PATTERN)

# An area code as the API takes it: six digits (province, city or district), nine (street),
# twelve (community) or more (a grid cell of a community).
Adcode = Annotated[str, StringConstraints(pattern=ADCODE_PATTERN, max_length=32)]


def significant(adcode: str) -> str:
    """Return the part of ``adcode`` that every area inside it starts with.

    >>> [significant(a) for a in ("510000", "510100", "510104", "510104001")]
    ['51', '5101', '510104', '510104001']
    """
    if len(adcode) == 6:
        if adcode.endswith("0000"):
            return adcode[:2]
        if adcode.endswith("00"):
            return adcode[:4]
    return adcode


def contains(outer: str, inner: str | None) -> bool:
    """Return whether the area ``outer`` holds the area ``inner`` (an area holds itself)."""
    return inner is not None and inner.startswith(significant(outer))


def like_patterns(adcodes: tuple[str, ...] | list[str]) -> list[str]:
    """Return SQL ``LIKE`` patterns matching every code inside any of ``adcodes``.

    For queries: ``WHERE community_adcode LIKE ANY(:patterns)`` is ``contains`` in SQL.
    """
    return [significant(a) + "%" for a in adcodes]


def area_lookup(level: str, point: str) -> str:
    """Return a scalar subquery: the adcode of the ``level`` area containing ``point``.

    Where areas overlap (they should not), the smallest adcode wins, so reruns agree.
    """
    return (
        f"(SELECT a.adcode FROM admin_areas a WHERE a.level = '{level}' "
        f"AND ST_Intersects(a.geom, {point}) ORDER BY a.adcode LIMIT 1)"
    )
