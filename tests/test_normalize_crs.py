"""Every coordinate system against reference coordinates, vector inputs and boundaries."""

import numpy as np
import pytest
import shapely

from etl.normalize.table import normalize
from etl.read.tables import read_table
from geo_api import coords
from geo_api.errors import InvalidInput
from tests.fixtures.etl.files import write_csv, write_vector

# eviltransform's published pair in Shanghai: WGS-84 and its GCJ-02 image.
SHANGHAI_WGS = (121.5272106, 31.1774276)
SHANGHAI_GCJ = (121.531541859215, 31.17530398364597)
# wandergis/coordtransform: GCJ-02 (116.404, 39.915) is BD-09 (116.41036949371029, 39.92133699351021).
BEIJING_GCJ = (116.404, 39.915)
BEIJING_BD = (116.41036949371029, 39.92133699351021)
# UTM zone 48N (EPSG:32648) has its central meridian at 105°E: there the easting is 500 000 m and
# the northing 0.9996 times the meridian arc, 3 320 113.40 m to 30°N on WGS-84.
UTM_48N_AT_105E_30N = (500000.0, 0.9996 * 3320113.398)


def one_point(tmp_path, x, y, crs):
    rows = [{"name": "驿站", "lon": repr(x), "lat": repr(y)}]
    table = read_table(write_csv(tmp_path / "p.csv", rows))
    result = normalize("stations", table, crs=crs, source="test")
    assert result.rejected == [], result.rejected
    record = result.records.iloc[0]
    return record


def metres(lon1, lat1, lon2, lat2):
    return float(coords.geodesic_m(lon1, lat1, lon2, lat2))


@pytest.mark.parametrize("crs", ["wgs84", "cgcs2000", "EPSG:4326", "EPSG:4490"])
def test_geographic_systems_pass_through(tmp_path, crs):
    record = one_point(tmp_path, *SHANGHAI_WGS, crs)
    assert (record["lon"], record["lat"]) == SHANGHAI_WGS


def test_gcj02_reference_pair(tmp_path):
    record = one_point(tmp_path, *SHANGHAI_GCJ, "gcj02")
    assert metres(record["lon"], record["lat"], *SHANGHAI_WGS) < 0.5
    assert (record["source_crs"], record["source_x"], record["source_y"]) == (
        "gcj02",
        *SHANGHAI_GCJ,
    )


def test_bd09_reference_pair(tmp_path):
    record = one_point(tmp_path, *BEIJING_BD, "bd09")
    # BD-09 -> GCJ-02 is the published pair; GCJ-02 -> WGS-84 is checked against the pair above.
    wgs_of_reference = coords.gcj02_to_wgs84(*BEIJING_GCJ)
    assert metres(record["lon"], record["lat"], *wgs_of_reference) < 0.5
    back = coords.wgs84_to_gcj02(record["lon"], record["lat"])
    assert metres(*back, *BEIJING_GCJ) < 0.5
    assert record["source_crs"] == "bd09"


def test_projected_epsg_reference(tmp_path):
    record = one_point(tmp_path, *UTM_48N_AT_105E_30N, "EPSG:32648")
    assert record["lon"] == pytest.approx(105.0, abs=1e-7)
    assert record["lat"] == pytest.approx(30.0, abs=1e-7)
    assert record["source_crs"] == "EPSG:32648"


def test_projected_points_outside_china_are_rejected(tmp_path):
    rows = [{"name": "驿站", "lon": "500000", "lat": "-3318785"}]  # southern hemisphere
    table = read_table(write_csv(tmp_path / "p.csv", rows))
    result = normalize("stations", table, crs="EPSG:32648", source="test")
    assert result.rejected[0].reason.startswith("outside China (500000.0, -3318785.0)")


def test_vector_points_in_gcj02_trust_the_given_system(tmp_path):
    rows = [{"name": "驿站", "geometry": f"POINT ({SHANGHAI_GCJ[0]} {SHANGHAI_GCJ[1]})"}]
    table = read_table(write_vector(tmp_path / "p.geojson", rows))  # GeoJSON says EPSG:4326
    record = normalize("stations", table, crs="gcj02", source="test").records.iloc[0]
    assert metres(record["lon"], record["lat"], *SHANGHAI_WGS) < 0.5


