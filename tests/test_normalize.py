import json

import pandas as pd
import pytest

from etl.normalize.table import normalize
from etl.read.tables import read_table
from geo_api.errors import InvalidInput
from tests.fixtures.etl.files import write_csv, write_vector, write_xlsx

ZH = {
    "编号": "CD-001",
    "名称": "春熙路暖新驿站",
    "地址": "锦江区春熙路1号",
    "经度": "104.0817",
    "纬度": "30.6574",
    "类型": "暖新驿站",
    "服务设施": "充电、热水、卫生间",
    "开放时间": "24小时",
    "电话": "028-86661234",
    "状态": "开放",
    "进入方式": "扫码",
    "容纳人数": "12",
    "面积": "35.5",
    "核验时间": "2025-01-03 10:00",
    "合成数据": "是",
}


def stations(tmp_path, rows, crs="wgs84", encoding="utf-8", **options):
    table = read_table(write_csv(tmp_path / "s.csv", rows, encoding=encoding))
    return normalize("stations", table, crs=crs, source="test", **options)


def outlets(tmp_path, rows, crs="wgs84", **options):
    table = read_table(write_csv(tmp_path / "o.csv", rows))
    return normalize("outlets", table, crs=crs, source="test", **options)


def reasons(result):
    return {rejection.row_number: rejection.reason for rejection in result.rejected}


def test_station_with_chinese_headers_in_gb18030(tmp_path):
    result = stations(tmp_path, [ZH], encoding="gb18030")
    assert result.rejected == []
    assert result.rows_read == 1
    record = result.records.iloc[0].to_dict()
    assert record["external_id"] == "CD-001"
    assert record["name"] == "春熙路暖新驿站"
    assert record["address"] == "锦江区春熙路1号"
    assert record["kind"] == "warm_station"
    assert record["amenities"] == ["charging", "toilet", "water"]
    assert record["amenities_unknown"] == []
    assert record["hours_text"] == "24小时"
    assert record["hours"] == [[0, 10080]]
    assert record["is_24h"] and not record["hours_unparsed"]
    assert record["phone"] == "028-86661234"
    assert record["status"] == "open"
    assert record["access"] == "qr_code"
    assert record["capacity"] == 12
    assert record["area_m2"] == 35.5
    assert record["last_verified_at"].isoformat() == "2025-01-03T10:00:00+08:00"
    assert record["synthetic"] is True or record["synthetic"] == True  # noqa: E712 (numpy bool)
    assert (record["source_crs"], record["source_x"], record["source_y"]) == (
        "wgs84",
        104.0817,
        30.6574,
    )
    assert (record["lon"], record["lat"]) == (104.0817, 30.6574)
    assert record["row_number"] == 2


def test_times_without_an_offset_take_the_time_zone_given(tmp_path):
    # One column may mix times with and without an offset; a word is no time at all.
    rows = [ZH, ZH | {"编号": "CD-002", "核验时间": "2025-01-03T10:00+08:00"},
            ZH | {"编号": "CD-003", "核验时间": "上周一"}]  # fmt: skip
    result = stations(tmp_path, rows, timezone="Asia/Urumqi")
    verified = [value.isoformat() for value in result.records["last_verified_at"]]
    assert verified == ["2025-01-03T10:00:00+06:00", "2025-01-03T08:00:00+06:00"]
    assert reasons(result) == {4: "last_verified_at '上周一' is not a date"}


def test_outlet_with_english_headers_in_any_case(tmp_path):
    rows = [
        {
            " ID ": "o-1",
            "Name": "顺丰网点",
            "BRAND": "顺丰",
            "Longitude": "104.1",
            "Latitude": "30.6",
            "Type": "express",
            "Riders": "25",
            "Address": "x",
        },
        {
            " ID ": "o-2",
            "Name": "美团站",
            "BRAND": "",
            "Longitude": "104.2",
            "Latitude": "30.7",
            "Type": "",
            "Riders": "",
            "Address": "",
        },
    ]
    records = outlets(tmp_path, rows).records
    assert records["external_id"].tolist() == ["o-1", "o-2"]
    # A blank kind is read from the brand or the name (美团 runs food delivery), and flagged; a
    # blank count stays unknown rather than becoming 0.
    assert records["kind"].tolist() == ["express", "food_delivery"]
    assert records["riders"].tolist() == [25, pd.NA]
    assert records["brand"].tolist() == ["顺丰", None]
    assert records["address"].tolist() == ["x", None]
    assert records["synthetic"].tolist() == [False, False]


