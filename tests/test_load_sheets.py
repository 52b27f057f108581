"""Government sheets as offices send them load to the right rows, with the right reasons.

The sheets are written by ``tests/fixtures/sheets/make_sheets.py`` (see its docstrings for what
each holds); positions lie inside the real boundaries of central Chengdu's districts.
"""

from pathlib import Path

import pytest
from sqlalchemy import text

from etl.load import load_file
from geo_api.batches.reading import get_batch, list_flagged, list_rejects

SHEETS = Path(__file__).parent / "fixtures" / "sheets"
JINJIANG = SHEETS / "锦江区驿站统计表_20240315_v2.xlsx"
QINGYANG = SHEETS / "青羊区网点台账.xls"
WUHOU = SHEETS / "wuhou_stations_gb18030.csv"
CHENGHUA = SHEETS / "chenghua_stations_bd09.csv"


def load_districts(db) -> None:
    load_file(db, "boundaries", SHEETS / "chengdu_districts_gcj02.geojson", crs="gcj02")


def rows(db, sql: str, **params) -> list[dict]:
    with db.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(text(sql), params)]


def batch_rows(db, batch_id: int) -> tuple[dict, list[dict], list[dict]]:
    with db.connect() as connection:
        return (
            get_batch(connection, batch_id),
            list_rejects(connection, batch_id),
            list_flagged(connection, batch_id, with_raw=True),
        )


def codes(flags: list[dict]) -> set[tuple]:
    return {(f["row_number"], f["field"], f["reason_code"]) for f in flags}


def accounted(batch: dict) -> int:
    return sum(batch[k] for k in ("inserted", "updated", "unchanged", "rejected", "skipped"))


def test_a_union_sheet_with_title_merged_hours_totals_and_notes(db):
    load_districts(db)
    result = load_file(db, "stations", JINJIANG)  # no --crs, no --source: the sheet says both
    batch, rejects, flags = batch_rows(db, result.batch_id)
    assert (result.inserted, result.rejected, result.skipped) == (7, 0, 5)
    assert batch["source"] == "锦江区总工会" and batch["crs"] == "gcj02"
    assert batch["report"]["sheet"] == "驿站统计" and batch["report"]["header_row"] == 4
    assert batch["rows_read"] == accounted(batch) == 12
    skipped = {r["row_number"]: r["reason_code"] for r in rejects}
    assert skipped == {
        1: "title_row",
        2: "title_row",
        12: "total_row",
        13: "note_row",
        14: "note_row",
    }
    assert all(r["kind"] == "skipped" for r in rejects)
    stored = {
        r["name"]: r
        for r in rows(db, "SELECT name, kind, hours_text, is_24h, phone, amenities, extra, "
                      "district_adcode, source_x FROM stations")
    }  # fmt: skip
    # 开放时间 merged over rows 5-7 and 8-11: every station has its hours, and the batch says so.
    hours = {name: r["hours_text"] for name, r in stored.items()}
    assert (
        list(hours.values()).count("9:00-21:00") == 3 and list(hours.values()).count("24小时") == 4
    )
    assert {f["rows"] for f in batch["report"]["filled"]} == {"6-7", "9-11"}
    # No kind column: kinds from the names.
    assert stored["太古里骑手之家"]["kind"] == "rider_center"
    assert stored["锦江区总工会工会驿站"]["kind"] == "union_station"
    assert stored["合江亭青年驿站"]["kind"] == "youth_station"
    assert stored["书院街党群服务中心"]["kind"] == "party_service_center"
    assert stored["春熙路暖新驿站"]["kind"] == "warm_station"
    # 服务内容 is amenities; 联系人 and 备注 feed no field and are kept, not dropped.
    assert stored["春熙路暖新驿站"]["amenities"] == ["charging", "toilet", "water"]
    assert stored["太古里骑手之家"]["extra"] == {"联系人": "王磊", "备注": "2023年新建"}
    assert {i["column"] for i in batch["report"]["ignored"]} == {"联系人", "备注"}
    assert batch["report"]["numbering"] == ["序号"]
    # Row 8's longitude in degrees, minutes and seconds was read; row 11 is a BD-09 point.
    assert stored["合江亭青年驿站"]["source_x"] == pytest.approx(104.13745278)
    assert codes(flags) == {
        (8, "lon", "coordinate_dms"),
        (8, "amenities", "amenities_unknown"),
        (11, "position", "district_mismatch_crs"),
    }
    crossing = next(f for f in flags if f["row_number"] == 11)
    assert crossing["params"]["crs"] == "bd09" and crossing["params"]["district"] == "锦江区"
    assert "looks like BD-09" in crossing["reason"]
    assert stored["东湖骑手之家"]["district_adcode"] != "510104"
    again = load_file(db, "stations", JINJIANG)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 7)


