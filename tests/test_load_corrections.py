"""The officer's round trip: list what a load refused or flagged, correct it in a workbook, load
it again; listings are safe to open in a spreadsheet, in Chinese or English."""

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
from sqlalchemy import text

from etl.load import load_file
from geo_api import coords
from tests.loadutil import count, scalars

SHEETS = Path(__file__).parent / "fixtures" / "sheets"


def warmmap(url: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    inherited = {
        k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANGUAGE")
    }
    environment = inherited | {"WARMMAP_DATABASE_URL": url, "LANG": "C.UTF-8"} | env
    command = [sys.executable, "-m", "warmmap_cli", *args]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120)


def load_districts(engine) -> None:
    load_file(engine, "boundaries", SHEETS / "chengdu_districts_gcj02.geojson", crs="gcj02")


def rows_by_number(sheet) -> tuple[list[str], dict[int, int]]:
    """The header of a correction sheet and, by original row number, its row in the sheet."""
    header_row = next(r for r in range(1, 10) if sheet.cell(r, 1).value in ("编号", "序号"))
    header = [c.value for c in sheet[header_row]]
    at = header.index("warmmap:row") + 1
    numbers = {sheet.cell(r, at).value: r for r in range(header_row + 1, sheet.max_row + 1)}
    return header, numbers


def gcj02(x: str, y: str) -> tuple[str, str]:
    lon, lat = coords.bd09_to_gcj02(float(x), float(y))
    return f"{float(lon):.6f}", f"{float(lat):.6f}"


def test_correct_the_workbook_and_load_it_again(db_url_engine, tmp_path):
    url, engine = db_url_engine
    load_districts(engine)
    loaded = warmmap(
        url, "load", "stations", str(SHEETS / "wuhou_stations_gb18030.csv"), "--crs", "gcj02"
    )
    assert loaded.returncode == 0, loaded.stderr
    (batch_id,) = scalars(engine, "SELECT max(id) FROM load_batches")
    book_path = tmp_path / "待更正.xlsx"
    exported = warmmap(url, "rejects", str(batch_id), "--xlsx", str(book_path))
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith(f"{book_path}: 6 rows to correct")
    book = openpyxl.load_workbook(book_path)
    sheet = book.worksheets[0]
    header, at = rows_by_number(sheet)
    assert set(at) == {6, 7, 8, 10, 11, 12}  # the rejected row and the flagged ones, no totals
    name, lon, lat = (header.index(h) + 1 for h in ("名称", "经度", "纬度"))
    assert sheet.cell(at[12], lon).fill.fgColor.rgb.endswith("FFF2CC")  # the cell at fault
    assert "BD-09" in sheet.cell(at[12], lon).comment.text
    sheet.cell(at[10], name).value = "科华北路暖新驿站"  # the name it lacked
    x, y = sheet.cell(at[12], lon).value, sheet.cell(at[12], lat).value
    sheet.cell(at[12], lon).value, sheet.cell(at[12], lat).value = gcj02(x, y)
    book.save(book_path)
    again = warmmap(url, "load", "stations", str(book_path))  # no --crs, no --source needed
    assert again.returncode == 0, again.stderr
    assert (
        again.stdout.startswith("batch ") and ": 1 inserted, 1 updated, 0 rejected" in again.stdout
    )
    assert count(engine, "stations") == 7
    with engine.connect() as connection:
        stored = dict(
            connection.execute(
                text(
                    "SELECT external_id, district_adcode FROM stations WHERE source = '武侯区总工会'"
                )
            ).all()
        )
    assert stored["WH-05"] == stored["WH-07"] == "510107"
    assert len(stored) == 7


