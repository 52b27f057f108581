"""Rows of a sheet that are not data: titles above the table, totals and notes in and below it.

Each is skipped with a reason (``rejected_rows`` of kind ``skipped``), never silently. Above the
table, a ``填报单位：`` line names who filled the sheet (the batch's source when ``--source`` is not
given) and a ``坐标系：`` line may name the coordinate system.
"""

import re
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.normalize.headers import crs_named
from etl.read.layout import cell_text
from geo_api import coords
from geo_api.errors import InvalidInput

_TOTAL: Final = re.compile(r"^(合\s*计|小\s*计|总\s*计|共\s*计)\s*([:：(（].*|\d.*)?$")
_NOTE: Final = re.compile(
    r"^(注|备注|说明|填表说明|填报说明|填表人|填报人|制表人|审核人|审核|负责人|联系人|联系电话|"
    r"填报日期|制表日期|填表日期|数据截至|数据来源)\s*[0-9.、]*\s*[:：]"
)
_UNIT: Final = re.compile(
    r"(填报单位|报送单位|填表单位|单位名称|数据来源|source)\s*[:：]\s*(?P<value>.*?)"
    r"(?=\s{2,}|\s*(填报日期|日期|联系人|联系电话|填报人|坐标系)\s*[:：]|$)",
    re.IGNORECASE,
)
_CRS: Final = re.compile(r"(坐标系统?|坐标类型|crs)\s*[:：]\s*(?P<value>\S+)", re.IGNORECASE)
# What rows that are not data start with: 合计, 小计, 总计, 共计, 注, 备注, 说明, 填表人 ...
_MAYBE_NOT_DATA: Final = r"^\s*[合小总共注备说填制审负联数]"
# A note row holds a few cells at most; a data row that happens to start with 注 holds many.
_NOTE_MAX_CELLS: Final = 2


@dataclass
class Skipped:
    """A row that is not data: its number, its cells as given, why."""

    row_number: int
    raw: dict[str, object]
    code: str
    text: str


@dataclass
class Preamble:
    """What the lines above the table say: who filled it, in which coordinate system."""

    unit: str | None = None
    crs: str | None = None
    rows: list[Skipped] = field(default_factory=list)


def read_preamble(preamble: list[tuple[int, list[str]]]) -> Preamble:
    """Return the unit and coordinate system named above the table, and those rows as skipped."""
    found = Preamble()
    for number, cells in preamble:
        text = "  ".join(c for c in cells if c)
        found.rows.append(Skipped(number, {"cells": cells}, "title_row", _short(text)))
        for position, cell in enumerate(cells):
            unit = _UNIT.search(cell)
            if unit and found.unit is None:
                value = unit["value"].strip() or _next(cells, position)
                found.unit = value or None
            crs = _CRS.search(cell)
            if crs and found.crs is None:
                found.crs = _system(crs["value"] or _next(cells, position))
    return found


def _system(word: str) -> str | None:
    """Return the system a word names: 高德, GCJ-02, BD-09, WGS-84, EPSG:4547 ..."""
    named = crs_named(word)
    if named is not None:
        return named
    try:
        return coords.normalize_crs(word)
    except InvalidInput:
        return None


def _next(cells: list[str], position: int) -> str:
    return cells[position + 1].strip() if position + 1 < len(cells) else ""


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def not_data(frame: pd.DataFrame, name_column: str | None) -> pd.Series:
    """Return, per row, ``total_row`` or ``note_row`` for rows that are not data, else None.

    A total row has 合计/小计/总计 in one of its first cells (or the name's); a note row starts
    with 注：, 备注：, 说明：, 填报人： ... and holds at most two cells.
    """
    codes = pd.Series(None, index=frame.index, dtype=object)
    looked = list(dict.fromkeys([*frame.columns[:3], *([name_column] if name_column else [])]))
    # The first character rules out almost every row before a regex looks at it; pyarrow's
    # regex runs over a million cells in milliseconds where pandas' calls Python per cell.
    starts = np.zeros(len(frame), dtype=bool)
    for name in looked:
        cells = pa.array(frame[name].astype("string").array)
        found = pc.match_substring_regex(cells, _MAYBE_NOT_DATA)
        starts |= found.fill_null(False).to_numpy(zero_copy_only=False)
    if not starts.any():
        return codes
    rows = frame[starts]
    for code, pattern in (("total_row", _TOTAL), ("note_row", _NOTE)):
        columns = [_first_cells(rows)] if code == "note_row" else [rows[c] for c in looked[:2]]
        columns += [rows[name_column]] if code == "total_row" and name_column else []
        for cells in columns:
            text = cells.astype("string").str.strip()
            found = text.str.match(pattern).fillna(False).astype(bool)
            codes.loc[found[found].index] = codes.loc[found[found].index].fillna(code)
    notes = codes == "note_row"
    if notes.any():
        counts = frame[notes].map(lambda c: c is not None and str(c).strip() != "").sum(axis=1)
        codes.loc[counts[counts > _NOTE_MAX_CELLS].index] = None
    return codes


def _first_cells(frame: pd.DataFrame) -> pd.Series:
    """Return the first non-blank cell of each row (looked for in the first three columns)."""
    first = pd.Series(None, index=frame.index, dtype=object)
    for name in frame.columns[:3]:
        cells = frame[name].astype("string").str.strip()
        given = (cells.notna() & (cells != "")).fillna(False).astype(bool)
        first = first.where(first.notna() | ~given, cells.astype(object))
    return first


def skipped_rows(frame: pd.DataFrame, codes: pd.Series) -> list[Skipped]:
    """Return the rows ``codes`` marks, as given, with their reasons."""
    rows = []
    for number in codes.index[codes.notna()]:
        raw = {str(k): v for k, v in frame.loc[number].items() if cell_text(v)}
        text = "  ".join(cell_text(v) for v in raw.values())
        rows.append(Skipped(int(number), raw, str(codes[number]), _short(text)))
    return rows
