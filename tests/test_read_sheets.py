"""Finding the table in a sheet: titles above it, a header over two rows, merged cells, .xls."""

from pathlib import Path

import openpyxl
import pytest
import xlwt

from etl.normalize.headers import header_score
from etl.read.tables import read_table
from geo_api.errors import InvalidInput

SCORE = header_score("stations")
SHEETS = Path(__file__).parent / "fixtures" / "sheets"


def workbook(path: Path, rows: list[list], merges: list[str] = ()) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    book.save(path)
    return path


def test_the_header_is_found_below_a_title_and_a_unit_line(tmp_path):
    path = workbook(
        tmp_path / "s.xlsx",
        [
            ["某某区驿站统计表"],
            ["填报单位：某某街道办"],
            [],
            ["名称", "经度", "纬度"],
            ["驿站", 104.1, 30.6],
        ],
        ["A1:C1"],
    )
    table = read_table(path, score=SCORE)
    assert table.header_row == 4 and list(table.frame.columns) == ["名称", "经度", "纬度"]
    assert table.frame.to_dict("index") == {5: {"名称": "驿站", "经度": 104.1, "纬度": 30.6}}
    assert table.preamble == [(1, ["某某区驿站统计表"]), (2, ["填报单位：某某街道办"])]
    # Without knowing the headers, the first row is the header, as before.
    assert read_table(path).header_row == 1


def test_header_row_and_sheet_can_be_named(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["名称", "经度"])  # looks like a header, but is not the sheet wanted
    data = book.create_sheet("数据")
    for row in (["站点", "x"], ["名称", "经度", "纬度"], ["驿站", 104.1, 30.6]):
        data.append(row)
    path = tmp_path / "two.xlsx"
    book.save(path)
    table = read_table(path, sheet="数据", header_row=2, score=SCORE)
    assert (table.sheet, table.header_row, table.other_sheets) == ("数据", 2, ["说明"])
    assert table.frame.loc[3, "纬度"] == 30.6
    with pytest.raises(
        InvalidInput, match=r"--sheet 汇总: no such sheet; the sheets are 说明, 数据"
    ):
        read_table(path, sheet="汇总")
    with pytest.raises(InvalidInput, match=r"--header-row 9: the sheet has 3 rows"):
        read_table(path, sheet="数据", header_row=9)


def test_a_header_over_two_rows_is_read_as_one(tmp_path):
    path = workbook(
        tmp_path / "h.xlsx",
        [
            ["名称", "坐标", None, "开放时间"],
            [None, "经度", "纬度", None],
            ["驿站", 104.1, 30.6, "24小时"],
        ],
        ["B1:C1", "A1:A2", "D1:D2"],
    )
    table = read_table(path, score=SCORE)
    assert list(table.frame.columns) == ["名称", "经度", "纬度", "开放时间"]
    assert table.subheader == (2, ["", "经度", "纬度", ""]) and list(table.frame.index) == [3]


def test_merged_cells_are_filled_down_and_reported(tmp_path):
    rows = [
        ["名称", "开放时间", "经度"],
        ["甲", "9:00-21:00", 1],
        ["乙", None, 2],
        ["丙", None, 3],
        ["丁", "24小时", 4],
    ]
    table = read_table(workbook(tmp_path / "m.xlsx", rows, ["B2:B4"]), score=SCORE)
    assert table.frame["开放时间"].tolist() == ["9:00-21:00", "9:00-21:00", "9:00-21:00", "24小时"]
    (filled,) = table.filled
    assert (filled.column, filled.rows, filled.from_row) == ("开放时间", [3, 4], 2)


def test_xls_cells_merges_and_dates_are_read(tmp_path):
    from datetime import datetime

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("台账")
    sheet.write_merge(0, 0, 0, 3, "网点台账")
    for column, text in enumerate(["编号", "名称", "开放时间", "核验时间"]):
        sheet.write(1, column, text)
    sheet.write(2, 0, 1001)
    sheet.write(2, 1, "顺丰")
    sheet.write_merge(2, 3, 2, 2, "8:00-20:00")
    sheet.write(2, 3, datetime(2024, 3, 15, 10, 0), xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm"))
    sheet.write(3, 1, "中通")
    path = tmp_path / "t.xls"
    book.save(str(path))
    table = read_table(path, score=SCORE)
    assert (table.format, table.sheet, table.header_row) == ("xls", "台账", 2)
    assert table.frame.to_dict("index") == {
        3: {"编号": 1001, "名称": "顺丰", "开放时间": "8:00-20:00",
            "核验时间": datetime(2024, 3, 15, 10, 0)},
        4: {"编号": None, "名称": "中通", "开放时间": "8:00-20:00", "核验时间": None},
    }  # fmt: skip


def test_a_web_page_saved_as_xls_is_named_as_such(tmp_path):
    path = tmp_path / "export.xls"
    path.write_text("<html><table><tr><td>名称</td></tr></table></html>", encoding="utf-8")
    with pytest.raises(InvalidInput, match="is a web page saved with a spreadsheet name"):
        read_table(path)
    renamed = workbook(tmp_path / "real.xlsx", [["名称", "经度", "纬度"], ["驿站", 1, 2]])
    (tmp_path / "real.xls").write_bytes(renamed.read_bytes())  # an .xlsx with the old suffix
    assert read_table(tmp_path / "real.xls").format == "xlsx"


def test_a_csv_title_and_a_short_note_line_below_the_table(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "驿站统计表\n名称,经度,纬度\n驿站,104.1,30.6\n注：数据截至3月\n", encoding="utf-8"
    )
    table = read_table(path, score=SCORE)
    assert table.header_row == 2 and table.preamble == [(1, ["驿站统计表"])]
    assert table.frame["名称"].tolist() == ["驿站", "注：数据截至3月"]
    assert list(table.frame.index) == [3, 4]


def test_the_committed_sheets_are_what_the_generator_writes(tmp_path, monkeypatch):
    """The fixture files are reproducible: regenerating the text ones gives the same bytes."""
    from tests.fixtures.sheets import make_sheets

    monkeypatch.setattr(make_sheets, "HERE", tmp_path)
    make_sheets.main()
    for name in (
        "wuhou_stations_gb18030.csv",
        "chenghua_stations_bd09.csv",
        "chengdu_districts_gcj02.geojson",
    ):
        assert (tmp_path / name).read_bytes() == (SHEETS / name).read_bytes(), name
    for name in ("锦江区驿站统计表_20240315_v2.xlsx", "青羊区网点台账.xls"):
        fresh, committed = read_table(tmp_path / name), read_table(SHEETS / name)
        assert fresh.frame.equals(committed.frame), name
