import numpy as np
import pandas as pd
import pytest

from geo_api import vocab
from geo_api.vocab.kinds import (
    VOCABULARIES,
    lookup,
    map_distinct,
    map_words,
    outlet_kind_from_brand,
    station_kind_from_name,
)

CASES = [
    ("station_kind", "暖新驿站", "warm_station"), ("station_kind", "工会驿站", "union_station"),
    ("station_kind", "户外劳动者服务站", "union_station"),
    ("station_kind", "党群服务中心", "party_service_center"),
    ("station_kind", "党群服务站", "party_service_center"),
    ("station_kind", "青年驿站", "youth_station"), ("station_kind", "骑手之家", "rider_center"),
    ("station_kind", "骑手驿站", "rider_center"), ("station_kind", "其他", "other"),
    ("outlet_kind", "快递", "express"), ("outlet_kind", "快递网点", "express"),
    ("outlet_kind", "外卖", "food_delivery"), ("outlet_kind", "外卖站点", "food_delivery"),
    ("outlet_kind", "网约车", "ride_hailing"), ("outlet_kind", "货运", "freight"),
    ("outlet_kind", "货拉拉", "freight"),
    ("liaison_role", "社区", "community"), ("liaison_role", "派出所", "police"),
    ("liaison_role", "民警", "police"), ("liaison_role", "公安", "police"),
    ("access", "有人值守", "staffed"), ("access", "扫码", "qr_code"), ("access", "开放", "open"),
    ("access", "自助", "open"),
    ("status", "开放", "open"), ("status", "正常", "open"), ("status", "营业", "open"),
    ("status", "关闭", "closed"), ("status", "停用", "closed"), ("status", "暂停", "suspended"),
    ("status", "暂停开放", "suspended"),
    ("boolean", "是", "true"), ("boolean", "TRUE", "true"), ("boolean", "1", "true"),
    ("boolean", "yes", "true"), ("boolean", "否", "false"), ("boolean", "0", "false"),
]  # fmt: skip


@pytest.mark.parametrize(("vocabulary", "word", "value"), CASES)
def test_chinese_words(vocabulary, word, value):
    assert lookup(vocabulary, word) == value


@pytest.mark.parametrize(
    ("vocabulary", "values"),
    [("station_kind", vocab.STATION_KINDS), ("outlet_kind", vocab.OUTLET_KINDS),
     ("liaison_role", vocab.LIAISON_ROLES), ("access", vocab.STATION_ACCESS),
     ("status", vocab.STATION_STATUSES)],
)  # fmt: skip
def test_english_values_in_any_case(vocabulary, values):
    for value in values:
        assert lookup(vocabulary, f" {value.upper()} ") == value
        assert lookup(vocabulary, value.replace("_", " ")) == value


def test_longer_names_take_the_longest_word_they_contain():
    assert lookup("station_kind", "成都市总工会户外劳动者服务站") == "union_station"
    assert lookup("liaison_role", "锦江区春熙路派出所") == "police"
    assert lookup("status", "暂停开放中") == "suspended"


@pytest.mark.parametrize("vocabulary", VOCABULARIES)
def test_unknown_words(vocabulary):
    assert lookup(vocabulary, "不知道是什么") is None


def test_map_words_keeps_blanks_blank_and_marks_unknown():
    cells = pd.Series(["快递", " 外卖 ", None, "", "飞船", "Express", np.nan], index=range(2, 9))
    values, unknown = map_words("outlet_kind", cells)
    assert values.tolist() == ["express", "food_delivery", None, None, None, "express", None]
    assert unknown.tolist() == [False, False, False, False, True, False, False]
    assert values.index.tolist() == list(range(2, 9))


def test_map_distinct_calls_once_per_distinct_value():
    calls = []
    cells = pd.Series(["a", "b", "a", None, "b", " a"])
    answers = map_distinct(cells, lambda word: calls.append(word) or word.upper(), blank="-")
    assert answers.tolist() == ["A", "B", "A", "-", "B", "A"]
    assert sorted(calls) == ["a", "a", "b"]  # " a" is distinct as given, the same once stripped


@pytest.mark.parametrize(
    ("name", "kind"),
    [("春熙路骑手之家", "rider_center"), ("锦江区总工会工会驿站", "union_station"),
     ("合江亭青年驿站", "youth_station"), ("书院街党群服务中心", "party_service_center"),
     ("暖新驿站（合成）锦江区012号", "warm_station"), ("成都市户外劳动者服务站", "union_station"),
     ("某某服务点", None), ("其他站点", None)],
)  # fmt: skip
def test_station_kind_from_the_name(name, kind):
    assert station_kind_from_name(name) == kind


@pytest.mark.parametrize(
    ("brand", "kind"),
    [("美团", "food_delivery"), ("饿了么", "food_delivery"), ("顺丰速运", "express"),
     ("中通快递", "express"), ("京东物流", "express"), ("圆通", "express"), ("韵达", "express"),
     ("申通", "express"), ("极兔速递", "express"), ("邮政EMS", "express"), ("EMS", "express"),
     ("滴滴", "ride_hailing"), ("高德打车", "ride_hailing"), ("货拉拉", "freight"),
     ("快狗打车", "freight"), ("SF Express", "express"), ("某某公司", None), ("Smsf", None)],
)  # fmt: skip
def test_outlet_kind_from_the_brand(brand, kind):
    assert outlet_kind_from_brand(brand) == kind
