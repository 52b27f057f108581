"""The error answers of the API as OpenAPI documents them: ``{"detail": "<one line>"}``.

Routes declare what they can answer with ``responses=error_responses(401, 403, 404, 422)``, so
the OpenAPI document lists every status a client must handle, with the body it really gets
(``geo_api.handlers`` makes every error, FastAPI's own validation errors included, that body).
Declaring 422 on every operation that takes parameters also keeps FastAPI from documenting its
default list-of-errors shape, which warmmap never answers; ``tests/test_openapi.py`` checks both.
"""

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """Every error warmmap answers: one line that says what was wrong."""

    detail: str = Field(description="One line saying what was wrong; a 422 names the parameter.")


# What each status means, and a body of that status as warmmap writes it.
ERRORS: dict[int, tuple[str, str]] = {
    400: ("The request cannot be processed as sent.", "the request cannot be processed"),
    401: (
        "No API key in the X-API-Key header, or an unknown or revoked one.",
        "this needs an API key in the X-API-Key header",
    ),
    403: (
        "The key's role or scope does not allow this.",
        "role grid_manager may not do this; it needs planner or admin",
    ),
    404: ("Nothing with that id, or no data yet for that area.", "no station 123"),
    409: (
        "The change clashes with what is stored.",
        "a station with source 'api' and external_id 'jj-1' already exists",
    ),
    412: ("The entity changed since it was read (If-Match).", "the station changed since"),
    413: ("The request body is too large.", "the request body is too large"),
    422: (
        "A parameter or field is invalid; the detail names it.",
        "lat: Input should be less than or equal to 90",
    ),
    429: (
        "Too many requests of this kind from this client.",
        "at most 10 reports per hour from one address; try later",
    ),
    503: ("The database is unavailable; try again shortly.", "database unavailable"),
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Return the ``responses`` of a route that can answer ``codes``, each with ``ErrorBody``."""
    return {
        code: {
            "model": ErrorBody,
            "description": ERRORS[code][0],
            "content": {"application/json": {"example": {"detail": ERRORS[code][1]}}},
        }
        for code in codes
    }
