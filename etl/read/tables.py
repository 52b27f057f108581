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
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from etl.read import limits
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
    layer: str | None = None,
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
    layer
        The layer of a GeoPackage (or of a zip of several Shapefiles) to read; needed when it
        has more than one.

    Returns
    -------
    RawTable

    Raises
    ------
    InvalidInput
        When the file is missing, a link, a FIFO or a device, of an unknown format, or cannot
        be read.
    LimitExceeded
        When the file is over a load limit (``etl.read.limits``): checked before parsing.
    """
    path = Path(path)
    limits.check_path(path)
    kind = "shapefile" if path.is_dir() else _SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InvalidInput(
            f"unknown file format {path.suffix or path.name!r}: use .csv, .xlsx, .xls, .geojson, "
            ".shp (or a .zip or folder of one) or .gpkg"
        )
    if encoding is not None:
        check_codec(encoding)
    if path.suffix.lower() in (".zip", ".xlsx", ".xlsm"):
        limits.check_archive(path)
    if kind == "csv":
        return csv_table(path, encoding, score, header_row)
    if kind == "workbook":
        return workbook_table(path, sheet, score, header_row)
    return _read_vector(path, kind, encoding if kind == "shapefile" else None, layer)


def _read_vector(path: Path, kind: str, encoding: str | None, given: str | None) -> RawTable:
    source = _vector_source(path)
    options = {"encoding": encoding} if encoding else {}
    try:
        layer = _layer(source, given, path.name)
        info = pyogrio.read_info(source, layer=layer, **options)
        limits.check_rows(int(info["features"]), path.name)
        limits.check_columns(len(info["fields"]), path.name)
        data = gpd.read_file(source, layer=layer, engine="pyogrio", **options)
    except (DataSourceError, DataLayerError, IndexError, UnicodeDecodeError) as error:
        raise InvalidInput(f"cannot read {path.name}: {_first_line(error)}") from None
    limits.check_vertices(shapely.get_num_coordinates(data.geometry.values), path.name)
    data.index = pd.RangeIndex(1, 1 + len(data))
    frame = pd.DataFrame(data.drop(columns=data.geometry.name))
    return RawTable(frame=frame, geometry=data.geometry, format=kind, encoding=encoding)


def _layer(source: str, given: str | None, name: str) -> str:
    """Return the layer to read: ``given``, else the only layer with geometry."""
    layers = pyogrio.list_layers(source)
    names = [str(n) for n in layers[:, 0]]
    if given is not None:
        if given not in names:
            raise InvalidInput(f"--layer {given}: no such layer; the layers are {', '.join(names)}")
        return given
    spatial = [str(n) for n, geometry in layers if geometry is not None] or names[:1]
    if len(spatial) > 1:
        raise InvalidInput(
            f"{name} has {len(spatial)} layers ({', '.join(spatial)}): choose one with --layer NAME"
        )
    return spatial[0]


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
