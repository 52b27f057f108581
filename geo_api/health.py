"""Whether the database is there, and which PostGIS it has."""

from typing import Literal

from pydantic import BaseModel
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from geo_api.errors import DatabaseUnavailable


class Health(BaseModel):
    """The service is up and its database answers."""

    status: Literal["ok"]
    postgis: str


def public_reason(exc: DBAPIError) -> str:
    """Say why the database failed in words that name no host, port, user or SQL.

    The driver's message names the server's address ("connection to server at 127.0.0.1, port
    5432 failed"); the world needs only to know what kind of failure it was. The log has the rest.
    """
    message = str(exc.orig).lower() if exc.orig else ""
    if (
        getattr(exc.orig, "pgcode", None) == "57014"
        or "timeout" in message
        or "timed out" in message
    ):
        return "no answer in time"
    if "refused" in message or "could not connect" in message or "connection to server" in message:
        return "cannot connect"
    if "closed" in message or "terminat" in message:
        return "connection lost"
    if "postgis_lib_version" in message:
        return "PostGIS is not installed"
    return "database error"


def postgis_version(engine: Engine) -> str:
    """Return the PostGIS library version after one round trip to the database.

    Raises
    ------
    DatabaseUnavailable
        When the database cannot be reached or has no PostGIS.
    """
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SELECT postgis_lib_version()")).scalar_one()
    except DBAPIError as exc:
        raise DatabaseUnavailable(f"database unavailable: {public_reason(exc)}") from exc
    return str(version)
