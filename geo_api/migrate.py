"""The schema's migrations, configured from the installed package rather than a checkout.

The Alembic scripts travel inside the package (``geo_api/migrations`` is the repository's
``migrations/`` folder), so ``warmmap db upgrade`` works from any folder after ``pip install``.
``alembic.ini`` at the top of a checkout is only for running ``alembic`` by hand.
"""

from importlib.resources import files

from alembic import command
from alembic.config import Config

HEAD = "head"


def alembic_config(database_url: str) -> Config:
    """Return an Alembic configuration of the packaged migrations, aimed at ``database_url``."""
    config = Config()
    config.set_main_option("script_location", str(files("geo_api") / "migrations"))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.set_main_option("path_separator", "os")
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = HEAD) -> None:
    """Apply the migrations to ``database_url`` up to ``revision``."""
    command.upgrade(alembic_config(database_url), revision)
