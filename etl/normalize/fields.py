"""Column-at-a-time helpers of ``etl.normalize.table``: text, numbers, words, ids and reasons.

Every helper works on a whole column (pandas/numpy); per-value Python runs only once per distinct
value (``geo_api.vocab.kinds.map_distinct``).
"""

import hashlib
from collections.abc import Callable
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa

from geo_api import vocab
from geo_api.vocab.kinds import map_distinct, map_words

Mask = pd.Series
_VALUES: Final = {
    "station_kind": vocab.STATION_KINDS,
    "outlet_kind": vocab.OUTLET_KINDS,
    "liaison_role": vocab.LIAISON_ROLES,
    "access": vocab.STATION_ACCESS,
    "status": vocab.STATION_STATUSES,
    "boolean": ("true", "false", "是", "否", "1", "0"),
}


class Reasons:
    """The first reason each row is rejected for; rows without one are accepted."""

    def __init__(self, index: pd.Index) -> None:
        self.series = pd.Series(None, index=index, dtype=object)

    def add(self, mask: Mask, reason: str | Callable[[Mask], pd.Series]) -> None:
        """Reject the rows of ``mask`` not rejected yet, with a text or texts built for them."""
        mask = mask.fillna(False).astype(bool) & self.series.isna()
        if not mask.any():
            return
        self.series.loc[mask] = reason if isinstance(reason, str) else reason(mask)

    @property
    def accepted(self) -> Mask:
        """Rows with no reason."""
        return self.series.isna()


def column(frame: pd.DataFrame, columns: dict[str, str], field: str) -> pd.Series:
    """Return the column of ``field``, or an all-blank one when the file has none."""
    if field in columns:
        return frame[columns[field]]
    return pd.Series(None, index=frame.index, dtype=object)


def text(cells: pd.Series) -> pd.Series:
    """Cells as stripped strings (object dtype), None where blank."""
    values = cells.astype("string").str.strip()
    keep = (values.notna() & (values != "")).astype(bool)
    return _integral_text(values.astype(object).where(keep, None), cells)


def _integral_text(values: pd.Series, cells: pd.Series) -> pd.Series:
    """Write whole numbers read as floats (XLSX, DBF codes like 510100.0) without ``.0``."""
    if cells.dtype.kind == "f":
        floats = cells
    elif cells.dtype == object and cells.notna().any():
        given = cells[cells.notna()]
        is_float = given.map(lambda cell: isinstance(cell, float)).astype(bool)
        floats = pd.to_numeric(given[is_float], errors="coerce").reindex(cells.index)
    else:
        return values
    whole = floats.notna() & (floats == np.floor(floats)) & (floats.abs() < 1e15)
    if whole.any():
        values = values.copy()
        values.loc[whole] = floats[whole].astype("int64").astype(str)
    return values


def numbers(cells: pd.Series) -> tuple[pd.Series, Mask, Mask]:
    """Parse a numeric column; return the floats, the blank mask and the non-numeric mask."""
    values = _fast_floats(cells)
    if values is None:
        values = pd.to_numeric(cells, errors="coerce").astype("float64")
    failed = values.isna()
    # Only the cells that did not parse need a closer look (blank, or not a number).
    blank = pd.Series(False, index=cells.index)
    blank.loc[failed] = text(cells[failed]).isna()
    return values, blank, ~blank & (failed | ~np.isfinite(values))


