import pytest

from etl.read.tables import decode, read_table
from geo_api.errors import InvalidInput
from tests.fixtures.etl.files import STATIONS_ZH, write_csv, write_vector, write_xlsx

ROWS = [
    {"编号": "007", "名称": "春熙路驿站", "经度": "104.0817", "纬度": "30.6574", "备注": "NA"},
    {"编号": "1E5", "名称": "天府广场站", "经度": "104.0657", "纬度": "30.6574", "备注": ""},
]
POINTS = [
    {"name": "春熙路驿站", "code": "a", "geometry": "POINT (104.0817 30.6574)"},
    {"name": "天府广场站", "code": "b", "geometry": "POINT (104.0657 30.6574)"},
]


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")],
)
def test_csv_encodings_are_detected(tmp_path, encoding, detected):
    table = read_table(write_csv(tmp_path / "s.csv", ROWS, encoding=encoding))
    assert table.encoding == detected
    assert table.format == "csv"
    assert list(table.frame.columns) == list(ROWS[0])  # no BOM left on the first header
    assert table.frame.loc[2, "名称"] == "春熙路驿站"


def test_csv_values_stay_as_written(tmp_path):
    table = read_table(write_csv(tmp_path / "s.csv", ROWS))
    assert table.frame.loc[2, "编号"] == "007"
    assert table.frame.loc[3, "编号"] == "1E5"
    assert table.frame.loc[2, "备注"] == "NA"
    assert table.frame.loc[3, "备注"] == ""


def test_csv_row_numbers_count_the_header_as_one(tmp_path):
    table = read_table(write_csv(tmp_path / "s.csv", ROWS))
    assert list(table.frame.index) == [2, 3]
    assert table.geometry is None


def test_the_committed_gb18030_sample_reads_as_written():
    from pathlib import Path

    table = read_table(Path(__file__).parent / "fixtures/etl/stations_gb18030.csv")
    assert table.encoding == "gb18030"
    assert table.frame["名称"].tolist() == [row["名称"] for row in STATIONS_ZH]


def test_given_encoding_overrides_detection(tmp_path):
    path = write_csv(tmp_path / "s.csv", ROWS, encoding="gb18030")
    table = read_table(path, encoding="gbk")
    assert table.encoding == "gbk"
    assert table.frame.loc[3, "名称"] == "天府广场站"
    with pytest.raises(InvalidInput, match=r"not utf-8"):
        read_table(path, encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"unknown encoding"):
        read_table(path, encoding="klingon")


def test_decode_prefers_utf8_and_falls_back_to_gb18030():
    text = "名称,经度\n驿站,104\n"
    assert decode(text.encode("utf-8")) == (text, "utf-8")
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")
    assert decode(text.encode("gb18030")) == (text, "gb18030")


