"""The k nearest open stations to a point, exactly, by distance on the WGS-84 spheroid.

How the query stays on the index and stays exact:

- The candidate search is one GiST KNN scan on ``geom::geography`` (``ix_stations_geog``) with
  every filter (status, kind, amenities through ``@>``, open at a minute, ``ST_DWithin``) applied
  inside it, so the scan stops after ``n`` *matching* rows. Chosen after EXPLAIN ANALYZE on
  200,000 stations (``bench/nearest.py`` records the plans): for ordinary filters the plan is the
  KNN index scan (about 1 ms); for filters that exclude 99.9 % of the stations the planner
  switches by itself to the GIN index on amenities and sorts the few hundred matches; with
  ``max_distance_m`` the same index scan also takes the ``&&`` box as its condition; a rare
  ``kind`` is read through ``ix_stations_kind`` (migration 0003). No plan scans the table
  (``tests/test_nearest_plans.py``). A ``MATERIALIZED`` CTE of the ``n`` nearest filtered
  afterwards returns fewer than ``k`` stations whenever the filters are selective, and a partial
  index per filter does not cover amenity combinations, so neither was kept.
- The KNN operator orders by distance on a sphere, which differs from the spheroid by less than
  0.6 %. Candidates are re-ranked with ``ST_Distance(..., true)``; the answer is certainly exact
  when the k-th spheroidal distance is at most ``(1 - SPHERE_ERROR)`` times the sphere distance
  of the last candidate (nothing further away can overtake it), or when the scan ran out of
  matching stations. Otherwise the candidate limit is widened and the query repeated, which on
  real data almost never happens.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import RowMapping, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

# Bound on |sphere - spheroid| / spheroid distance, with room to spare (the truth is < 0.6 %).
SPHERE_ERROR = 0.01
_FIRST_EXTRA_CANDIDATES = 16
_WIDENING = 4

POINT = "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography"
# Fixed fragments only: the request chooses which of them apply, never their text.
FILTERS = {
    "kind": "s.kind = :kind",
    "amenities": "s.amenities @> CAST(:amenities AS text[])",
    "open_only": "warmmap_open_at(s.hours, s.is_24h, :minute_of_week) IS TRUE",
    "max_distance_m": f"ST_DWithin(s.geom::geography, {POINT}, :max_distance_m)",
}
NEAREST_SQL = """
WITH candidates AS MATERIALIZED (
    SELECT s.id, s.geom::geography <-> {point} AS sphere_m
    FROM stations AS s
    WHERE {where}
    ORDER BY s.geom::geography <-> {point}
    LIMIT :candidates
)
SELECT s.id, s.name, s.kind, s.address, s.phone, s.amenities, s.hours_text, s.hours, s.is_24h,
       warmmap_open_at(s.hours, s.is_24h, :minute_of_week) AS open_now,
       ST_Distance(s.geom::geography, {point}, true) AS distance_m,
       c.sphere_m, ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat
FROM candidates AS c JOIN stations AS s ON s.id = c.id
ORDER BY distance_m, s.id
"""


@dataclass(frozen=True)
class NearestQuery:
    """What a worker asks: a WGS-84 point, how many stations, and which."""

    lon: float
    lat: float
    k: int = 5
    max_distance_m: float | None = None
    amenities: tuple[str, ...] = ()
    kind: str | None = None
    open_only: bool = False
    minute_of_week: int = 0


@dataclass(frozen=True)
class NearbyStation:
    """One station of the answer, with its spheroidal distance in metres."""

    id: int
    name: str
    kind: str
    address: str | None
    phone: str | None
    amenities: list[str]
    hours_text: str | None
    hours: list[list[int]] | None
    is_24h: bool
    open_now: bool | None
    distance_m: float
    lon: float
    lat: float


def nearest_sql(query: NearestQuery) -> str:
    """Return the SQL of ``query``: the filtered KNN candidates, re-ranked on the spheroid."""
    where = ["s.status = 'open'"]
    if query.kind is not None:
        where.append(FILTERS["kind"])
    if query.amenities:
        where.append(FILTERS["amenities"])
    if query.open_only:
        where.append(FILTERS["open_only"])
    if query.max_distance_m is not None:
        where.append(FILTERS["max_distance_m"])
    return NEAREST_SQL.format(point=POINT, where="\n      AND ".join(where))


def nearest_params(query: NearestQuery, candidates: int) -> dict[str, object]:
    """Return the bind parameters of ``nearest_sql(query)`` for a candidate limit."""
    return {
        "lon": query.lon,
        "lat": query.lat,
        "kind": query.kind,
        "amenities": list(query.amenities),
        "minute_of_week": query.minute_of_week,
        "max_distance_m": query.max_distance_m,
        "candidates": candidates,
    }


def _station_fields(row: RowMapping) -> dict[str, Any]:
    return {name: row[name] for name in NearbyStation.__dataclass_fields__}


def is_certain(rows: list[NearbyStation], sphere_m: list[float], k: int, limit: int) -> bool:
    """Return whether the first ``k`` of ``rows`` are certainly the k nearest."""
    if len(rows) < limit:
        return True  # the scan ran out of matching stations: every one was re-ranked
    return rows[k - 1].distance_m <= max(sphere_m) * (1 - SPHERE_ERROR)


def nearest_stations(session: Session, query: NearestQuery) -> list[NearbyStation]:
    """Return the ``k`` nearest open stations matching ``query``, nearest first."""
    try:
        return _nearest_stations(session, query)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        # The server restarted since the pooled connection was opened; the pool has dropped it
        # and the next checkout connects afresh (what pre-ping would have done up front).
        session.rollback()
        return _nearest_stations(session, query)


def _nearest_stations(session: Session, query: NearestQuery) -> list[NearbyStation]:
    sql = text(nearest_sql(query))
    limit = query.k + _FIRST_EXTRA_CANDIDATES
    while True:
        result = session.execute(sql, nearest_params(query, limit)).all()
        rows = [NearbyStation(**_station_fields(row._mapping)) for row in result]
        if is_certain(rows, [row.sphere_m for row in result], query.k, limit):
            return rows[: query.k]
        limit *= _WIDENING
