"""Settings from ``WARMMAP_*`` environment variables."""

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/warmmap"
# Where the stations are: opening hours, and dates and times written without an offset, are
# local time here.
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_REPORT_SALT = "warmmap-reports"


class Settings(BaseSettings):
    """Everything warmmap reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="WARMMAP_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    # Seconds a connection attempt may take before /healthz reports the database as down.
    db_connect_timeout_s: int = 3
    db_pool_size: int = 10
    # Request paths: each SQL statement may run this long (PostgreSQL statement_timeout), a
    # request waits at most this long for a pooled connection, and the whole request answers
    # within this deadline or gets a 503. Plans, refreshes and auto-assignments run longer
    # (their own time limits bound them): long_request_deadline_s and long_statement_timeout_ms.
    statement_timeout_ms: int = Field(default=10_000, ge=100)
    long_statement_timeout_ms: int = Field(default=600_000, ge=1000)
    pool_timeout_s: float = Field(default=5.0, gt=0)
    request_deadline_s: float = Field(default=15.0, gt=0)
    long_request_deadline_s: float = Field(default=330.0, gt=0)
    # Request bodies above this many bytes are refused (413) before they are read.
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    # Addresses of reverse proxies whose X-Forwarded-For is believed (comma-separated IPs or
    # networks). None by default: the client address is the socket's.
    trusted_proxies: str = ""
    # Origins allowed by CORS (comma-separated, or *). None by default.
    cors_origins: str = ""
    # Request logs: one JSON line per request on the warmmap.requests logger.
    json_logs: bool = True
    timezone: str = DEFAULT_TIMEZONE
    # Workers' reports about a station: at most this many per client address per hour.
    reports_per_hour: int = 10
    # Open311 apps post for many riders with one API key: their own, larger hourly limit.
    open311_per_hour: int = 1000
    # Salt of the stored hash of a reporting client's address; set a secret one in production.
    report_salt: str = DEFAULT_REPORT_SALT
    # Map tiles: megabytes of rendered tiles each worker process keeps (0: none), how often at
    # most it reads the data_changes log to drop the tiles that changed (so a change shows
    # within that many seconds), and how long browsers may reuse a tile without asking.
    tile_cache_mb: float = 64
    tile_change_poll_s: float = 1.0
    tile_max_age_s: int = 0
    # Loads: limits checked before a file is parsed (a zip bomb, a 10 MB line or a million
    # columns is refused in one line naming the limit), how long a load waits for another load
    # of the same table, and the load connection's statement timeout and how often the server
    # checks that the loading client is still there (a killed load releases its locks then).
    load_max_file_mb: float = 500
    load_max_unpacked_mb: float = 1024
    load_max_columns: int = 1000
    load_max_cell_chars: int = 32767
    load_max_line_kb: int = 1024
    load_max_rows: int = 5_000_000
    load_max_vertices: int = 250_000
    load_lock_wait_s: float = 600
    load_statement_timeout_s: float = 3600
    load_client_check_s: float = 2

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            message = f"unknown time zone {value!r}: use an IANA name, e.g. Asia/Shanghai"
            raise ValueError(message) from None
        return value


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
