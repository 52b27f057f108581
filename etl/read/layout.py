"""Find the table in a sheet: the header row below titles, a second header row, merged cells.

Government sheets start with a merged title (``…驿站统计表``) and a ``填报单位`` line; the header is
the first row whose cells are known headers (``score`` counts them; the normaliser knows the
words). A header split over two rows (``坐标`` above ``经度`` and ``纬度``) is read as one. Cells
merged over several data rows (one ``开放时间`` for five stations) hold their value in the first
row only; it is filled down into the others, and each fill is reported.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from geo_api.errors import InvalidInput

# Rows looked at for the header; titles and notes above a table are never this long.
HEAD_ROWS: Final = 50
Score = Callable[[Sequence[object]], int]


@dataclass(frozen=True)
class Header:
    """Where the header is: its 0-based row index, and whether the next row completes it."""

    index: int
    two_rows: bool
    names: list[str]


@dataclass(frozen=True)
class Filled:
    """A merged cell filled down: the column, the rows that got its value, the row it is from."""

    column: str
    rows: list[int]
    from_row: int


def is_blank(cell: object) -> bool:
    """Return whether a cell holds nothing (None, NaN, or only spaces)."""
    if cell is None:
        return True
    if isinstance(cell, float) and cell != cell:
        return True
    return isinstance(cell, str) and not cell.strip()


def cell_text(cell: object) -> str:
    """Return a cell as the text a reader sees (whole numbers without ``.0``)."""
    if is_blank(cell):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def find_header(rows: Sequence[Sequence[object]], score: Score | None, given: int | None) -> Header:
    """Return the header of a sheet whose first rows are ``rows``.

    Parameters
    ----------
    rows
        The sheet's first rows (at least ``HEAD_ROWS`` when it has them), cells as read.
    score
        How many cells of a row are known headers; None takes the first non-blank row.
    given
        The 1-based row the user named (``--header-row``), which wins.

    Raises
    ------
    InvalidInput
        When ``given`` lies beyond the sheet's rows, or the sheet is empty.
    """
    if given is not None:
        if not 1 <= given <= len(rows):
            raise InvalidInput(f"--header-row {given}: the sheet has {len(rows)} rows")
        index = given - 1
    else:
        index = _detected(rows, score)
    two_rows = score is not None and index + 1 < len(rows) and _completes(rows[index + 1], score)
    names = _names(rows[index], rows[index + 1] if two_rows else None)
    return Header(index, two_rows, names)


def _detected(rows: Sequence[Sequence[object]], score: Score | None) -> int:
    filled = [i for i, row in enumerate(rows[:HEAD_ROWS]) if not all(map(is_blank, row))]
    if not filled:
        raise InvalidInput("the sheet is empty")
    if score is None:
        return filled[0]
    scores = {i: score(rows[i]) for i in filled}
    for least in (2, 1):
        found = next((i for i in filled if scores[i] >= least), None)
        if found is not None:
            return found
    return filled[0]


def _completes(row: Sequence[object], score: Score) -> bool:
    """Whether ``row`` is the lower half of a two-row header: only known headers, and gaps."""
    given = [cell for cell in row if not is_blank(cell)]
    return 0 < len(given) < len(row) and score(row) == len(given)


def _names(upper: Sequence[object], lower: Sequence[object] | None) -> list[str]:
    names: list[str] = []
    # Counted in a dict, not by scanning the names so far: a sheet may be 16,384 columns wide.
    taken: dict[str, int] = {}
    for position, cell in enumerate(upper):
        below = lower[position] if lower is not None and position < len(lower) else None
        name = cell_text(below) or cell_text(cell) or f"{column_letter(position)}列"
        # Two columns with one name (two 备注) stay apart: the second is "备注 (2)".
        unique, count = name, taken.get(name, 0)
        while unique in taken:
            count += 1
            unique = f"{name} ({count})"
        taken[name] = max(count, 1)
        taken.setdefault(unique, 1)
        names.append(unique)
    return names


def fill_merged(
    rows: list[list[object]],
    merges: Sequence[tuple[int, int, int, int]],
    first_data_row: int,
    names: Sequence[str],
) -> list[Filled]:
    """Fill cells merged over several data rows with their value; return what was filled.

    ``merges`` are (first row, last row, first column, last column), 0-based and inclusive;
    merges above ``first_data_row`` (titles, headers) and within one row are left as they are.
    """
    filled = []
    for top, bottom, left, right in merges:
        if bottom <= top or top < first_data_row:
            continue
        value = rows[top][left] if left < len(rows[top]) else None
        if is_blank(value):
            continue
        for column in range(left, right + 1):
            for row in range(top, bottom + 1):
                _widen(rows[row], column + 1)
                rows[row][column] = value
            if column < len(names):
                filled.append(
                    Filled(names[column], list(range(top + 2, bottom + 2)), from_row=top + 1)
                )
    return filled


def _widen(row: list[object], length: int) -> None:
    row.extend([None] * (length - len(row)))
