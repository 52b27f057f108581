"""``warmmap backup FILE`` and ``warmmap restore FILE``: the whole database, pg_dump custom format.

Everything is in PostgreSQL (case photos too), so one dump is the whole dataset. The client
tools must be as new as the server: ``pg_dump`` refuses a newer server, and the custom format
of a newer ``pg_dump`` is unreadable by an older ``pg_restore``. The tools of the server's major
version are taken from ``/usr/lib/postgresql/N/bin`` (Debian, Ubuntu) when they are there,
else from ``PATH`` if they are new enough. The connection goes through libpq's environment
variables, so a password never shows in the process list.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from warmmap_cli.common import database, fail, settings

# Tables whose rows a backup and a restore count, to say what they hold.
COUNTED = ("stations", "outlets", "liaisons", "admin_areas", "cases", "case_photos", "load_batches")


def backup(
    file: Annotated[Path, typer.Argument(help="The dump to write (pg_dump's custom format).")],
) -> None:
    """Write the whole database (case photos included) to FILE, for warmmap restore."""
    with database() as engine:
        major = _server_major(engine)
        counts = _counts(engine)
    tool = _tool("pg_dump", major)
    partial = file.with_name(file.name + ".partial")
    try:
        _run([tool, "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"])
        partial.replace(file)  # a dump cut short never takes the name of a good one
    except OSError as error:
        raise fail(f"cannot write {file}: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)
    size_mb = file.stat().st_size / (1024 * 1024)
    typer.echo(f"{file}: {size_mb:.1f} MB, PostgreSQL {major}, {_said(counts)}")


def restore(
    file: Annotated[Path, typer.Argument(help="A dump written by warmmap backup.")],
) -> None:
    """Restore FILE into the database of WARMMAP_DATABASE_URL, which must hold no warmmap tables."""
    if not file.is_file():
        raise fail(f"no such file: {file}")
    with database() as engine:
        major = _server_major(engine)
        with engine.connect() as connection:
            tables = connection.execute(
                text(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'spatial_ref_sys'"
                )
            ).scalar_one()
        if tables:
            name = make_url(settings().database_url).database
            raise fail(
                f"database {name} already holds {tables} tables: restore into a new, empty "
                "database (createdb NAME, then WARMMAP_DATABASE_URL=.../NAME)"
            )
        tool = _tool("pg_restore", major)
        # One transaction: a restore that fails leaves the database as empty as it was.
        options = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
        _run([tool, *options, f"--dbname={_database_name()}", str(file)])
        typer.echo(f"{file} restored: {_said(_counts(engine))}")


def _server_major(engine: Engine) -> int:
    with engine.connect() as connection:
        number = int(connection.execute(text("SHOW server_version_num")).scalar_one())
    return number // 10000


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        present = set(
            connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
        )
        return {
            table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in COUNTED
            if table in present
        }


def _said(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in counts.items()) or "empty"


def _tool(name: str, major: int) -> str:
    """Return the path of ``name`` of PostgreSQL ``major`` or newer, or end with one line."""
    candidates = [f"/usr/lib/postgresql/{major}/bin/{name}", shutil.which(name)]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK) and _major_of(candidate) >= major:
            return candidate
    raise fail(
        f"{name} of PostgreSQL {major} or newer not found (the server is {major}): install "
        f"postgresql-client-{major}, or put its {name} first on PATH"
    )


def _major_of(tool: str) -> int:
    try:
        version = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=10)
    except OSError:
        return 0
    found = re.search(r"(\d+)(?:\.\d+)?", version.stdout)
    return int(found[1]) if found else 0


def _database_name() -> str:
    return make_url(settings().database_url).database or ""


def _environment() -> dict[str, str]:
    """Libpq's variables for ``WARMMAP_DATABASE_URL``: no password on the command line."""
    url = make_url(settings().database_url)
    values = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
        "PGCONNECT_TIMEOUT": str(settings().db_connect_timeout_s),
    }
    return os.environ | {k: str(v) for k, v in values.items() if v}


def _run(command: list[str]) -> None:
    done = subprocess.run(command, env=_environment(), capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        said = lines[0] if lines else f"exit status {done.returncode}"
        raise fail(
            f"{Path(command[0]).name} failed: {said.removeprefix(Path(command[0]).name + ': ')}"
        )