def test_an_xls_ledger_behind_an_instructions_sheet(db):
    load_districts(db)
    result = load_file(db, "outlets", QINGYANG)
    batch, rejects, flags = batch_rows(db, result.batch_id)
    report = batch["report"]
    assert report["format"] == "xls" and report["sheet"] == "网点台账"
    assert report["other_sheets"] == ["填表说明"]
    assert batch["source"] == "青羊区委社会工作部" and batch["crs"] == "gcj02"
    assert (result.inserted, result.rejected, result.skipped) == (6, 2, 4)
    assert batch["rows_read"] == accounted(batch)
    by_row = {r["row_number"]: (r["kind"], r["reason_code"]) for r in rejects}
    assert by_row == {
        1: ("skipped", "title_row"), 2: ("skipped", "title_row"), 9: ("skipped", "total_row"),
        11: ("rejected", "not_whole_number"), 13: ("rejected", "non_numeric_coordinates"),
        14: ("skipped", "note_row"),
    }  # fmt: skip
    stored = {r["name"]: r for r in rows(db, "SELECT name, kind, riders, extra FROM outlets")}
    riders = {name: r["riders"] for name, r in stored.items()}
    assert riders == {
        "美团外卖少城站": 28,
        "饿了么草市街站": 12,
        "顺丰速运青羊营业部": 14,
        "中通快递光华站": None,
        "滴滴司机之家": 9,
        "京东物流青羊站": 20,
    }
    kinds = {name: r["kind"] for name, r in stored.items()}
    assert kinds == {
        "美团外卖少城站": "food_delivery",
        "饿了么草市街站": "food_delivery",
        "顺丰速运青羊营业部": "express",
        "中通快递光华站": "express",
        "滴滴司机之家": "ride_hailing",
        "京东物流青羊站": "express",
    }
    assert stored["美团外卖少城站"]["extra"] == {"站长": "站长1", "联系电话": "13900000001"}
    assert {(f["row_number"], f["reason_code"]) for f in flags} == {
        (5, "count_unit"),
        (6, "count_approximate"),
        (7, "count_range"),
        (12, "count_words"),
    }
    assert next(f for f in flags if f["row_number"] == 7)["params"]["read"] == 14


def test_a_gb18030_csv_with_a_two_row_header_and_two_bd09_rows(db):
    load_districts(db)
    result = load_file(db, "stations", WUHOU, crs="gcj02")
    batch, rejects, flags = batch_rows(db, result.batch_id)
    assert batch["report"]["encoding"] == "gb18030" and batch["source"] == "武侯区总工会"
    assert (result.inserted, result.rejected, result.skipped) == (6, 1, 5)
    assert {r["row_number"]: r["reason_code"] for r in rejects} == {
        1: "title_row", 2: "title_row", 5: "subheader_row", 10: "missing_name",
        13: "total_row", 14: "note_row",
    }  # fmt: skip
    capacity = dict(
        rows(db, "SELECT external_id, capacity FROM stations")[i].values() for i in range(6)
    )
    assert capacity == {"WH-01": 20, "WH-02": 15, "WH-03": 11, "WH-04": 8, "WH-06": 12, "WH-07": 30}
    assert codes(flags) == {
        (6, "lon", "coordinate_dms"), (6, "capacity", "count_approximate"),
        (7, "lon", "coordinate_dms"), (8, "capacity", "count_range"),
        (11, "capacity", "count_unit"), (12, "position", "district_mismatch_crs"),
    }  # fmt: skip
    # Row 8 is BD-09 too, but 700 m off it stays in 武侯区: a district check cannot see it.
    # Two rows of twenty-odd do not make the file suspect: no file-wide suggestion.
    assert "note_crs_suggestion" not in {n["code"] for n in batch["report"]["notes"]}


def test_a_bd09_sheet_read_as_gcj02_is_called_out_and_reloading_it_right_moves_the_stations(db):
    load_districts(db)
    wrong = load_file(db, "stations", CHENGHUA, crs="gcj02")
    batch, _, flags = batch_rows(db, wrong.batch_id)
    (suggestion,) = [n for n in batch["report"]["notes"] if n["code"] == "note_crs_suggestion"]
    assert suggestion["params"] == {"outside": 10, "checked": 20, "crs": "bd09", "outside_alt": 0}
    assert {f["row_number"] for f in flags} == set(range(2, 12))
    assert all(f["params"]["crs"] == "bd09" for f in flags)
    right = load_file(db, "stations", CHENGHUA, crs="bd09")
    assert (right.inserted, right.updated) == (0, 20)  # the same stations, moved
    again, _, flags_again = batch_rows(db, right.batch_id)
    assert flags_again == [] and "note_crs_suggestion" not in str(again["report"]["notes"])
    inside = rows(db, "SELECT count(*) AS n FROM stations WHERE district_adcode = '510108'")
    assert inside[0]["n"] == 20


STORED_AS = {
    "name": "name",
    "brand": "brand",
    "address": "address",
    "coordinates": "source_x",
    "riders": "riders",
}


@pytest.mark.parametrize("path", [QINGYANG, JINJIANG])
def test_nothing_given_is_absent_from_both_the_rows_and_the_report(db, path):
    """Every non-blank cell is in its record (a field, or extra), or its row in the report."""
    from etl.normalize.headers import header_score
    from etl.read.tables import read_table

    load_districts(db)
    kind = "outlets" if path == QINGYANG else "stations"
    batch, rejects, _ = batch_rows(db, load_file(db, kind, path).batch_id)
    report = batch["report"]
    fields = {c["column"]: c["field"] for c in report["columns"]}
    not_loaded = {r["row_number"]: r["raw"] for r in rejects}
    sql = f"SELECT name, to_jsonb(t) AS record FROM {kind} t"
    records = {r["name"]: r["record"] for r in rows(db, sql)}
    table = read_table(path, score=header_score(kind))
    for number, row in table.frame.to_dict("index").items():
        given = {c: v for c, v in row.items() if v not in (None, "")}
        if number in not_loaded:
            assert {c: v for c, v in not_loaded[number].items() if v not in (None, "")} == given
            continue
        name_column = next(c for c, f in fields.items() if f == "name")
        record = records[given[name_column]]
        for column, cell in given.items():
            if column in report["numbering"]:
                continue
            if column in fields:
                key = STORED_AS.get(fields[column], fields[column])
                key = {"lon": "source_x", "lat": "source_y", "hours": "hours_text"}.get(key, key)
                assert record[key] not in (None, [], ""), (number, column)
            else:
                assert record["extra"][column] == cell, (number, column)
