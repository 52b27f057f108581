"""``warmmap coverage``: recompute a city's coverage cells."""

from typing import Annotated

import typer

from geo_api.coverage import DEFAULT_RES
from warmmap_cli.common import transaction

app = typer.Typer(no_args_is_help=True, help="Coverage of demand by open stations.")


@app.command()
def refresh(
    city: Annotated[str, typer.Option(help="Adcode of the city (or district).")],
    res: Annotated[int, typer.Option(help="H3 resolution.")] = DEFAULT_RES,
) -> None:
    """Replace the city's H3 coverage cells at RES in one transaction."""
    from geo_api.coverage.refresh import refresh_coverage  # h3, numpy: not for every command

    with transaction() as session:
        result = refresh_coverage(session, city, res, "cli")
    typer.echo(
        f"city {city} res {res}: {result.cells} cells, "
        f"{result.cells_with_riders} with riders, {result.seconds:.1f} s"
    )
