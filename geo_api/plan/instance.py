"""A planning instance from the database: demand, candidate sites and exact coverage sets.

Demand is each outlet of the city with riders; it is covered when an existing open station lies
within ``threshold_m`` on the spheroid (PostGIS, geography index). Coverage of the uncovered
demand by candidates is found with a KD-tree on a local azimuthal equidistant projection, widened
by a margin, then every pair is checked with the exact geodesic distance.
"""

from dataclasses import dataclass
from typing import Any

import h3
import numpy as np
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api import vocab
from geo_api.coords import geodesic_m
from geo_api.coverage import DEFAULT_RES
from geo_api.coverage.areas import AREA_TREE_CTE, City, load_city
from geo_api.coverage.refresh import check_res
from geo_api.errors import InvalidInput
from geo_api.plan.deadline import DEFAULT_TIME_LIMIT_S
from geo_api.plan.solver import CoverProblem

# Projection error within a city's 200 km is far below 1%; the exact check decides.
KD_MARGIN = 1.01

DEMAND = """
SELECT o.id, o.name, ST_X(o.geom) AS lon, ST_Y(o.geom) AS lat, o.riders,
       EXISTS (
           SELECT 1 FROM stations s
           WHERE s.status = 'open' AND s.kind <> :not_kind
             AND ST_DWithin(s.geom::geography, o.geom::geography, :threshold_m)
       ) AS covered
FROM outlets o, admin_areas city
WHERE city.adcode = :city AND o.riders > 0 AND ST_Covers(city.geom, o.geom)
ORDER BY o.id
"""

STATION_CANDIDATES = """
SELECT ST_X(s.geom), ST_Y(s.geom), s.id::text, s.name
FROM stations s, admin_areas city
WHERE city.adcode = :city AND s.kind = :kind AND ST_Covers(city.geom, s.geom)
  AND (s.kind <> 'warm_station' OR s.status <> 'open')
ORDER BY s.id
"""

AREA_CANDIDATES = (
    AREA_TREE_CTE
    + """
SELECT ST_X(pt), ST_Y(pt), adcode, name
FROM (SELECT adcode, name, ST_PointOnSurface(geom) AS pt FROM area_tree WHERE level = :kind) a
ORDER BY adcode
"""
)


@dataclass(frozen=True)
class PlanSpec:
    """What every plan is asked for: where, how far a station reaches, where sites may go."""

    city: str
    threshold_m: float
    candidates: str | dict[str, Any] = "cells"
    res: int = DEFAULT_RES
    out_crs: str = "wgs84"
    time_limit_s: float = DEFAULT_TIME_LIMIT_S


@dataclass
class Candidates:
    """Candidate sites: positions and what identifies each to a planner."""

    lon: np.ndarray
    lat: np.ndarray
    labels: list[dict[str, Any]]


@dataclass
class Uncovered:
    """The outlets no open station covers, and which candidate reaches which of them."""

    ids: list[int]
    names: list[str]
    lon: np.ndarray
    lat: np.ndarray
    riders: np.ndarray
    # (index into the outlets above, index into the candidates) of every pair within reach.
    d_idx: np.ndarray
    c_idx: np.ndarray

    def reached_by(self, candidate: int) -> np.ndarray:
        """Return the indices of the uncovered outlets ``candidate`` reaches."""
        return self.d_idx[self.c_idx == candidate]


@dataclass
class Instance:
    """Everything a plan needs: totals, the candidates and the reduced cover problem."""

    total_riders: int
    covered_before: int
    kind: str
    candidates: Candidates
    uncovered: Uncovered
    problem: CoverProblem
    # Index into ``candidates`` of each column of ``problem`` (duplicates removed).
    columns: list[int]


