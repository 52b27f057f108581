"""Numbers as offices write them, and the identity of rows without an id."""

import pytest
from sqlalchemy import text

from etl.normalize.identity import file_source
from etl.normalize.numbers import Reading, chinese_number, read_amount, read_degrees, split_pair
from etl.normalize.places import Area, AreaNames
from geo_api.vocab.names import name_key, name_keys


@pytest.mark.parametrize(
    ("cell", "reading"),
    [("28人", Reading(28, "count_unit")), ("28 名", Reading(28, "count_unit")),
     ("约12", Reading(12, "count_approximate")), ("12人左右", Reading(12, "count_approximate")),
     ("12-15", Reading(14, "count_range")), ("12～15人", Reading(14, "count_range")),
     ("10至11", Reading(11, "count_range")), ("28余人", Reading(28, "count_at_least")),
     ("30以上", Reading(30, "count_at_least")), ("二十八", Reading(28, "count_words")),
     ("一百二十", Reading(120, "count_words")), ("1,200", Reading(1200, None)),
     ("３５㎡", Reading(35, "count_unit")), ("无", Reading(0, "count_zero_word")),
     ("不详", Reading(None, "count_unknown_word")), ("—", Reading(None, "count_unknown_word")),
     ("很多", Reading(None, ok=False)), ("-3", Reading(None, ok=False)),
     ("15-12", Reading(None, ok=False))],
)  # fmt: skip
def test_counts(cell, reading):
    assert read_amount(cell) == reading


def test_chinese_numerals():
    assert [chinese_number(t) for t in ("十", "十二", "二十", "两百零五", "三千", "一万二千")] == [
        10,
        12,
        20,
        205,
        3000,
        12000,
    ]
    assert chinese_number("十二人") is None


@pytest.mark.parametrize(
    ("cell", "degrees"),
    [("104°03'56\"", 104.06555556), ("104°03′56″", 104.06555556), ("104度3分56秒", 104.06555556),
     ("E104.0656°", 104.0656), ("104.0656°E", 104.0656), ("东经104.0656", 104.0656),
     ("30°39'N", 30.65), ("北纬30.65", 30.65), ("104°03.5'", 104.05833333)],
)  # fmt: skip
def test_degrees_with_signs(cell, degrees):
    assert read_degrees(cell) == Reading(pytest.approx(degrees), "coordinate_dms")


@pytest.mark.parametrize("cell", ["待核实", "104°61'", "E104N30", "1O4.06"])
def test_what_is_no_angle(cell):
    assert not read_degrees(cell).ok


def test_one_cell_of_lon_and_lat():
    assert split_pair("104.06,30.67") == ("104.06", "30.67")
    assert split_pair("（104.06， 30.67）") == ("104.06", "30.67")
    assert split_pair("104.06 30.67") == ("104.06", "30.67")
    assert split_pair("104.06") is None and split_pair("1,2,3") is None


@pytest.mark.parametrize(
    ("name", "source"),
    [("锦江区驿站统计表_20240315_v2.xlsx", "锦江区驿站统计表"), ("驿站统计表（修订版）.csv", "驿站统计表"),
     ("20240301锦江区驿站.xls", "锦江区驿站"), ("驿站表 (1).xlsx", "驿站表"),
     ("outlets-2024-03.csv", "outlets"), ("驿站统计表2024年3月.xlsx", "驿站统计表"),
     ("stations_v1.2_final.csv", "stations"), ("stations_gcj02.csv", "stations_gcj02")],
)  # fmt: skip
def test_a_files_name_as_its_source(name, source):
    assert file_source(name) == source


def test_names_compare_without_width_brackets_case_or_spaces(connection):
    import pandas as pd

    names = [
        "春熙路驿站（一号店）",
        "春熙路驿站(一号店)",
        "春熙路驿站【一号店】",
        " 春熙路 驿站(一号店) ",
        "ＡＢＣ骑手之家",
        "abc骑手之家",
        "暖新驿站（合成）锦江区012号",
        "骑手之家・东门",
    ]
    python = name_keys(pd.Series(names)).tolist()
    assert len(set(python[:4])) == 1 and python[4] == python[5]
    assert python[6] == "暖新驿站(合成)锦江区012号"  # nothing but the form changes
    sql = (
        connection.execute(
            text("SELECT warmmap_name_key(n) FROM unnest(CAST(:names AS text[])) AS n"),
            {"names": names},
        )
        .scalars()
        .all()
    )
    assert sql == python  # the migration's backfill folds names as the ETL and the API do
    assert [name_key(n) for n in names] == python


def test_the_district_an_address_names():
    areas = AreaNames([
        Area("510100", "成都市", "city"), Area("510104", "锦江区", "district", "510100"),
        Area("320100", "南京市", "city"), Area("320106", "鼓楼区", "district", "320100"),
        Area("350100", "福州市", "city"), Area("350102", "鼓楼区", "district", "350100"),
    ])  # fmt: skip
    assert areas.read("四川省成都市锦江区春熙路1号") == ("510104", "春熙路1号")
    assert areas.read("锦江区 春熙路1号") == ("510104", "春熙路1号")
    assert areas.read("成都市锦江区") == ("510104", "")
    assert areas.read("南京市鼓楼区中山路") == ("320106", "中山路")
    assert areas.read("鼓楼区中山路") == (None, "鼓楼区中山路")  # two cities have one
    assert areas.read("春熙路1号") == (None, "春熙路1号")
    assert areas.district("锦江区") == "510104" and areas.district("锦江区春熙路") is None
