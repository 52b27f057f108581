"""Map domain errors and FastAPI's own errors to ``{"detail": "..."}`` answers, in one place."""

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from geo_api import errors

log = logging.getLogger(__name__)

# PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout (or a cancel request).
QUERY_CANCELED = "57014"
OUT_OF_RANGE = "22003"  # numeric_value_out_of_range

STATUS_CODES: dict[type[errors.WarmmapError], int] = {
    errors.BadRequest: 400,
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.PreconditionFailed: 412,
    errors.PayloadTooLarge: 413,
    errors.RateLimited: 429,
    errors.Unavailable: 503,
}


def status_code_for(exc: errors.WarmmapError) -> int:
    """Return the status of the nearest class of ``exc`` in the table (400 if none)."""
    for cls in type(exc).__mro__:
        if cls in STATUS_CODES:
            return STATUS_CODES[cls]
    return 400


# Where a value may take several shapes (``list[str] | str``, ``"cells" | {"kind": ...}``),
# pydantic names the shape it tried inside the location: ``literal['cells']``, ``CandidateKind``,
# ``list[str]``. The reader needs the field's name, not ours for its types.
_SHAPE = re.compile(r"^(?:[A-Z]\w*|[a-z-]+\[.*\]|str|int|float|bool|list|dict|none)$")
_WHERE = {"query", "body", "path", "header"}


def validation_detail(exc: RequestValidationError) -> str:
    """Say in one line which parameter was wrong and why, e.g. ``lat: must be <= 90``."""
    parts: list[str] = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":  # its location is a character offset
            reason = error.get("ctx", {}).get("error", "")
            parts.append(f"body: not valid JSON ({reason})" if reason else "body: not valid JSON")
            continue
        where = [
            str(p) for p in error.get("loc", ()) if p not in _WHERE and not _SHAPE.match(str(p))
        ]
        part = f"{'.'.join(where) or 'request'}: {error.get('msg', 'invalid value')}"
        if part not in parts:
            parts.append(part)
    return "; ".join(parts) or "invalid request"


async def warmmap_error(request: Request, exc: Exception) -> JSONResponse:
    """Answer a domain error with its status and one-line detail."""
    assert isinstance(exc, errors.WarmmapError)
    status = status_code_for(exc)
    if status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, exc.detail, exc_info=exc)
    return JSONResponse({"detail": exc.detail}, status_code=status)


async def request_validation_error(request: Request, exc: Exception) -> JSONResponse:
    """Answer invalid parameters with a 422 naming them."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": validation_detail(exc)}, status_code=422)


def unreadable_body_detail(exc: StarletteHTTPException) -> str | None:
    """Say what was wrong when FastAPI could not read a body at all, else ``None``.

    FastAPI answers 400 "There was an error parsing the body", raised from the parser's error,
    for bytes that are not UTF-8 or a broken multipart form. For the client that is an invalid
    body like malformed JSON, which FastAPI answers 422: one status, documented on every route.
    """
    if exc.status_code != 400 or exc.__cause__ is None:
        return None
    if isinstance(exc.__cause__, UnicodeDecodeError):
        return "body: not valid UTF-8 JSON"
    return "body: could not be parsed"


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    """Answer FastAPI's own HTTP errors (404 for unknown paths, 405) in the same shape."""
    assert isinstance(exc, StarletteHTTPException)
    unreadable = unreadable_body_detail(exc)
    if unreadable is not None:
        return JSONResponse({"detail": unreadable}, status_code=422)
    return JSONResponse(
        {"detail": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers
    )


def _driver_line(exc: DBAPIError) -> str:
    """Return the driver's first line, without the SQL and parameters SQLAlchemy appends."""
    return str(exc.orig).strip().partition("\n")[0] if exc.orig else type(exc).__name__


async def database_error(request: Request, exc: Exception) -> JSONResponse:
    """Answer a database failure: 503 when it is down or too slow, 500 for anything else."""
    assert isinstance(exc, DBAPIError)
    # psycopg2 raises OperationalError when the server is down, restarting or unreachable, and
    # QueryCanceled (one of them) when a statement ran past the statement timeout: the client
    # can retry later (503). Any other database error is a bug of ours (500). Logs carry the
    # driver's line only: the parameters of the statement may be personal data.
    where = f"{request.method} {request.url.path}"
    if getattr(exc.orig, "pgcode", None) == QUERY_CANCELED:
        log.warning("statement timeout on %s", where)
        return JSONResponse({"detail": "database too slow: the query ran out of time"}, 503)
    if getattr(exc.orig, "pgcode", None) == OUT_OF_RANGE:
        # A number from the request that the database cannot hold (parameters are bounded;
        # this is the net under them).
        return JSONResponse({"detail": "a number in the request is out of range"}, 422)
    if isinstance(exc, OperationalError):
        log.warning("database unavailable on %s: %s", where, _driver_line(exc))
        return JSONResponse({"detail": "database unavailable"}, status_code=503)
    log.error("database error on %s: %s", where, _driver_line(exc), exc_info=exc)
    return JSONResponse({"detail": "internal error"}, status_code=500)


async def pool_timeout(request: Request, exc: Exception) -> JSONResponse:
    """Answer 503 when no pooled connection came free within the pool's timeout."""
    log.warning("no free database connection for %s %s", request.method, request.url.path)
    return JSONResponse({"detail": "database busy: no free connection; try again shortly"}, 503)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """Answer a bug with a one-line 500 that tells nothing of it; the log has the traceback."""
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": "internal error"}, status_code=500)


def add_exception_handlers(app: FastAPI) -> None:
    """Register every handler of this module on ``app``."""
    app.add_exception_handler(errors.WarmmapError, warmmap_error)
    app.add_exception_handler(RequestValidationError, request_validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(DBAPIError, database_error)
    app.add_exception_handler(PoolTimeout, pool_timeout)
    app.add_exception_handler(Exception, unexpected_error)
