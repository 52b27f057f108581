"""HTTP routes, one module per resource. Each route parses, calls the domain, shapes.

Every router is made with ``route_class=DocumentedRoute``, so that a route's one-line docstring
is its OpenAPI summary, the line next to its path in /docs.
"""

import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute

SUCCESS = "Successful Response"


def first_line(text: str | None) -> str | None:
    """Return the first line of a docstring, or None."""
    return inspect.cleandoc(text).partition("\n")[0].strip() if text else None


class DocumentedRoute(APIRoute):
    """A route documented from its docstrings.

    The summary is the first line of the route's docstring (FastAPI's: the function's name),
    the success answer's description the first line of its model's (FastAPI's: "Successful
    Response").
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if kwargs.get("summary") is None:
            kwargs["summary"] = first_line(endpoint.__doc__)
        model = kwargs.get("response_model")
        if kwargs.get("response_description") in (None, SUCCESS) and isinstance(model, type):
            kwargs["response_description"] = first_line(inspect.getdoc(model)) or SUCCESS
        super().__init__(path, endpoint, **kwargs)