def test_vector_points_in_a_projected_system(tmp_path):
    x, y = UTM_48N_AT_105E_30N
    rows = [
        {"name": "驿站", "geometry": f"POINT ({x} {y})"},
        {"name": "面", "geometry": "POLYGON ((0 0, 1 0, 1 1, 0 0))"},
    ]
    table = read_table(write_vector(tmp_path / "p.gpkg", rows, crs=32648))
    result = normalize("outlets", table, crs="EPSG:32648", source="test")
    record = result.records.iloc[0]
    assert (record["lon"], record["lat"]) == (pytest.approx(105.0), pytest.approx(30.0))
    assert [r.reason for r in result.rejected] == ["geometry is a Polygon, not a point"]


@pytest.mark.parametrize(
    ("file_crs", "given"), [(32648, "wgs84"), (4326, "EPSG:32648"), (32648, "gcj02")]
)
def test_a_prj_that_contradicts_the_given_system_rejects_the_file(tmp_path, file_crs, given):
    rows = [{"name": "驿站", "geometry": "POINT (104.06 30.67)"}]
    table = read_table(write_vector(tmp_path / "p.shp", rows, crs=file_crs))
    with pytest.raises(InvalidInput, match=r"is projected|is geographic"):
        normalize("stations", table, crs=given, source="test")


def test_swapped_detection_in_vector_files(tmp_path):
    rows = [{"name": "驿站", "geometry": "POINT (30.67 104.06)"}]
    table = read_table(write_vector(tmp_path / "p.gpkg", rows))
    result = normalize("stations", table, crs="wgs84", source="test")
    assert result.rejected[0].reason == "longitude and latitude look swapped (30.67, 104.06)"


GCJ_SQUARE = "POLYGON ((104.05 30.65, 104.07 30.65, 104.07 30.67, 104.05 30.67, 104.05 30.65))"


def boundaries(tmp_path, rows, crs="gcj02", name="b.geojson", file_crs=4326, **options):
    table = read_table(write_vector(tmp_path / name, rows, crs=file_crs))
    return normalize("boundaries", table, crs=crs, source="test", **options)


def test_boundaries_are_converted_to_wgs84_wkb(tmp_path):
    rows = [{"adcode": "510104", "name": "锦江区", "geometry": GCJ_SQUARE}]
    result = boundaries(tmp_path, rows, level="district")
    record = result.records.iloc[0]
    assert (record["adcode"], record["name"], record["level"]) == ("510104", "锦江区", "district")
    polygon = shapely.from_wkb(record["geom_wkb"])
    expected = np.column_stack(
        coords.gcj02_to_wgs84(*shapely.get_coordinates(shapely.from_wkt(GCJ_SQUARE)).T)
    )
    assert np.allclose(shapely.get_coordinates(polygon), expected, atol=1e-9)
    assert record["synthetic"] == False  # noqa: E712


def test_boundary_levels_and_codes_from_columns(tmp_path):
    rows = [{"代码": 510104, "名称": "锦江区", "级别": "区", "上级代码": 510100, "geometry": GCJ_SQUARE},
            {"代码": 510104001, "名称": "春熙路街道", "级别": "街道", "上级代码": 510104, "geometry": GCJ_SQUARE},
            {"代码": 510104002, "名称": "某地", "级别": "星系", "上级代码": 510104, "geometry": GCJ_SQUARE}]  # fmt: skip
    result = boundaries(tmp_path, rows, name="b.gpkg")
    assert result.records["adcode"].tolist() == ["510104", "510104001"]
    assert result.records["level"].tolist() == ["district", "street"]
    assert result.records["parent_adcode"].tolist() == ["510100", "510104"]
    assert result.rejected[0].reason.startswith("unknown level '星系'")


