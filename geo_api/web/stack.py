"""Wrap the app in warmmap's middlewares, in the order ``geo_api.web`` explains."""

from fastapi import FastAPI

from geo_api.settings import Settings
from geo_api.web.deadline import RequestDeadline


def install(app: FastAPI, settings: Settings) -> None:
    """Add every middleware of ``geo_api.web`` to ``app``; the last added runs first."""
    app.add_middleware(
        RequestDeadline,
        deadline_s=settings.request_deadline_s,
        long_deadline_s=settings.long_request_deadline_s,
    )