def _fast_floats(cells: pd.Series) -> pd.Series | None:
    """Arrow's cast when every cell is a plain number (the common case); None otherwise."""
    if not isinstance(cells.dtype, pd.StringDtype) or cells.dtype.storage != "pyarrow":
        return None
    try:
        array = pa.array(cells.array).cast(pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return pd.Series(array.to_numpy(zero_copy_only=False), index=cells.index, dtype="float64")


def words(
    vocabulary: str, cells: pd.Series, default: str | None, reasons: Reasons, label: str
) -> pd.Series:
    """Map a column to a vocabulary; blanks take ``default``; unknown words reject the row."""
    values, unknown = map_words(vocabulary, cells)
    allowed = ", ".join(_VALUES[vocabulary])
    reasons.add(
        unknown, lambda mask: f"unknown {label} " + _quoted(cells[mask]) + f" (use {allowed})"
    )
    return values.where(values.notna(), default)


def booleans(cells: pd.Series, default: bool, reasons: Reasons, label: str) -> pd.Series:
    """Map yes/no words (true/1/是/yes, false/0/否/no) to booleans."""
    values = words("boolean", cells, "true" if default else "false", reasons, label)
    return values == "true"


def whole_numbers(cells: pd.Series, default: int | None, reasons: Reasons, label: str) -> pd.Series:
    """Parse non-negative whole numbers (nullable Int64); others reject the row."""
    values, blank, bad = numbers(cells)
    bad = bad | (~blank & ((values < 0) | (values != np.floor(values))))
    reasons.add(bad, lambda mask: f"{label} " + _quoted(cells[mask]) + " is not a whole number ≥ 0")
    result = values.where(~bad & ~blank).round().astype("Int64")
    return result.fillna(default) if default is not None else result


def amounts(cells: pd.Series, reasons: Reasons, label: str) -> pd.Series:
    """Parse non-negative numbers (float, NaN where blank); others reject the row."""
    values, blank, bad = numbers(cells)
    bad = bad | (~blank & (values < 0))
    reasons.add(bad, lambda mask: f"{label} " + _quoted(cells[mask]) + " is not a number ≥ 0")
    return values.where(~bad)


def timestamps(cells: pd.Series, reasons: Reasons, label: str, tz: str) -> pd.Series:
    """Parse dates and times, in time zone ``tz``; those written without an offset are local.

    A column may mix both (some offices write ``+08:00``, some do not); each distinct cell is
    parsed on its own.
    """
    stripped = text(cells)
    parsed = map_distinct(stripped, lambda cell: _instant(cell, tz))
    values = pd.to_datetime(parsed, utc=True).dt.tz_convert(tz)
    bad = stripped.notna() & values.isna()
    reasons.add(bad, lambda mask: f"{label} " + _quoted(cells[mask]) + " is not a date")
    return values


def _instant(cell: str, tz: str) -> pd.Timestamp | None:
    """Return the instant ``cell`` names (local time ``tz`` if it has no offset), or None."""
    try:
        stamp = pd.Timestamp(cell)
    except (ValueError, OverflowError):
        return None
    if pd.isna(stamp):
        return None
    if stamp.tzinfo is not None:
        return stamp
    # A local time that a clock change skips or repeats names no single instant.
    localized = stamp.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    return None if pd.isna(localized) else localized


def auto_ids(given: pd.Series, parts: list[pd.Series]) -> pd.Series:
    """Fill blank ids with stable ones: ``auto:`` and the sha1 of the parts joined with ``|``.

    ``parts`` may cover every row or only the rows whose id is blank.
    """
    blank = given.index[given.isna()]
    if blank.empty:
        return given
    texts = [part.reindex(blank).astype(object) for part in parts]
    texts = [part.where(part.notna(), "").astype(str) for part in texts]
    joined = texts[0]
    for part in texts[1:]:
        joined = joined + "|" + part
    digests = [hashlib.sha1(key.encode()).hexdigest()[:20] for key in joined]
    ids = given.copy()
    ids.loc[blank] = ["auto:" + digest for digest in digests]
    return ids


def duplicates(ids: pd.Series, reasons: Reasons, label: str) -> None:
    """Reject every row whose id an earlier row of the file already has."""
    repeated = ids.notna() & ids.duplicated(keep="first")
    if not repeated.any():
        return
    first_rows = pd.Series(ids.index, index=ids.index).groupby(ids).transform("min")

    def reason(mask: Mask) -> pd.Series:
        return (
            f"duplicate {label} "
            + _quoted(ids[mask])
            + " (first at row "
            + first_rows[mask].astype("int64").astype(str)
            + ")"
        )

    reasons.add(repeated, reason)


def _quoted(cells: pd.Series) -> pd.Series:
    return "'" + cells.astype(str) + "'"