def test_xlsx_cells_as_numbers(tmp_path):
    rows = [{"名称": "驿站", "经度": 104.0817, "纬度": 30.6574, "编号": 1001, "骑手数": 7}]
    table = read_table(write_xlsx(tmp_path / "o.xlsx", rows))
    records = normalize("outlets", table, crs="wgs84", source="test").records
    assert records.loc[0, "external_id"] == "1001"
    assert records.loc[0, "riders"] == 7
    assert records.loc[0, "lon"] == 104.0817


def test_map_overrides_the_aliases(tmp_path):
    rows = [{"站点": "驿站", "东经": "104.1", "北纬": "30.6", "名称": "not the name"}]
    result = stations(tmp_path, rows, mapping={"name": "站点", "lon": "东经", "lat": "北纬"})
    assert result.records.loc[0, "name"] == "驿站"
    assert result.records.loc[0, "lon"] == 104.1


def test_a_missing_required_column_names_it_and_the_columns_found(tmp_path):
    with pytest.raises(InvalidInput) as error:
        stations(tmp_path, [{"名称": "驿站", "经度": "104.1", "高度": "3"}])
    message = str(error.value)
    assert "'lat'" in message and "纬度" in message
    assert "columns found: 名称, 经度, 高度" in message
    assert "\n" not in message


def test_map_errors(tmp_path):
    rows = [{"名称": "驿站", "经度": "104.1", "纬度": "30.6"}]
    with pytest.raises(InvalidInput, match="unknown field 'height'"):
        stations(tmp_path, rows, mapping={"height": "名称"})
    with pytest.raises(InvalidInput, match="no column '东经'"):
        stations(tmp_path, rows, mapping={"lon": "东经"})


@pytest.mark.parametrize(
    ("kind", "crs", "level", "match"),
    [("roads", "wgs84", None, "unknown kind"), ("stations", "mars", None, "unknown coordinate system"),
     ("stations", "EPSG:999999", None, "no such EPSG"), ("stations", "wgs84", "planet", "unknown level")],
)  # fmt: skip
def test_unknown_kind_crs_or_level(tmp_path, kind, crs, level, match):
    table = read_table(write_csv(tmp_path / "s.csv", [ZH]))
    with pytest.raises(InvalidInput, match=match):
        normalize(kind, table, crs=crs, source="test", level=level)


def test_each_rejection_reason(tmp_path):
    base = {
        "编号": "",
        "名称": "驿站",
        "经度": "104.06",
        "纬度": "30.67",
        "类型": "",
        "状态": "",
        "进入方式": "",
        "容纳人数": "",
        "合成数据": "",
    }
    rows = [
        {**base, "编号": "A"},                                # 2 accepted
        {**base, "名称": " "},                                # 3 missing name
        {**base, "经度": ""},                                 # 4 missing coordinates
        {**base, "纬度": "北纬三十度"},                       # 5 non-numeric
        {**base, "经度": "30.67", "纬度": "104.06"},          # 6 swapped
        {**base, "经度": "2.35", "纬度": "48.85"},            # 7 outside China
        {**base, "编号": "A", "名称": "另一个"},              # 8 duplicate id
        {**base, "类型": "飞船"},                             # 9 unknown kind
        {**base, "状态": "拆除"},                             # 10 unknown status
        {**base, "进入方式": "刷脸"},                         # 11 unknown access
        {**base, "容纳人数": "很多"},                         # 12 not a number
        {**base, "合成数据": "也许"},                         # 13 unknown boolean
    ]  # fmt: skip
    result = stations(tmp_path, rows)
    got = reasons(result)
    assert got == {
        3: "missing name",
        4: "missing coordinates",
        5: "non-numeric coordinates ('104.06', '北纬三十度')",
        6: "longitude and latitude look swapped (30.67, 104.06)",
        7: "outside China (2.35, 48.85) in wgs84",
        8: "duplicate external_id 'A' (first at row 2)",
        9: got[9], 10: got[10], 11: got[11], 12: "capacity '很多' is not a whole number ≥ 0",
        13: got[13],
    }  # fmt: skip
    assert got[9].startswith("unknown kind '飞船' (use warm_station,")
    assert got[10].startswith("unknown status '拆除'")
    assert got[11].startswith("unknown access '刷脸'")
    assert got[13].startswith("unknown synthetic '也许'")
    assert result.records["row_number"].tolist() == [2]
    assert result.rows_read == len(rows)


