"""Communities' coverage figures for the map, kept per threshold and brought up to date.

``community_coverage`` holds, per ``threshold_m``, each community's outlets and riders and how
many of them are within the threshold of an open station, measured as ``GET
/coverage/communities`` measures them (``FIGURES``). ``community_coverage_state`` keeps, per
threshold, the snapshot the rows are up to date with. A tile or an item asks ``STALE_SQL`` in
its own statement; when changes of stations, outlets or boundaries were committed after that
snapshot, ``refresh`` recomputes only the communities those changes can reach (a station's
change reaches ``threshold_m`` around it) and records the snapshot it read them in. A threshold
asked for the first time is computed for every community; at most ``MAX_THRESHOLDS`` are kept.

The figures are exact for the snapshot a statement reads, whatever order concurrent writers
commit in: the state holds a snapshot, not a last id (``tiles.changes`` says why).
"""

from sqlalchemy import text
from sqlalchemy.orm import Session

MAX_THRESHOLDS = 16
INPUTS = "('stations', 'outlets', 'admin_areas')"

# Changes of the inputs whose transaction the snapshot ``{snapshot}`` did not see.
UNSEEN = f"""
    d.layer IN {INPUTS}
    AND d.xid >= pg_snapshot_xmin({{snapshot}})::text::bigint
    AND NOT pg_visible_in_snapshot(d.xid::text::xid8, {{snapshot}})
"""

STALE_SQL = f"""NOT EXISTS (
    SELECT 1 FROM community_coverage_state AS s
    WHERE s.threshold_m = :threshold_m
      AND NOT EXISTS (
          SELECT 1 FROM data_changes AS d
          WHERE {UNSEEN.format(snapshot="CAST(s.snapshot AS pg_snapshot)")}
      )
)"""

# A community ``c``'s figures: an outlet counts in every community whose boundary covers it.
FIGURES = """
CROSS JOIN LATERAL (
    SELECT count(*) AS outlets,
           count(*) FILTER (WHERE o.covered) AS covered_outlets,
           coalesce(sum(o.riders), 0) AS riders,
           coalesce(sum(o.riders) FILTER (WHERE o.covered), 0) AS covered_riders
    FROM (
        SELECT ou.riders,
               EXISTS (
                   SELECT 1 FROM stations AS st
                   WHERE st.status = 'open'
                     AND ST_DWithin(st.geom::geography, ou.geom::geography, :threshold_m)
               ) AS covered
        FROM outlets AS ou
        WHERE ST_Covers(c.geom, ou.geom)
        OFFSET 0  -- a fence: without it the EXISTS is inlined, and run, once per use of covered
    ) AS o
) AS e
"""

UPSERT = f"""
INSERT INTO community_coverage
    (threshold_m, adcode, outlets, covered_outlets, riders, covered_riders)
SELECT :threshold_m, c.adcode, e.outlets, e.covered_outlets, e.riders, e.covered_riders
FROM admin_areas AS c
{FIGURES}
WHERE c.level = 'community' AND {{which}}
ON CONFLICT (threshold_m, adcode) DO UPDATE SET
    outlets = excluded.outlets, covered_outlets = excluded.covered_outlets,
    riders = excluded.riders, covered_riders = excluded.covered_riders
"""

# The communities a change can reach: its extent widened by the threshold for a station (in
# degrees, generously: the shortest degree of latitude, the longitude at the far edge).
REACHED = f"""c.adcode IN (
    SELECT a.adcode
    FROM data_changes AS d
    CROSS JOIN LATERAL (
        SELECT CASE WHEN d.layer = 'stations' THEN :threshold_m / 110574.0 ELSE 0 END AS dy
    ) AS m
    JOIN admin_areas AS a ON a.level = 'community' AND (
        d.extent IS NULL OR a.geom && ST_Expand(
            d.extent,
            m.dy * 110574.0 / 111320.0 / cos(radians(least(89.0,
                greatest(abs(ST_YMin(d.extent)), abs(ST_YMax(d.extent))) + m.dy))),
            m.dy))
    WHERE {UNSEEN.format(snapshot="CAST(:since AS pg_snapshot)")}
)"""

LOCK = """
SELECT pg_advisory_xact_lock(hashtext('warmmap.community_coverage'),
                             hashtext(CAST(:threshold_m AS text)))
"""
STATE = """
SELECT pg_current_snapshot()::text AS now,
       (SELECT snapshot FROM community_coverage_state WHERE threshold_m = :threshold_m) AS since
"""
SAVE_STATE = """
INSERT INTO community_coverage_state (threshold_m, snapshot) VALUES (:threshold_m, :now)
ON CONFLICT (threshold_m) DO UPDATE SET snapshot = excluded.snapshot, refreshed_at = now()
"""
EVICT = """
DELETE FROM community_coverage_state WHERE threshold_m IN (
    SELECT threshold_m FROM community_coverage_state ORDER BY created_at DESC OFFSET :keep
)
RETURNING threshold_m
"""
DROP_ROWS = "DELETE FROM community_coverage WHERE threshold_m = ANY(:gone)"


def refresh_community_coverage(session: Session, params: dict[str, float]) -> None:
    """Bring ``community_coverage`` up to date for ``params["threshold_m"]``.

    Runs in ``session``'s transaction (the caller commits). Refreshes of one threshold wait for
    each other on an advisory lock, so each finds the state the previous one left.

    Parameters
    ----------
    session
        A session that may write.
    params
        The layer's bind parameters; only ``threshold_m`` is read.
    """
    threshold = {"threshold_m": float(params["threshold_m"])}
    session.execute(text(LOCK), threshold)
    # The snapshot is taken before the figures are computed: whatever commits in between is
    # counted again next time rather than missed.
    state = session.execute(text(STATE), threshold).one()
    if state.since is None:
        session.execute(text(UPSERT.format(which="true")), threshold)
        gone = session.execute(text(EVICT), {"keep": MAX_THRESHOLDS - 1}).scalars().all()
        if gone:
            session.execute(text(DROP_ROWS), {"gone": list(gone)})
    else:
        session.execute(text(UPSERT.format(which=REACHED)), {**threshold, "since": state.since})
    session.execute(text(SAVE_STATE), {**threshold, "now": state.now})
