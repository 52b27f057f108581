"""Reasons render in Chinese and English from a code and its parameters."""

import re
from pathlib import Path

import pytest

from geo_api.reasons import MESSAGES, render

ROOT = Path(__file__).resolve().parents[1]
PARAMS = {
    "x": 1.5, "y": 2.5, "system": "gcj02", "crs": "bd09", "field": "riders", "value": "28人",
    "read": 28, "allowed": "a, b", "first_row": 3, "geometry_type": "Point", "parent": "510100",
    "text": "合计", "words": ["按摩椅"], "district": "锦江区", "stored": "a", "file": "b",
    "edited_at": "2025-01-01T00:00:00+00:00", "other_name": "甲", "other_source": "s",
    "other_external_id": "1", "distance_m": 5.8, "name": "乙", "sheet": "Sheet1",
    "header_row": 4, "sheets": ["说明"], "count": 2, "kinds": "total_row 1", "column": "站长",
    "rows": "5-7", "hint": "", "fields": ["status", "access"], "counts": "warm_station 3",
    "source": "锦江区总工会", "origin": "unit", "outside": 10, "checked": 20, "outside_alt": 0,
    "pairs": "名称 → name", "limit": 200, "length": 300, "char": "U+202E",
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_reason_renders_in_both_languages(code):
    english, chinese = render(code, PARAMS, "en"), render(code, PARAMS, "zh")
    assert "{" not in english and "{" not in chinese, (english, chinese)
    assert english != chinese and "\n" not in english + chinese


def test_labels_in_chinese_and_unknown_codes_stay_readable():
    assert render("unknown_word", {"field": "kind", "value": "飞船", "allowed": "x"}, "zh") == (
        "无法识别的类型「飞船」（可用：x）"
    )
    assert render("note_crs_suggestion", PARAMS, "en").endswith("reload with --crs bd09?")
    assert render("no_such_code", {"a": 1}) == "no_such_code (a=1)"


def test_every_code_the_etl_writes_has_a_message():
    written = set()
    for path in [*ROOT.glob("etl/**/*.py"), ROOT / "geo_api" / "batches" / "corrections.py"]:
        source = path.read_text("utf-8")
        written |= set(re.findall(r'(?:add|note|Reading)\([^"]*?"([a-z_]+_[a-z_]+)"', source))
        written |= set(
            re.findall(r"'(edit_kept|edit_overwritten|near_duplicate|suspended_missing)'", source)
        )
    fields = {"area_m2", "last_verified_at", "scope_adcode", "parent_adcode", "hours_unparsed"}
    assert written - fields <= set(MESSAGES), written - fields - set(MESSAGES)
    assert {"missing_name", "count_range", "note_crs_suggestion", "near_duplicate"} <= written
