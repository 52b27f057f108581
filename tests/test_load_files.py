"""Every kind from a real file through load_file: formats, CRSs, rejects, reloads, derived columns."""

import hashlib
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import text

from etl.load import load_file
from etl.write.staging import h3_cells
from geo_api import coords
from geo_api.batches.reading import get_batch, list_rejects
from geo_api.errors import InvalidInput
from tests.loadutil import count, scalars

FIXTURES = Path(__file__).parent / "fixtures" / "load"
BOUNDARY_FILES = [
    ("districts.geojson", "district"),
    ("streets.gpkg", "street"),
    ("communities.zip", "community"),
]


def load_boundaries(db) -> list:
    return [
        load_file(db, "boundaries", FIXTURES / f, crs="wgs84", level=lv) for f, lv in BOUNDARY_FILES
    ]


def areas(db, level: str) -> dict:
    sql = text("SELECT adcode, ST_AsBinary(geom) FROM admin_areas WHERE level = :level")
    with db.connect() as connection:
        return {
            code: shapely.from_wkb(bytes(g))
            for code, g in connection.execute(sql, {"level": level})
        }


def containing(polygons: dict, lon: float, lat: float) -> str | None:
    inside = sorted(c for c, g in polygons.items() if g.intersects(shapely.Point(lon, lat)))
    return inside[0] if inside else None


def test_boundaries_from_geojson_geopackage_and_zipped_shapefile(db):
    districts, streets, communities = load_boundaries(db)
    assert (districts.inserted, districts.repaired) == (2, 0)
    # The third street is drawn as a bow-tie: repaired, kept, and counted.
    assert (streets.inserted, streets.repaired, streets.rejected) == (3, 1, 0)
    assert communities.inserted == 2
    with db.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT adcode, level, parent_adcode, ST_GeometryType(geom), ST_IsValid(geom) FROM admin_areas"
            )
        ).all()
        batch = get_batch(connection, streets.batch_id)
    assert {r[0]: r[1] for r in rows}["510105002"] == "street"
    assert {r[0]: r[2] for r in rows}["510104001001"] == "510104001"
    assert all(r[3] == "ST_MultiPolygon" and r[4] for r in rows)
    assert batch["repaired"] == 1 and batch["options"]["format"] == "gpkg"
    assert [b.inserted + b.updated for b in load_boundaries(db)] == [0, 0, 0]


def test_stations_from_a_gb18030_csv_in_gcj02(db):
    load_boundaries(db)
    path = FIXTURES / "stations_gcj02.csv"
    result = load_file(db, "stations", path, crs="gcj02", source="chengdu")
    assert (result.inserted, result.rejected, result.flagged) == (3, 4, 2)
    with db.connect() as connection:
        stored = connection.execute(
            text(
                "SELECT external_id, source_x, source_y, ST_X(geom), ST_Y(geom), source_crs, "
                "district_adcode, community_adcode, h3_r9, amenities, is_24h FROM stations"
            )
        ).all()
        batch = get_batch(connection, result.batch_id)
        rejects = list_rejects(connection, result.batch_id)
    districts, communities = areas(db, "district"), areas(db, "community")
    for ext, sx, sy, lon, lat, crs, district, community, cell, _, _ in stored:
        want_lon, want_lat = coords.gcj02_to_wgs84(sx, sy)
        assert (lon, lat) == pytest.approx((float(want_lon), float(want_lat)), abs=1e-9), ext
        assert crs == "gcj02"
        assert district == containing(districts, lon, lat)
        assert community == containing(communities, lon, lat)
        assert cell == h3.latlng_to_cell(lat, lon, 9)
    by_id = {row[0]: row for row in stored}
    assert by_id["S001"][6] == "510104" and by_id["S001"][10] is True
    assert by_id["S001"][9] == ["charging", "toilet", "water"]
    assert batch["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (batch["file_name"], batch["crs"], batch["source"]) == (path.name, "gcj02", "chengdu")
    assert batch["options"]["encoding"] == "gb18030" and batch["rows_read"] == 7
    reasons = {r["row_number"]: r["reason"] for r in rejects}
    assert sorted(reasons) == [4, 5, 6, 7]
    assert "swapped" in reasons[4] and "name" in reasons[5]
    assert "太空站" in reasons[6] and "outside China" in reasons[7]
    assert rejects[0]["raw"]["名称"] == "坐标颠倒的驿站"


def test_outlets_from_xlsx_reject_duplicates_and_reload_to_nothing(db):
    path = FIXTURES / "outlets.xlsx"
    first = load_file(db, "outlets", path, crs="wgs84")
    second = load_file(db, "outlets", path, crs="wgs84")
    assert (first.inserted, first.updated, first.rejected) == (3, 0, 1)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 3)
    with db.connect() as connection:
        (reject,) = list_rejects(connection, first.batch_id)
    assert reject["row_number"] == 5 and "duplicate" in reject["reason"]
    assert count(db, "outlets") == 3


