"""Rows a load does not store, kept as given with why: rejected (bad data) or skipped (not data)."""

from dataclasses import dataclass, field
from typing import Any

import shapely

from etl.normalize.fields import Reasons, json_value
from etl.normalize.sheet import Skipped
from etl.read.tables import RawTable
from geo_api.reasons import render


@dataclass
class Rejection:
    """A row not loaded: its number, the row as given (JSON-serialisable) and why.

    ``reason`` is the English text; ``code`` and ``params`` render it in any language.
    ``kind`` is ``rejected`` (bad data) or ``skipped`` (not data: a title, total or note).
    """

    row_number: int
    raw: dict[str, object]
    reason: str
    code: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    kind: str = "rejected"


def subheader_rows(table: RawTable) -> list[Skipped]:
    """Return the lower row of a two-row header, skipped as not data."""
    if table.subheader is None:
        return []
    number, cells = table.subheader
    given = [c for c in cells if c]
    return [Skipped(number, {"cells": given}, "subheader_row", "  ".join(given))]


def skipped_rejections(rows: list[Skipped]) -> list[Rejection]:
    """Return rows that are not data as rejections of kind ``skipped``."""
    return [
        Rejection(
            row_number=row.row_number,
            raw={k: json_value(v) for k, v in row.raw.items()},
            reason=render(row.code, {"text": row.text}),
            code=row.code,
            params={"text": row.text},
            kind="skipped",
        )
        for row in rows
    ]


def rejections(table: RawTable, reasons: Reasons) -> list[Rejection]:
    """Return the rows ``reasons`` rejects, as given, each with its reason."""
    rejected = reasons.codes[reasons.codes.notna()]
    if rejected.empty:
        return []
    numbers = [int(n) for n in rejected.index]
    raws = raw_rows(table, numbers)
    return [
        Rejection(
            row_number=number,
            raw=raws[number],
            reason=render(str(code), reasons.params.get(number, {})),
            code=str(code),
            params=reasons.params.get(number, {}),
        )
        for number, code in zip(numbers, rejected.tolist(), strict=True)
    ]


def raw_rows(table: RawTable, numbers: list[int]) -> dict[int, dict[str, object]]:
    """Return rows of ``table`` as given, by row number (vector rows with their geometry as WKT)."""
    present = [n for n in numbers if n in table.frame.index]
    rows = table.frame.loc[present]
    raws = {
        int(number): {str(key): json_value(value) for key, value in row.items()}
        for number, row in zip(present, rows.to_dict("records"), strict=True)
    }
    if table.geometry is not None and present:
        wkt = shapely.to_wkt(table.geometry.loc[present].values, rounding_precision=-1)
        for number, text in zip(present, wkt, strict=True):
            raws[int(number)]["geometry"] = text
    return raws
