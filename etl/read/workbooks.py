"""Workbooks as grids of cells with their merged ranges: XLSX (openpyxl) and XLS (xlrd).

Offices still save the old binary ``.xls`` (BIFF); xlrd reads it, dates included. A web page
saved with an ``.xls`` name (what many government systems export) is named as such rather than
misread. Cells keep their types: numbers stay numbers, dates become datetimes.
"""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

import openpyxl
import pandas as pd
import xlrd

from etl.read import limits
from etl.read.layout import Score, cell_text, column_letter, fill_merged, find_header, is_blank
from etl.read.raw import RawTable, preamble_rows
from geo_api.errors import InvalidInput

_ZIP: Final = b"PK\x03\x04"
_OLE: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Sheet:
    """One sheet: its name, its rows of cells, its merged ranges (0-based, inclusive)."""

    name: str
    rows: list[list[object]]
    merges: list[tuple[int, int, int, int]]
    hidden: bool = False


def read_workbook(path: Path) -> tuple[str, list[Sheet]]:
    """Return the format (``xlsx`` or ``xls``) and every sheet of the workbook at ``path``.

    The format is told by the file's first bytes, so an ``.xlsx`` saved as ``.xls`` reads too.

    Raises
    ------
    InvalidInput
        When the file is not a workbook (a web page named .xls) or cannot be read.
    """
    head = path.read_bytes()[:8]
    try:
        if head.startswith(_ZIP):
            return "xlsx", _xlsx_sheets(path)
        if head.startswith(_OLE):
            return "xls", _xls_sheets(path)
    except InvalidInput:
        raise
    except Exception as error:  # openpyxl and xlrd raise many kinds for a damaged workbook
        lines = str(error).strip().splitlines()
        raise InvalidInput(
            f"cannot read {path.name} as a workbook: {lines[0] if lines else type(error).__name__}"
        ) from None
    if b"<" in head:
        raise InvalidInput(
            f"{path.name} is a web page saved with a spreadsheet name, not a workbook: open it "
            "in Excel or WPS and save it as .xlsx"
        )
    raise InvalidInput(f"cannot read {path.name} as a workbook: it is not XLSX or XLS")


def _xlsx_sheets(path: Path) -> list[Sheet]:
    # Not read-only: read-only worksheets do not know their merged cells. Opened as a stream,
    # since openpyxl refuses a path whose suffix is not .xlsx (an .xlsx saved as .xls).
    with path.open("rb") as stream:
        book = openpyxl.load_workbook(stream, data_only=True)
    sheets = []
    for sheet in book.worksheets:
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        merges = [
            (r.min_row - 1, r.max_row - 1, r.min_col - 1, r.max_col - 1)
            for r in sheet.merged_cells.ranges
        ]
        sheets.append(Sheet(sheet.title, rows, merges, sheet.sheet_state != "visible"))
    return sheets


def _xls_sheets(path: Path) -> list[Sheet]:
    # formatting_info is what makes xlrd read the merged ranges of a BIFF sheet.
    book = xlrd.open_workbook(str(path), formatting_info=True)
    sheets = []
    for sheet in book.sheets():
        rows = [
            [_xls_value(cell, book.datemode) for cell in sheet.row(r)] for r in range(sheet.nrows)
        ]
        merges = [
            (top, bottom - 1, left, right - 1) for top, bottom, left, right in sheet.merged_cells
        ]
        sheets.append(Sheet(sheet.name, rows, merges, sheet.visibility != 0))
    return sheets


def _xls_value(cell: xlrd.sheet.Cell, datemode: int) -> object:
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        value: datetime = xlrd.xldate_as_datetime(cell.value, datemode)
        return value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    if cell.ctype == xlrd.XL_CELL_NUMBER and float(cell.value).is_integer():
        return int(cell.value)
    return cell.value


