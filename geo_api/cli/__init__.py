"""The ``warmmap`` command line (DESIGN.md §4)."""

import typer

from geo_api.cli import coverage, db, keys, serve

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
app.add_typer(db.app, name="db")
app.add_typer(keys.app, name="keys")
app.add_typer(coverage.app, name="coverage")
app.command("serve")(serve.serve)


def main() -> None:
    """Run the command line."""
    app()