def test_rows_without_ids_keep_their_record_through_the_workbook(db_url_engine, tmp_path):
    url, engine = db_url_engine
    load_districts(engine)
    first = load_file(engine, "stations", SHEETS / "锦江区驿站统计表_20240315_v2.xlsx")
    book_path = tmp_path / "fix.xlsx"
    assert warmmap(url, "flagged", str(first.batch_id), "--xlsx", str(book_path)).returncode == 0
    book = openpyxl.load_workbook(book_path)
    sheet = book.worksheets[0]
    header, at = rows_by_number(sheet)
    assert "warmmap:id" in header  # the sheet had no id column: the export keeps the records'
    name, lon, lat = (header.index(h) + 1 for h in ("站点名称", "经度（高德）", "纬度（高德）"))
    sheet.cell(at[11], name).value = "东湖街道骑手之家"  # renamed and moved: the same station
    x, y = sheet.cell(at[11], lon).value, sheet.cell(at[11], lat).value
    sheet.cell(at[11], lon).value, sheet.cell(at[11], lat).value = gcj02(x, y)
    book.save(book_path)
    result = load_file(engine, "stations", book_path)
    assert (result.inserted, result.updated, result.rejected) == (0, 1, 0)
    assert count(engine, "stations") == 7
    with engine.connect() as connection:
        district = connection.execute(
            text("SELECT district_adcode FROM stations WHERE name = '东湖街道骑手之家'")
        ).scalar_one()
    assert district == "510104"


def test_listings_are_csv_with_formulas_neutralised_and_in_chinese_on_a_chinese_locale(
    db_url_engine, tmp_path
):
    url, engine = db_url_engine
    path = tmp_path / "o.csv"
    path.write_text(
        '名称,经度,纬度,电话\n=HYPERLINK("http://x"),abc,30.6,+8613800000000\n'
        "@SUM(1),104.06,30.66,-1\n",
        encoding="utf-8",
    )
    load_file(engine, "outlets", path, crs="wgs84")
    (batch_id,) = scalars(engine, "SELECT max(id) FROM load_batches")
    listed = warmmap(url, "rejects", str(batch_id))
    table = list(csv.reader(io.StringIO(listed.stdout), delimiter="\t"))
    assert table[0] == ["row", "outcome", "reason", "row as given"]
    assert table[1][0] == "2" and table[1][2].startswith("non-numeric coordinates")
    assert '"名称": "=HYPERLINK' in table[1][3]  # inside JSON, not at a cell's start
    flagged = warmmap(url, "flagged", str(batch_id))
    assert flagged.stdout.splitlines()[0] == "row\tid\tfield\tcolumn\tvalue\treason"
    chinese = warmmap(url, "rejects", str(batch_id), LANG="zh_CN.UTF-8")
    zh = list(csv.reader(io.StringIO(chinese.stdout), delimiter="\t"))
    assert zh[0] == ["行号", "结果", "原因", "原始数据"]
    assert zh[1][1] == "拒绝" and zh[1][2].startswith("坐标不是数字")
    assert (
        warmmap(url, "rejects", str(batch_id), "--lang", "en", LANG="zh_CN.UTF-8").stdout
        == listed.stdout
    )
    book_path = tmp_path / "x.xlsx"
    assert warmmap(url, "rejects", str(batch_id), "--xlsx", str(book_path)).returncode == 0
    sheet = openpyxl.load_workbook(book_path).worksheets[0]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    formula = cells['=HYPERLINK("http://x")']
    assert formula.data_type == "s"  # text, never evaluated
    assert cells["+8613800000000"].data_type == "s"


def test_a_value_that_starts_a_formula_is_prefixed_in_a_listing(db_url_engine, tmp_path):
    url, engine = db_url_engine
    path = tmp_path / "s.csv"
    path.write_text("名称,经度,纬度,开放时间\n驿站,104.06,30.66,=看天气\n", encoding="utf-8")
    result = load_file(engine, "stations", path, crs="wgs84")
    listed = warmmap(url, "flagged", str(result.batch_id)).stdout
    table = list(csv.reader(io.StringIO(listed), delimiter="\t"))
    assert table[1][4] == "'=看天气"  # the value, opened in Excel, is text
    assert table[1][5] == "opening hours '=看天气' not understood: kept as text, open_now unknown"
    from geo_api.spreadsheets import neutralise

    assert [neutralise(v) for v in ("=1+1", "+1", "-1", "@x", "\tx", "\rx", "x", 5)] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "'\rx",
        "x",
        5,
    ]