def choose_sheet(
    sheets: list[Sheet], name: str | None, score: Score | None
) -> tuple[Sheet, list[str]]:
    """Return the sheet to load and the names of the other sheets that hold anything.

    ``name`` picks a sheet outright. Otherwise the first visible sheet whose first rows hold a
    header (two known headers in a row) is taken, so an instructions sheet in front is passed
    over; failing that, the first visible sheet.

    Raises
    ------
    InvalidInput
        When no sheet is called ``name``, naming the sheets there are.
    """
    if name is not None:
        chosen = next((s for s in sheets if s.name == name), None)
        if chosen is None:
            names = ", ".join(s.name for s in sheets)
            raise InvalidInput(f"--sheet {name}: no such sheet; the sheets are {names}")
    else:
        visible = [s for s in sheets if not s.hidden] or sheets
        chosen = next((s for s in visible if _has_header(s, score)), visible[0])
    others = [s.name for s in sheets if s is not chosen and _holds_anything(s)]
    return chosen, others


def _has_header(sheet: Sheet, score: Score | None) -> bool:
    if score is None or not _holds_anything(sheet):
        return score is None
    header = find_header(sheet.rows, score, None)
    return score(sheet.rows[header.index]) >= 2


def _holds_anything(sheet: Sheet) -> bool:
    return any(not is_blank(cell) for row in sheet.rows for cell in row)


def workbook_table(
    path: Path, sheet_name: str | None, score: Score | None, header_row: int | None
) -> RawTable:
    """Return the table of a workbook's sheet: found below its titles, merged cells filled."""
    kind, sheets = read_workbook(path)
    sheet, others = choose_sheet(sheets, sheet_name, score)
    check_size(sheet, path.name)
    rows = sheet.rows
    header = find_header(rows, score, header_row)
    first = header.index + (2 if header.two_rows else 1)
    filled = fill_merged(rows, sheet.merges, first, header.names)
    width = len(header.names)
    body = [list(row[:width]) + [None] * (width - len(row)) for row in rows[first:]]
    frame = pd.DataFrame(body, columns=header.names, dtype=object)
    frame.index = pd.RangeIndex(first + 1, first + 1 + len(frame))
    frame = frame.loc[:, _used_columns(frame, header.names, rows[header.index])]
    blank = frame.map(is_blank).all(axis=1) if len(frame.columns) else pd.Series(True, frame.index)
    subheader = None
    if header.two_rows:
        subheader = (header.index + 2, [cell_text(c) for c in rows[header.index + 1]])
    return RawTable(
        frame=frame[~blank],
        geometry=None,
        format=kind,
        encoding=None,
        sheet=sheet.name,
        other_sheets=others,
        header_row=header.index + 1,
        preamble=preamble_rows([(row, n + 1) for n, row in enumerate(rows[: header.index])]),
        subheader=subheader,
        filled=filled,
        blank_rows=[int(n) for n in frame.index[blank]],
    )


def check_size(sheet: Sheet, name: str) -> None:
    """Refuse a sheet over the load limits of rows, used columns or characters in a cell.

    Raises
    ------
    LimitExceeded
        Naming the limit and the variable that raises it.
    """
    limits.check_rows(len(sheet.rows), f"{name} (sheet {sheet.name!r})")
    width = longest = longest_at = 0
    for row in sheet.rows:
        for position, cell in enumerate(row):
            if cell is None:
                continue
            if position >= width and not is_blank(cell):
                width = position + 1
            if isinstance(cell, str) and len(cell) > longest:
                longest, longest_at = len(cell), position
    limits.check_columns(width, f"{name} (sheet {sheet.name!r})")
    limits.check_cells({column_letter(longest_at): longest}, name)


def _used_columns(frame: pd.DataFrame, names: list[str], header: list[object]) -> list[str]:
    """Columns with a header or a value: sheets report formatted but empty columns too."""
    return [
        name
        for position, name in enumerate(names)
        if (position < len(header) and not is_blank(header[position]))
        or not frame[name].map(is_blank).all()
    ]
