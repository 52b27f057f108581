"""``GET /map``: the web map's page, its assets, and the Content-Security-Policy that confines it.

The page is static: its ES modules (``static/js``) read ``view``, ``lang``, ``lon``, ``lat`` and
``crs`` from the URL and ask the API for every number they show. MapLibre GL JS is copied from
its npm package into ``static/vendor`` by ``make assets`` (``scripts/bootstrap-assets``); its CSP
build runs its worker from a file of ours, so the policy needs no ``blob:`` scripts.
"""

from pathlib import Path
from typing import Annotated, Literal

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from geo_api.errors import Unavailable

STATIC = Path(__file__).parent / "static"
VENDOR = STATIC / "vendor"
ASSETS_URL = "/map-assets"
MAP_URL = "/map"
# What `make assets` copies; without them the page could only fail in the browser.
VENDOR_FILES = ("maplibre-gl-csp.js", "maplibre-gl-csp-worker.js", "maplibre-gl.css")

# Only warmmap itself: scripts, styles, tiles and API answers. MapLibre decodes tile images
# and draws its own sprites from blob: and data: URLs; its worker is our own file.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "child-src 'self'",
        "frame-ancestors 'self'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)

View = Literal["worker", "planner", "manager"]
Lang = Literal["zh", "en"]


def missing_assets() -> list[str]:
    """Return the vendored files the page needs that are not installed."""
    return [name for name in VENDOR_FILES if not (VENDOR / name).is_file()]


def add_web_map(app: FastAPI) -> None:
    """Serve ``/map`` and its assets for ``app``."""
    app.mount(ASSETS_URL, StaticFiles(directory=STATIC), name="map-assets")
    html = (STATIC / "index.html").read_text(encoding="utf-8")

    @app.get(MAP_URL, include_in_schema=False)
    async def web_map(
        request: Request,
        view: Annotated[View, Query(description="worker, planner or manager")] = "worker",
        lang: Annotated[Lang, Query(description="zh or en")] = "zh",
    ) -> HTMLResponse:
        missing = missing_assets()
        if missing:
            raise Unavailable(
                f"the web map's assets are not installed ({', '.join(missing)}): run make assets"
            )
        page = html.replace('lang="zh-CN"', 'lang="en"') if lang == "en" else html
        return HTMLResponse(page, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})
