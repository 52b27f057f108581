"""HTTP routes, one module per resource. Each route parses, calls the domain, shapes.

Every router is made with ``route_class=DocumentedRoute``, so that a route's one-line docstring
is its OpenAPI summary, the line next to its path in /docs.
"""

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from geo_api.responses import error_responses
from geo_api.web.keyfirst import WRITES, key_before_body

SUCCESS = "Successful Response"


def first_line(text: str | None) -> str | None:
    """Return the first line of a docstring, or None."""
    return inspect.cleandoc(text).partition("\n")[0].strip() if text else None


class DocumentedRoute(APIRoute):
    """A route documented from its docstrings.

    The summary is the first line of the route's docstring (FastAPI's: the function's name),
    the success answer's description the first line of its model's (FastAPI's: "Successful
    Response"). A write that needs a key is authenticated before its body is read
    (``geo_api.web.keyfirst``).
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if kwargs.get("summary") is None:
            kwargs["summary"] = first_line(endpoint.__doc__)
        model = kwargs.get("response_model")
        if kwargs.get("response_description") in (None, SUCCESS) and isinstance(model, type):
            kwargs["response_description"] = first_line(inspect.getdoc(model)) or SUCCESS
        if set(kwargs.get("methods") or ()) & WRITES:
            # Any write's body may pass WARMMAP_MAX_BODY_BYTES (geo_api.web.bodylimit).
            kwargs["responses"] = {**error_responses(413), **(kwargs.get("responses") or {})}
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Return FastAPI's handler, checking a write's API key before its body is read."""
        return key_before_body(super().get_route_handler(), self.dependant)  # type: ignore[return-value]
