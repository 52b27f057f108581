"""What operators see of each request: a request id, a JSON log line, Prometheus metrics.

Every answer carries ``X-Request-ID``: the client's own when it is a plain token of at most 64
characters, else a new one. One JSON line per request goes to the ``warmmap.requests`` logger:
time, request id, method, route template, path, status and duration; never the query string
(tokens ride in it), headers (keys do), bodies or the client's address. The metrics count
requests and time them by route template (``/stations/{station_id}``, not each id), so their
number stays bounded whatever paths clients invent.
"""

import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import TextIO

import orjson
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geo_api.web.asgi import header

log = logging.getLogger("warmmap.requests")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
UNMATCHED = "unmatched"  # the route label of paths no route serves


class Metrics:
    """The app's own registry: request counts and latencies by method, route and status."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "warmmap_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "warmmap_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: its message and the fields it was given."""

    def format(self, record: logging.LogRecord) -> str:
        """Return ``record`` as one line of JSON."""
        fields = getattr(record, "fields", None) or {}
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "message": record.getMessage(),
            **fields,
        }
        return orjson.dumps(line).decode()


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Write to whatever ``sys.stderr`` is when a record comes (test runners swap it)."""

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        """Return the current standard error."""
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def use_json_logs() -> None:
    """Send ``warmmap.requests`` to standard error as JSON lines (once per process)."""
    if not any(isinstance(h.formatter, JsonFormatter) for h in log.handlers):
        handler = StderrHandler()
        handler.setFormatter(JsonFormatter())
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def request_id_of(scope: Scope) -> str:
    """Return the client's request id if it is a plain token, else a new one."""
    given = header(scope, b"x-request-id")
    return given if given and REQUEST_ID.match(given) else uuid.uuid4().hex


def route_of(scope: Scope) -> str:
    """Return the template of the route that served ``scope``, or ``unmatched``."""
    route = scope.get("route")
    return str(getattr(route, "path", None) or UNMATCHED)


class RequestObserver:
    """Give each request an id, and log and measure it."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request with its id; log and count it when it ends."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["x-request-id"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self.observe(scope, request_id, status, time.perf_counter() - started)

    def observe(self, scope: Scope, request_id: str, status: int, seconds: float) -> None:
        """Count, time and log one answered request."""
        route, method = route_of(scope), scope["method"]
        self.metrics.requests.labels(method, route, str(status)).inc()
        self.metrics.latency.labels(method, route).observe(seconds)
        fields = {
            "request_id": request_id,
            "method": method,
            "route": route,
            "path": scope["path"],
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
        }
        log.info("request", extra={"fields": fields})
