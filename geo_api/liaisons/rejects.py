"""Rejected rows of a liaison load, as a caller may see them.

A liaison file's rejected rows hold names and phones of people. A row is shown as given only to
an ``admin`` key, or to a ``grid_manager`` key whose scope covers the row's scope (its
``scope_adcode`` cell, read through the column map the load kept with the batch). Everyone else
sees the row with its name and phone cells masked; a row whose columns are not known (a batch
loaded before the map was kept) has every cell masked. The reason is always shown. Flagged rows
(``GET /batches/{id}/flagged``) go through the same function: their row as given, and their
value when it is a name or a phone, are masked alike.
"""

from typing import Any

from geo_api.auth import Principal
from geo_api.liaisons.privacy import mask_name, mask_phone, may_reveal


def _cell_code(value: object) -> str | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip() if value is not None else ""
    return text or None


def _masked(raw: dict[str, Any], columns: dict[str, str]) -> dict[str, Any]:
    personal = {c for c in (columns.get("name"), columns.get("phone")) if c is not None}
    if not personal:  # the map is unknown: nothing in the row can be shown as given
        return {k: mask_name(str(v)) if v not in (None, "") else v for k, v in raw.items()}
    masked = dict(raw)
    for key in personal & raw.keys():
        value = raw[key]
        if value not in (None, ""):
            masked[key] = (
                mask_phone(str(value)) if key == columns.get("phone") else mask_name(str(value))
            )
    return masked


def shown_rejects(
    batch: dict[str, Any], rows: list[dict[str, Any]], principal: Principal
) -> tuple[list[dict[str, Any]], list[int]]:
    """Return the rows as ``principal`` may see them, and the row numbers shown unmasked."""
    if batch["kind"] != "liaisons":
        return rows, []
    columns: dict[str, str] = (batch.get("options") or {}).get("columns") or {}
    scope_column = columns.get("scope_adcode")
    shown, revealed = [], []
    for row in rows:
        raw = row["raw"] or {}
        scope = _cell_code(raw.get(scope_column)) if scope_column else None
        if principal.role == "admin" or (bool(columns) and may_reveal(principal, scope)):
            shown.append(row)
            revealed.append(row["row_number"])
        else:
            shown.append(row | {"raw": _masked(raw, columns), **_masked_value(row, columns)})
    return shown, revealed


def _masked_value(row: dict[str, Any], columns: dict[str, str]) -> dict[str, Any]:
    """Return a flag's value masked when it is a name or a phone (or the map is unknown)."""
    if "value" not in row or row["value"] in (None, ""):
        return {}
    personal = {columns.get("name"), columns.get("phone")} - {None}
    if personal and row.get("column") not in personal:
        return {}
    phone = row.get("column") is not None and row.get("column") == columns.get("phone")
    value = str(row["value"])
    return {"value": mask_phone(value) if phone else mask_name(value)}
