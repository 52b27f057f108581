"""Listings people open in a spreadsheet: CSV/TSV without formula injection, and workbooks.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel and WPS; listings written here prefix such text with ``'`` (OWASP's advice), so a value
from a file or a request never runs in the reader's spreadsheet. Workbook cells are typed as
text instead, which no spreadsheet evaluates and which reads back unchanged.
"""

import csv
from collections.abc import Iterable, Sequence
from typing import IO, Any, Final

from openpyxl.cell.cell import Cell

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Return ``value`` safe for a CSV cell: text that would start a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_rows(
    out: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]], delimiter: str = "\t"
) -> None:
    """Write ``header`` and ``rows`` as CSV (or TSV) with the csv module, formulas neutralised."""
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise("" if cell is None else cell) for cell in row])


def set_text(cell: Cell, value: object) -> None:
    """Put ``value`` in a workbook cell; text stays text, even when it looks like a formula."""
    cell.value = value  # type: ignore[assignment]
    if isinstance(value, str):
        cell.data_type = "s"
