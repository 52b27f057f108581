"""Community coverage: per area, how many outlets and riders an open station reaches.

Measured from each outlet (``measured_from: "outlet"``): an outlet is covered when an open
station lies within ``threshold_m`` of it, as the site planner counts demand. ``GET
/coverage/gaps`` measures from the centres of H3 cells instead, so its uncovered riders differ a
little; both answers carry the city's per-outlet totals (``city_totals``) and a note saying so.
"""

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.coverage.areas import AREA_TREE_CTE, load_city
from geo_api.coverage.schemas import CommunityCoverage
from geo_api.notes import note

MEASURED_FROM = "outlet"
# Whether the outlet ``ou`` has an open station within ``:threshold_m``: the one definition of
# "covered" for community coverage, the city's totals and the report map.
COVERED_OUTLET = """
EXISTS (
    SELECT 1 FROM stations s
    WHERE s.status = 'open' AND ST_DWithin(s.geom::geography, ou.geom::geography, :threshold_m)
)"""
CITY_TOTALS = f"""
SELECT count(o.id) AS outlets,
       count(o.id) FILTER (WHERE o.covered) AS covered_outlets,
       coalesce(sum(o.riders), 0) AS riders,
       coalesce(sum(o.riders) FILTER (WHERE o.covered), 0) AS covered_riders
FROM (
    SELECT ou.id, ou.riders, {COVERED_OUTLET} AS covered
    FROM outlets ou JOIN admin_areas city ON city.adcode = :city
    WHERE ST_Covers(city.geom, ou.geom)
) o
"""

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
    SELECT ou.id, ou.riders, {covered} AS covered
    FROM outlets ou
    WHERE ST_Covers(a.geom, ou.geom)
) o ON true
WHERE a.level = :level
GROUP BY a.adcode, a.name
"""
).replace("{covered}", COVERED_OUTLET)


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
    totals = city_totals(session, city, threshold_m)
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
    row = session.execute(text(CITY_TOTALS), {"city": city, "threshold_m": threshold_m}).one()
    riders, covered = int(row.riders), int(row.covered_riders)
    return {
        "outlets": row.outlets,
        "covered_outlets": row.covered_outlets,
        "riders": riders,
        "covered_riders": covered,
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