def test_liaisons_from_a_utf8_bom_csv(db):
    result = load_file(db, "liaisons", FIXTURES / "liaisons_bom.csv", crs="wgs84")
    assert (result.inserted, result.rejected) == (2, 1)
    with db.connect() as connection:
        rows = dict(connection.execute(text("SELECT external_id, role FROM liaisons")).all())
    assert rows == {"L1": "police", "L2": "community"}


def test_a_changed_file_updates_only_the_changed_rows(db, tmp_path):
    path = tmp_path / "outlets.csv"
    lines = ["id,name,kind,riders,lon,lat"] + [
        f"O{i},outlet {i},express,{i},{104 + i / 1000},30.6" for i in range(10)
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    load_file(db, "outlets", path, crs="wgs84")
    lines[4] = "O3,outlet 3,express,99,104.003,30.6"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = load_file(db, "outlets", path, crs="wgs84")
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 9)
    with db.connect() as connection:
        riders = connection.execute(text("SELECT riders FROM outlets WHERE external_id = 'O3'"))
        assert riders.scalar_one() == 99


@pytest.mark.parametrize(
    ("kind", "name", "crs", "message"),
    [
        ("outlets", "outlets.xlsx", "mars2000", "mars2000"),
        ("outlets", "missing.csv", "wgs84", "no such file"),
        ("outlets", "liaisons_bom.csv", "wgs84", "lon"),
        ("parks", "outlets.xlsx", "wgs84", "unknown kind"),
    ],
)
def test_files_that_cannot_be_processed_write_nothing(db, kind, name, crs, message):
    with pytest.raises(InvalidInput, match=message) as error:
        load_file(db, kind, FIXTURES / name, crs=crs)
    assert "\n" not in error.value.detail
    assert count(db, "load_batches") == 0 and count(db, "outlets") == 0


def test_h3_cells_agree_with_h3(db):
    rng = np.random.default_rng(3)
    lon = pd.Series(np.repeat(rng.uniform(73, 135, 50), 3))
    lat = pd.Series(np.repeat(rng.uniform(18, 53, 50), 3))
    assert h3_cells(lon, lat).to_pylist() == [
        h3.latlng_to_cell(y, x, 9) for x, y in zip(lon, lat, strict=True)
    ]


def test_values_the_database_refuses_fail_the_whole_batch_in_one_line(db, tmp_path):
    path = tmp_path / "areas.geojson"
    areas_file = gpd.GeoDataFrame(
        {"adcode": ["510104", "5" * 40], "name": ["锦江区", "too long a code"]},
        geometry=[shapely.box(104.0, 30.5, 104.1, 30.6), shapely.box(104.1, 30.5, 104.2, 30.6)],
        crs="EPSG:4326",
    )
    areas_file.to_file(path, driver="GeoJSON")
    with pytest.raises(InvalidInput, match="the database refused the batch") as error:
        load_file(db, "boundaries", path, crs="wgs84", level="district")
    assert "\n" not in error.value.detail
    for table in ("admin_areas", "rejected_rows", "audit_log"):
        assert count(db, table) == 0, table
    # The batch stays, in a transaction of its own, to say what happened.
    with db.connect() as connection:
        status, failure = connection.execute(text("SELECT status, failure FROM load_batches")).one()
    assert status == "failed" and failure == error.value.detail


def test_a_load_leaves_planner_statistics_behind(db):
    # Without statistics a freshly loaded table is planned as if empty, and per-row KNN (coverage
    # refresh) falls back to scans that are ten times slower.
    reltuples = "SELECT reltuples FROM pg_class WHERE relname = 'outlets'"
    assert scalars(db, reltuples)[0] <= 0
    load_file(db, "outlets", FIXTURES / "outlets.xlsx", crs="wgs84")
    assert scalars(db, reltuples)[0] == count(db, "outlets") == 3
