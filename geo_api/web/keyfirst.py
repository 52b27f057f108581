"""The API key of a write checked before its body is read.

FastAPI reads and parses a request's body before it solves the route's dependencies, so a
50 MB body sent without a key would be parsed before the 401. Every route's handler is wrapped
(``geo_api.routes.DocumentedRoute``): a request with a body to a route that needs a key is
authenticated first, through the app's own ``get_principal`` dependency (so tests' overrides
apply), and the caller is kept in the request's scope, where ``get_principal`` finds it
instead of asking the database twice.
"""

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack

from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_dependant, solve_dependencies
from starlette.requests import Request
from starlette.responses import Response

from geo_api.auth import Principal
from geo_api.dependencies import PRINCIPAL_SCOPE_KEY, PrincipalDep, get_principal

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
Handler = Callable[[Request], Awaitable[Response]]


def needs_key(dependant: Dependant) -> bool:
    """Return whether ``dependant`` (a route's) depends on ``get_principal`` at any depth."""
    return any(sub.call is get_principal or needs_key(sub) for sub in dependant.dependencies)


def _caller(principal: PrincipalDep) -> Principal:
    return principal


CALLER = get_dependant(path="", call=_caller)


def has_body(request: Request) -> bool:
    """Return whether ``request`` announces a body (a length above 0, or chunks)."""
    length = request.headers.get("content-length")
    return (length is not None and length != "0") or "transfer-encoding" in request.headers


def key_before_body(handler: Handler, dependant: Dependant) -> Handler:
    """Return ``handler`` authenticating keyed writes before their body is read.

    Raises ``Unauthenticated`` (401) from the wrapped handler, before the body is touched.
    """
    if not needs_key(dependant):
        return handler

    async def authenticated_first(request: Request) -> Response:
        if request.method in WRITES and has_body(request):
            async with AsyncExitStack() as stack:
                solved = await solve_dependencies(
                    request=request,
                    dependant=CALLER,
                    dependency_overrides_provider=request.app,
                    async_exit_stack=stack,
                    embed_body_fields=False,
                )
            request.scope[PRINCIPAL_SCOPE_KEY] = solved.values["principal"]
        return await handler(request)

    return authenticated_first
