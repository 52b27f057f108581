"""Column-at-a-time helpers of ``etl.normalize.table``: text, numbers, words, reasons and flags.

Every helper works on a whole column (pandas/numpy); per-value Python runs only once per distinct
value (``geo_api.vocab.kinds.map_distinct``). A row is rejected with the first reason it fails for
(``Reasons``, a code and its parameters); a value read with a guess, defaulted or not understood
flags its row (``Flags``) and the row is loaded.
"""

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa

from etl.normalize.numbers import Reading, read_amount
from geo_api import vocab
from geo_api.vocab.kinds import map_distinct, map_words

Mask = pd.Series
Param = pd.Series | object
# The largest count or amount stored: PostgreSQL's integer (riders, capacity) holds 2^31 - 1.
MAX_AMOUNT: Final = 2_147_483_647
_VALUES: Final = {
    "station_kind": vocab.STATION_KINDS,
    "outlet_kind": vocab.OUTLET_KINDS,
    "liaison_role": vocab.LIAISON_ROLES,
    "access": vocab.STATION_ACCESS,
    "status": vocab.STATION_STATUSES,
    "boolean": ("true", "false", "是", "否", "1", "0"),
}


def json_value(value: object) -> object:
    """Return a cell as JSON can hold it: None for blanks, plain numbers, ISO dates, else text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, list | tuple | np.ndarray):
        return [json_value(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        # jsonb cannot hold U+0000: a NUL of a rejected row is kept as the symbol ␀.
        return value.replace("\x00", "\u2400")
    if isinstance(value, bool | int):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _row_params(rows: pd.Index, params: dict[str, Param]) -> list[dict[str, Any]]:
    """Return one ``{name: value}`` per row: Series taken at the row, scalars as they are."""
    columns = {
        name: (
            value.reindex(rows).tolist() if isinstance(value, pd.Series) else [value] * len(rows)
        )
        for name, value in params.items()
    }
    return [
        {name: json_value(values[i]) for name, values in columns.items()} for i in range(len(rows))
    ]


class Reasons:
    """The first reason each row is rejected for, as a code and its parameters."""

    def __init__(self, index: pd.Index) -> None:
        self.codes = pd.Series(None, index=index, dtype=object)
        self.params: dict[int, dict[str, Any]] = {}

    def add(self, mask: Mask, code: str, **params: Param) -> None:
        """Reject the rows of ``mask`` not rejected yet with ``code``; Series params per row."""
        mask = mask.fillna(False).astype(bool) & self.codes.isna()
        if not mask.any():
            return
        self.codes.loc[mask] = code
        rows = mask.index[mask.to_numpy()]
        for row, values in zip(rows, _row_params(rows, params), strict=True):
            self.params[int(row)] = values

    def take(self, other: "Reasons") -> None:
        """Reject, with their reasons, the rows ``other`` rejects and this has not yet."""
        rows = [r for r in other.codes.index[other.codes.notna()] if pd.isna(self.codes.get(r))]
        if rows:
            self.codes.loc[rows] = other.codes.loc[rows]
            self.params.update({int(r): other.params.get(int(r), {}) for r in rows})

    @property
    def accepted(self) -> Mask:
        """Rows with no reason."""
        return self.codes.isna()


class Flags:
    """Values of rows that were read with a guess, defaulted, or not understood: one per flag."""

    COLUMNS: Final = ("row_number", "field", "column_name", "value", "reason_code", "params")

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(
        self,
        mask: Mask,
        field: str,
        code: str | pd.Series,
        *,
        column: str | None,
        value: pd.Series | None = None,
        **params: Param,
    ) -> None:
        """Flag the rows of ``mask``: ``field`` read from ``column``, its ``value`` as given."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        rows = mask.index[mask.to_numpy()]
        given = value.reindex(rows).map(json_value).tolist() if value is not None else None
        codes = code.reindex(rows).tolist() if isinstance(code, pd.Series) else [code] * len(rows)
        every = {"field": field, **({"value": value} if value is not None else {}), **params}
        self.parts.append(
            pd.DataFrame(
                {
                    "row_number": rows.astype("int64"),
                    "field": field,
                    "column_name": column,
                    "value": given if given is not None else [None] * len(rows),
                    "reason_code": codes,
                    "params": _row_params(rows, every),
                }
            )
        )

    def frame(self, rows: pd.Index | None = None) -> pd.DataFrame:
        """Return every flag (of the rows in ``rows``, when given), in row order."""
        if not self.parts:
            return pd.DataFrame(columns=list(self.COLUMNS))
        flags = pd.concat(self.parts, ignore_index=True)
        if rows is not None:
            flags = flags[flags["row_number"].isin(rows)]
        return flags.sort_values("row_number", kind="stable").reset_index(drop=True)


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


