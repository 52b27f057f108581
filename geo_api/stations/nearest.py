"""The k nearest open stations to a point, exactly, by distance on the WGS-84 spheroid.

How the query stays cheap and exact:

- The database does what only it can do fast: one GiST KNN scan on ``geom::geography``
  (``ix_stations_geog``) with every filter (status, kind, amenities through ``@>``, open at a
  minute, ``ST_DWithin``) applied inside it, so the scan stops after ``n`` *matching* rows, the
  candidates. It returns them with their columns and the sphere distance the scan ordered by, and
  nothing else: no join back, no function per row (``bench/nearest.py`` records the plans). For
  filters that exclude 99.9 % of the stations the planner switches by itself to the GIN index on
  amenities; a rare ``kind`` is read through ``ix_stations_kind``. No plan scans the table
  (``tests/test_nearest_plans.py``).
- The KNN operator orders by distance on a sphere, which differs from the spheroid by less than
  0.6 %. The few candidates are re-ranked here, on the spheroid (pyproj's Geod, GeographicLib, the
  same geodesics PostGIS's ``ST_Distance(..., true)`` computes, equal to 1e-8 m), and their
  opening at the asked minute is evaluated here as ``warmmap_open_at`` does in SQL. The answer is
  certainly exact when the k-th spheroidal distance is at most ``(1 - SPHERE_ERROR)`` times the
  sphere distance of the last candidate (nothing further away can overtake it), or when the scan
  ran out of matching stations. Otherwise the candidate limit is widened and the query repeated.

The search is written once (``search_nearest``) over a ``CandidateReader``: the service reads
candidates through its asyncpg pool (``geo_api.read_pool``), a caller holding a SQLAlchemy session
through ``SessionCandidates``; both run the same SQL and the same re-rank.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol, cast

import numpy as np
from pyproj import Geod
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from geo_api.read_pool import ReadPool

# Bound on |sphere - spheroid| / spheroid distance, with room to spare (the truth is < 0.6 %).
SPHERE_ERROR = 0.01
# Candidates asked for first, beyond k: enough that a second query is rare (the benchmark counts
# them), few enough that the rows cost little to send.
FIRST_EXTRA_CANDIDATES = 5
_WIDENING = 4
GEOD = Geod(ellps="WGS84")

POINT = "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography"
# Fixed fragments only: the request chooses which of them apply, never their text.
FILTERS = {
    "kind": "s.kind = :kind",
    "amenities": "s.amenities @> CAST(:amenities AS text[])",
    "open_only": "warmmap_open_at(s.hours, s.is_24h, :minute_of_week) IS TRUE",
    "max_distance_m": f"ST_DWithin(s.geom::geography, {POINT}, :max_distance_m)",
}
NEAREST_SQL = """
SELECT s.id, s.name, s.kind, s.address, s.phone, s.amenities, s.hours_text, s.hours, s.is_24h,
       ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat, s.geom::geography <-> {point} AS sphere_m
FROM stations AS s
WHERE {where}
ORDER BY s.geom::geography <-> {point}
LIMIT :candidates
"""
_PLACEHOLDER = re.compile(r"(?<!:):(\w+)")


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


class CandidateReader(Protocol):
    """Where candidates come from: the rows of ``nearest_sql(query)`` for a candidate limit."""

    async def candidates(self, query: NearestQuery, limit: int) -> Sequence[Mapping[str, Any]]:
        """Return the rows of ``nearest_sql(query)`` with ``limit`` candidates."""
        ...


def _filters(query: NearestQuery) -> tuple[bool, bool, bool, bool]:
    return (
        query.kind is not None,
        bool(query.amenities),
        query.open_only,
        query.max_distance_m is not None,
    )


@lru_cache
def _sql(filters: tuple[bool, bool, bool, bool]) -> str:
    where = ["s.status = 'open'"]
    names = ("kind", "amenities", "open_only", "max_distance_m")
    where += [FILTERS[name] for name, applies in zip(names, filters, strict=True) if applies]
    return NEAREST_SQL.format(point=POINT, where="\n  AND ".join(where))


def nearest_sql(query: NearestQuery) -> str:
    """Return the SQL of ``query``: its filtered KNN candidates, nearest on the sphere first."""
    return _sql(_filters(query))


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


@lru_cache
def positional(sql: str) -> tuple[str, tuple[str, ...]]:
    """Return ``sql`` with ``$1, $2 ...`` for its ``:name`` placeholders, and the names in order."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match[1] not in names:
            names.append(match[1])
        return f"${names.index(match[1]) + 1}"

    return _PLACEHOLDER.sub(number, sql), tuple(names)


