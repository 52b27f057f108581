"""A layer's parameters from a request's query string: checked, defaulted, in a fixed order."""

import math
from collections.abc import Collection, Mapping

from geo_api.errors import InvalidInput
from tiles.registry import Layer, Parameter

# A layer's parameter values in the order of ``Layer.parameters``: part of every cache key.
Values = tuple[float, ...]


def parse_parameters(
    layer: Layer,
    query: Mapping[str, str],
    others: Collection[str] = (),
    error: type[InvalidInput] = InvalidInput,
) -> Values:
    """Return the values of ``layer``'s parameters given in ``query``, defaults elsewhere.

    ``others`` are the parameter names of every layer: one of them given to a layer that does
    not take it is refused rather than ignored, so a misdirected ``threshold_m`` is noticed.
    Raises ``error`` with a line naming the parameter.
    """
    for name in query:
        if name in others and name not in layer.parameter_names:
            takes = ", ".join(layer.parameter_names) or "no parameters"
            raise error(f"{name}: layer {layer.id} takes {takes}")
    return tuple(_value(p, query.get(p.name), error) for p in layer.parameters)


def _value(parameter: Parameter, raw: str | None, error: type[InvalidInput]) -> float:
    if raw is None:
        return parameter.default
    try:
        value = parameter.type(raw)
    except ValueError:
        kind = "an integer" if parameter.type is int else "a number"
        raise error(f"{parameter.name}: must be {kind}, got {raw!r}") from None
    if not math.isfinite(value) or not parameter.minimum <= value <= parameter.maximum:
        raise error(
            f"{parameter.name}: must be between {parameter.minimum:g} and "
            f"{parameter.maximum:g}, got {raw}"
        )
    return value


def bind(layer: Layer, values: Values) -> dict[str, float]:
    """Return the bind parameters of ``values`` for the layer's SQL."""
    return {p.name: v for p, v in zip(layer.parameters, values, strict=True)}


def reach_m(layer: Layer, values: Values, table: str) -> float:
    """Return how far (metres) a change of ``table`` reaches into ``layer`` with ``values``."""
    name = layer.depends_on.get(table)
    return float(bind(layer, values)[name]) if name else 0.0


def query_string(layer: Layer, values: Values) -> str:
    """Return the values that differ from the defaults as ``?a=1&b=2`` (or ``""``)."""
    pairs = [
        f"{p.name}={_number(v)}"
        for p, v in zip(layer.parameters, values, strict=True)
        if v != p.default
    ]
    return "?" + "&".join(pairs) if pairs else ""


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
