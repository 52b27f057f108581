"""``warmmap db``: the schema's migrations."""

from pathlib import Path
from typing import Annotated

import typer
from alembic import command
from alembic.config import Config

from geo_api.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Database schema.")

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def alembic_config(database_url: str) -> Config:
    """Return the Alembic configuration of this checkout, aimed at ``database_url``."""
    config = Config(str(ALEMBIC_INI))
    config.attributes["database_url"] = database_url
    return config


@app.command()
def upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply the migrations up to REVISION (default: the newest)."""
    command.upgrade(alembic_config(get_settings().database_url), revision)
    typer.echo(f"database at {revision}")
