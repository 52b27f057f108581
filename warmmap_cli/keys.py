"""``warmmap keys``: API keys."""

from typing import Annotated

import typer

from geo_api import audit
from geo_api.auth import create_key
from warmmap_cli.common import transaction

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
    with transaction() as session:
        key = create_key(session, name=name, role=role, scope_adcodes=scope)
        audit.record(session, "cli", "create", "api_key", name, {"role": role, "scope": scope})
    typer.echo(key)
