"""Read the files data officers have into one shape: attribute columns, geometry, row numbers.

Delimited text (``etl.read.delimited``) and workbooks (``etl.read.workbooks``) are found below
their titles; vector formats go through geopandas and pyogrio (GDAL), which honour a Shapefile's
.cpg and .prj.
"""

from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from etl.read.delimited import check_codec, csv_table, decode
from etl.read.layout import Score
from etl.read.raw import RawTable
from etl.read.workbooks import workbook_table
from geo_api.errors import InvalidInput

__all__ = ["RawTable", "decode", "read_table"]

_SUFFIXES: Final = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "workbook",
    ".xlsm": "workbook",
    ".xls": "workbook",
    ".geojson": "geojson",
    ".json": "geojson",
    ".shp": "shapefile",
    ".zip": "shapefile",
    ".gpkg": "gpkg",
}


def read_table(
    path: Path,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    score: Score | None = None,
) -> RawTable:
    """Read a CSV, XLSX, XLS, GeoJSON, Shapefile (.zip, folder or .shp) or GeoPackage.

    Parameters
    ----------
    path
        The file, or a folder holding one Shapefile.
    encoding
        The CSV's encoding, overriding detection; for a Shapefile, the encoding of its .dbf,
        overriding its .cpg (needed when an old export has none).
    sheet
        The workbook sheet to read; by default the first visible one with a header.
    header_row
        The sheet row (1-based) of the header, overriding detection.
    score
        How many cells of a row are known headers, to find the header below titles; without
        it the first non-blank row is the header.

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
            f"unknown file format {path.suffix or path.name!r}: use .csv, .xlsx, .xls, .geojson, "
            ".shp (or a .zip or folder of one) or .gpkg"
        )
    if encoding is not None:
        check_codec(encoding)
    if kind == "csv":
        return csv_table(path, encoding, score, header_row)
    if kind == "workbook":
        return workbook_table(path, sheet, score, header_row)
    return _read_vector(path, kind, encoding if kind == "shapefile" else None)


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
