"""A limit on request bodies, checked before they are read.

A body announced larger than the limit (``Content-Length``) is refused before a byte of it is
read; a streamed body (chunked, or lying about its length) is counted as it arrives and refused
when it passes the limit. Either way the answer is a one-line 413, and nothing has parsed it.
"""

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geo_api.web.asgi import header, send_detail


def too_large(max_bytes: int) -> str:
    """Return the detail of a 413 for ``max_bytes``."""
    return f"the request body is larger than {max_bytes} bytes (WARMMAP_MAX_BODY_BYTES)"


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with a 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse an announced large body at once; count a streamed one as it comes."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = header(scope, b"content-length")
        if length is not None and (not length.strip().isdigit() or int(length) > self.max_bytes):
            status = 413 if length.strip().isdigit() else 400
            detail = too_large(self.max_bytes) if status == 413 else "invalid Content-Length"
            await send_detail(send, status, detail, {"connection": "close"})
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised where the app reads; geo_api.handlers answers it as one line.
                    raise HTTPException(413, too_large(self.max_bytes))
            return message

        await self.app(scope, counted_receive, send)
