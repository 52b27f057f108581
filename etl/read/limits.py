"""Limits a file must keep before it is parsed: what it is, how big, how wide, how long its lines.

A load reads the whole file into memory, so a file that is not what it claims (a link to
``/etc/passwd``, a FIFO that never ends, a 2 MB zip that unpacks to 2 GB, a 10 MB line, a
million columns) is refused before the parser sees it, in one line that names the limit and
the ``WARMMAP_LOAD_MAX_*`` variable that raises it. The limits come from the settings
(``geo_api.settings``).
"""

import os
import stat
import zipfile
from pathlib import Path, PurePosixPath
from typing import Final

import numpy as np

from geo_api.errors import InvalidInput
from geo_api.settings import Settings, get_settings

_MB: Final = 1024 * 1024
_NOT_REGULAR: Final = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


class LimitExceeded(InvalidInput):
    """A file over one of the load limits; the message names the variable that raises it."""


def limits() -> Settings:
    """Return the settings holding the load limits."""
    return get_settings()


def over(what: str, limit: float, variable: str, unit: str = "") -> LimitExceeded:
    """Return the error for ``what`` over ``limit``: one line naming how to raise the limit."""
    shown = f"{limit:g}{unit}"
    return LimitExceeded(
        f"{what}, over the limit of {shown} (raise WARMMAP_{variable.upper()} to load it)"
    )


def check_path(path: Path) -> None:
    """Refuse a link, FIFO, device or socket, and a file or folder over ``load_max_file_mb``.

    The file is opened with ``O_NOFOLLOW`` and ``O_NONBLOCK`` and checked on its descriptor, so
    a FIFO does not block and a link swapped in after the check is not followed.

    Raises
    ------
    InvalidInput
        When ``path`` is missing, a link or not a regular file or folder.
    LimitExceeded
        When its bytes (a folder's files together) are over the limit.
    """
    mode, size = _stat(path)
    if stat.S_ISDIR(mode):
        size = 0
        for child in sorted(path.iterdir()):
            child_mode, child_size = _stat(child)
            if not stat.S_ISDIR(child_mode):
                size += child_size
    settings = limits()
    if size > settings.load_max_file_mb * _MB:
        raise over(f"{path.name} is {size / _MB:.1f} MB", settings.load_max_file_mb,
                   "load_max_file_mb", " MB")  # fmt: skip


def _stat(path: Path) -> tuple[int, int]:
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise InvalidInput(f"no such file or folder: {path}") from None
    except OSError as error:
        if os.path.islink(path):
            raise InvalidInput(
                f"{path} is a symbolic link: warmmap loads only the file itself (give its "
                "real path)"
            ) from None
        raise InvalidInput(f"cannot open {path}: {error.strerror or error}") from None
    try:
        info = os.fstat(descriptor)
    finally:
        os.close(descriptor)
    kind = _NOT_REGULAR.get(stat.S_IFMT(info.st_mode))
    if kind is not None:
        raise InvalidInput(f"{path} is {kind}, not a file: warmmap loads regular files only")
    return info.st_mode, info.st_size


def check_archive(path: Path) -> None:
    """Refuse a zip (a zipped Shapefile, an XLSX) whose members unpack too big or leave it.

    The sizes are the ones the archive declares; Python's zipfile and GDAL stop at them, so a
    member that lies about its size fails its check instead of unpacking further.

    Raises
    ------
    InvalidInput
        When a member's name is absolute or climbs out (``../``).
    LimitExceeded
        When the members together are over ``load_max_unpacked_mb``.
    """
    if path.is_dir() or not zipfile.is_zipfile(path):
        return
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # the reader says what is wrong with it
    for member in members:
        name = PurePosixPath(member.filename.replace("\\", "/"))
        if name.is_absolute() or ".." in name.parts or ":" in member.filename:
            raise InvalidInput(
                f"{path.name} holds a member named {member.filename!r}, which points outside "
                "the archive: refused"
            )
    unpacked = sum(member.file_size for member in members)
    settings = limits()
    if unpacked > settings.load_max_unpacked_mb * _MB:
        raise over(
            f"{path.name} unpacks to {unpacked / _MB:.1f} MB",
            settings.load_max_unpacked_mb,
            "load_max_unpacked_mb",
            " MB",
        )


def check_lines(raw: bytes, name: str) -> int:
    """Refuse text whose longest line or number of lines is over the limits.

    Returns
    -------
    int
        The length of the longest line, in bytes.

    Raises
    ------
    LimitExceeded
        When a line is longer than ``load_max_line_kb`` or there are more lines than
        ``load_max_rows`` (plus a header).
    """
    settings = limits()
    ends = np.flatnonzero(np.frombuffer(raw, dtype=np.uint8) == ord("\n"))
    lengths = np.diff(np.concatenate(([-1], ends, [len(raw)])))
    longest = int(lengths.argmax())
    if lengths[longest] > settings.load_max_line_kb * 1024:
        raise over(
            f"line {longest + 1} of {name} is {lengths[longest] / 1024:.0f} KB long",
            settings.load_max_line_kb,
            "load_max_line_kb",
            " KB",
        )
    check_rows(len(lengths) - 1, name)
    return int(lengths[longest])


def check_rows(rows: int, name: str) -> None:
    """Refuse a table of more than ``load_max_rows`` rows."""
    settings = limits()
    if rows > settings.load_max_rows:
        raise over(f"{name} has {rows} rows", settings.load_max_rows, "load_max_rows")


def check_columns(columns: int, name: str) -> None:
    """Refuse a table of more than ``load_max_columns`` columns."""
    settings = limits()
    if columns > settings.load_max_columns:
        raise over(f"{name} has {columns} columns", settings.load_max_columns, "load_max_columns")


def check_cells(lengths: dict[str, int], name: str) -> None:
    """Refuse a table with a cell longer than ``load_max_cell_chars``.

    Parameters
    ----------
    lengths
        The longest cell of each column, in characters.
    name
        The file's name, for the message.
    """
    settings = limits()
    for column, longest in lengths.items():
        if longest > settings.load_max_cell_chars:
            raise over(
                f"a cell of column {column!r} of {name} is {longest} characters long",
                settings.load_max_cell_chars,
                "load_max_cell_chars",
                " characters",
            )


def check_vertices(counts: np.ndarray, name: str) -> None:
    """Refuse a vector file with a feature of more than ``load_max_vertices`` vertices."""
    settings = limits()
    if len(counts) and int(counts.max()) > settings.load_max_vertices:
        feature = int(counts.argmax()) + 1
        raise over(
            f"feature {feature} of {name} has {int(counts.max())} vertices",
            settings.load_max_vertices,
            "load_max_vertices",
        )
