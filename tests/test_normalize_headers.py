import numpy as np
import pandas as pd
import pytest

from etl.normalize.headers import ALIASES, FIELDS, REQUIRED, resolve_columns
from etl.normalize.table import normalize
from etl.read.tables import RawTable
from geo_api import coords
from geo_api.errors import InvalidInput

BASE = {"name": "名称", "lon": "经度", "lat": "纬度"}


@pytest.mark.parametrize(
    ("header", "field"),
    [("名称", "name"), ("Name", "name"), (" NAME ", "name"), ("经度", "lon"), ("lng", "lon"),
     ("Longitude", "lon"), ("X", "lon"), ("纬度", "lat"), ("Y", "lat"), ("服务设施", "amenities"),
     ("设施", "amenities"), ("营业时间", "hours"), ("Opening_Hours", "hours"), ("联系电话", "phone"),
     ("编号", "external_id"), ("ID", "external_id"), ("External_ID", "external_id"), ("类型", "kind")],
)  # fmt: skip
def test_station_header_aliases(header, field):
    columns = [h for f, h in BASE.items() if f != field] + [header]
    assert resolve_columns("stations", columns)[field] == header


@pytest.mark.parametrize(
    ("kind", "headers", "field"),
    [("outlets", ["名称", "经度", "纬度", "骑手人数"], "riders"), ("outlets", ["名称", "经度", "纬度", "品牌"], "brand"),
     ("liaisons", ["姓名", "角色", "所属派出所"], "organization"), ("liaisons", ["name", "role", "所属社区"], "scope_adcode"),
     ("boundaries", ["行政区划代码", "名称", "上级代码"], "parent_adcode"), ("boundaries", ["adcode", "name", "级别"], "level")],
)  # fmt: skip
def test_other_kinds(kind, headers, field):
    assert resolve_columns(kind, headers, has_geometry=True)[field] == headers[-1]


def test_every_field_has_aliases_and_required_fields_are_fields():
    for kind, fields in FIELDS.items():
        assert set(REQUIRED[kind]) <= set(fields)
        assert all(ALIASES[field] for field in fields)


def test_vector_files_need_no_coordinate_columns():
    assert "lon" not in resolve_columns("stations", ["name"], has_geometry=True)
    with pytest.raises(InvalidInput, match="required column 'lon'"):
        resolve_columns("stations", ["name"])


def test_a_mapped_column_is_not_taken_twice():
    found = resolve_columns("stations", ["名称", "name", "x", "y"], {"name": "name"})
    assert found["name"] == "name"
    assert "名称" not in found.values()


def test_many_rows_against_a_brute_force_check():
    rng = np.random.default_rng(3)
    n = 20_000
    lon = rng.uniform(103.9, 104.2, n).round(6)
    lat = rng.uniform(30.5, 30.8, n).round(6)
    swapped = rng.random(n) < 0.05
    frame = pd.DataFrame({
        "编号": [f"O{i}" for i in range(n)],
        "名称": [f"网点{i % 997}" for i in range(n)],
        "经度": np.where(swapped, lat, lon).astype(str),
        "纬度": np.where(swapped, lon, lat).astype(str),
        "类型": rng.choice(["快递", "外卖", "网约车", "货拉拉", ""], n),
        "骑手数": rng.integers(0, 40, n).astype(str),
    }, index=pd.RangeIndex(2, n + 2))  # fmt: skip
    table = RawTable(frame=frame, geometry=None, format="csv", encoding="utf-8")
    result = normalize("outlets", table, crs="gcj02", source="bench")
    assert len(result.records) == n - swapped.sum()
    assert {r.row_number - 2 for r in result.rejected} == set(np.flatnonzero(swapped))
    kept = ~swapped
    expected_lon, expected_lat = coords.gcj02_to_wgs84(lon[kept], lat[kept])
    assert np.allclose(result.records["lon"], expected_lon)
    assert np.allclose(result.records["lat"], expected_lat)
    kinds = {
        "快递": "express",
        "外卖": "food_delivery",
        "网约车": "ride_hailing",
        "货拉拉": "freight",
        "": "other",
    }
    assert result.records["kind"].tolist() == [kinds[k] for k in frame["类型"][kept]]
    assert result.records["riders"].tolist() == frame["骑手数"][kept].astype(int).tolist()


@pytest.mark.parametrize(
    ("header", "field", "crs"),
    [("经度（高德）", "lon", "gcj02"), ("纬度(GCJ-02)", "lat", "gcj02"), ("百度经度", "lon", "bd09"),
     ("经度_wgs84", "lon", "wgs84"), ("坐标(高德)", "coordinates", "gcj02"), ("经度*", "lon", None),
     ("骑手数（人）", "riders", None), ("服务内容", "amenities", None), ("服务项目", "amenities", None),
     ("站点名称", "name", None), ("坐标", "coordinates", None), ("所属区县", "district", None)],
)  # fmt: skip
def test_headers_read_with_their_notes(header, field, crs):
    kind = "outlets" if field == "riders" else "stations"
    columns = resolve_columns(
        kind,
        ["名称", "经度", "纬度", header]
        if field not in ("name", "lon", "lat")
        else [header, "经度", "纬度", "名称"],
    )
    assert columns[field] == header
    assert columns.crs.get(header) == crs


def test_every_column_is_accounted_for():
    columns = resolve_columns(
        "outlets", ["序号", "网点名称", "坐标", "站长", "联系电话", "网点地址2", "warmmap:row"]
    )
    assert dict(columns) == {"name": "网点名称", "coordinates": "坐标"}
    assert columns.numbering == ["序号"] and columns.annotations == ["warmmap:row"]
    assert columns.ignored == ["站长", "联系电话", "网点地址2"]
    assert columns.hints == {"网点地址2": "--map address=网点地址2"}


def test_a_liaison_sheets_contact_is_the_liaison():
    assert resolve_columns("liaisons", ["联系人", "角色"])["name"] == "联系人"
    assert "name" not in resolve_columns("stations", ["联系人", "名称", "经度", "纬度"]).ignored


def test_crs_from_the_headers_and_against_crs(tmp_path):
    from etl.normalize.table import normalize
    from etl.read.tables import read_table
    from tests.fixtures.etl.files import write_csv

    rows = [{"名称": "驿站", "经度（高德）": "104.0817", "纬度（高德）": "30.6574"}]
    table = read_table(write_csv(tmp_path / "s.csv", rows))
    assert normalize("stations", table).crs == "gcj02"
    with pytest.raises(InvalidInput, match=r"--crs bd09 but column '经度（高德）' names gcj02"):
        normalize("stations", table, crs="bd09")
    mixed = [{"名称": "驿站", "经度（高德）": "104.0817", "纬度（百度）": "30.6574"}]
    with pytest.raises(InvalidInput, match="names two coordinate systems"):
        normalize("stations", read_table(write_csv(tmp_path / "m.csv", mixed)))
    plain = read_table(write_csv(tmp_path / "p.csv", [{"名称": "驿站", "经度": "1", "纬度": "2"}]))
    with pytest.raises(InvalidInput, match="does not name its coordinate system: give --crs"):
        normalize("stations", plain)
