"""Wrap the app in warmmap's middlewares, in the order ``geo_api.web`` explains."""

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from geo_api.settings import Settings
from geo_api.web.bodylimit import BodyLimit
from geo_api.web.deadline import RequestDeadline
from geo_api.web.headers import SecurityHeaders
from geo_api.web.observe import Metrics, RequestObserver, use_json_logs


def listed(value: str) -> list[str]:
    """Return the items of a comma-separated setting."""
    return [item.strip() for item in value.split(",") if item.strip()]


def install(app: FastAPI, settings: Settings) -> None:
    """Add every middleware of ``geo_api.web`` to ``app``; the last added runs first."""
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        RequestDeadline,
        deadline_s=settings.request_deadline_s,
        long_deadline_s=settings.long_request_deadline_s,
    )
    origins = listed(settings.cors_origins)
    if origins:  # closed by default: no CORS headers, browsers keep other sites out
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
            allow_headers=["X-API-Key", "Content-Type", "If-Match", "X-Request-ID"],
            expose_headers=["ETag", "X-Request-ID"],
        )
    app.add_middleware(SecurityHeaders)
    metrics = Metrics()
    app.state.metrics = metrics
    app.add_middleware(RequestObserver, metrics=metrics)
    if settings.json_logs:
        use_json_logs()
    # uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise; `warmmap serve`
    # turns that off, and the header is believed only from the proxies configured here.
    proxies = listed(settings.trusted_proxies)
    if proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
