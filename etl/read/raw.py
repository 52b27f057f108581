"""A file as read, before any interpretation: what every reader returns."""

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from etl.read.layout import Filled, cell_text, is_blank


@dataclass
class RawTable:
    """A file as read, before any interpretation.

    Attributes
    ----------
    frame
        Attribute columns with the original headers; values as read (strings for CSV). The index
        is the row number a user sees in the sheet: with the header on row 1, data starts at 2;
        vector features count from 1.
    geometry
        Vector formats only, aligned with ``frame``; its CRS as read (may be None).
    format
        ``csv``, ``xlsx``, ``xls``, ``geojson``, ``shapefile`` or ``gpkg``.
    encoding
        The encoding detected or given (CSV; a Shapefile's only when given).
    sheet
        The workbook sheet read (XLSX and XLS), and ``other_sheets`` the others that hold data.
    header_row
        The sheet row of the header (1-based; 0 for vector formats).
    preamble
        The non-blank rows above the header (titles, ``填报单位``), as (row number, cells).
    subheader
        The second row of a header written over two rows, as (row number, cells).
    filled
        Merged cells filled down into the rows below them.
    blank_rows
        Rows of the table without a single value, left out of ``frame``.
    """

    frame: pd.DataFrame
    geometry: gpd.GeoSeries | None
    format: str
    encoding: str | None
    sheet: str | None = None
    other_sheets: list[str] = field(default_factory=list)
    header_row: int = 1
    preamble: list[tuple[int, list[str]]] = field(default_factory=list)
    subheader: tuple[int, list[str]] | None = None
    filled: list[Filled] = field(default_factory=list)
    blank_rows: list[int] = field(default_factory=list)


def preamble_rows(rows: list[tuple[list[object], int]]) -> list[tuple[int, list[str]]]:
    """Return the non-blank rows above a header as (row number, non-blank cells as text)."""
    return [
        (number, [cell_text(c) for c in cells if not is_blank(c)])
        for cells, number in rows
        if not all(map(is_blank, cells))
    ]
