"""The synthetic national dataset, at a tiny scale: inside real districts, marked, loadable."""

import json
from pathlib import Path

import pandas as pd
import shapely

from etl.demo.national import SOURCE, write_national
from etl.load import load_file
from tests.loadutil import scalars

CITIES = ("510100",)  # Chengdu: 20 real districts


def districts_of(folder: Path) -> dict[str, shapely.Geometry]:
    collection = json.loads((folder / "national_districts.geojson").read_text("utf-8"))
    return {
        f["properties"]["adcode"]: shapely.from_geojson(json.dumps(f["geometry"]))
        for f in collection["features"]
    }


def test_the_national_generator_places_marked_points_in_real_districts(tmp_path):
    files = write_national(tmp_path / "a", stations=40, outlets=150, cities=CITIES)
    again = write_national(tmp_path / "b", stations=40, outlets=150, cities=CITIES)
    assert again == files
    for file in files:  # the same seed, the same bytes
        assert (tmp_path / "a" / file.name).read_bytes() == (
            tmp_path / "b" / file.name
        ).read_bytes()
    by_kind = {kind: [f for f in files if f.kind == kind] for kind in ("stations", "outlets")}
    assert sum(f.rows for f in by_kind["stations"]) == 40
    assert sum(f.rows for f in by_kind["outlets"]) == 150
    districts = districts_of(tmp_path / "a")
    assert len(districts) == 20 and all(code.startswith("5101") for code in districts)
    for file in by_kind["stations"] + by_kind["outlets"]:
        frame = pd.read_csv(tmp_path / "a" / file.name, dtype={"id": str})
        assert (frame["synthetic"].astype(str).str.lower() == "true").all()
        assert frame["name"].str.contains("合成").all()
        for code, rows in frame.groupby(frame["id"].str.slice(3, 9)):
            assert shapely.contains_xy(districts[code], rows["lon"], rows["lat"]).all(), code
    streets = json.loads((tmp_path / "a" / "national_streets.geojson").read_text("utf-8"))
    for code, district in districts.items():
        mine = [
            shapely.from_geojson(json.dumps(f["geometry"]))
            for f in streets["features"]
            if f["properties"]["parent_adcode"] == code
        ]
        assert len(mine) >= 3
        assert abs(shapely.union_all(mine).area - district.area) < 1e-6 * max(district.area, 1)


def test_the_national_files_load_through_the_etl_into_their_districts(db, tmp_path):
    files = write_national(tmp_path, stations=30, outlets=120, cities=CITIES)
    for file in files:
        result = load_file(
            db, file.kind, tmp_path / file.name, crs="wgs84", source=SOURCE, level=file.level
        )
        assert (result.inserted, result.rejected) == (file.rows, 0), file.name
    placed = scalars(
        db,
        "SELECT count(*) FROM outlets WHERE district_adcode = substr(external_id, 4, 6) "
        "AND synthetic",
    )
    assert placed == [120]
    assert scalars(db, "SELECT count(*) FROM admin_areas WHERE level = 'street'") == [
        next(f.rows for f in files if f.level == "street")
    ]
