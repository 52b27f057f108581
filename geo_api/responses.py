"""The error answers of the API as OpenAPI documents them: ``{"detail": "<one line>"}``.

Routes declare what they can answer with ``responses=error_responses(401, 403, 404)``, so the
OpenAPI document lists every status a client must handle, with the body it really gets.
"""

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """Every error warmmap answers: one line that says what was wrong."""

    detail: str = Field(examples=["lat: Input should be less than or equal to 90"])


ERROR_DESCRIPTIONS = {
    400: "The request cannot be processed as sent.",
    401: "No API key in the X-API-Key header, or an unknown or revoked one.",
    403: "The key's role or scope does not allow this.",
    404: "Nothing with that id, or no data yet for that area.",
    409: "The change clashes with what is stored.",
    412: "The entity changed since it was read (If-Match).",
    413: "The request body is too large.",
    422: "A parameter or field is invalid; the detail names it.",
    429: "Too many requests of this kind from this client.",
    503: "The database is unavailable; try again shortly.",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Return the ``responses`` of a route that can answer ``codes``, each with ``ErrorBody``."""
    return {code: {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[code]} for code in codes}