def readings(
    cells: pd.Series, bad: Mask, read: Callable[[str], Reading]
) -> tuple[pd.Series, pd.Series, Mask]:
    """Read the ``bad`` cells again with ``read``; return their values, how, and those still bad."""
    answers = map_distinct(cells[bad], read, blank=Reading(None, ok=False))
    values = answers.map(lambda r: r.value).astype("float64").reindex(cells.index)
    how = answers.map(lambda r: r.how).reindex(cells.index)
    still = pd.Series(False, index=cells.index)
    still.loc[bad] = ~answers.map(lambda r: r.ok).astype(bool)
    return values, how, still


def words(
    vocabulary: str, cells: pd.Series, default: str | None, reasons: Reasons, label: str
) -> pd.Series:
    """Map a column to a vocabulary; blanks take ``default``; unknown words reject the row."""
    values, unknown = map_words(vocabulary, cells)
    allowed = ", ".join(_VALUES[vocabulary])
    reasons.add(unknown, "unknown_word", field=label, value=cells, allowed=allowed)
    return values.where(values.notna(), default)


def booleans(cells: pd.Series, default: bool, reasons: Reasons, label: str) -> pd.Series:
    """Map yes/no words (true/1/是/yes, false/0/否/no) to booleans."""
    values = words("boolean", cells, "true" if default else "false", reasons, label)
    return values == "true"


def amounts_read(
    cells: pd.Series,
    reasons: Reasons,
    flags: Flags,
    label: str,
    column_name: str | None,
    *,
    whole: bool,
) -> pd.Series:
    """Parse counts or amounts (``28人``, ``约12``, ``12-15``): floats, NaN where blank or unknown.

    Values read with a guess flag their row (saying how); cells that are no number reject it.
    A blank stays blank: an unknown count is not zero.
    """
    values, blank, bad = numbers(cells)
    if not bad.any():  # plain numbers (or blanks): nothing to read with a guess
        reasons.add(values < 0, "not_whole_number" if whole else "not_a_number", field=label,
                    value=cells)  # fmt: skip
        huge = _too_large(values, reasons, label, cells)
        fractional = whole & (values.notna() & (values != np.floor(values)))
        reasons.add(fractional, "not_whole_number", field=label, value=cells)
        return values.where(~blank & (values >= 0) & ~fractional & ~huge)
    read, how, still_bad = readings(cells, bad, read_amount)
    values = values.where(~bad, read)
    still_bad = still_bad | (values < 0)
    still_bad = still_bad | (~still_bad & _too_large(values, reasons, label, cells))
    if whole:
        still_bad = still_bad | (values.notna() & (values != np.floor(values)))
    code = "not_whole_number" if whole else "not_a_number"
    reasons.add(still_bad, code, field=label, value=cells)
    guessed = bad & ~still_bad & how.notna()
    if guessed.any():
        rows = values[guessed]
        read_as = pd.Series([_plain(v) for v in rows.tolist()], index=rows.index, dtype=object)
        flags.add(guessed, label, how, column=column_name, value=cells, read=read_as)
    return values.where(~still_bad & ~blank)


def _too_large(values: pd.Series, reasons: Reasons, label: str, cells: pd.Series) -> Mask:
    """Reject counts past what the database's integers hold (``2147483648``, ``1e20``, inf)."""
    huge = values.notna() & ((values > MAX_AMOUNT) | ~np.isfinite(values))
    reasons.add(huge, "number_too_large", field=label, value=cells, limit=MAX_AMOUNT)
    return huge


def _plain(value: float) -> object:
    return None if value != value else int(value) if float(value).is_integer() else value


def timestamps(cells: pd.Series, reasons: Reasons, label: str, tz: str) -> pd.Series:
    """Parse dates and times, in time zone ``tz``; those written without an offset are local.

    A column may mix both (some offices write ``+08:00``, some do not); each distinct cell is
    parsed on its own.
    """
    stripped = text(cells)
    parsed = map_distinct(stripped, lambda cell: _instant(cell, tz))
    values = pd.to_datetime(parsed, utc=True).dt.tz_convert(tz)
    bad = stripped.notna() & values.isna()
    reasons.add(bad, "not_a_date", field=label, value=cells)
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


def duplicates(ids: pd.Series, reasons: Reasons, label: str) -> None:
    """Reject every row whose id an earlier row of the file already has.

    An automatic id (``auto:``) repeats when two rows have the same name and address; the reason
    says so rather than showing the id.
    """
    repeated = ids.notna() & ids.duplicated(keep="first")
    if not repeated.any():
        return
    first_rows = pd.Series(ids.index, index=ids.index).groupby(ids).transform("min")
    first_rows = first_rows.astype("Int64")
    automatic = ids.astype(str).str.startswith("auto:")
    reasons.add(repeated & automatic, "duplicate_record", first_row=first_rows)
    reasons.add(repeated, "duplicate_id", field=label, value=ids, first_row=first_rows)
