"""Administrative areas: which area holds a point, and which area holds another."""


def area_lookup(level: str, point: str) -> str:
    """Return a scalar subquery: the adcode of the ``level`` area containing ``point``.

    Where areas overlap (they should not), the smallest adcode wins, so reruns agree.
    """
    return (
        f"(SELECT a.adcode FROM admin_areas a WHERE a.level = '{level}' "
        f"AND ST_Intersects(a.geom, {point}) ORDER BY a.adcode LIMIT 1)"
    )
