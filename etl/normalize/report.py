"""The batch's account of a file: which column fed what, what was ignored, skipped or filled.

Stored as ``load_batches.report``; its ``notes`` are reason codes with parameters
(``geo_api.reasons``), rendered in the reader's language by the command line and the API.
"""

from collections import Counter
from typing import Any, Final

import pandas as pd

from etl.normalize.headers import FIELDS, Columns
from etl.normalize.sheet import Skipped
from etl.read.tables import RawTable

# Fields that are bookkeeping or input only, not worth a "no column for" note.
_QUIET: Final = frozenset({"external_id", "lon", "lat", "coordinates", "district", "synthetic"})


def note(code: str, **params: Any) -> dict[str, Any]:
    """Return a note of the report: a reason code and its parameters."""
    return {"code": code, "params": params}


def row_ranges(rows: list[int]) -> str:
    """Return row numbers as ranges: ``[3, 4, 5, 9]`` -> ``3-5, 9``."""
    ranges: list[str] = []
    for row in sorted(rows):
        if ranges and ranges[-1].split("-")[-1] == str(row - 1):
            ranges[-1] = ranges[-1].split("-")[0] + f"-{row}"
        else:
            ranges.append(str(row))
    return ", ".join(ranges)


def build_report(
    kind: str,
    table: RawTable,
    columns: Columns,
    unused: list[str],
    skipped: list[Skipped],
    crs: tuple[str, str],
    kinds: pd.Series | None,
    options: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Return the report of how a file was read, before anything was written.

    Parameters
    ----------
    kind
        What was loaded.
    table, columns
        The file as read, and what its columns were matched to.
    unused
        Columns found for a field but not used (a 坐标 next to 经度 and 纬度): kept in ``extra``.
    skipped
        Rows that are not data.
    crs
        The coordinate system used and where it came from (``crs_option``, ``header``,
        ``preamble``).
    kinds
        Kinds read from names or brands when the file has no kind column.
    options
        Fields given by an option rather than a column (``level`` by ``--level``).
    """
    ignored = [*columns.ignored, *unused]
    report: dict[str, Any] = {
        "format": table.format,
        "encoding": table.encoding,
        "sheet": table.sheet,
        "other_sheets": table.other_sheets,
        "header_row": table.header_row,
        "columns": [
            {
                "column": name,
                "field": field,
                "how": "map" if field in columns.mapped else "alias",
                "crs": columns.crs.get(name),
            }
            for field, name in columns.items()
            if name not in unused
        ],
        "ignored": [{"column": c, "hint": columns.hints.get(c)} for c in ignored],
        "numbering": columns.numbering,
        "annotations": columns.annotations,
        "filled": [
            {"column": f.column, "rows": row_ranges(f.rows), "from_row": f.from_row}
            for f in table.filled
        ],
        "skipped": dict(Counter(s.code for s in skipped)),
        "blank_rows": len(table.blank_rows),
        "crs": {"crs": crs[0], "origin": crs[1]},
    }
    report["notes"] = _notes(kind, table, columns, report, kinds, options)
    return report


def _notes(
    kind: str,
    table: RawTable,
    columns: Columns,
    report: dict[str, Any],
    kinds: pd.Series | None,
    options: frozenset[str],
) -> list[dict[str, Any]]:
    notes = []
    if table.sheet is not None:
        notes.append(note("note_sheet", sheet=table.sheet, header_row=table.header_row))
    elif table.header_row > 1:
        notes.append(note("note_header_row", header_row=table.header_row))
    if table.other_sheets:
        notes.append(note("note_other_sheets", sheets=table.other_sheets))
    crs, origin = report["crs"]["crs"], report["crs"]["origin"]
    if origin != "crs_option" and kind != "liaisons":
        notes.append(note("note_crs_from_file", crs=crs, origin=origin))
    pairs = ", ".join(f"{e['column']} → {e['field']}" for e in report["columns"])
    notes.append(note("note_columns", pairs=pairs))
    for entry in report["columns"]:
        if entry["crs"]:
            notes.append(
                note(
                    "note_column_crs",
                    column=entry["column"],
                    field=entry["field"],
                    crs=entry["crs"],
                )
            )
        elif entry["field"] == "coordinates":
            notes.append(note("note_coordinates_split", column=entry["column"]))
    for entry in report["ignored"]:
        hint = f" ({entry['hint']})" if entry["hint"] else ""
        notes.append(note("note_ignored", column=entry["column"], hint=hint))
    notes += [note("note_numbering", column=c) for c in columns.numbering]
    notes += [note("note_annotation", column=c) for c in columns.annotations]
    notes += [note("note_filled", column=f["column"], rows=f["rows"]) for f in report["filled"]]
    if report["skipped"]:
        kinds_text = ", ".join(f"{code} {n}" for code, n in report["skipped"].items())
        notes.append(note("note_skipped", count=sum(report["skipped"].values()), kinds=kinds_text))
    if report["blank_rows"]:
        notes.append(note("note_blank_rows", count=report["blank_rows"]))
    absent = [f for f in FIELDS[kind] if f not in columns and f not in _QUIET | options]
    if kinds is not None:
        absent = [f for f in absent if f != "kind"]
        counts = Counter(k if k is not None else "none" for k in kinds)
        code = "note_kinds_from_names" if kind == "stations" else "note_kinds_from_brands"
        notes.append(note(code, counts=", ".join(f"{k} {n}" for k, n in counts.most_common())))
    if absent:
        notes.append(note("note_absent", fields=absent))
    return notes