def candidate_kind(candidates: str | dict[str, Any]) -> str:
    """Return ``cells`` or the station kind or admin level asked for, or raise InvalidInput."""
    if candidates == "cells":
        return "cells"
    kind = candidates.get("kind") if isinstance(candidates, dict) else None
    if kind in vocab.STATION_KINDS or kind in vocab.ADMIN_LEVELS:
        return str(kind)
    allowed = ", ".join(("cells", *vocab.STATION_KINDS, *vocab.ADMIN_LEVELS))
    raise InvalidInput(f"candidates must be 'cells' or {{'kind': K}} with K one of {allowed}")


def excluded_kind(kind: str) -> str:
    """Return the station kind not counted as existing coverage when its places are candidates.

    A party-service centre that may become a warm station does not count until it is chosen;
    closed warm stations that may reopen leave the open ones counted.
    """
    return kind if kind in vocab.STATION_KINDS and kind != "warm_station" else ""


def cell_candidates(city: City, lon: np.ndarray, lat: np.ndarray, res: int, reach_m: float):  # type: ignore[no-untyped-def]
    """Return the H3 cells at ``res`` whose centres lie in the city within reach of demand."""
    spacing_m = np.sqrt(3) * h3.average_hexagon_edge_length(res, unit="m")
    # Cells shrink away from the icosahedron face centres; 0.8 keeps the disk large enough.
    k = int(np.ceil(reach_m / (0.8 * spacing_m))) + 1
    cells: set[str] = set()
    for x, y in zip(lon, lat, strict=True):
        cells.update(h3.grid_disk(h3.latlng_to_cell(y, x, res), k))
    ordered = sorted(cells)
    centres = np.array([h3.cell_to_latlng(c) for c in ordered]).reshape(-1, 2)
    inside = shapely.contains_xy(city.boundary, centres[:, 1], centres[:, 0])
    return Candidates(
        centres[inside, 1],
        centres[inside, 0],
        [{"h3": c} for c, ok in zip(ordered, inside, strict=True) if ok],
    )


def place_candidates(session: Session, city: str, kind: str) -> Candidates:
    """Return the stations of a kind, or the areas of a level, as candidate sites."""
    sql, key = (
        (STATION_CANDIDATES, "station_id")
        if kind in vocab.STATION_KINDS
        else (AREA_CANDIDATES, "adcode")
    )
    rows = session.execute(text(sql), {"city": city, "kind": kind}).all()
    return Candidates(
        np.array([r[0] for r in rows], dtype=float),
        np.array([r[1] for r in rows], dtype=float),
        [{key: r[2], "name": r[3]} for r in rows],
    )


def local_projection(lon: np.ndarray, lat: np.ndarray) -> Transformer:
    """Return a transformer to an azimuthal equidistant projection centred on the points."""
    lon0, lat0 = float(np.mean(lon)), float(np.mean(lat))
    return Transformer.from_crs(
        "EPSG:4326", f"+proj=aeqd +lon_0={lon0} +lat_0={lat0} +ellps=WGS84", always_xy=True
    )


def nearest_pair_m(demand_lon: np.ndarray, demand_lat: np.ndarray, cand: Candidates) -> float:
    """Return the geodesic distance of the closest (demand, candidate) pair, or inf if none."""
    if len(demand_lon) == 0 or len(cand.lon) == 0:
        return float("inf")
    aeqd = local_projection(demand_lon, demand_lat)
    demand_xy = np.column_stack(aeqd.transform(demand_lon, demand_lat))
    cand_xy = np.column_stack(aeqd.transform(cand.lon, cand.lat))
    # Projected and geodesic distances differ by less than 1 % either way, so the closest pair
    # lies within a margin of 1 % twice of the closest projected pair: those are measured exactly.
    tree = cKDTree(cand_xy)
    planar_m, _ = tree.query(demand_xy)
    reach_m = float(planar_m.min()) * KD_MARGIN**2 + 1.0
    near = np.flatnonzero(planar_m <= reach_m)
    hits = tree.query_ball_point(demand_xy[near], reach_m)
    d_idx = np.repeat(near, [len(h) for h in hits])
    c_idx = np.fromiter((j for h in hits for j in h), dtype=np.int64, count=len(d_idx))
    exact_m = geodesic_m(demand_lon[d_idx], demand_lat[d_idx], cand.lon[c_idx], cand.lat[c_idx])
    return float(exact_m.min())


