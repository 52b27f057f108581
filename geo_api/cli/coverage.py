"""``warmmap coverage``: recompute a city's coverage cells."""

from typing import Annotated

import typer
from sqlalchemy.orm import Session

from geo_api import audit
from geo_api.database import create_db_engine
from geo_api.errors import WarmmapError
from geo_api.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Coverage of demand by open stations.")


@app.command()
def refresh(
    city: Annotated[str, typer.Option(help="Adcode of the city (or district).")],
    res: Annotated[int, typer.Option(help="H3 resolution.")] = 9,
) -> None:
    """Replace the city's H3 coverage cells at RES in one transaction."""
    from geo_api.coverage.refresh import refresh_city  # h3, numpy: not for every command

    engine = create_db_engine(get_settings())
    try:
        with Session(engine) as session, session.begin():
            result = refresh_city(session, city, res)
            audit.record(session, "cli", "refresh", "coverage_cells", city, {"res": res})
    except WarmmapError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    typer.echo(
        f"city {city} res {res}: {result.cells} cells, "
        f"{result.cells_with_riders} with riders, {result.seconds:.1f} s"
    )
