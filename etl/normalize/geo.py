"""Coordinates of the normaliser: read, checked and converted to WGS-84, a column at a time.

The file's coordinates are in the system the user names (``--crs``); GCJ-02 and BD-09 are
converted by ``geo_api.coords``, projected systems by pyproj. A Shapefile's .prj may disagree in
detail (a datum name, a missing .prj) and ``--crs`` wins, but a .prj in metres against a ``--crs``
in degrees (or the reverse) means one of them is wrong, and guessing would put every point in the
wrong place.
"""

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from etl.normalize.fields import Flags, Reasons, numbers, readings
from etl.normalize.headers import Columns
from etl.normalize.numbers import read_degrees
from etl.normalize.sheet import Preamble
from geo_api import coords
from geo_api.errors import InvalidInput

_POLYGONS = ("Polygon", "MultiPolygon")


def check_file_crs(geometry: gpd.GeoSeries | None, crs: str) -> None:
    """Reject a vector file whose own CRS is projected where ``crs`` is geographic, or vice versa.

    Raises
    ------
    InvalidInput
        Naming both systems.
    """
    if geometry is None or geometry.crs is None:
        return
    file_projected = bool(geometry.crs.is_projected)
    if not file_projected and not _within_degrees(geometry):
        return  # GDAL assumes EPSG:4326 for a GeoJSON that names no CRS, even in metres
    if file_projected != coords.is_projected(crs):
        file_kind, given_kind = ("projected", "geographic")[:: 1 if file_projected else -1]
        raise InvalidInput(
            f"the file's coordinate system {geometry.crs.to_string()} is {file_kind} but --crs "
            f"{crs} is {given_kind}: give the system the coordinates are really in"
        )


def _within_degrees(geometry: gpd.GeoSeries) -> bool:
    min_x, min_y, max_x, max_y = geometry.total_bounds
    return bool(-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90)


def point_coordinates(
    frame: pd.DataFrame,
    x_cells: pd.Series,
    y_cells: pd.Series,
    crs: str,
    reasons: Reasons,
    flags: Flags | None = None,
    names: tuple[str | None, str | None] = (None, None),
) -> pd.DataFrame:
    """Parse, check and convert point coordinates given as two columns.

    Degrees written with signs (``104°03'56"``, ``东经104.06``) are read and their rows flagged;
    ``names`` are the columns they came from, for the flags.

    Returns
    -------
    pandas.DataFrame
        ``source_x``, ``source_y`` (as given) and ``lon``, ``lat`` (WGS-84), NaN where rejected.
    """
    x, x_blank, x_bad = _degrees(x_cells, "lon", names[0], flags)
    y, y_blank, y_bad = _degrees(y_cells, "lat", names[1], flags)
    reasons.add(x_blank | y_blank, "missing_coordinates")
    reasons.add(x_bad | y_bad, "non_numeric_coordinates", x=x_cells, y=y_cells)
    return _convert(frame.index, x.where(~x_bad), y.where(~y_bad), crs, reasons)


