"""The rows a coverage refresh copies into PostgreSQL: the cells and the groups they fall in.

Everything per cell is done with numpy and shapely's vectorised functions; only h3's per-cell
calls (boundary, centre) remain Python loops.
"""

import csv
import io
import struct
from collections import Counter
from dataclasses import dataclass

import h3
import numpy as np

from geo_api.coords import geodesic_m

# An H3 index keeps its resolution in bits 52-55 and a 3-bit digit per resolution below it,
# resolution 15 in the lowest bits; a digit of 7 means "unused".
_RES_SHIFT = np.uint64(52)
_RES_MASK = np.uint64(0xF) << _RES_SHIFT


@dataclass(frozen=True)
class CellGroups:
    """The coarser parents the cells are grouped under: their centres and reach.

    ``reach_m`` is, per group, the largest geodesic distance from the parent's centre to the
    centre of one of its cells; ``index`` is each cell's group (0-based) and ``cell_reach_m``
    the distance from its parent's centre.
    """

    lon: list[float]
    lat: list[float]
    reach_m: list[float]
    index: np.ndarray
    cell_reach_m: np.ndarray


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


def cell_groups(ordered: list[str], centres: np.ndarray, parent_res: int) -> CellGroups:
    """Return the groups of ``ordered`` cells under their parents at ``parent_res``.

    Parameters
    ----------
    ordered : list of str
        H3 cells.
    centres : numpy.ndarray
        Their centres as (lat, lng) rows, as ``h3.cell_to_latlng`` gives them.
    parent_res : int
        The resolution of the parents.

    Returns
    -------
    CellGroups
        One group per distinct parent, with each cell's group.
    """
    cells = np.array([int(cell, 16) for cell in ordered], dtype=np.uint64)
    parents, index = np.unique(parents_of(cells, parent_res), return_inverse=True)
    parent_centres = np.array([h3.cell_to_latlng(h3.int_to_str(int(p))) for p in parents])
    distance_m = geodesic_m(
        centres[:, 1], centres[:, 0], parent_centres[index, 1], parent_centres[index, 0]
    )
    reach_m = np.zeros(len(parents))
    np.maximum.at(reach_m, index, distance_m)
    return CellGroups(
        lon=parent_centres[:, 1].tolist(),
        lat=parent_centres[:, 0].tolist(),
        reach_m=reach_m.tolist(),
        index=index,
        cell_reach_m=distance_m,
    )


def hexagons_ewkb(ordered: list[str]) -> list[str]:
    """Return the cells' hexagons (EPSG:4326, lon/lat) as hex EWKB, the way COPY reads them.

    Parameters
    ----------
    ordered : list of str
        H3 cells.

    Returns
    -------
    list of str
        One hex string per cell: a polygon of one closed ring, h3's boundary in order.
    """
    rings = [h3.cell_to_boundary(cell) for cell in ordered]
    hexes: list[str] = [""] * len(rings)
    lengths = np.array([len(ring) for ring in rings])
    # Most cells have six vertices; pentagons five and cells cut by an icosahedron edge more.
    for n_vertices in np.unique(lengths):
        which = np.flatnonzero(lengths == n_vertices)
        latlng = np.array([rings[i] for i in which], dtype="<f8")
        lnglat = latlng[:, :, ::-1]
        closed = np.concatenate([lnglat, lnglat[:, :1]], axis=1).reshape(len(which), -1)
        header = np.frombuffer(_ewkb_header(int(n_vertices) + 1), dtype=np.uint8)
        rows = np.hstack([np.tile(header, (len(which), 1)), closed.view(np.uint8)])
        text = rows.tobytes().hex()
        width = 2 * rows.shape[1]
        for k, i in enumerate(which):
            hexes[i] = text[k * width : (k + 1) * width]
    return hexes


def _ewkb_header(n_points: int) -> bytes:
    # Little endian, polygon with the SRID flag, SRID 4326, one ring of n_points.
    return struct.pack("<BIIII", 1, 0x20000003, 4326, 1, n_points)


def staging_rows(
    cells: set[str], res: int, group_levels: int, outlets: Counter[str], riders: Counter[str]
) -> tuple[io.StringIO, CellGroups]:
    """Return the cells as CSV for COPY into ``coverage_staging``, and their groups.

    Parameters
    ----------
    cells : set of str
        The H3 cells at ``res``.
    res : int
        Their resolution.
    group_levels : int
        How many resolutions coarser the groups' parents are (not below 0).
    outlets, riders : collections.Counter
        Demand per cell.

    Returns
    -------
    tuple
        The CSV (h3, hexagon, centre lon and lat, group, distance from the group's centre,
        outlets, riders) and the groups.
    """
    ordered = sorted(cells)
    centres = np.array([h3.cell_to_latlng(cell) for cell in ordered])
    groups = cell_groups(ordered, centres, max(res - group_levels, 0))
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        zip(
            ordered,
            hexagons_ewkb(ordered),
            centres[:, 1].tolist(),
            centres[:, 0].tolist(),
            (groups.index + 1).tolist(),
            groups.cell_reach_m.tolist(),
            [outlets[cell] for cell in ordered],
            [riders[cell] for cell in ordered],
            strict=True,
        )
    )
    buffer.seek(0)
    return buffer, groups
