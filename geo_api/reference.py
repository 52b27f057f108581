"""The API reference pages, /docs (Swagger UI) and /redoc, served offline by warmmap itself.

The assets come from the fastapi-offline package (Swagger UI and ReDoc's standalone bundle), so
the pages work where cities run warmmap without internet, and load no Google fonts. ReDoc's
sidebar still asks a CDN for its logo, whatever its options say: the pages are sent with a
Content-Security-Policy that lets them load only from warmmap, so the browser never asks.
"""

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/reference-assets"
DOCS_URL, REDOC_URL = "/docs", "/redoc"

# Only warmmap itself: scripts and styles (the pages' own inline ones too), images, the
# document and "Try it out" requests; ReDoc's search runs in a worker made from a blob.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-ancestors 'self'",
    ]
)

# Swagger UI's default validatorUrl sends the document to an online validator for a badge;
# the document is checked by warmmap's tests instead.
SWAGGER_UI_PARAMETERS: dict[str, Any] = {
    "validatorUrl": None,
    "displayRequestDuration": True,
    "persistAuthorization": True,
}


def _confined(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return page


def add_reference_pages(app: FastAPI) -> None:
    """Serve /docs and /redoc for ``app`` from the packaged assets (``app`` built without them)."""
    openapi_url = app.openapi_url or "/openapi.json"
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="reference-assets")

    # Behind a proxy that serves warmmap under a prefix, the prefix is the scope's root_path.
    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _confined(
            get_swagger_ui_html(
                openapi_url=root + openapi_url,
                title=f"{app.title} - Swagger UI",
                swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
                swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
                oauth2_redirect_url=None,
                swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
            )
        )

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _confined(
            get_redoc_html(
                openapi_url=root + openapi_url,
                title=f"{app.title} - ReDoc",
                redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
                redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
                with_google_fonts=False,
            )
        )


def operation_id(route: APIRoute) -> str:
    """Return the route function's name as its operationId (``nearest``, ``create_station``).

    Generated clients name their methods after it; FastAPI's default adds the path and method.
    """
    return route.name
