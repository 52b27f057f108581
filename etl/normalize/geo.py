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

from etl.normalize.fields import Reasons, numbers
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
    frame: pd.DataFrame, x_cells: pd.Series, y_cells: pd.Series, crs: str, reasons: Reasons
) -> pd.DataFrame:
    """Parse, check and convert point coordinates given as two columns.

    Returns
    -------
    pandas.DataFrame
        ``source_x``, ``source_y`` (as given) and ``lon``, ``lat`` (WGS-84), NaN where rejected.
    """
    x, x_blank, x_bad = numbers(x_cells)
    y, y_blank, y_bad = numbers(y_cells)
    reasons.add(x_blank | y_blank, "missing coordinates")
    reasons.add(
        x_bad | y_bad,
        lambda m: "non-numeric coordinates ('" + x_cells[m].astype(str) + "', '"
        + y_cells[m].astype(str) + "')",
    )  # fmt: skip
    return _convert(frame.index, x.where(~x_bad), y.where(~y_bad), crs, reasons)


def geometry_points(geometry: gpd.GeoSeries, crs: str, reasons: Reasons) -> pd.DataFrame:
    """Like ``point_coordinates``, for the points of a vector file."""
    missing = pd.Series(geometry.isna() | geometry.is_empty, index=geometry.index)
    kinds = pd.Series(geometry.geom_type, index=geometry.index)
    reasons.add(missing, "missing coordinates (no geometry)")
    not_point = ~missing & (kinds != "Point")
    reasons.add(not_point, lambda m: "geometry is a " + kinds[m].astype(str) + ", not a point")
    points = geometry.where(~missing & ~not_point, None)
    x = pd.Series(shapely.get_x(points.values), index=geometry.index)
    y = pd.Series(shapely.get_y(points.values), index=geometry.index)
    return _convert(geometry.index, x, y, crs, reasons)


def _convert(
    index: pd.Index, x: pd.Series, y: pd.Series, crs: str, reasons: Reasons
) -> pd.DataFrame:
    valid = x.notna() & y.notna()
    if not coords.is_projected(crs):
        swapped = valid & coords.looks_swapped(x, y)
        reasons.add(swapped, lambda m: "longitude and latitude look swapped " + _pair(x, y, m))
    lon = pd.Series(np.nan, index=index)
    lat = pd.Series(np.nan, index=index)
    todo = valid & reasons.accepted
    if todo.any():
        lon_values, lat_values = coords.to_wgs84(x[todo].to_numpy(), y[todo].to_numpy(), crs)
        lon.loc[todo], lat.loc[todo] = lon_values, lat_values
    outside = todo & ~(np.isfinite(lon) & np.isfinite(lat) & coords.in_china(lon, lat))
    reasons.add(outside, lambda m: "outside China " + _pair(x, y, m) + f" in {crs}")
    return pd.DataFrame({"source_x": x, "source_y": y, "lon": lon, "lat": lat}, index=index)


def _pair(x: pd.Series, y: pd.Series, mask: pd.Series) -> pd.Series:
    return "(" + x[mask].astype(str) + ", " + y[mask].astype(str) + ")"


def boundary_wkb(geometry: gpd.GeoSeries, crs: str, reasons: Reasons) -> pd.Series:
    """Check polygons, convert them to WGS-84 and return their WKB (object Series, None if bad).

    Validity repair and MultiPolygon promotion are PostGIS's job at load time.
    """
    index = geometry.index
    missing = pd.Series(geometry.isna() | geometry.is_empty, index=index)
    kinds = pd.Series(geometry.geom_type, index=index)
    reasons.add(missing, "missing geometry")
    reasons.add(
        ~missing & ~kinds.isin(_POLYGONS),
        lambda m: "geometry is a " + kinds[m].astype(str) + ", not a polygon",
    )
    shapes = np.asarray(geometry.array, dtype=object)
    min_x, min_y, max_x, max_y = shapely.bounds(shapes).T
    centre_x = pd.Series((min_x + max_x) / 2, index=index)
    centre_y = pd.Series((min_y + max_y) / 2, index=index)
    if not coords.is_projected(crs):
        swapped = coords.looks_swapped(centre_x, centre_y)
        reasons.add(
            pd.Series(swapped, index=index),
            lambda m: "longitude and latitude look swapped " + _pair(centre_x, centre_y, m),
        )
    todo = reasons.accepted.to_numpy()
    converted = np.full(len(shapes), None, dtype=object)
    converted[todo] = shapely.transform(shapes[todo], lambda xy: _to_wgs84(xy, crs))
    lon_min, lat_min, lon_max, lat_max = shapely.bounds(converted).T
    inside = coords.in_china(lon_min, lat_min) & coords.in_china(lon_max, lat_max)
    reasons.add(
        pd.Series(todo & ~inside, index=index),
        lambda m: "outside China (centre " + _pair(centre_x, centre_y, m).str[1:] + f" in {crs}",
    )
    wkb = pd.Series(shapely.to_wkb(converted), index=index, dtype=object)
    return wkb.where(reasons.accepted, None)


def _to_wgs84(xy: np.ndarray, crs: str) -> np.ndarray:
    lon, lat = coords.to_wgs84(xy[:, 0], xy[:, 1], crs)
    return np.column_stack([lon, lat])
