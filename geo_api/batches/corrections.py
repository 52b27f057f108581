"""A workbook of a batch's rejected and flagged rows that the data officer corrects and reloads.

Written by the command line, which reads every row as given (the officer loaded the file).

The first sheet holds the rows as the file gave them, under the file's own headers, with each
cell at fault coloured and commented, and three columns of the export's own (``warmmap:id``,
``warmmap:row``, ``warmmap:problem``) that a load reads as notes, except the id, which keeps a
corrected row the record it was. Above the table, lines name the batch's source and coordinate
system, so ``warmmap load stations corrections.xlsx`` needs neither ``--source`` nor ``--crs``:
the rows load into the records they belong to.
"""

from typing import Any, Final

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from sqlalchemy import Connection

from geo_api.batches.reading import get_batch, list_flagged, list_rejects
from geo_api.reasons import CRS_LABELS, render
from geo_api.spreadsheets import set_text

ID: Final = "warmmap:id"
_AT_FAULT: Final = PatternFill("solid", fgColor="FFF2CC")
_WORDS: Final = {
    "en": {"sheet": "to correct", "about": "about", "row": "warmmap:row",
           "problem": "warmmap:problem", "title": "Batch {id} ({file}): rows to correct, then load "
           "this file again", "source": "source: {source}", "crs": "crs: {crs}",
           "sep": "; "},
    "zh": {"sheet": "待更正", "about": "说明", "row": "warmmap:行号", "problem": "warmmap:问题",
           "title": "批次 {id}（{file}）被拒绝和标记的行：改正后重新加载本文件",
           "source": "数据来源：{source}", "crs": "坐标系：{crs}", "sep": "；"},
}  # fmt: skip
# The fields a rejection reason is about, when its parameters do not say.
_FIELDS_OF_CODE: Final = {
    "missing_name": ("name",), "missing_role": ("role",), "missing_coordinates": ("lon", "lat"),
    "non_numeric_coordinates": ("lon", "lat", "coordinates"),
    "swapped_coordinates": ("lon", "lat", "coordinates"),
    "outside_china": ("lon", "lat", "coordinates"), "duplicate_record": ("name", "address"),
}  # fmt: skip


def correction_workbook(
    connection: Connection, batch_id: int, lang: str = "en"
) -> tuple[Workbook, int]:
    """Return the workbook of ``batch_id``'s rejected and flagged rows, and how many rows it has.

    Rows skipped as not data (titles, totals, notes) are left out: there is nothing to correct.
    """
    batch = get_batch(connection, batch_id)
    words = _WORDS[lang]
    rows = _rows(connection, batch_id, lang)
    report = batch.get("report") or {}
    headers = list(report.get("headers") or _headers_of(rows))
    columns = {c["field"]: c["column"] for c in report.get("columns", [])}
    add_id = "external_id" not in columns and batch["kind"] != "boundaries"
    all_headers = [*headers, *([ID] if add_id else []), words["row"], words["problem"]]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = words["sheet"]
    crs = str(batch["crs"])
    lines = [
        words["title"].format(id=batch_id, file=batch["file_name"]),
        words["source"].format(source=batch["source"]),
        words["crs"].format(crs=CRS_LABELS.get(crs, crs)),
    ]
    for number, line in enumerate(lines, 1):
        set_text(sheet.cell(number, 1), line)
    sheet.cell(1, 1).font = Font(bold=True)
    header_row = len(lines) + 2
    for position, header in enumerate(all_headers, 1):
        set_text(sheet.cell(header_row, position), header)
        sheet.cell(header_row, position).font = Font(bold=True)
    for offset, row in enumerate(rows, 1):
        _write_row(sheet, header_row + offset, row, all_headers, columns, words, add_id)
    _about(book, batch, len(rows), lang)
    return book, len(rows)


def _rows(connection: Connection, batch_id: int, lang: str) -> list[dict[str, Any]]:
    """One entry per row to correct: its number, as given, its id, and its problems."""
    by_number: dict[int, dict[str, Any]] = {}
    for reject in list_rejects(connection, batch_id, lang=lang):
        if reject["kind"] != "rejected":
            continue
        entry = by_number.setdefault(
            reject["row_number"], _entry(reject["row_number"], reject["raw"])
        )
        fields = _FIELDS_OF_CODE.get(reject["reason_code"] or "", ())
        field = (reject["params"] or {}).get("field")
        entry["problems"].append((reject["reason"], [field] if field else list(fields), None))
    for flag in list_flagged(connection, batch_id, lang=lang, with_raw=True):
        if flag["row_number"] is None or flag["raw"] is None:
            continue
        entry = by_number.setdefault(flag["row_number"], _entry(flag["row_number"], flag["raw"]))
        entry["id"] = entry["id"] or flag["external_id"]
        entry["problems"].append((flag["reason"], [flag["field"]], flag["column"]))
    return [by_number[n] for n in sorted(by_number)]


def _entry(number: int, raw: dict[str, Any]) -> dict[str, Any]:
    return {"row_number": number, "raw": raw, "id": None, "problems": []}


def _headers_of(rows: list[dict[str, Any]]) -> list[str]:
    headers: dict[str, None] = {}
    for row in rows:
        headers.update(dict.fromkeys(k for k in row["raw"] if k != "geometry"))
    return list(headers)


def _write_row(
    sheet: Any,
    number: int,
    row: dict[str, Any],
    headers: list[str],
    columns: dict[str, str],
    words: dict[str, str],
    add_id: bool,
) -> None:
    values = dict(row["raw"])
    if add_id:
        values[ID] = row["id"]
    values[words["row"]] = row["row_number"]
    values[words["problem"]] = words["sep"].join(reason for reason, _, _ in row["problems"])
    for position, header in enumerate(headers, 1):
        set_text(sheet.cell(number, position), values.get(header))
    for reason, fields, column in row["problems"]:
        # A position's flag names both coordinate columns ("经度, 纬度").
        at_fault = (
            set(column.split(", ")) if column else {columns[f] for f in fields if f in columns}
        )
        for header in at_fault:
            if header in headers:
                cell = sheet.cell(number, headers.index(header) + 1)
                cell.fill = _AT_FAULT
                cell.comment = Comment(
                    reason if cell.comment is None else f"{cell.comment.text}\n{reason}", "warmmap"
                )


def _about(book: Workbook, batch: dict[str, Any], rows: int, lang: str) -> None:
    about = book.create_sheet(_WORDS[lang]["about"])
    notes = [
        render(n["code"], n.get("params"), lang)
        for n in (batch.get("report") or {}).get("notes", [])
    ]
    lines = [
        ("batch", batch["id"]), ("kind", batch["kind"]), ("file", batch["file_name"]),
        ("source", batch["source"]), ("crs", batch["crs"]), ("rows to correct", rows),
        ("reload", f"warmmap load {batch['kind']} <this file>"),
        *(("note", text) for text in notes),
    ]  # fmt: skip
    for number, (key, value) in enumerate(lines, 1):
        set_text(about.cell(number, 1), key)
        set_text(about.cell(number, 2), value)