def _degrees(
    cells: pd.Series, field: str, column_name: str | None, flags: Flags | None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    values, blank, bad = numbers(cells)
    if not bad.any():
        return values, blank, bad
    read, _, still_bad = readings(cells, bad, read_degrees)
    if flags is not None:
        flags.add(
            bad & ~still_bad, field, "coordinate_dms", column=column_name, value=cells, read=read
        )
    return values.where(~bad, read), blank, still_bad


def geometry_points(geometry: gpd.GeoSeries, crs: str, reasons: Reasons) -> pd.DataFrame:
    """Like ``point_coordinates``, for the points of a vector file."""
    missing = pd.Series(geometry.isna() | geometry.is_empty, index=geometry.index)
    kinds = pd.Series(geometry.geom_type, index=geometry.index)
    reasons.add(missing, "missing_point")
    reasons.add(~missing & (kinds != "Point"), "not_a_point", geometry_type=kinds)
    points = geometry.where(~missing & (kinds == "Point"), None)
    x = pd.Series(shapely.get_x(points.values), index=geometry.index)
    y = pd.Series(shapely.get_y(points.values), index=geometry.index)
    return _convert(geometry.index, x, y, crs, reasons)


def _convert(
    index: pd.Index, x: pd.Series, y: pd.Series, crs: str, reasons: Reasons
) -> pd.DataFrame:
    valid = x.notna() & y.notna()
    if not coords.is_projected(crs):
        swapped = valid & coords.looks_swapped(x, y)
        reasons.add(swapped, "swapped_coordinates", x=x, y=y)
    lon = pd.Series(np.nan, index=index)
    lat = pd.Series(np.nan, index=index)
    todo = valid & reasons.accepted
    if todo.any():
        lon_values, lat_values = coords.to_wgs84(x[todo].to_numpy(), y[todo].to_numpy(), crs)
        lon.loc[todo], lat.loc[todo] = lon_values, lat_values
    outside = todo & ~(np.isfinite(lon) & np.isfinite(lat) & coords.in_china(lon, lat))
    reasons.add(outside, "outside_china", x=x, y=y, system=crs)
    return pd.DataFrame({"source_x": x, "source_y": y, "lon": lon, "lat": lat}, index=index)


def boundary_wkb(geometry: gpd.GeoSeries, crs: str, reasons: Reasons) -> pd.Series:
    """Check polygons, convert them to WGS-84 and return their WKB (object Series, None if bad).

    Validity repair and MultiPolygon promotion are PostGIS's job at load time.
    """
    index = geometry.index
    missing = pd.Series(geometry.isna() | geometry.is_empty, index=index)
    kinds = pd.Series(geometry.geom_type, index=index)
    reasons.add(missing, "missing_geometry")
    reasons.add(~missing & ~kinds.isin(_POLYGONS), "not_a_polygon", geometry_type=kinds)
    shapes = np.asarray(geometry.array, dtype=object)
    min_x, min_y, max_x, max_y = shapely.bounds(shapes).T
    centre_x = pd.Series((min_x + max_x) / 2, index=index)
    centre_y = pd.Series((min_y + max_y) / 2, index=index)
    if not coords.is_projected(crs):
        swapped = coords.looks_swapped(centre_x, centre_y)
        reasons.add(pd.Series(swapped, index=index), "swapped_coordinates", x=centre_x, y=centre_y)
    todo = reasons.accepted.to_numpy()
    converted = np.full(len(shapes), None, dtype=object)
    converted[todo] = shapely.transform(shapes[todo], lambda xy: _to_wgs84(xy, crs))
    lon_min, lat_min, lon_max, lat_max = shapely.bounds(converted).T
    inside = coords.in_china(lon_min, lat_min) & coords.in_china(lon_max, lat_max)
    reasons.add(
        pd.Series(todo & ~inside, index=index),
        "outside_china_centre",
        x=centre_x,
        y=centre_y,
        system=crs,
    )
    wkb = pd.Series(shapely.to_wkb(converted), index=index, dtype=object)
    return wkb.where(reasons.accepted, None)


def _to_wgs84(xy: np.ndarray, crs: str) -> np.ndarray:
    lon, lat = coords.to_wgs84(xy[:, 0], xy[:, 1], crs)
    return np.column_stack([lon, lat])


def choose_crs(
    kind: str, given: str | None, columns: Columns, preamble: Preamble, vector: bool
) -> tuple[str, str]:
    """Return the file's coordinate system and where it was named.

    ``--crs`` wins, but it may not contradict a header (``经度（高德）``) or a ``坐标系：`` line
    above the table; without ``--crs`` those name it. Liaisons have no coordinates.

    Raises
    ------
    InvalidInput
        When the headers name two systems, ``--crs`` contradicts the file, or nothing names one.
    """
    named = {f"column {name!r}": crs for name, crs in columns.crs.items()}
    if preamble.crs is not None:
        named["the line above the table"] = preamble.crs
    if len(set(named.values())) > 1:
        listed = ", ".join(f"{where} {crs}" for where, crs in named.items())
        raise InvalidInput(f"the file names two coordinate systems ({listed}): correct the headers")
    if given is not None:
        crs = coords.normalize_crs(given)
        clash = next(((w, c) for w, c in named.items() if c != crs), None)
        if clash is not None:
            raise InvalidInput(
                f"--crs {crs} but {clash[0]} names {clash[1]}: give --crs {clash[1]}, or correct "
                "the header if it is wrong"
            )
        return crs, "crs_option"
    if columns.crs:
        return next(iter(columns.crs.values())), "header"
    if preamble.crs is not None:
        return preamble.crs, "preamble"
    if kind == "liaisons" and not {"lon", "lat"} & columns.keys():
        return coords.WGS84, "crs_option"  # no base points given: no system to name
    raise InvalidInput(
        "the file does not name its coordinate system: give --crs (wgs84, cgcs2000, gcj02, "
        "bd09 or EPSG:n)" + ("" if vector else ", or name it in the headers (经度（高德）)")
    )