def test_rejected_rows_are_kept_as_given_and_serialisable(tmp_path):
    row = {"编号": "X", "名称": "驿站", "经度": "30.67", "纬度": "104.06", "备注": "NA"}
    result = stations(tmp_path, [row])
    (rejection,) = result.rejected
    assert rejection.row_number == 2
    assert rejection.raw == row
    assert json.loads(json.dumps(rejection.raw, ensure_ascii=False)) == row


def test_rejected_vector_rows_carry_their_geometry_as_wkt(tmp_path):
    rows = [{"name": "", "geometry": "POINT (104.06 30.67)"}]
    table = read_table(write_vector(tmp_path / "p.geojson", rows))
    result = normalize("stations", table, crs="wgs84", source="test")
    (rejection,) = result.rejected
    assert rejection.reason == "missing name"
    assert rejection.row_number == 1
    assert rejection.raw["geometry"] == "POINT (104.06 30.67)"
    json.dumps(rejection.raw)


def test_unparsed_hours_and_unknown_amenities_are_kept_and_flagged(tmp_path):
    rows = [
        {**ZH, "编号": "1", "开放时间": "看天气"},
        {**ZH, "编号": "2", "服务设施": "充电、按摩椅"},
        {**ZH, "编号": "3"},
        {**ZH, "编号": "4", "开放时间": "看天气", "服务设施": "按摩椅"},
    ]
    result = stations(tmp_path, rows)
    records = result.records.set_index("external_id")
    assert result.rejected == []
    assert result.flagged == 3
    assert records.loc["1", "hours_unparsed"] and records.loc["1", "hours"] is None
    assert records.loc["1", "hours_text"] == "看天气"
    assert records.loc["2", "amenities"] == ["charging"]
    assert records.loc["2", "amenities_unknown"] == ["按摩椅"]
    assert not records.loc["3", "hours_unparsed"]


def test_auto_ids_are_stable_and_follow_content(tmp_path):
    row = {"名称": "无名驿站", "经度": "104.06", "纬度": "30.67"}
    first = stations(tmp_path, [row, {**row, "名称": "另一个"}]).records["external_id"].tolist()
    again = stations(tmp_path, [{**row, "名称": " 无名驿站 "}]).records["external_id"].tolist()
    wide = stations(tmp_path, [{**row, "名称": "无名驿站", "纬度": "30.670001"}]).records
    assert wide["external_id"].tolist() == first[:1]  # a tenth of a metre away is the same place
    full_width = stations(tmp_path, [{**row, "名称": "Ａ站"}]).records["external_id"].tolist()
    assert (
        full_width == stations(tmp_path, [{**row, "名称": "a站"}]).records["external_id"].tolist()
    )
    moved = stations(tmp_path, [{**row, "经度": "104.07"}]).records["external_id"].tolist()
    assert first[0].startswith("auto:")
    assert again[0] == first[0]  # same content, same id (surrounding spaces do not count)
    assert first[1] != first[0]  # different name
    assert moved[0] != first[0]  # different place


def test_two_rows_with_the_same_content_and_no_id_are_a_duplicate(tmp_path):
    row = {"名称": "无名驿站", "经度": "104.06", "纬度": "30.67"}
    result = stations(tmp_path, [row, row])
    assert len(result.records) == 1
    assert reasons(result)[3].startswith("repeats row 2: no id, and the same name and address")


def test_liaisons(tmp_path):
    rows = [
        {
            "姓名": "张三",
            "角色": "社区",
            "电话": "13800005596",
            "所属社区": "510104001001",
            "单位": "春熙路社区居委会",
            "在岗": "",
        },
        {
            "姓名": "李四",
            "角色": "民警",
            "电话": "",
            "所属社区": "510104001",
            "单位": "春熙路派出所",
            "在岗": "否",
        },
        {"姓名": "王五", "角色": "", "电话": "", "所属社区": "", "单位": "", "在岗": ""},
    ]
    table = read_table(write_csv(tmp_path / "l.csv", rows))
    result = normalize("liaisons", table, crs="wgs84", source="test")
    records = result.records
    assert records["role"].tolist() == ["community", "police"]
    assert records["active"].tolist() == [True, False]
    assert records["scope_adcode"].tolist() == ["510104001001", "510104001"]
    assert records["phone"].tolist() == ["13800005596", None]
    assert all(records["external_id"].str.startswith("auto:"))
    assert reasons(result) == {4: "missing role"}
