"""The street office's export of liaisons: CSV or XLSX, masked as the caller's rights require.

Spreadsheets run formulas: a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return, which Excel skips before looking) is written with a leading apostrophe, so it is
shown as the text it is (OWASP's advice for CSV injection). XLSX cells are written as strings
explicitly too, since openpyxl would otherwise store ``=...`` as a formula. Both through
``geo_api.spreadsheets``, the one place every listing neutralises its cells.
"""

import csv
import io
from datetime import datetime
from typing import Final

from openpyxl import Workbook
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api import audit
from geo_api.auth import Principal
from geo_api.liaisons.reads import areas_for
from geo_api.liaisons.schemas import Liaison
from geo_api.liaisons.scopes import related_filter
from geo_api.liaisons.views import COLUMNS, present
from geo_api.spreadsheets import neutralise, set_text

FORMATS: Final = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HEADERS: Final = (
    "id", "name", "phone", "masked", "role", "organization", "scope_adcode", "active",
    "deactivated_at", "base_lon", "base_lat", "base_source", "current_outlets", "synthetic",
)  # fmt: skip


def _cells(liaison: Liaison) -> list[object]:
    lon, lat = liaison.base.coordinates if liaison.base else (None, None)
    deactivated = liaison.deactivated_at
    values = [
        liaison.id, liaison.name, liaison.phone, liaison.masked, liaison.role,
        liaison.organization, liaison.scope_adcode, liaison.active,
        deactivated.isoformat() if isinstance(deactivated, datetime) else None,
        lon, lat, liaison.base_source, liaison.current_outlets, liaison.synthetic,
    ]  # fmt: skip
    return [neutralise(v) for v in values]


def export_rows(session: Session, principal: Principal, scope: str | None) -> list[Liaison]:
    """Return every liaison related to ``scope`` (or the caller's), masked and audited."""
    areas = areas_for(principal, scope)
    where, params = related_filter(areas) if areas is not None else ("true", {})
    rows = session.execute(
        text(f"SELECT {COLUMNS} FROM liaisons l WHERE {where} ORDER BY l.id"), params
    ).all()
    liaisons = present(session, principal, rows, "GET /liaisons/export")
    audit.record(session, principal.actor, "export", "liaison", None,
                 {"scope": scope, "rows": len(liaisons),
                  "revealed": sum(not v.masked for v in liaisons)})  # fmt: skip
    return liaisons


def to_csv(liaisons: list[Liaison]) -> bytes:
    """Return the liaisons as CSV in UTF-8 with a BOM, which Excel needs to read Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(_cells(liaison) for liaison in liaisons)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(liaisons: list[Liaison]) -> bytes:
    """Return the liaisons as an XLSX workbook of one sheet, every text cell a string."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "liaisons"
    sheet.append(HEADERS)
    for liaison in liaisons:
        sheet.append(_cells(liaison))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            set_text(cell, cell.value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_liaisons(
    session: Session, principal: Principal, scope: str | None, file_format: str
) -> tuple[bytes, str, str]:
    """Return the export's bytes, media type and file name."""
    liaisons = export_rows(session, principal, scope)
    body = to_csv(liaisons) if file_format == "csv" else to_xlsx(liaisons)
    return body, FORMATS[file_format], f"liaisons-{scope or 'all'}.{file_format}"
