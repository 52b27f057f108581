"""HTTP routes, one module per resource. Each route parses, calls the domain, shapes.

Every router is made with ``route_class=DocumentedRoute``, so that a route's one-line docstring
is its OpenAPI summary, the line next to its path in /docs.
"""

import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute


class DocumentedRoute(APIRoute):
    """A route whose summary is the first line of its docstring (FastAPI's: the function name)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if kwargs.get("summary") is None and endpoint.__doc__:
            kwargs["summary"] = inspect.cleandoc(endpoint.__doc__).partition("\n")[0].strip()
        super().__init__(path, endpoint, **kwargs)
