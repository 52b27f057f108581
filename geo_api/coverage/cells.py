"""Which H3 cells a city's coverage holds, and the demand (outlets, riders) in each.

Everything here is computed from geometries and points already read: the single-node refresh
and the distributed batch call the same functions.
"""

import h3
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

# The fill's cost grows with cells times the polygon's vertices: tiles this wide (degrees) keep
# the vertices per call few. A cell overlaps the polygon if and only if it overlaps one of its
# tiles.
TILE_DEG = 0.1
# An H3 index keeps its resolution in bits 52-55 and a 3-bit digit per resolution below it,
# resolution 15 in the lowest bits; a digit of 7 means "unused".
_RES_SHIFT = np.uint64(52)
_RES_MASK = np.uint64(0xF) << _RES_SHIFT


def cells_touching(boundaries: list[BaseGeometry], res: int) -> np.ndarray:
    """Return the H3 cells at ``res`` that overlap any of ``boundaries`` (the root first).

    Overlap containment keeps areas smaller than a cell. A cell overlapping the part of an area
    inside the root already overlaps the root, so of each area below it only what sticks out
    (slivers where boundaries disagree) is polygon-filled again. The cells come back sorted, as
    ``uint64``.
    """
    root, *below = boundaries
    cells = _overlapping(root, res)
    if below:
        areas = np.array(below, dtype=object)
        shapely.prepare(root)
        for area in areas[~shapely.covers(root, areas)]:
            # Only the root near the area matters: cutting it out first spares GEOS the rest.
            near = shapely.intersection(root, shapely.box(*area.bounds))
            cells |= _overlapping(area.difference(near), res)
        for point in shapely.point_on_surface(areas):
            cells.add(h3.latlng_to_cell(point.y, point.x, res))
    return np.sort(np.fromiter((int(cell, 16) for cell in cells), np.uint64, len(cells)))


def _overlapping(boundary: BaseGeometry, res: int, tile_deg: float = TILE_DEG) -> set[str]:
    # Differences can be collections holding multipolygons and lines: flatten twice, keep areas.
    parts = shapely.get_parts(shapely.get_parts(_tiled(boundary, tile_deg)))
    polygons = [g for g in parts if g.geom_type == "Polygon"]
    cells: set[str] = set()
    for polygon in polygons:
        if not polygon.is_empty:
            shape = h3.geo_to_h3shape(polygon.__geo_interface__)
            cells.update(h3.h3shape_to_cells_experimental(shape, res, contain="overlap"))
    return cells


def _tiled(boundary: BaseGeometry, tile_deg: float) -> np.ndarray:
    """Return ``boundary`` cut by a grid of ``tile_deg`` squares, the empty pieces dropped."""
    if boundary.is_empty:
        return np.array([boundary])
    x0, y0, x1, y1 = boundary.bounds
    xs = np.append(np.arange(x0, x1, tile_deg), x1)
    ys = np.append(np.arange(y0, y1, tile_deg), y1)
    left, bottom = (a.ravel() for a in np.meshgrid(xs[:-1], ys[:-1]))
    right, top = (a.ravel() for a in np.meshgrid(xs[1:], ys[1:]))
    tiles = shapely.box(left, bottom, right, top)
    shapely.prepare(boundary)
    return shapely.intersection(boundary, tiles[shapely.intersects(boundary, tiles)])


def cell_demand(
    cells: np.ndarray, res: int, lon: np.ndarray, lat: np.ndarray, riders: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return outlets and riders per cell (aligned with the sorted ``cells``).

    Parameters
    ----------
    cells : numpy.ndarray
        Sorted H3 cells (``uint64``) at ``res``.
    res : int
        Their resolution.
    lon, lat, riders : numpy.ndarray
        The outlets read around them; unknown riders (NaN) add an outlet but no known demand.

    Returns
    -------
    tuple of numpy.ndarray
        Outlets and riders per cell (``int64``); outlets outside every cell are not counted.
    """
    outlet_cells = np.array(
        [h3.str_to_int(h3.latlng_to_cell(y, x, res)) for x, y in zip(lon, lat, strict=True)],
        dtype=np.uint64,
    )
    where = np.minimum(np.searchsorted(cells, outlet_cells), max(len(cells) - 1, 0))
    inside = (cells[where] == outlet_cells) if len(cells) else np.zeros(len(lon), dtype=bool)
    outlets = np.bincount(where[inside], minlength=len(cells)).astype(np.int64)
    known = np.nan_to_num(np.asarray(riders, dtype=float)[inside], nan=0.0)
    riders_per_cell = np.bincount(where[inside], weights=known, minlength=len(cells))
    return outlets, np.rint(riders_per_cell).astype(np.int64)


def parents_of(cells: np.ndarray, parent_res: int) -> np.ndarray:
    """Return the parents at ``parent_res`` of the H3 ``cells`` (uint64, all one finer res).

    Parameters
    ----------
    cells : numpy.ndarray
        H3 indexes as ``uint64``, at a resolution of at least ``parent_res``.
    parent_res : int
        The parents' resolution.

    Returns
    -------
    numpy.ndarray
        The parents as ``uint64``, what ``h3.cell_to_parent`` returns, without a Python loop.
    """
    unused_digits = np.uint64((1 << (3 * (15 - parent_res))) - 1)
    res_bits = np.uint64(parent_res) << _RES_SHIFT
    return (cells & ~_RES_MASK & ~unused_digits) | res_bits | unused_digits
