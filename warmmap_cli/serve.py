"""``warmmap serve``: the API and the web map.

Served by granian by default: its HTTP layer is Rust, so a worker's Python time goes to the
answers (``bench/nearest.py`` measured about 1.4 times the requests per second of uvicorn with
uvloop and httptools on the workers' nearest-station path). ``--server uvicorn`` serves with
uvicorn instead. Both run the same app factory in each worker process, with uvloop; the access
log is off unless asked for (a line per request costs a worker about a tenth of its time).
"""

import ipaddress
from enum import StrEnum
from typing import Annotated

import typer
import uvicorn
from granian import Granian
from granian.constants import HTTPModes, Interfaces, Loops, RuntimeModes

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


class Server(StrEnum):
    """The HTTP servers ``warmmap serve`` can run the app in."""

    granian = "granian"
    uvicorn = "uvicorn"


APP_FACTORY = "geo_api.main:create_app"


def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to bind (default WARMMAP_HOST).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default WARMMAP_PORT).")] = None,
    workers: Annotated[
        int, typer.Option(help="Worker processes (each with its own database pools).")
    ] = 1,
    server: Annotated[Server, typer.Option(help="HTTP server.")] = Server.granian,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = False,
) -> None:
    """Serve the API and the web map."""
    config = settings()
    bind = host or config.host
    check_public_serving(config, bind)
    if server == Server.uvicorn:
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=bind,
            port=port or config.port,
            workers=workers,
            loop="uvloop",
            http="httptools",
            access_log=access_log,
            log_level="info",
            # X-Forwarded-For is believed only from WARMMAP_TRUSTED_PROXIES, by the app itself.
            proxy_headers=False,
        )
        return
    granian(APP_FACTORY, bind, port or config.port, workers, factory=True, log_access=access_log)


def granian(
    target: str, address: str, port: int, workers: int, *, factory: bool, log_access: bool = False
) -> None:
    """Serve the ASGI app ``target`` with granian, as warmmap is served.

    The benchmark's floor (``bench/nearest_floor.py``) is served by this too: both pay the same
    server.
    """
    Granian(
        target,
        factory=factory,
        address=address,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        loop=Loops.uvloop,
        runtime_mode=RuntimeModes.st,
        http=HTTPModes.http1,
        websockets=False,
        log_access=log_access,
    ).serve()