def test_tab_separated_csv(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("name\tlon\tlat\n驿站\t104.1\t30.6\n", encoding="utf-8")
    assert read_table(path).frame.to_dict("records") == [
        {"name": "驿站", "lon": "104.1", "lat": "30.6"}
    ]


def test_xlsx(tmp_path):
    rows = [
        {"名称": "驿站", "经度": 104.08, "骑手数": 12, "编号": "007"},
        {"名称": None, "经度": None, "骑手数": 3, "编号": None},
    ]
    table = read_table(write_xlsx(tmp_path / "s.xlsx", rows))
    assert table.format == "xlsx"
    assert list(table.frame.index) == [2, 3]
    assert table.frame.loc[2].tolist() == ["驿站", 104.08, 12, "007"]
    assert table.frame.loc[3, "名称"] is None


@pytest.mark.parametrize(("name", "format"), [("p.geojson", "geojson"), ("p.gpkg", "gpkg"),
                                              ("p.shp", "shapefile"), ("p.zip", "shapefile")])  # fmt: skip
def test_vector_formats(tmp_path, name, format):
    table = read_table(write_vector(tmp_path / name, POINTS))
    assert table.format == format
    assert list(table.frame.index) == [1, 2]
    assert table.frame["name"].tolist() == ["春熙路驿站", "天府广场站"]  # the .cpg says UTF-8
    assert table.geometry is not None
    assert table.geometry.crs.to_epsg() == 4326
    assert table.geometry.loc[2].x == pytest.approx(104.0657)


def test_shapefile_folder(tmp_path):
    folder = tmp_path / "grid"
    folder.mkdir()
    write_vector(folder / "grid.shp", POINTS, crs=32648)
    table = read_table(folder)
    assert table.format == "shapefile"
    assert table.geometry.crs.to_epsg() == 32648  # the .prj was read


def test_a_geopackage_of_two_layers_names_them_and_layer_chooses(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    path = tmp_path / "two.gpkg"
    gpd.GeoDataFrame({"name": ["first"]}, geometry=[Point(104, 30)], crs=4326).to_file(
        path, layer="a"
    )
    gpd.GeoDataFrame({"name": ["second"]}, geometry=[Point(105, 31)], crs=4326).to_file(
        path, layer="b"
    )
    with pytest.raises(InvalidInput, match=r"2 layers \(a, b\): choose one with --layer"):
        read_table(path)
    assert read_table(path, layer="b").frame["name"].tolist() == ["second"]
    with pytest.raises(InvalidInput, match=r"--layer c: no such layer; the layers are a, b"):
        read_table(path, layer="c")


def test_unreadable_inputs_are_one_line_errors(tmp_path):
    with pytest.raises(InvalidInput, match=r"no such file"):
        read_table(tmp_path / "missing.csv")
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(InvalidInput, match=r"unknown file format '\.pdf'"):
        read_table(tmp_path / "a.pdf")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InvalidInput, match=r"cannot read empty\.csv"):
        read_table(tmp_path / "empty.csv")
    (tmp_path / "ragged.csv").write_text("a,b\n1,2,3\n")
    with pytest.raises(InvalidInput, match=r"cannot read ragged\.csv"):
        read_table(tmp_path / "ragged.csv")
    (tmp_path / "bad.geojson").write_text("{not json")
    with pytest.raises(InvalidInput, match=r"cannot read bad\.geojson") as error:
        read_table(tmp_path / "bad.geojson")
    assert "\n" not in str(error.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidInput, match=r"must hold one \.shp"):
        read_table(tmp_path / "empty")


def test_empty_lines_and_rows_keep_the_row_numbers_a_user_sees(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("name,lon\na,1\n\nc,3\n,\n\n", encoding="utf-8")
    frame = read_table(path).frame
    assert frame.to_dict("index") == {2: {"name": "a", "lon": "1"}, 4: {"name": "c", "lon": "3"}}
    path.write_text("name,lon\na,1\n,\nc,3\n", encoding="utf-8")  # no empty line: pyarrow reads it
    assert read_table(path).frame["name"].to_dict() == {2: "a", 4: "c"}
    rows = [{"名称": "a", "经度": 1}, {"名称": None, "经度": None}, {"名称": "c", "经度": 3}]
    sheet = read_table(write_xlsx(tmp_path / "gaps.xlsx", rows)).frame
    assert sheet["名称"].to_dict() == {2: "a", 4: "c"}


def test_other_encodings_fall_back_to_charset_normalizer(tmp_path):
    text = "名称,经度,纬度\n春熙路驿站,104.08,30.66\n"
    path = tmp_path / "utf16.csv"
    path.write_bytes(text.encode("utf-16"))
    table = read_table(path)
    assert table.encoding == "utf_16"
    assert table.frame.loc[2, "名称"] == "春熙路驿站"


def test_a_shapefile_without_cpg_takes_the_given_encoding(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    folder = tmp_path / "old"
    folder.mkdir()
    frame = gpd.GeoDataFrame({"名称": ["春熙路驿站"]}, geometry=[Point(104, 30)], crs=4326)
    frame.to_file(folder / "s.shp", encoding="GBK")
    (folder / "s.cpg").unlink()
    assert "名称" not in read_table(folder).frame.columns  # GDAL guesses Latin-1
    table = read_table(folder, encoding="gbk")
    assert table.frame.to_dict("records") == [{"名称": "春熙路驿站"}]
    assert table.encoding == "gbk"
    with pytest.raises(InvalidInput, match=r"unknown encoding 'klingon'"):
        read_table(folder, encoding="klingon")
