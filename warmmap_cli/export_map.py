"""``warmmap export-map``: a city's report map as one HTML file that opens with no network."""

from pathlib import Path
from typing import Annotated

import typer

from geo_api.settings import get_settings
from warmmap_cli.common import fail, transaction


def export_map(
    city: Annotated[str, typer.Option(help="Adcode of the city (or district).")],
    out: Annotated[Path, typer.Option(help="The HTML file to write.")],
    res: Annotated[int, typer.Option(help="H3 resolution of the gap cells.")] = 9,
    threshold_m: Annotated[
        float, typer.Option("--threshold-m", help="Reach of a station in metres.")
    ] = 1000.0,
) -> None:
    """Write CITY's stations, outlets, gaps and coverage as a self-contained folium map."""
    from geo_api.report.export import export_map as write_map  # folium: not for every command

    if threshold_m <= 0:
        raise fail("--threshold-m: must be more than 0")
    with transaction() as session:
        try:
            written = write_map(session, city, out, res, threshold_m, get_settings().timezone)
        except OSError as exc:
            raise fail(f"cannot write {out}: {exc.strerror or exc}") from None
    typer.echo(
        f"{written.path}: {written.bytes / 1e6:.1f} MB, {written.stations} stations, "
        f"{written.outlets} outlets, {written.gap_cells} gap cells, "
        f"{written.communities} communities"
    )
