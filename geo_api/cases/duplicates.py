"""Possible duplicates: the same category within 100 m on the spheroid in the last 7 days.

One GiST scan of ``cases``' geography index finds the cases within the radius; category, age
and status filter them. Managers merge (``lifecycle``: to=duplicate with ``duplicate_of``).
"""

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

RADIUS_M = 100.0
WINDOW_DAYS = 7
LIMIT = 10

NEARBY = text("""
SELECT c.id
FROM cases c
WHERE ST_DWithin(c.geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography,
                 :radius_m, true)
  AND c.category = :category
  AND c.created_at > :at - make_interval(days => :days)
  AND c.status NOT IN ('rejected', 'duplicate')
ORDER BY ST_Distance(c.geom::geography,
                     ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, true), c.id
LIMIT :limit
""")


def nearby_sql() -> str:
    """Return the duplicate search's SQL (for the benchmark's EXPLAIN)."""
    return str(NEARBY)


def possible_duplicates(
    session: Session, category: str, lon: float, lat: float, at: datetime
) -> list[int]:
    """Return the ids of cases a new one at the WGS-84 point may duplicate, nearest first."""
    params = {
        "lon": lon,
        "lat": lat,
        "category": category,
        "radius_m": RADIUS_M,
        "days": WINDOW_DAYS,
        "at": at,
        "limit": LIMIT,
    }
    return [int(i) for i in session.execute(NEARBY, params).scalars()]
