"""Cells no field may hold as given: NUL characters, invisible marks in names, Excel's long ids.

Run before the fields are read, so that a row's first reason is the one that says what is wrong
with the file as given: a NUL byte (PostgreSQL's text cannot hold one), a name past the API's
cap or with a bidirectional override that turns ``站驿`` into ``驿站`` on screen, an id Excel
stored as a floating-point number of more than 15 digits (already changed by Excel itself).
Names that mix Latin letters with look-alike Cyrillic or Greek ones are loaded, and flagged.
"""

import re
from typing import Final

import numpy as np
import pandas as pd

from etl.normalize.fields import Mask, Reasons

# The API's caps (geo_api.stations.schemas, geo_api.liaisons.schemas): a file cannot store
# what the API would refuse.
NAME_MAX_CHARS: Final = {"liaisons": 100}
DEFAULT_NAME_MAX_CHARS: Final = 200
ADDRESS_MAX_CHARS: Final = 500
# Bidirectional embeddings, overrides and isolates, zero-width marks and the BOM: invisible,
# and able to make a name read differently from what it is.
_INVISIBLE: Final = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_LATIN: Final = re.compile("[A-Za-z]")
_NUL: Final = re.compile("\x00")
_LOOKALIKE: Final = re.compile("[\u0370-\u03ff\u0400-\u04ff]")
# Doubles stop being exact past 15 significant digits, and so do Excel's numbers.
_EXACT_DIGITS_BELOW: Final = 1e15


def screen(
    frame: pd.DataFrame, columns: dict[str, str], kind: str, reasons: Reasons, file_format: str
) -> pd.Series:
    """Reject the rows whose cells cannot be stored as given; return the names to flag.

    Parameters
    ----------
    frame
        The rows of the table that are data, cells as read.
    columns
        ``{field: column}`` of the file.
    kind
        stations, outlets, liaisons or boundaries (liaison names have a shorter cap).
    reasons
        Where rejections go: ``nul_character``, ``too_long``, ``invisible_character``,
        ``id_not_exact``.
    file_format
        The file's format (``RawTable.format``): only workbooks and vector files have cells
        that are numbers, and an XLSX cannot hold a NUL.

    Returns
    -------
    pandas.Series
        True for the names that mix Latin letters with Cyrillic or Greek look-alikes.
    """
    if file_format != "xlsx":
        for name in frame.columns:
            cells = frame[name]
            if _holds(cells, _NUL):
                has_nul = _strings(cells).str.contains("\x00", regex=False)
                reasons.add(has_nul, "nul_character", column=str(name))
    if file_format != "csv":
        _excel_ids(frame, columns, reasons)
    given = frame[columns["name"]] if "name" in columns else pd.Series([], dtype=object)
    names = _text(frame, columns, "name")
    limit = NAME_MAX_CHARS.get(kind, DEFAULT_NAME_MAX_CHARS)
    _too_long(names, "name", limit, reasons)
    _too_long(_text(frame, columns, "address"), "address", ADDRESS_MAX_CHARS, reasons)
    if _holds(given, _INVISIBLE):
        hidden = names.str.contains(_INVISIBLE.pattern).fillna(False).astype(bool)
        found = names[hidden].str.extract(f"({_INVISIBLE.pattern})", expand=False)
        reasons.add(hidden, "invisible_character", field="name",
                    char=found.map(lambda c: f"U+{ord(c):04X}"))  # fmt: skip
    if not _holds(given, _LOOKALIKE):
        return pd.Series(False, index=frame.index)
    latin = names.str.contains(_LATIN.pattern).fillna(False).astype(bool)
    return latin & names.str.contains(_LOOKALIKE.pattern).fillna(False).astype(bool)


def _holds(cells: pd.Series, pattern: re.Pattern[str]) -> bool:
    """Whether any text cell matches ``pattern``: one search over them all, the common answer."""
    if cells.dtype != object:
        return bool(
            isinstance(cells.dtype, pd.StringDtype) and cells.str.contains(pattern.pattern).any()
        )
    values = cells.tolist()
    try:
        joined = "\n".join(values)
    except TypeError:  # numbers, dates and blanks among the text
        joined = "\n".join(v for v in values if isinstance(v, str))
    return pattern.search(joined) is not None


def _strings(cells: pd.Series) -> pd.Series:
    """Cells as pyarrow strings, whose searches run in C."""
    return cells.astype("string[pyarrow]")


def _text(frame: pd.DataFrame, columns: dict[str, str], field: str) -> pd.Series:
    if field not in columns:
        return pd.Series(pd.NA, index=frame.index, dtype="string[pyarrow]")
    return _strings(frame[columns[field]])


def _too_long(values: pd.Series, field: str, limit: int, reasons: Reasons) -> None:
    long = (values.str.len() > limit).fillna(False).astype(bool)
    if long.any():  # white space around a value is not stored: measure without it
        lengths = values[long].str.strip().str.len().reindex(values.index)
        reasons.add(lengths > limit, "too_long", field=field, length=lengths, limit=limit)


def _excel_ids(frame: pd.DataFrame, columns: dict[str, str], reasons: Reasons) -> Mask:
    """Reject ids a workbook holds as numbers too long to be exact (``1.2345678901234567e+19``)."""
    if "external_id" not in columns:
        return pd.Series(False, index=frame.index)
    cells = frame[columns["external_id"]]
    if cells.dtype.kind != "f" and cells.dtype != object:
        return pd.Series(False, index=frame.index)
    floats = cells.map(lambda c: float(c) if isinstance(c, float | np.floating) else np.nan)
    inexact = floats.abs() >= _EXACT_DIGITS_BELOW
    reasons.add(inexact, "id_not_exact", field="external_id", value=cells)
    return inexact
