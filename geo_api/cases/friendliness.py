"""Rider-friendly communities (Pudong's 友好社区): can riders get in, park and find buildings.

Per community of a city, the cases of the last ``days`` about entry (no_rider_entry), parking
(no_parking) and finding buildings (building_hard_to_find), and how many were resolved. Only
counts: anyone may read them, as they may see the cases' categories on the map.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.areas import like_patterns
from geo_api.cases.categories import FRIENDLINESS
from geo_api.cases.schemas import CommunityFriendliness, Friendliness

DAYS = 90

FRIENDLINESS_SQL = text("""
SELECT a.adcode, a.name,
       count(c.id) FILTER (WHERE c.category = :entry) AS entry,
       count(c.id) FILTER (WHERE c.category = :parking) AS parking,
       count(c.id) FILTER (WHERE c.category = :finding) AS finding,
       count(c.id) AS total,
       count(c.id) FILTER (WHERE c.status IN ('resolved', 'verified', 'closed')) AS resolved
FROM admin_areas a
LEFT JOIN cases c
  ON c.community_adcode = a.adcode
 AND c.category IN (:entry, :parking, :finding)
 AND c.status NOT IN ('duplicate', 'rejected')
 AND c.created_at >= :since
WHERE a.level = 'community' AND a.adcode LIKE ANY(:patterns)
GROUP BY a.adcode, a.name
""")


def friendliness(session: Session, city: str, days: int = DAYS) -> Friendliness:
    """Return every community of ``city``, most unresolved complaints first."""
    since = datetime.now(UTC) - timedelta(days=days)
    params = {**FRIENDLINESS, "since": since, "patterns": like_patterns([city])}
    communities = [
        CommunityFriendliness(**row, unresolved=row["total"] - row["resolved"])
        for row in session.execute(FRIENDLINESS_SQL, params).mappings()
    ]
    communities.sort(key=lambda c: (-c.unresolved, -c.total, c.adcode))
    return Friendliness(city=city, days=days, since=since, communities=communities)
