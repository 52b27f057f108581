import math

import pytest

from geo_api.vocab import AMENITIES
from geo_api.vocab.amenities import parse_amenities


@pytest.mark.parametrize(
    ("word", "amenity"),
    [("充电", "charging"), ("饮水", "water"), ("热水", "water"), ("喝水", "water"),
     ("卫生间", "toilet"), ("厕所", "toilet"), ("洗手间", "toilet"), ("微波炉", "microwave"),
     ("热饭", "microwave"), ("休息", "rest"), ("歇脚", "rest"), ("药箱", "first_aid"),
     ("急救", "first_aid"), ("空调", "air_conditioning"), ("纳凉", "air_conditioning"),
     ("取暖", "air_conditioning"), ("wifi", "wifi"), ("无线网", "wifi"), ("雨伞", "umbrella"),
     ("借伞", "umbrella"), ("停车", "parking"), ("停车位", "parking"), ("法律", "legal_aid"),
     ("法律援助", "legal_aid"), ("食堂", "canteen"), ("餐", "canteen")],
)  # fmt: skip
def test_chinese_words(word, amenity):
    assert parse_amenities(word) == ([amenity], [])


@pytest.mark.parametrize("amenity", AMENITIES)
def test_every_vocabulary_value_is_accepted_in_english(amenity):
    assert parse_amenities(amenity.upper()) == ([amenity], [])


@pytest.mark.parametrize("separator", ["、", "，", ",", ";", "；", "/", " ", "|", " , "])
def test_separators(separator):
    known, unknown = parse_amenities(separator.join(["充电", "热水", "卫生间", "充电"]))
    assert known == ["charging", "toilet", "water"]  # sorted, unique
    assert unknown == []


def test_english_names_of_several_words_survive_the_space_separator():
    assert parse_amenities("Air Conditioning first aid, legal aid, Wi-Fi") == (
        ["air_conditioning", "first_aid", "legal_aid", "wifi"],
        [],
    )


def test_unknown_words_are_kept_in_order_once():
    known, unknown = parse_amenities("充电、按摩椅、报刊、按摩椅")
    assert known == ["charging"]
    assert unknown == ["按摩椅", "报刊"]


def test_longer_chinese_words_containing_known_words():
    assert parse_amenities("免费充电 热水供应 法律援助咨询") == (
        ["charging", "legal_aid", "water"],
        [],
    )


@pytest.mark.parametrize("value", [None, math.nan, "", "  ", []])
def test_blank_is_nothing(value):
    assert parse_amenities(value) == ([], [])


def test_a_list_of_words():
    assert parse_amenities(["充电", "wifi", "咖啡"]) == (["charging", "wifi"], ["咖啡"])