def open_at(hours: object, is_24h: bool, minute: int) -> bool | None:
    """Return whether weekly ``hours`` are open at ``minute``, as ``warmmap_open_at`` says.

    Open around the clock when ``is_24h``; unknown (None) when the hours are not a list.
    """
    if is_24h:
        return True
    if not isinstance(hours, list):
        return None
    return any(start <= minute < end for start, end in hours)


def first_limit(k: int) -> int:
    """Return how many candidates the first query of a search asks for."""
    return k + FIRST_EXTRA_CANDIDATES


def rerank(
    rows: Sequence[Mapping[str, Any]], query: NearestQuery, limit: int
) -> list[NearbyStation] | None:
    """Return the ``k`` nearest of candidate ``rows`` on the spheroid, or None if not certain.

    ``rows`` are the answer of ``nearest_sql(query)`` with ``limit`` candidates. None means a
    station beyond the last candidate might still be nearer than the k-th: ask for more.
    """
    if not rows:
        return []
    n = len(rows)
    lons = np.fromiter((row["lon"] for row in rows), dtype=np.float64, count=n)
    lats = np.fromiter((row["lat"] for row in rows), dtype=np.float64, count=n)
    _, _, distances = GEOD.inv(np.full(n, query.lon), np.full(n, query.lat), lons, lats)
    order = sorted(range(n), key=lambda i: (distances[i], rows[i]["id"]))
    if n >= limit and distances[order[query.k - 1]] > max(r["sphere_m"] for r in rows) * (
        1 - SPHERE_ERROR
    ):
        return None
    minute = query.minute_of_week
    return [
        NearbyStation(
            id=row["id"],
            name=row["name"],
            kind=row["kind"],
            address=row["address"],
            phone=row["phone"],
            amenities=list(row["amenities"]),
            hours_text=row["hours_text"],
            hours=row["hours"],
            is_24h=row["is_24h"],
            open_now=open_at(row["hours"], row["is_24h"], minute),
            distance_m=float(distances[i]),
            lon=row["lon"],
            lat=row["lat"],
        )
        for i in order[: query.k]
        for row in (rows[i],)
    ]


async def search_nearest(reader: CandidateReader, query: NearestQuery) -> list[NearbyStation]:
    """Return the ``k`` nearest open stations matching ``query``, nearest first."""
    limit = first_limit(query.k)
    while True:
        found = rerank(await reader.candidates(query, limit), query, limit)
        if found is not None:
            return found
        limit *= _WIDENING


@dataclass(frozen=True)
class SessionCandidates:
    """Candidates read through a SQLAlchemy session (in its transaction, if it has one)."""

    session: Session

    async def candidates(self, query: NearestQuery, limit: int) -> Sequence[Mapping[str, Any]]:
        """Return the rows of ``nearest_sql(query)`` with ``limit`` candidates."""
        return self.rows(query, limit)

    def rows(self, query: NearestQuery, limit: int) -> Sequence[Mapping[str, Any]]:
        """Return the rows of ``nearest_sql(query)`` with ``limit`` candidates, synchronously."""
        sql = text(nearest_sql(query))
        rows = self.session.execute(sql, nearest_params(query, limit)).mappings().all()
        return cast(Sequence[Mapping[str, Any]], rows)


@dataclass(frozen=True)
class PoolCandidates:
    """Candidates read through the service's asyncpg pool, each statement prepared once."""

    pool: ReadPool

    async def candidates(self, query: NearestQuery, limit: int) -> Sequence[Mapping[str, Any]]:
        """Return the rows of ``nearest_sql(query)`` with ``limit`` candidates."""
        sql, names = positional(nearest_sql(query))
        params = nearest_params(query, limit)
        return await self.pool.fetch(sql, [params[name] for name in names])


def nearest_stations(session: Session, query: NearestQuery) -> list[NearbyStation]:
    """Return the ``k`` nearest open stations matching ``query`` through ``session``."""
    try:
        return _nearest_stations(SessionCandidates(session), query)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        # The server restarted since the pooled connection was opened; the pool has dropped it
        # and the next checkout connects afresh (what pre-ping would have done up front).
        session.rollback()
        return _nearest_stations(SessionCandidates(session), query)


def _nearest_stations(reader: SessionCandidates, query: NearestQuery) -> list[NearbyStation]:
    limit = first_limit(query.k)
    while True:
        found = rerank(reader.rows(query, limit), query, limit)
        if found is not None:
            return found
        limit *= _WIDENING
