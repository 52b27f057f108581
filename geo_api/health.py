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
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise DatabaseUnavailable(f"database unavailable: {reason}") from exc
    return str(version)
