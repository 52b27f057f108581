"""``warmmap serve``: the API and the web map."""

import ipaddress
from typing import Annotated

import typer
import uvicorn

from geo_api.settings import DEFAULT_REPORT_SALT, Settings
from warmmap_cli.common import fail, settings


def is_loopback(host: str) -> bool:
    """Return whether ``host`` is reachable only from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_public_serving(config: Settings, host: str) -> None:
    """Refuse to serve beyond this machine with the report salt everyone can read in the code.

    The salt keeps the stored hashes of reporting workers' addresses from being reversed by
    hashing every address; the default one protects nothing.
    """
    if config.report_salt in ("", DEFAULT_REPORT_SALT) and not is_loopback(host):
        which = "empty" if not config.report_salt else "the default"
        raise fail(
            f"WARMMAP_REPORT_SALT is {which}: set it to a secret of your own to serve on {host}"
        )


def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to bind (default WARMMAP_HOST).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default WARMMAP_PORT).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the API and the web map."""
    config = settings()
    bind = host or config.host
    check_public_serving(config, bind)
    uvicorn.run(
        "geo_api.main:create_app",
        factory=True,
        host=bind,
        port=port or config.port,
        workers=workers,
        log_level="info",
        # X-Forwarded-For is believed only from WARMMAP_TRUSTED_PROXIES, by the app itself.
        proxy_headers=False,
        # Each request is logged once, as JSON, by the app (geo_api.web.observe).
        access_log=False,
    )
