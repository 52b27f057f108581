"""``warmmap coverage``: recompute a city's coverage cells."""

from typing import Annotated

import typer

from geo_api.coverage import DEFAULT_RES
from warmmap_cli.common import fail, one_line_errors, settings, transaction

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


@app.command()
def batch(
    cities: Annotated[
        str | None, typer.Option(help="Adcodes of the cities, comma-separated.")
    ] = None,
    province: Annotated[
        str | None, typer.Option(help="Adcode of a province: all its loaded prefecture cities.")
    ] = None,
    res: Annotated[int, typer.Option(help="H3 resolution.")] = DEFAULT_RES,
    scheduler: Annotated[
        str, typer.Option(help="'local', or the address of a Dask scheduler (tcp://host:8786).")
    ] = "local",
    workers: Annotated[int, typer.Option(help="Workers of the local cluster.")] = 2,
) -> None:
    """Refresh the coverage cells of many cities on a Dask cluster, one transaction per city."""
    from geo_api.coverage.batch import dask_client, prepare_batch, province_cities, run_batch

    if (cities is None) == (province is None):
        raise fail("give either --cities or --province")
    url = settings().database_url
    with transaction() as session:  # errors in one line, before a cluster starts
        if province is not None:
            names = province_cities(session, province)
        else:
            names = [c.strip() for c in (cities or "").split(",") if c.strip()]
        work = prepare_batch(session, names, res)
    with one_line_errors(), dask_client(scheduler, workers) as client:
        result = run_batch(client, url, work)
    for row in result.cities.itertuples():
        typer.echo(f"city {row.city}: {row.cells} cells, {row.seconds:.1f} s on {row.worker}")
    typer.echo(
        f"{len(result.cities)} cities at res {res}: {result.cells} cells in "
        f"{result.seconds:.1f} s on {result.workers} workers ({result.cells_per_s:,.0f} cells/s)"
    )
