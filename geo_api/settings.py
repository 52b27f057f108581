"""Settings from ``WARMMAP_*`` environment variables."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/warmmap"


class Settings(BaseSettings):
    """Everything warmmap reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="WARMMAP_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    # Seconds a connection attempt may take before /healthz reports the database as down.
    db_connect_timeout_s: int = 3
    db_pool_size: int = 10
    timezone: str = "Asia/Shanghai"
    # Workers' reports about a station: at most this many per client address per hour.
    reports_per_hour: int = 10
    # Salt of the stored hash of a reporting client's address; set a secret one in production.
    report_salt: str = "warmmap-reports"


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
