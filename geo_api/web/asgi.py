"""Small helpers shared by the ASGI middlewares: a one-line JSON answer and header lookup."""

import orjson
from starlette.types import Scope, Send


def header(scope: Scope, name: bytes) -> str | None:
    """Return the first value of request header ``name`` (lower-case bytes), or None."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def send_detail(
    send: Send, status: int, detail: str, headers: dict[str, str] | None = None
) -> None:
    """Send a whole ``{"detail": ...}`` answer with ``status``."""
    body = orjson.dumps({"detail": detail})
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((k.encode(), v.encode()) for k, v in (headers or {}).items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})