def test_boundary_rejections(tmp_path):
    swapped = "POLYGON ((30.65 104.05, 30.65 104.07, 30.67 104.07, 30.65 104.05))"
    rows = [{"adcode": "1", "name": "ok", "geometry": GCJ_SQUARE},
            {"adcode": "2", "name": "point", "geometry": "POINT (104.06 30.66)"},
            {"adcode": "3", "name": "swapped", "geometry": swapped},
            {"adcode": "4", "name": "paris", "geometry": "POLYGON ((2.3 48.8, 2.4 48.8, 2.4 48.9, 2.3 48.8))"},
            {"adcode": "1", "name": "again", "geometry": GCJ_SQUARE},
            {"adcode": "", "name": "no code", "geometry": GCJ_SQUARE},
            {"adcode": "7", "name": "", "geometry": GCJ_SQUARE}]  # fmt: skip
    result = boundaries(tmp_path, rows, level="community")
    got = {r.row_number: r.reason for r in result.rejected}
    assert got[2] == "geometry is a Point, not a polygon"
    assert got[3].startswith("longitude and latitude look swapped")
    assert got[4].startswith("outside China")
    assert got[5] == "duplicate adcode '1' (first at row 1)"
    assert got[6] == "missing adcode"
    assert got[7] == "missing name"
    assert result.records["adcode"].tolist() == ["1"]


def test_an_invalid_polygon_is_passed_on_for_repair(tmp_path):
    bowtie = "POLYGON ((104.05 30.65, 104.07 30.67, 104.07 30.65, 104.05 30.67, 104.05 30.65))"
    result = boundaries(
        tmp_path, [{"adcode": "9", "name": "bowtie", "geometry": bowtie}], level="grid"
    )
    assert result.rejected == []
    assert not shapely.is_valid(shapely.from_wkb(result.records.loc[0, "geom_wkb"]))


def test_boundaries_need_a_vector_file_and_a_level(tmp_path):
    table = read_table(write_csv(tmp_path / "b.csv", [{"adcode": "1", "name": "x"}]))
    with pytest.raises(InvalidInput, match="need a vector file"):
        normalize("boundaries", table, crs="wgs84", source="test", level="district")
    rows = [{"adcode": "1", "name": "x", "geometry": GCJ_SQUARE}]
    with pytest.raises(InvalidInput, match="need --level"):
        boundaries(tmp_path, rows)


def test_numeric_codes_of_a_zipped_shapefile_become_text(tmp_path):
    rows = [{"adcode": 510104, "name": "锦江区", "parent": 510100, "geometry": GCJ_SQUARE}]
    result = boundaries(tmp_path, rows, name="b.zip", level="district")
    assert result.records[["adcode", "parent_adcode"]].values.tolist() == [["510104", "510100"]]


def test_vector_geometry_wins_over_columns_called_x_and_y(tmp_path):
    rows = [{"name": "驿站", "x": 1.0, "y": 2.0, "geometry": "POINT (104.06 30.67)"}]
    table = read_table(write_vector(tmp_path / "p.geojson", rows))
    record = normalize("stations", table, crs="wgs84", source="test").records.iloc[0]
    assert (record["lon"], record["lat"]) == (104.06, 30.67)


def test_a_geojson_in_metres_that_names_no_crs_takes_the_given_projected_system(tmp_path):
    x, y = UTM_48N_AT_105E_30N
    path = tmp_path / "p.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "驿站"},'
        f' "geometry": {{"type": "Point", "coordinates": [{x}, {y}]}}}}]}}',
        encoding="utf-8",
    )
    table = read_table(path)
    assert not table.geometry.crs.is_projected  # what GDAL assumes
    record = normalize("stations", table, crs="EPSG:32648", source="test").records.iloc[0]
    assert (record["lon"], record["lat"]) == (pytest.approx(105.0), pytest.approx(30.0))


def test_geojson_arrays_of_amenities(tmp_path):
    path = tmp_path / "a.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"name": "驿站", "amenities": ["充电", "wifi", "按摩椅"]},'
        ' "geometry": {"type": "Point", "coordinates": [104.06, 30.67]}},'
        '{"type": "Feature", "properties": {"name": "", "amenities": ["热水"]},'
        ' "geometry": {"type": "Point", "coordinates": [104.06, 30.67]}}]}',
        encoding="utf-8",
    )
    result = normalize("stations", read_table(path), crs="wgs84", source="test")
    record = result.records.iloc[0]
    assert (record["amenities"], record["amenities_unknown"]) == (["charging", "wifi"], ["按摩椅"])
    assert result.rejected[0].raw["amenities"] == ["热水"]
