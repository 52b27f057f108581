"""The ``warmmap`` command line: migrate, load and read batches, refresh coverage, maps, serve.

And back up and restore the whole database.
"""

import typer

from warmmap_cli import backup, coverage, db, keys, serve
from warmmap_cli import demo as demo_cli
from warmmap_cli import export_map as export_cli
from warmmap_cli import load as load_cli

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
app.add_typer(db.app, name="db")
app.add_typer(keys.app, name="keys")
app.add_typer(coverage.app, name="coverage")
app.command("serve")(serve.serve)
app.command("demo")(demo_cli.demo)
app.command("load")(load_cli.load)
app.command("rejects")(load_cli.rejects)
app.command("export-map")(export_cli.export_map)
app.command("flagged")(load_cli.flagged)
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)


def main() -> None:
    """Run the command line."""
    app()
