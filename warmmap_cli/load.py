"""``warmmap load`` and ``warmmap rejects``: files into batches, and what a batch refused."""

import json
from pathlib import Path
from typing import Annotated

import typer

from geo_api.errors import InvalidInput
from warmmap_cli.common import database


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
    path: Annotated[Path, typer.Argument(help="CSV, XLSX, GeoJSON, Shapefile or GeoPackage.")],
    crs: Annotated[str, typer.Option(help="wgs84, cgcs2000, gcj02, bd09 or EPSG:n.")],
    source: Annotated[str, typer.Option(help="Name of the data source.")] = "default",
    level: Annotated[str | None, typer.Option(help="Admin level of boundaries.")] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN: read FIELD from COLUMN; repeatable."),
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="Encoding of a CSV.")] = None,
) -> None:
    """Load a file as one batch: all of it or, on failure, nothing."""
    from etl.load import load_file  # pandas, pyarrow, geopandas: only when loading

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
            progress=True,
        )
    typer.echo(
        f"batch {result.batch_id}: {result.inserted} inserted, {result.updated} updated, "
        f"{result.rejected} rejected"
    )


def rejects(batch_id: Annotated[int, typer.Argument(help="The batch's id.")]) -> None:
    """List the rejected rows of a batch: row number, reason, the row as given."""
    from geo_api.batches.reading import list_rejects

    with database() as engine, engine.connect() as connection:
        rows = list_rejects(connection, batch_id)
    for row in rows:
        raw = json.dumps(row["raw"], ensure_ascii=False, sort_keys=True)
        typer.echo(f"{row['row_number']}\t{row['reason']}\t{raw}")
