"""The closed loop in numbers (征集—处理—反馈): per area and category of a city, for planners.

Received is every case that came in; open is reported, accepted or dispatched; resolved is
resolved, verified or closed; overdue is open past its due time; the median hours to resolve
runs from coming in to the (last) resolution, over the resolved cases.
"""

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.areas import like_patterns
from geo_api.cases.schemas import AreaStats, CaseStats, CategoryStats

# level -> the column of cases that names the area of that level (a server-side registry)
LEVEL_COLUMNS = {"community": "community_adcode", "street": "street_adcode",
                 "district": "district_adcode"}  # fmt: skip

STATS = """
SELECT {column} AS adcode, category, GROUPING({column}, category) AS rollup,
       count(*) AS received,
       count(*) FILTER (WHERE status IN ('reported', 'accepted', 'dispatched')) AS open,
       count(*) FILTER (WHERE status IN ('resolved', 'verified', 'closed')) AS resolved,
       count(*) FILTER (WHERE status = 'rejected') AS rejected,
       count(*) FILTER (WHERE status = 'duplicate') AS duplicate,
       count(*) FILTER (WHERE status IN ('reported', 'accepted', 'dispatched')
                          AND due_at < :now) AS overdue,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM resolved_at - created_at) / 3600.0
       ) FILTER (WHERE status IN ('resolved', 'verified', 'closed')) AS median_hours_to_resolve
FROM cases
WHERE coalesce(district_adcode, routed_adcode) LIKE ANY(:patterns)
  AND created_at >= :since AND created_at < :until
GROUP BY GROUPING SETS (({column}, category), ({column}), ())
"""
AREAS = text("""
SELECT adcode, name FROM admin_areas
WHERE level = :level AND adcode LIKE ANY(:patterns) ORDER BY adcode
""")
COUNTS = ("received", "open", "resolved", "rejected", "duplicate", "overdue")
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)


def case_stats(
    session: Session, city: str, level: str, since: date | None, until: date | None
) -> CaseStats:
    """Return the numbers of every area of ``level`` in ``city`` (zeros where no case came in).

    ``since`` and ``until`` (dates, ``until`` exclusive, UTC) bound when the cases came in.
    """
    params = {
        "patterns": like_patterns([city]),
        "now": datetime.now(UTC),
        "since": datetime.combine(since, time(), UTC) if since else EARLIEST,
        "until": datetime.combine(until, time(), UTC) if until else LATEST,
    }
    rows = session.execute(text(STATS.format(column=LEVEL_COLUMNS[level])), params).mappings()
    totals: dict[str | None, dict[str, Any]] = {}
    categories: dict[str | None, list[CategoryStats]] = {}
    overall = _numbers({})
    # rollup: 0 an area's category, 1 an area in all, 3 the whole city
    for row in rows:
        numbers = _numbers(row)
        if row["rollup"] == 0:
            categories.setdefault(row["adcode"], []).append(
                CategoryStats(category=row["category"], **numbers)
            )
        elif row["rollup"] == 1:
            totals[row["adcode"]] = numbers
        else:
            overall = numbers
    areas = [
        AreaStats(adcode=a.adcode, name=a.name, categories=categories.get(a.adcode, []),
                  **totals.pop(a.adcode, _numbers({})))
        for a in session.execute(AREAS, {"level": level, "patterns": params["patterns"]})
    ]  # fmt: skip
    # What lies in no area of this level (a case of a street without communities), or in an
    # area no longer loaded, is listed too, so the areas add up to the total.
    areas += [
        AreaStats(adcode=adcode, name=None, categories=categories.get(adcode, []), **numbers)
        for adcode, numbers in sorted(totals.items(), key=lambda kv: kv[0] or "")
    ]
    return CaseStats(city=city, level=level, since=since, until=until,
                     total=CategoryStats(**overall), areas=areas)  # fmt: skip


def _numbers(row: Any) -> dict[str, Any]:
    numbers: dict[str, Any] = {name: int(row.get(name) or 0) for name in COUNTS}
    median = row.get("median_hours_to_resolve")
    numbers["median_hours_to_resolve"] = None if median is None else round(float(median), 2)
    return numbers
