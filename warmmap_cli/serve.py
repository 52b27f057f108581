"""``warmmap serve``: the API and the web map."""

from typing import Annotated

import typer
import uvicorn

from geo_api.settings import get_settings


def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to bind (default WARMMAP_HOST).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default WARMMAP_PORT).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the API and the web map."""
    settings = get_settings()
    uvicorn.run(
        "geo_api.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="info",
    )
