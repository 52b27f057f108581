"""Community coverage: per area, how many outlets and riders an open station reaches."""

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.coverage.areas import AREA_TREE_CTE, load_city
from geo_api.coverage.schemas import CommunityCoverage

# Measured from each outlet; the EXISTS lets the stations' geography index answer ST_DWithin.
AREA_COVERAGE = (
    AREA_TREE_CTE
    + """
SELECT a.adcode, a.name,
       count(o.id) AS outlets,
       count(o.id) FILTER (WHERE o.covered) AS covered_outlets,
       coalesce(sum(o.riders), 0) AS riders,
       coalesce(sum(o.riders) FILTER (WHERE o.covered), 0) AS covered_riders
FROM area_tree a
LEFT JOIN LATERAL (
    SELECT ou.id, ou.riders,
           EXISTS (
               SELECT 1 FROM stations s
               WHERE s.status = 'open'
                 AND ST_DWithin(s.geom::geography, ou.geom::geography, :threshold_m)
           ) AS covered
    FROM outlets ou
    WHERE ST_Covers(a.geom, ou.geom)
) o ON true
WHERE a.level = :level
GROUP BY a.adcode, a.name
"""
)


def community_coverage(
    session: Session, city: str, threshold_m: float, level: str
) -> CommunityCoverage:
    """Return each area of ``level`` in ``city`` with its covered share, worst first.

    An outlet counts for every area whose boundary covers it. ``covered_share`` is the share of
    riders within ``threshold_m`` of an open station; it is null for an area without riders,
    and such areas come last.
    """
    load_city(session, city)
    rows = session.execute(
        text(AREA_COVERAGE), {"city": city, "threshold_m": threshold_m, "level": level}
    ).mappings()
    areas = []
    for row in rows:
        riders = int(row["riders"])
        covered_riders = int(row["covered_riders"])
        areas.append(
            {
                "adcode": row["adcode"],
                "name": row["name"],
                "outlets": row["outlets"],
                "covered_outlets": row["covered_outlets"],
                "riders": riders,
                "covered_riders": covered_riders,
                "covered_share": round(covered_riders / riders, 4) if riders else None,
            }
        )
    areas.sort(key=worst_first)
    return CommunityCoverage.model_validate(
        {"city": city, "level": level, "threshold_m": threshold_m, "areas": areas}
    )


def worst_first(area: dict[str, Any]) -> tuple[bool, float, int, str]:
    """Sort key: areas with riders first, lowest share, then most uncovered riders."""
    share = area["covered_share"]
    uncovered = area["riders"] - area["covered_riders"]
    return (share is None, share if share is not None else 0.0, -uncovered, area["adcode"])
