"""Community coverage: per area, how many outlets and riders an open station reaches.

Measured from each outlet (``measured_from: "outlet"``): an outlet is covered when an open
station lies within ``threshold_m`` of it, as the site planner counts demand. ``GET
/coverage/gaps`` measures from the centres of H3 cells instead, so its uncovered riders differ a
little; both answers carry the city's per-outlet totals (``city_totals``) and a note saying so.
"""

from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.coverage.areas import AREA_TREE_CTE, load_city
from geo_api.coverage.reach import city_outlet_rows, covered_outlets, outlet_rows_by_id
from geo_api.coverage.schemas import CommunityCoverage
from geo_api.notes import note

MEASURED_FROM = "outlet"
# Whether the outlet ``ou`` has an open station within ``:threshold_m``, in SQL: the definition
# of "covered" for the report map, which ``geo_api.coverage.reach`` computes for the answers
# (tests keep the two equal).
COVERED_OUTLET = """
EXISTS (
    SELECT 1 FROM stations s
    WHERE s.status = 'open' AND ST_DWithin(s.geom::geography, ou.geom::geography, :threshold_m)
)"""
# The outlets each area of a level covers, through the outlets' spatial index.
AREA_OUTLETS = (
    AREA_TREE_CTE
    + """
SELECT a.adcode, a.name,
       coalesce(array_agg(ou.id) FILTER (WHERE ou.id IS NOT NULL), '{}') AS outlet_ids
FROM area_tree a
LEFT JOIN outlets ou ON ST_Covers(a.geom, ou.geom)
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
    and such areas come last. Whether each outlet is covered is found once, for the city and
    all its areas together (``geo_api.coverage.reach``).
    """
    load_city(session, city)
    members = [
        (row.adcode, row.name, np.array(row.outlet_ids, dtype=np.int64))
        for row in session.execute(text(AREA_OUTLETS), {"city": city, "level": level})
    ]
    in_city = city_outlet_rows(session, city)
    known = {row[0] for row in in_city}
    beyond = sorted({int(i) for *_, ids in members for i in ids} - known)
    outlets = covered_outlets(session, in_city + outlet_rows_by_id(session, beyond), threshold_m)
    areas = []
    for adcode, name, ids in members:
        counts = outlets.totals(ids)
        riders, covered_riders = counts["riders"], counts["covered_riders"]
        areas.append(
            {
                "adcode": adcode,
                "name": name,
                **counts,
                "covered_share": round(covered_riders / riders, 4) if riders else None,
            }
        )
    areas.sort(key=worst_first)
    city_ids = np.array(sorted(known), dtype=np.int64)
    totals = _with_shares(outlets.totals(city_ids))
    return CommunityCoverage.model_validate(
        {
            "city": city,
            "level": level,
            "threshold_m": threshold_m,
            "measured_from": MEASURED_FROM,
            "totals": totals,
            "notes": [measured_from_outlets_note(threshold_m, totals)],
            "areas": areas,
        }
    )


def city_totals(session: Session, city: str, threshold_m: float) -> dict[str, Any]:
    """Return the outlets and riders inside ``city`` and how many are covered, per outlet."""
    return _with_shares(
        covered_outlets(session, city_outlet_rows(session, city), threshold_m).totals()
    )


def _with_shares(counts: dict[str, int]) -> dict[str, Any]:
    riders, covered = counts["riders"], counts["covered_riders"]
    return {
        **counts,
        "uncovered_riders": riders - covered,
        "covered_share": round(covered / riders, 4) if riders else None,
    }


def measured_from_outlets_note(threshold_m: float, totals: dict[str, Any]) -> dict[str, Any]:
    """Return the note that coverage here is measured from each outlet, unlike the gap cells."""
    return note(
        "measured_from_outlets",
        f"Measured from each outlet: {totals['uncovered_riders']} of {totals['riders']} riders "
        f"are at outlets farther than {threshold_m:g} m from an open station. GET /coverage/gaps "
        "measures from the centres of H3 cells, so its riders in gap cells differ a little.",
        f"按每个网点计算：{totals['riders']} 名骑手中有 {totals['uncovered_riders']} 名所在网点"
        f" {threshold_m:g} 米内没有开放的驿站。覆盖缺口（/coverage/gaps）按 H3 网格中心计算，"
        "人数略有不同。",
        uncovered_riders=totals["uncovered_riders"],
        riders=totals["riders"],
    )


def worst_first(area: dict[str, Any]) -> tuple[bool, float, int, str]:
    """Sort key: areas with riders first, lowest share, then most uncovered riders."""
    share = area["covered_share"]
    uncovered = area["riders"] - area["covered_riders"]
    return (share is None, share if share is not None else 0.0, -uncovered, area["adcode"])
