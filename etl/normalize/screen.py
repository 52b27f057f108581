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

from etl.normalize.fields import Mask, Reasons, text

# The API's caps (geo_api.stations.schemas, geo_api.liaisons.schemas): a file cannot store
# what the API would refuse.
NAME_MAX_CHARS: Final = {"liaisons": 100}
DEFAULT_NAME_MAX_CHARS: Final = 200
ADDRESS_MAX_CHARS: Final = 500
# Bidirectional embeddings, overrides and isolates, zero-width marks and the BOM: invisible,
# and able to make a name read differently from what it is.
_INVISIBLE: Final = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_LATIN: Final = re.compile("[A-Za-z]")
_LOOKALIKE: Final = re.compile("[\u0370-\u03ff\u0400-\u04ff]")
# Doubles stop being exact past 15 significant digits, and so do Excel's numbers.
_EXACT_DIGITS_BELOW: Final = 1e15


def screen(frame: pd.DataFrame, columns: dict[str, str], kind: str, reasons: Reasons) -> pd.Series:
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

    Returns
    -------
    pandas.Series
        True for the names that mix Latin letters with Cyrillic or Greek look-alikes.
    """
    for name in frame.columns:
        cells = frame[name]
        if cells.dtype == object or isinstance(cells.dtype, pd.StringDtype):
            has_nul = cells.astype("string").str.contains("\x00", regex=False)
            reasons.add(has_nul, "nul_character", column=str(name))
    _excel_ids(frame, columns, reasons)
    names = _text(frame, columns, "name")
    limit = NAME_MAX_CHARS.get(kind, DEFAULT_NAME_MAX_CHARS)
    _too_long(names, "name", limit, reasons)
    _too_long(_text(frame, columns, "address"), "address", ADDRESS_MAX_CHARS, reasons)
    invisible = names.str.extract(f"({_INVISIBLE.pattern})", expand=False)
    reasons.add(
        invisible.notna(),
        "invisible_character",
        field="name",
        char=invisible.map(lambda c: f"U+{ord(c):04X}", na_action="ignore"),
    )
    mixed: pd.Series = names.str.contains(_LATIN.pattern) & names.str.contains(_LOOKALIKE.pattern)
    return mixed.fillna(False).astype(bool)


def _text(frame: pd.DataFrame, columns: dict[str, str], field: str) -> pd.Series:
    if field not in columns:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    return text(frame[columns[field]]).astype("string")


def _too_long(values: pd.Series, field: str, limit: int, reasons: Reasons) -> None:
    lengths = values.str.len()
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
