"""``warmmap db``: the schema's migrations."""

from typing import Annotated

import typer
from alembic.util import CommandError

from geo_api.migrate import HEAD
from geo_api.migrate import upgrade as upgrade_schema
from warmmap_cli.common import fail, one_line_errors, settings

app = typer.Typer(no_args_is_help=True, help="Database schema.")


@app.command()
def upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = HEAD) -> None:
    """Apply the migrations up to REVISION (default: the newest)."""
    try:
        with one_line_errors():
            upgrade_schema(settings().database_url, revision)
    except CommandError as exc:  # an unknown revision
        raise fail(str(exc)) from None
    typer.echo(f"database at {revision}")
