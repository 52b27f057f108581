"""Coverage cells as PostgreSQL's binary COPY stream, built with numpy without a loop per cell.

Within a group of cells whose hexagons have the same number of vertices and that all have (or
all lack) a nearest station, every row has the same layout: one structured numpy array per
group holds them, and its bytes are the rows. Hexagons come from h3ronpy as WKB and become
EWKB with SRID 4326 (the column's), which PostGIS' binary input reads.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

import h3ronpy.vector as h3v
import numpy as np
import pyarrow as pa

COLUMNS = (
    "city_adcode, res, h3, geom, outlets, riders, nearest_station_id, nearest_station_m, "
    "refreshed_at"
)
COPY_CELLS = f"COPY coverage_cells ({COLUMNS}) FROM STDIN (FORMAT binary)"
HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
TRAILER = (-1).to_bytes(2, "big", signed=True)
POSTGRES_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# WKB of a polygon: byte order, type, rings, points of the ring; then the points.
WKB_POLYGON_HEAD = 13
_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


@dataclass(frozen=True)
class CellRows:
    """Everything written per cell, one array entry per cell (``station_id`` -1: none)."""

    cells: np.ndarray
    outlets: np.ndarray
    riders: np.ndarray
    station_id: np.ndarray
    distance_m: np.ndarray

    def part(self, which: slice) -> "CellRows":
        """Return the rows in ``which``."""
        return CellRows(
            self.cells[which],
            self.outlets[which],
            self.riders[which],
            self.station_id[which],
            self.distance_m[which],
        )


def h3_strings(cells: np.ndarray) -> np.ndarray:
    """Return the cells (uint64) as their 15 lower-case hex digits, an ``S15`` array."""
    shifts = np.arange(56, -1, -4, dtype=np.uint64)
    nibbles = (cells[:, None] >> shifts[None, :]) & np.uint64(0xF)
    return _HEX_DIGITS[nibbles.astype(np.intp)].view("S15").ravel()


def copy_stream(city: str, res: int, rows: CellRows, refreshed_at: datetime) -> bytes:
    """Return the whole binary COPY stream of ``rows`` for ``COPY_CELLS``."""
    return HEADER + copy_tuples(city, res, rows, refreshed_at) + TRAILER


def copy_tuples(city: str, res: int, rows: CellRows, refreshed_at: datetime) -> bytes:
    """Return ``rows`` as tuples of the binary COPY stream of ``COPY_CELLS``.

    A stream is ``HEADER``, any number of these, then ``TRAILER``.

    Parameters
    ----------
    city : str
        The city's adcode.
    res : int
        The cells' resolution.
    rows : CellRows
        The cells and what is written with them.
    refreshed_at : datetime.datetime
        The refresh's time stamp (time-zone aware).

    Returns
    -------
    bytes
        One tuple per cell.
    """
    wkb = pa.array(h3v.cells_to_wkb_polygons(rows.cells))
    offsets = np.frombuffer(wkb.buffers()[1], dtype=np.int64)[wkb.offset :][: len(wkb) + 1]
    data = np.frombuffer(wkb.buffers()[2], dtype=np.uint8)
    if len(wkb) and not (data[offsets[:-1]] == 1).all():
        raise ValueError("h3ronpy wrote big-endian WKB; the COPY rows expect little-endian")
    lengths = np.diff(offsets)
    at_us = (refreshed_at - POSTGRES_EPOCH) // _MICROSECOND
    has_station = rows.station_id >= 0
    parts = []
    for length in np.unique(lengths):
        for with_station in (True, False):
            which = np.flatnonzero((lengths == length) & (has_station == with_station))
            if len(which):
                n_points = (int(length) - WKB_POLYGON_HEAD) // 16
                group = np.zeros(len(which), dtype=_row_dtype(city, n_points, with_station))
                _fill(group, city, res, rows, which, at_us)
                # Each row's WKB, gathered through a sliding window over the bytes (no copy).
                windows = np.lib.stride_tricks.sliding_window_view(data, int(length))
                wkb_rows = windows[offsets[which]][:, WKB_POLYGON_HEAD:]
                group["points"] = wkb_rows.copy().view("<f8").reshape(len(which), n_points, 2)
                parts.append(group.tobytes())
    return b"".join(parts)


_MICROSECOND = datetime(2000, 1, 1, 0, 0, 0, 1, tzinfo=UTC) - POSTGRES_EPOCH


def _row_dtype(city: str, n_points: int, with_station: bool) -> np.dtype:
    city_len = len(city.encode())
    fields: list[tuple[str, str] | tuple[str, str, tuple[int, int]]] = [
        ("n_fields", ">i2"),
        ("city_len", ">i4"),
        ("city", f"S{city_len}"),
        ("res_len", ">i4"),
        ("res", ">i2"),
        ("h3_len", ">i4"),
        ("h3", "S15"),
        ("geom_len", ">i4"),
        ("byte_order", "u1"),
        ("geom_type", "<u4"),
        ("srid", "<u4"),
        ("rings", "<u4"),
        ("n_points", "<u4"),
        ("points", "<f8", (n_points, 2)),
        ("outlets_len", ">i4"),
        ("outlets", ">i4"),
        ("riders_len", ">i4"),
        ("riders", ">i4"),
    ]
    if with_station:
        fields += [("id_len", ">i4"), ("id", ">i8"), ("m_len", ">i4"), ("m", ">f8")]
    else:
        fields += [("id_len", ">i4"), ("m_len", ">i4")]
    fields += [("at_len", ">i4"), ("at", ">i8")]
    return np.dtype(fields)  # type: ignore[arg-type]


def _fill(
    group: np.ndarray, city: str, res: int, rows: CellRows, which: np.ndarray, at_us: int
) -> None:
    n_points = group.dtype["points"].shape[0]
    group["n_fields"] = 9
    group["city_len"] = len(city.encode())
    group["city"] = city.encode()
    group["res_len"], group["res"] = 2, res
    group["h3_len"], group["h3"] = 15, h3_strings(rows.cells[which])
    group["geom_len"] = 17 + 16 * n_points
    group["byte_order"] = 1
    group["geom_type"] = 0x20000003  # polygon with an SRID
    group["srid"], group["rings"], group["n_points"] = 4326, 1, n_points
    group["outlets_len"], group["outlets"] = 4, rows.outlets[which]
    group["riders_len"], group["riders"] = 4, rows.riders[which]
    if "id" in (group.dtype.names or ()):
        group["id_len"], group["id"] = 8, rows.station_id[which]
        group["m_len"], group["m"] = 8, rows.distance_m[which]
    else:
        group["id_len"], group["m_len"] = -1, -1
    group["at_len"], group["at"] = 8, at_us
