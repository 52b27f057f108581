"""What every command that touches the database shares: an engine, errors in one line, language.

A domain error, or a database that cannot be reached, ends the command with one line on stderr
(``error: ...``) and exit status 2, never a traceback.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from geo_api.database import create_db_engine
from geo_api.errors import WarmmapError
from geo_api.reasons import LANGS
from geo_api.settings import Settings, get_settings

LangOption = Annotated[
    str | None,
    typer.Option(help="zh or en: the language of reasons (default: Chinese on a Chinese locale)."),
]


def fail(detail: str) -> typer.Exit:
    """Print ``detail`` as one ``error:`` line on stderr; return the exit to raise."""
    typer.echo(f"error: {detail}", err=True)
    return typer.Exit(2)


def first_line(exc: BaseException) -> str:
    """Return the first line of what ``exc`` says (drivers add SQL and hints below it)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def settings() -> Settings:
    """Return the settings; a variable that is wrong ends the command with one line naming it."""
    try:
        return get_settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        name = "WARMMAP_" + str(error["loc"][0]).upper() if error["loc"] else "settings"
        raise fail(f"{name}: {error['msg'].removeprefix('Value error, ')}") from None


@contextmanager
def one_line_errors() -> Iterator[None]:
    """End the command with one ``error:`` line on a domain error or a database that is down."""
    try:
        yield
    except WarmmapError as exc:
        raise fail(exc.detail) from None
    except OperationalError as exc:
        raise fail(f"database unavailable: {first_line(exc)}") from None


@contextmanager
def database() -> Iterator[Engine]:
    """Yield an engine for ``WARMMAP_DATABASE_URL``, disposed of at the end."""
    engine = create_db_engine(settings())
    try:
        with one_line_errors():
            yield engine
    finally:
        engine.dispose()


@contextmanager
def transaction() -> Iterator[Session]:
    """Yield a session in one transaction: committed at the end, rolled back on error."""
    with database() as engine, Session(engine) as session, session.begin():
        yield session


def resolve_lang(lang: str | None) -> str:
    """Return ``lang`` checked, or the locale's: ``zh`` when it is Chinese, else ``en``."""
    if lang is not None:
        if lang not in LANGS:
            raise fail(f"--lang {lang}: use zh or en")
        return lang
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(variable)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"