def coverage_pairs(
    demand_lon: np.ndarray,
    demand_lat: np.ndarray,
    cand: Candidates,
    threshold_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (demand index, candidate index) of every pair within ``threshold_m`` exactly."""
    if len(demand_lon) == 0 or len(cand.lon) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    aeqd = local_projection(demand_lon, demand_lat)
    demand_xy = np.column_stack(aeqd.transform(demand_lon, demand_lat))
    cand_xy = np.column_stack(aeqd.transform(cand.lon, cand.lat))
    hits = cKDTree(cand_xy).query_ball_point(demand_xy, threshold_m * KD_MARGIN + 1.0)
    d_idx = np.repeat(np.arange(len(hits)), [len(h) for h in hits])
    c_idx = np.fromiter((j for h in hits for j in h), dtype=np.int64, count=len(d_idx))
    exact_m = geodesic_m(demand_lon[d_idx], demand_lat[d_idx], cand.lon[c_idx], cand.lat[c_idx])
    keep = exact_m <= threshold_m
    return d_idx[keep], c_idx[keep]


def reduce_problem(
    weights: np.ndarray, d_idx: np.ndarray, c_idx: np.ndarray
) -> tuple[CoverProblem, list[int]]:
    """Merge demand with the same covering sites and drop candidates that cover the same."""
    sites_of: dict[int, list[int]] = {}
    for d, c in zip(d_idx.tolist(), c_idx.tolist(), strict=True):
        sites_of.setdefault(d, []).append(c)
    group_of: dict[tuple[int, ...], int] = {}
    group_weight: list[float] = []
    members: dict[int, list[int]] = {}
    for d, sites in sites_of.items():
        g = group_of.setdefault(tuple(sorted(sites)), len(group_of))
        if g == len(group_weight):
            group_weight.append(0.0)
        group_weight[g] += float(weights[d])
        for c in sites:
            members.setdefault(c, []).append(g)
    columns: dict[tuple[int, ...], int] = {}
    for c in sorted(members):
        columns.setdefault(tuple(sorted(set(members[c]))), c)
    covers = [np.array(key, dtype=np.int64) for key in columns]
    return CoverProblem(np.array(group_weight), covers), list(columns.values())


def build_instance(session: Session, spec: PlanSpec) -> Instance:
    """Read the city's demand and candidates and return the reduced cover problem."""
    city, threshold_m, res = spec.city, spec.threshold_m, spec.res
    check_res(res)
    kind = candidate_kind(spec.candidates)
    root = load_city(session, city)
    rows = session.execute(
        text(DEMAND), {"city": city, "threshold_m": threshold_m, "not_kind": excluded_kind(kind)}
    ).all()
    lon = np.array([r.lon for r in rows], dtype=float)
    lat = np.array([r.lat for r in rows], dtype=float)
    riders = np.array([r.riders for r in rows], dtype=float)
    open_ = ~np.array([r.covered for r in rows], dtype=bool)
    if kind == "cells":
        cand = cell_candidates(root, lon[open_], lat[open_], res, threshold_m)
    else:
        cand = place_candidates(session, city, kind)
    d_idx, c_idx = coverage_pairs(lon[open_], lat[open_], cand, threshold_m)
    problem, columns = reduce_problem(riders[open_], d_idx, c_idx)
    uncovered = Uncovered(
        ids=[r.id for r, o in zip(rows, open_, strict=True) if o],
        names=[r.name for r, o in zip(rows, open_, strict=True) if o],
        lon=lon[open_],
        lat=lat[open_],
        riders=riders[open_],
        d_idx=d_idx,
        c_idx=c_idx,
    )
    return Instance(
        total_riders=int(riders.sum()),
        covered_before=int(riders[~open_].sum()),
        kind=kind,
        candidates=cand,
        uncovered=uncovered,
        problem=problem,
        columns=columns,
    )
