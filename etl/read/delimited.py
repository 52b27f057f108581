"""Delimited text (CSV, TSV) as offices save it: any encoding Chinese Excel writes, titles above.

Cells are read as strings (``dtype=str``, ``keep_default_na=False``) so nothing is reinterpreted:
a leading zero of an adcode, an ``NA`` in a name or ``1E5`` in an id stays as written. The
encoding is decoded strictly, UTF-8 (with or without BOM) before GB18030, which Chinese Excel
writes. The first rows are read with the csv module to find the header below any title; the rest
by pyarrow, several times faster on a million rows.
"""

import codecs
import csv
import io
import re
from pathlib import Path
from typing import Final

import pandas as pd
from charset_normalizer import from_bytes
from pyarrow import ArrowInvalid

from etl.read import limits
from etl.read.layout import HEAD_ROWS, Score, cell_text, find_header, is_blank
from etl.read.raw import RawTable, preamble_rows
from geo_api.errors import InvalidInput

# Lines looked at to tell the separator.
_SNIFF_LINES: Final = 20
_EMPTY_LINE: Final = re.compile(r"\n[ \t]*\r?\n")
# pyarrow's complaint about a row of another length than the header.
_COLUMN_COUNTS: Final = re.compile(r"Expected (\d+) columns, got (\d+)")
# Tried in this order; a strict decode that succeeds wins.
_ENCODINGS: Final = ("utf-8", "gb18030")


def decode(raw: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode bytes strictly; return the text and the encoding used.

    Parameters
    ----------
    raw
        The file's bytes.
    encoding
        A codec name to use instead of detecting one.

    Raises
    ------
    InvalidInput
        When the given encoding is unknown or does not fit, or no encoding is found.
    """
    if encoding is not None:
        try:
            return raw.decode(codecs.lookup(encoding).name), encoding
        except LookupError:
            raise InvalidInput(f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as error:
            raise InvalidInput(_not_encoded(encoding, error)) from None
    if raw.startswith(codecs.BOM_UTF8):
        return _strict(raw[len(codecs.BOM_UTF8) :], "utf-8", "utf-8-sig")
    for candidate in _ENCODINGS:
        try:
            text = raw.decode(candidate)
        except UnicodeDecodeError:
            if candidate == "utf-8":
                _check_not_mixed(raw)
            continue
        return text, candidate
    best = from_bytes(raw).best()
    if best is None:
        raise InvalidInput("cannot tell the file's encoding: give it with --encoding")
    return str(best), best.encoding


def _check_not_mixed(raw: bytes) -> None:
    """Refuse a file that is not UTF-8 but holds lines of UTF-8 text: two files pasted together.

    Decoded as GB18030 whole, its UTF-8 lines would turn into other characters without a word
    (``顺丰`` into ``椤轰赴``). A line of GB18030 text is valid UTF-8 only by rare accident.
    """
    utf8_line = other_line = None
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other_line = other_line or number
        else:
            utf8_line = utf8_line or number
        if utf8_line and other_line:
            raise InvalidInput(
                f"the file mixes encodings: line {utf8_line} is UTF-8 but line {other_line} is "
                "not (GB18030?): save it again in one encoding, or name one with --encoding"
            )


def _strict(raw: bytes, codec: str, name: str) -> tuple[str, str]:
    try:
        return raw.decode(codec), name
    except UnicodeDecodeError as error:
        raise InvalidInput(_not_encoded(name, error)) from None


def check_codec(encoding: str) -> None:
    """Raise InvalidInput unless ``encoding`` names a codec."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InvalidInput(f"unknown encoding {encoding!r}") from None


def _not_encoded(encoding: str, error: UnicodeDecodeError) -> str:
    return f"the file is not {encoding}: {error.reason} at byte {error.start}"


def csv_table(
    path: Path, encoding: str | None, score: Score | None, header_row: int | None
) -> RawTable:
    """Return the table of a CSV: its header found below any title lines."""
    raw = path.read_bytes()
    longest_line = limits.check_lines(raw, path.name)
    text, used = decode(raw, encoding)
    del raw
    text = text.rstrip("\r\n") + "\n"
    lines = text.split("\n", _SNIFF_LINES)[:_SNIFF_LINES]
    sep = max(",\t;|", key=lambda s: sum(line.count(s) for line in lines))
    head = _head_records(text, sep)
    if all(all(map(is_blank, cells)) for cells, _ in head):
        raise InvalidInput(f"cannot read {path.name} as CSV: the file is empty")
    limits.check_columns(max(len(cells) for cells, _ in head), path.name)
    header = find_header([cells for cells, _ in head], score, header_row)
    line = head[header.index][1]
    frame = _parse_csv(text[_line_offset(text, line) :], sep, path)
    if longest_line > limits.limits().load_max_cell_chars:  # else no cell can be longer
        limits.check_cells(_longest_cells(frame), path.name)
    frame.index = pd.RangeIndex(line + 2, line + 2 + len(frame))
    if len(header.names) == len(frame.columns):
        frame.columns = pd.Index(header.names)
    subheader = None
    if header.two_rows and len(frame):
        subheader = (int(frame.index[0]), [cell_text(c) for c in head[header.index + 1][0]])
        frame = frame.iloc[1:]
    blank = (frame.isna() | (frame == "")).all(axis=1)
    return RawTable(
        frame=frame[~blank],
        geometry=None,
        format="csv",
        encoding=used,
        header_row=line + 1,
        preamble=preamble_rows([(list[object](c), n + 1) for c, n in head[: header.index]]),
        subheader=subheader,
        blank_rows=[int(n) for n in frame.index[blank]],
    )


def _longest_cells(frame: pd.DataFrame) -> dict[str, int]:
    lengths = {str(c): frame[c].astype(str).str.len().max() for c in frame.columns}
    return {column: int(n) for column, n in lengths.items() if pd.notna(n)}


def _head_records(text: str, sep: str) -> list[tuple[list[str], int]]:
    """Return the first records of a CSV with the (0-based) physical line each starts on."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    records = []
    for _ in range(HEAD_ROWS):
        start = reader.line_num
        try:
            cells = next(reader)
        except (StopIteration, csv.Error):
            break
        records.append((list(cells), start))
    return records


def _line_offset(text: str, line: int) -> int:
    offset = 0
    for _ in range(line):
        offset = text.index("\n", offset) + 1
    return offset


def _parse_csv(text: str, sep: str, path: Path) -> pd.DataFrame:
    # Both readers skip empty lines; pandas' can keep them, so that row numbers stay those a
    # user sees. pyarrow's is several times faster on a million rows, so it reads the rest,
    # unless a row is short (a note under the table), which only pandas' C reader accepts.
    options = {"sep": sep, "dtype": str, "keep_default_na": False}
    try:
        if _EMPTY_LINE.search(text) is None:
            try:
                data = io.BytesIO(text.encode("utf-8"))
                return pd.read_csv(data, engine="pyarrow", **options)  # type: ignore[call-overload]
            except (ArrowInvalid, pd.errors.ParserError) as error:
                counts = _COLUMN_COUNTS.search(str(error))
                if counts is None or int(counts[2]) > int(counts[1]):
                    raise pd.errors.ParserError(_first_line(error)) from None
        return pd.read_csv(  # type: ignore[call-overload]
            io.StringIO(text), skip_blank_lines=False, index_col=False, **options
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InvalidInput(f"cannot read {path.name} as CSV: {_first_line(error)}") from None


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
