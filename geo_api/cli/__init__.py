"""The ``warmmap`` command line (DESIGN.md §4)."""

import typer

from geo_api.cli import coverage, db, keys, serve
from geo_api.cli import demo as demo_cli
from geo_api.cli import load as load_cli

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
app.add_typer(db.app, name="db")
app.add_typer(keys.app, name="keys")
app.add_typer(coverage.app, name="coverage")
app.command("serve")(serve.serve)
app.command("demo")(demo_cli.demo)
app.command("load")(load_cli.load)
app.command("rejects")(load_cli.rejects)


def main() -> None:
    """Run the command line."""
    app()
