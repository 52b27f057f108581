"""Read the files data officers have into one shape: attribute columns, geometry, row numbers.

CSV is read as strings (``dtype=str``, ``keep_default_na=False``) so nothing is reinterpreted: a
leading zero of an adcode, an ``NA`` in a name or ``1E5`` in an id stays as written. The encoding is
decoded strictly, UTF-8 (with or without BOM) before GB18030, which Chinese Excel writes.
Vector formats go through geopandas and pyogrio (GDAL), which honour a Shapefile's .cpg and .prj.
"""

import codecs
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd
import pyogrio
from charset_normalizer import from_bytes
from pyarrow import ArrowInvalid
from pyogrio.errors import DataLayerError, DataSourceError

from geo_api.errors import InvalidInput

_SUFFIXES: Final = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx",
                    ".xlsm": "xlsx", ".geojson": "geojson", ".json": "geojson",
                    ".shp": "shapefile", ".zip": "shapefile", ".gpkg": "gpkg"}  # fmt: skip
_EMPTY_LINE: Final = re.compile(r"\n[ \t]*\r?\n")
# Tried in this order; a strict decode that succeeds wins.
_ENCODINGS: Final = ("utf-8", "gb18030")


@dataclass
class RawTable:
    """A file as read, before any interpretation.

    Attributes
    ----------
    frame
        Attribute columns with the original headers; values as read (strings for CSV). The index
        is the row number a user sees: CSV/XLSX rows count the header as 1, so data starts at 2;
        vector features count from 1.
    geometry
        Vector formats only, aligned with ``frame``; its CRS as read (may be None).
    format
        ``csv``, ``xlsx``, ``geojson``, ``shapefile`` or ``gpkg``.
    encoding
        The encoding detected or given (CSV; a Shapefile's only when given).
    """

    frame: pd.DataFrame
    geometry: gpd.GeoSeries | None
    format: str
    encoding: str | None


def read_table(path: Path, *, encoding: str | None = None) -> RawTable:
    """Read a CSV, XLSX, GeoJSON, Shapefile (.zip, folder or .shp) or GeoPackage (first layer).

    Parameters
    ----------
    path
        The file, or a folder holding one Shapefile.
    encoding
        The CSV's encoding, overriding detection; for a Shapefile, the encoding of its .dbf,
        overriding its .cpg (needed when an old export has none).

    Returns
    -------
    RawTable

    Raises
    ------
    InvalidInput
        When the file is missing, of an unknown format, or cannot be read.
    """
    path = Path(path)
    if not path.exists():
        raise InvalidInput(f"no such file: {path}")
    kind = "shapefile" if path.is_dir() else _SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InvalidInput(
            f"unknown file format {path.suffix or path.name!r}: use .csv, .xlsx, .geojson, "
            ".shp (or a .zip or folder of one) or .gpkg"
        )
    if encoding is not None:
        _check_codec(encoding)
    if kind == "csv":
        return _read_csv(path, encoding)
    if kind == "xlsx":
        return _read_xlsx(path)
    return _read_vector(path, kind, encoding if kind == "shapefile" else None)


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
            return raw.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    best = from_bytes(raw).best()
    if best is None:
        raise InvalidInput("cannot tell the file's encoding: give it with --encoding")
    return str(best), best.encoding


def _strict(raw: bytes, codec: str, name: str) -> tuple[str, str]:
    try:
        return raw.decode(codec), name
    except UnicodeDecodeError as error:
        raise InvalidInput(_not_encoded(name, error)) from None


def _check_codec(encoding: str) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InvalidInput(f"unknown encoding {encoding!r}") from None


def _not_encoded(encoding: str, error: UnicodeDecodeError) -> str:
    return f"the file is not {encoding}: {error.reason} at byte {error.start}"


def _read_csv(path: Path, encoding: str | None) -> RawTable:
    text, used = decode(path.read_bytes(), encoding)
    text = text.rstrip("\r\n") + "\n"
    first_line = text.split("\n", 1)[0]
    sep = max(",\t;|", key=first_line.count)
    # Both readers skip empty lines; pandas' can keep them, so that row numbers stay those a
    # user sees. pyarrow's is several times faster on a million rows, so it reads the rest.
    # Rows with every cell blank carry no data and are left out (their numbers stay unused).
    has_empty_lines = _EMPTY_LINE.search(text) is not None
    try:
        if has_empty_lines:
            frame = pd.read_csv(
                io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False
            )
        else:
            data = io.BytesIO(text.encode("utf-8"))
            frame = pd.read_csv(data, engine="pyarrow", sep=sep, dtype=str, keep_default_na=False)
    except (ArrowInvalid, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InvalidInput(f"cannot read {path.name} as CSV: {_first_line(error)}") from None
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    blank = (frame.isna() | (frame == "")).all(axis=1)
    return RawTable(frame=frame[~blank], geometry=None, format="csv", encoding=used)


def _read_xlsx(path: Path) -> RawTable:
    try:
        frame = pd.read_excel(path, sheet_name=0, engine="openpyxl", dtype=object)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise InvalidInput(f"cannot read {path.name} as XLSX: {_first_line(error)}") from None
    frame = frame.astype(object).where(frame.notna(), None)
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    frame = frame[~frame.isna().all(axis=1)]
    return RawTable(frame=frame, geometry=None, format="xlsx", encoding=None)


def _read_vector(path: Path, kind: str, encoding: str | None) -> RawTable:
    source = _vector_source(path)
    try:
        layer = pyogrio.list_layers(source)[0][0]
        options = {"encoding": encoding} if encoding else {}
        data = gpd.read_file(source, layer=layer, engine="pyogrio", **options)
    except (DataSourceError, DataLayerError, IndexError, UnicodeDecodeError) as error:
        raise InvalidInput(f"cannot read {path.name}: {_first_line(error)}") from None
    data.index = pd.RangeIndex(1, 1 + len(data))
    frame = pd.DataFrame(data.drop(columns=data.geometry.name))
    return RawTable(frame=frame, geometry=data.geometry, format=kind, encoding=encoding)


def _vector_source(path: Path) -> str:
    if path.is_dir():
        shapes = sorted(path.glob("*.shp"))
        if len(shapes) != 1:
            raise InvalidInput(f"the folder {path.name} must hold one .shp, not {len(shapes)}")
        return str(shapes[0])
    if path.suffix.lower() == ".zip":
        return f"zip://{path.resolve()}"
    return str(path)


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
