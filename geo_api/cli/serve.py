"""``warmmap serve``: the API and the web map."""

import typer
import uvicorn

from geo_api.settings import get_settings


def serve(
    host: str | None = typer.Option(None, help="Address to bind (default WARMMAP_HOST)."),
    port: int | None = typer.Option(None, help="Port (default WARMMAP_PORT)."),
    workers: int = typer.Option(1, help="Worker processes."),
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
