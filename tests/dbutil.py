"""Throwaway databases on the PostgreSQL of WARMMAP_DATABASE_URL."""

import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from geo_api.database import sqlalchemy_url
from geo_api.settings import Settings


def server_url(database: str) -> str:
    """The configured server's URL, for another database."""
    return make_url(Settings().database_url).set(database=database).render_as_string(False)


def create_database(prefix: str = "warmmap_test") -> str:
    """Create a database with PostGIS and return its plain URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(sqlalchemy_url(server_url("postgres")), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = server_url(name)
    engine = create_engine(sqlalchemy_url(url))
    with engine.begin() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    engine.dispose()
    return url


def drop_database(url: str) -> None:
    """Drop the database of ``url``, closing its other connections."""
    name = make_url(url).database
    admin = create_engine(sqlalchemy_url(server_url("postgres")), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
