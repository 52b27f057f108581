"""``warmmap keys``: API keys."""

from typing import Annotated

import typer
from sqlalchemy.orm import Session

from geo_api import audit
from geo_api.auth import create_key
from geo_api.database import create_db_engine
from geo_api.errors import WarmmapError
from geo_api.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="API keys.")


@app.command()
def create(
    role: Annotated[str, typer.Option(help="admin, planner or grid_manager.")],
    name: Annotated[str, typer.Option(help="Who or what the key is for.")],
    scope: Annotated[
        list[str] | None, typer.Option(help="An adcode the key may act in; repeatable.")
    ] = None,
) -> None:
    """Create an API key and print it once; only its hash is stored."""
    scope = scope or []
    engine = create_db_engine(get_settings())
    try:
        with Session(engine) as session, session.begin():
            key = create_key(session, name=name, role=role, scope_adcodes=scope)
            audit.record(session, "cli", "create", "api_key", name, {"role": role, "scope": scope})
    except WarmmapError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    typer.echo(key)
