"""``warmmap db``: the schema's migrations."""

from typing import Annotated

import typer

from geo_api.migrate import HEAD
from geo_api.migrate import upgrade as upgrade_schema
from warmmap_cli.common import settings

app = typer.Typer(no_args_is_help=True, help="Database schema.")


@app.command()
def upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = HEAD) -> None:
    """Apply the migrations up to REVISION (default: the newest)."""
    upgrade_schema(settings().database_url, revision)
    typer.echo(f"database at {revision}")
