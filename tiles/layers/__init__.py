"""The layers warmmap serves; adding one is an entry here plus its SQL (docs/layers.md)."""

from tiles.layers.areas import COMMUNITIES, DISTRICTS, STREETS
from tiles.layers.gaps import GAPS
from tiles.layers.points import OUTLETS, STATIONS
from tiles.registry import registry

LAYERS = registry(STATIONS, OUTLETS, GAPS, COMMUNITIES, STREETS, DISTRICTS)

# Every parameter name some layer takes: one given to a layer without it is refused.
PARAMETER_NAMES = frozenset(p.name for layer in LAYERS.values() for p in layer.parameters)
