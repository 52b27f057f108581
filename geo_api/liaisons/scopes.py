"""Which liaisons relate to an area: those serving inside it, and those whose scope holds it.

A community is served by its own community liaisons and by the police liaisons of its street (or
district): both are "its" liaisons, though only the first are inside it. ``ancestors`` lists the
codes of the areas that may hold an area, so that SQL can find the second kind by equality.
"""

from geo_api.areas import contains, like_patterns


def ancestors(adcode: str) -> list[str]:
    """Return the codes of the areas holding ``adcode`` (grid, community, street, district, ...).

    >>> ancestors("510104001002")
    ['510104001', '510104', '510100', '510000']
    """
    codes = [adcode[:cut] for cut in (12, 9, 6) if len(adcode) > cut]
    codes += [adcode[:4] + "00", adcode[:2] + "0000"]
    seen = dict.fromkeys(c for c in codes if c != adcode and contains(c, adcode))
    return list(seen)


def related_filter(areas: list[str]) -> tuple[str, dict[str, list[str]]]:
    """Return a SQL condition on ``l.scope_adcode`` and its parameters: related to ``areas``."""
    holders = sorted({code for area in areas for code in ancestors(area)} | set(areas))
    condition = "(l.scope_adcode LIKE ANY(:inside) OR l.scope_adcode = ANY(:holders))"
    return condition, {"inside": like_patterns(areas), "holders": holders}


def related(area: str, scope_adcode: str | None) -> bool:
    """Return whether a liaison of ``scope_adcode`` serves inside ``area`` or holds it."""
    if scope_adcode is None:
        return False
    return contains(area, scope_adcode) or contains(scope_adcode, area)
