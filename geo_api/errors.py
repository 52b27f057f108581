"""Domain errors. They say what was wrong in one line and know nothing of HTTP.

``geo_api.handlers`` maps each class to a status code in one table.
"""


class WarmmapError(Exception):
    """Base class of every error warmmap raises on purpose."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidInput(WarmmapError):
    """The request or file is well-formed but its values are not acceptable."""


class BadRequest(InvalidInput):
    """A query refused with 400, as the standard an endpoint follows asks (OGC API).

    warmmap's own endpoints answer invalid parameters with 422.
    """


class NotFound(WarmmapError):
    """The entity asked for does not exist."""


class Conflict(WarmmapError):
    """The change clashes with what is stored (a duplicate, a current assignment)."""


class Unauthenticated(WarmmapError):
    """No credentials, or credentials that are not valid."""


class Forbidden(WarmmapError):
    """Valid credentials, but outside the role or scope they grant."""


class PreconditionFailed(WarmmapError):
    """A write's ``If-Match`` names a version of the entity that is no longer stored."""


class PayloadTooLarge(WarmmapError):
    """An upload (a photo) is larger than accepted."""


class RateLimited(WarmmapError):
    """Too many requests of this kind from one client."""


class Unavailable(WarmmapError):
    """Something the answer needs is not installed or not reachable (answered with 503)."""


class DatabaseUnavailable(Unavailable):
    """PostgreSQL cannot be reached or answered with an error of its own."""
