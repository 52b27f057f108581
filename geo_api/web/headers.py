"""Security headers on every answer, and the Content-Security-Policy of HTML pages.

JSON and tiles get a policy that allows nothing (they are never documents a browser should
run); HTML pages (/docs, /redoc, /map) and scripts (a web worker runs under its script's own
policy) get one that lets them load only from warmmap itself. A
route that sets its own policy (``geo_api.reference``) keeps it.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Pages: scripts, styles, images, fonts, workers and requests from warmmap only; never framed by
# another site. Inline scripts and styles are allowed for the API reference pages' bootstraps.
PAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-ancestors 'self'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)
# Everything else is data: nothing in it may run, and nobody may frame it.
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"
COMMON = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "SAMEORIGIN",
    "referrer-policy": "no-referrer",
}


class SecurityHeaders:
    """Add the security headers to every HTTP answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request, adding the headers to its answer."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in COMMON.items():
                    headers.setdefault(name, value)
                kind = headers.get("content-type", "")
                # A worker script runs under the policy of its own answer, not of its page:
                # MapLibre's tile worker needs the pages' policy to fetch our tiles.
                runs = kind.startswith(("text/html", "text/javascript", "application/javascript"))
                headers.setdefault("content-security-policy", PAGE_POLICY if runs else DATA_POLICY)
            await send(message)

        await self.app(scope, receive, send_with_headers)
