import pytest
from pydantic import ValidationError

from geo_api.database import sqlalchemy_url
from geo_api.settings import DEFAULT_DATABASE_URL, Settings


def test_defaults_point_at_the_local_warmmap_database(monkeypatch):
    for name in ("WARMMAP_DATABASE_URL", "WARMMAP_HOST", "WARMMAP_PORT"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    assert (
        settings.database_url
        == DEFAULT_DATABASE_URL
        == "postgresql://postgres@127.0.0.1:5432/warmmap"
    )
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_environment_overrides_with_the_warmmap_prefix(monkeypatch):
    monkeypatch.setenv("WARMMAP_DATABASE_URL", "postgresql://alice:pw@db.example:6543/maps")
    monkeypatch.setenv("WARMMAP_PORT", "9100")
    monkeypatch.setenv("WARMMAP_HOST", "0.0.0.0")
    settings = Settings(_env_file=None)
    assert settings.database_url.endswith("@db.example:6543/maps")
    assert (settings.host, settings.port) == ("0.0.0.0", 9100)


def test_a_bad_port_is_refused(monkeypatch):
    monkeypatch.setenv("WARMMAP_PORT", "eighty")
    with pytest.raises(ValidationError, match="port"):
        Settings(_env_file=None)


def test_the_code_chooses_the_driver():
    assert sqlalchemy_url("postgresql://u:p@h:1/d") == "postgresql+psycopg2://u:p@h:1/d"
    assert sqlalchemy_url("postgresql+asyncpg://u@h/d").startswith("postgresql+psycopg2://")
    with pytest.raises(ValueError, match="postgresql://"):
        sqlalchemy_url("mysql://u@h/d")
