"""``warmmap load``, ``warmmap rejects`` and ``warmmap flagged``: files into batches, and back.

``load`` prints the batch's counts and its report (columns used and ignored, rows skipped,
suspect coordinates ...); ``rejects`` and ``flagged`` list a batch's rows as TSV, or write the
workbook of rows to correct and load again (``--xlsx``). Reasons are in Chinese or English.
"""

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from geo_api.errors import InvalidInput
from geo_api.reasons import render
from geo_api.spreadsheets import write_rows
from warmmap_cli.common import LangOption, database, resolve_lang

_SUMMARY = {
    "en": "batch {id}: {inserted} inserted, {updated} updated, {rejected} rejected, "
    "{flagged} flagged, {skipped} skipped",
    "zh": "批次 {id}：新增 {inserted}，更新 {updated}，拒绝 {rejected}，"
    "标记 {flagged}，跳过 {skipped}",
}
_NEXT = {
    "en": "see the rows: warmmap rejects {id}, warmmap flagged {id}; to correct them: "
    "warmmap rejects {id} --xlsx FILE",
    "zh": "查看这些行：warmmap rejects {id}、warmmap flagged {id}；导出待更正表格："
    "warmmap rejects {id} --xlsx 文件",
}
_OUTCOME = {"zh": {"rejected": "拒绝", "skipped": "跳过"}, "en": {}}
_HEADERS = {
    "rejects": {"en": ["row", "outcome", "reason", "row as given"],
                "zh": ["行号", "结果", "原因", "原始数据"]},
    "flagged": {"en": ["row", "id", "field", "column", "value", "reason"],
                "zh": ["行号", "编号", "字段", "列", "值", "原因"]},
}  # fmt: skip
XlsxOption = Annotated[
    Path | None,
    typer.Option("--xlsx", help="Write the rejected and flagged rows to correct to this XLSX."),
]


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """Return ``{field: column}`` from ``FIELD=COLUMN`` options."""
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise InvalidInput(f"--map expects FIELD=COLUMN, got {pair!r}")
        mapping[field.strip()] = column.strip()
    return mapping


def load(
    kind: Annotated[str, typer.Argument(help="stations, outlets, boundaries or liaisons.")],
    path: Annotated[Path, typer.Argument(help="CSV, XLSX, XLS, GeoJSON, Shapefile or GeoPackage.")],
    crs: Annotated[
        str | None,
        typer.Option(
            help="wgs84, cgcs2000, gcj02, bd09 or EPSG:n; may be left out when the "
            "headers name it (经度（高德）)."
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            help="Name of the data source (default: the sheet's 填报单位, else the "
            "file's name without dates and versions)."
        ),
    ] = None,
    level: Annotated[str | None, typer.Option(help="Admin level of boundaries.")] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN: read FIELD from COLUMN; repeatable."),
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="Encoding of a CSV.")] = None,
    sheet: Annotated[str | None, typer.Option(help="The workbook sheet to load.")] = None,
    header_row: Annotated[
        int | None, typer.Option(help="The sheet row of the header (default: found).")
    ] = None,
    layer: Annotated[
        str | None, typer.Option(help="The layer of a GeoPackage that has several.")
    ] = None,
    mode: Annotated[
        str,
        typer.Option(
            help="merge, or replace: the file is the whole truth, and the source's "
            "stations missing from it are suspended."
        ),
    ] = "merge",
    overwrite_edits: Annotated[
        bool, typer.Option(help="Let the file overwrite fields changed through the API.")
    ] = False,
    wait: Annotated[
        float | None,
        typer.Option(
            help="Seconds to wait for another load of the same kind to end (default "
            "WARMMAP_LOAD_LOCK_WAIT_S, 600); 0 gives up at once.",
            min=0,
        ),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Load a file as one batch: all of it or, on failure, nothing."""
    from etl.load import load_file  # pandas, pyarrow, geopandas: only when loading

    language = resolve_lang(lang)
    with database() as engine:
        result = load_file(
            engine,
            kind,
            path,
            crs=crs,
            source=source,
            level=level,
            mapping=parse_mapping(map_ or []),
            encoding=encoding,
            sheet=sheet,
            header_row=header_row,
            layer=layer,
            mode=mode,
            overwrite_edits=overwrite_edits,
            progress=True,
            wait_s=wait,
            notify=lambda message: typer.echo(message, err=True),
        )
    counts = {
        k: getattr(result, k) for k in ("inserted", "updated", "rejected", "flagged", "skipped")
    }
    typer.echo(_SUMMARY[language].format(id=result.batch_id, **counts))
    for entry in result.notes:
        typer.echo("  " + render(entry["code"], entry.get("params"), language))
    if result.rejected or result.flagged:
        typer.echo("  " + _NEXT[language].format(id=result.batch_id))


def rejects(
    batch_id: Annotated[int, typer.Argument(help="The batch's id.")],
    xlsx: XlsxOption = None,
    lang: LangOption = None,
) -> None:
    """List the rejected and skipped rows of a batch as TSV: row, outcome, reason, the row given."""
    from geo_api.batches.reading import list_rejects

    language = resolve_lang(lang)
    if xlsx is not None:
        _write_workbook(batch_id, xlsx, language)
        return
    with database() as engine, engine.connect() as connection:
        rows = list_rejects(connection, batch_id, lang=language)
    outcome = _OUTCOME[language]
    write_rows(
        sys.stdout,
        _HEADERS["rejects"][language],
        (
            [r["row_number"], outcome.get(r["kind"], r["kind"]), r["reason"], _json(r["raw"])]
            for r in rows
        ),
    )


def flagged(
    batch_id: Annotated[int, typer.Argument(help="The batch's id.")],
    xlsx: XlsxOption = None,
    lang: LangOption = None,
) -> None:
    """List the flags of a batch as TSV: row, id, field, column, value as given, reason."""
    from geo_api.batches.reading import list_flagged

    language = resolve_lang(lang)
    if xlsx is not None:
        _write_workbook(batch_id, xlsx, language)
        return
    with database() as engine, engine.connect() as connection:
        rows = list_flagged(connection, batch_id, lang=language)
    write_rows(
        sys.stdout,
        _HEADERS["flagged"][language],
        (
            [
                r["row_number"],
                r["external_id"],
                r["field"],
                r["column"],
                _cell(r["value"]),
                r["reason"],
            ]
            for r in rows
        ),
    )


def _write_workbook(batch_id: int, path: Path, language: str) -> None:
    from geo_api.batches.corrections import correction_workbook

    with database() as engine:
        with engine.connect() as connection:
            book, count = correction_workbook(connection, batch_id, language)
        try:
            book.save(path)
        except OSError as exc:
            raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}") from None
    done = {
        "en": f"{path}: {count} rows to correct; load the file again once corrected",
        "zh": f"{path}：{count} 行待更正；改正后重新加载该文件",
    }
    typer.echo(done[language])


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _cell(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | float) else _json(value)
