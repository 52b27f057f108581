"""A shortcut for the workers' hot path: ``GET /stations/nearest`` answered before routing.

Through FastAPI a nearest answer cost about twice the CPU of the answer itself: routing, the
dependency machinery and pydantic's validation of ten query parameters (the benchmark,
``bench/nearest.py``, profiled it). This ASGI middleware reads the parameters of an ordinary
request itself, with the same functions the route calls (``geo_api.stations.answer``), and sends
the same bytes. Anything it is not sure about, it leaves to the route: a parameter given twice, a
number not written plainly (``1e3``, ``+5``, ``inf``), a flag other than ``true``/``false``, a
value out of the route's range, or a word the route's checks refuse (whose 422 the route's
handler then writes). So every error is the route's, and the route stays the documented
operation of the OpenAPI document (``tests/test_nearest_shortcut.py`` checks that both answer
alike).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from geo_api.errors import WarmmapError
from geo_api.handlers import status_code_for
from geo_api.stations.answer import NearestRequest, nearest_answer, nearest_query

PATH = "/stations/nearest"
_NUMBER = re.compile(r"-?\d{1,7}(?:\.\d{1,17})?")
_FLAGS = {"true": True, "false": False}
_MAX_K = 50
_MAX_DISTANCE_M = 2_000_000


def _number(value: str) -> float | None:
    return float(value) if _NUMBER.fullmatch(value) else None


def _k(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and 1 <= int(value) <= _MAX_K else None


def _max_distance(value: str) -> float | None:
    distance = _number(value)
    return distance if distance is not None and 0 < distance <= _MAX_DISTANCE_M else None


_PARSERS: dict[str, Callable[[str], Any]] = {
    "lon": _number,
    "lat": _number,
    "k": _k,
    "max_distance_m": _max_distance,
    "open_now": _FLAGS.get,
    "crs": str,
    "kind": str,
    "at": str,
    "out_crs": str,
}


def parse_request(query_string: str) -> NearestRequest | None:
    """Return the parameters of a plainly written request, or None to leave it to the route."""
    values: dict[str, Any] = {}
    amenities: list[str] = []
    # parse_qsl as Starlette reads a query string, so both see the same values.
    for key, value in parse_qsl(query_string, keep_blank_values=True):
        if key == "amenity":
            amenities.append(value)
        elif key in _PARSERS:
            parsed = _PARSERS[key](value)
            if parsed is None or key in values:
                return None
            values[key] = parsed
    if "lon" not in values or "lat" not in values:
        return None
    return NearestRequest(amenities=tuple(amenities), **values)


@dataclass(frozen=True)
class RouteTemplate:
    """The part of a route that request logs and metrics read (``geo_api.web.observe``)."""

    path: str


ROUTE = RouteTemplate(PATH)


class NearestShortcut:
    """ASGI middleware answering ordinary ``GET /stations/nearest`` requests itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a plain nearest request; pass everything else on."""
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        asks = parse_request(scope["query_string"].decode("latin-1"))
        state = scope["app"].state
        try:
            query, asked = nearest_query(asks, state.settings.timezone) if asks else (None, None)
        except WarmmapError:
            query = asked = None
        if query is None or asked is None:
            await self.app(scope, receive, send)  # the route answers, and writes its errors
            return
        scope["route"] = ROUTE  # what routing would name: the request logs and metrics read it
        response: Response
        try:
            body = await nearest_answer(state.station_candidates, query, asked)
        except WarmmapError as exc:  # the database went away: as the route's handler answers
            response = JSONResponse({"detail": exc.detail}, status_code=status_code_for(exc))
        else:
            response = Response(body, media_type="application/json")
        await response(scope, receive, send)
