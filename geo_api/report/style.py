"""Colours, classes and the legend of the report map.

Colours are ColorBrewer schemes chosen to stay apart when stacked: communities in a muted
red-yellow-green by covered share (red is poorly served), gap cells in a strong purple by riders,
stations in blue, outlets in black (out of reach) or white (covered). Classes are fixed breaks, so
two cities' maps read alike; each layer's legend says what its colours mean.
"""

import html
from bisect import bisect_right
from itertools import pairwise
from typing import Any

from branca.element import MacroElement
from jinja2 import Template

BACKGROUND = "#f4f1ea"
SHARE_BREAKS = (0.2, 0.4, 0.6, 0.8)
SHARE_COLOURS = ("#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641")
NO_RIDERS = "#d9d9d9"
RIDER_BREAKS = (10, 30, 100)
RIDER_COLOURS = ("#dadaeb", "#9e9ac8", "#6a51a3", "#3f007d")
STATION_OPEN = "#1f78b4"
STATION_CLOSED = "#737373"
OUTLET_UNCOVERED = "#111111"
OUTLET_COVERED = "#ffffff"
OUTLET_RADII = ((10, 2.5), (30, 4.0), (100, 6.0), (None, 9.0))


def share_colour(share: float | None) -> str:
    """Return the fill of a community with this covered share (null: no riders)."""
    return NO_RIDERS if share is None else SHARE_COLOURS[bisect_right(SHARE_BREAKS, share)]


def riders_colour(riders: int) -> str:
    """Return the fill of a gap cell with this many riders."""
    return RIDER_COLOURS[bisect_right(RIDER_BREAKS, riders)]


def outlet_radius(riders: int) -> float:
    """Return the radius in pixels of an outlet's circle, by its riders."""
    return next(radius for limit, radius in OUTLET_RADII if limit is None or riders < limit)


def _classes(breaks: tuple[float, ...], fmt: str) -> list[str]:
    edges = ["0", *(fmt.format(b) for b in breaks)]
    return [f"{a}–{b}" for a, b in pairwise(edges)] + [f"≥ {edges[-1]}"]


def legend_sections(threshold_m: float) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Return the legend: per layer, its title and (shape, colour, label) entries."""
    share_labels = [f"{a} %" for a in _classes(tuple(b * 100 for b in SHARE_BREAKS), "{:.0f}")]
    rider_labels = ["1–9", "10–29", "30–99", "≥ 100"]
    return [
        ("驿站 Stations", [("dot", STATION_OPEN, "开放 open"), ("ring", STATION_CLOSED,
                                                               "关闭/暂停 closed or suspended")]),
        (f"网点 Outlets (station within {threshold_m:g} m)", [
            ("dot", OUTLET_UNCOVERED, "未覆盖 out of reach"),
            ("ring", "#444444", "已覆盖 covered"),
        ]),
        ("缺口网格骑手数 Riders in gap cells", [
            ("square", c, label) for c, label in zip(RIDER_COLOURS, rider_labels, strict=True)
        ]),
        ("社区覆盖率 Riders covered, by community", [
            *(("square", c, label) for c, label in zip(SHARE_COLOURS, share_labels, strict=True)),
            ("square", NO_RIDERS, "无骑手 no riders"),
        ]),
        ("边界 Boundaries", [("line", "#333333", "区县 district"),
                             ("dash", "#777777", "街道 street")]),
    ]  # fmt: skip


_SWATCH = {
    "dot": "border-radius:50%;background:{c};border:1px solid #fff;box-shadow:0 0 0 1px #555",
    "ring": "border-radius:50%;background:#fff;border:2px solid {c}",
    "square": "background:{c};border:1px solid #888",
    "line": "height:0;border-top:2px solid {c};margin-top:6px",
    "dash": "height:0;border-top:1px dashed {c};margin-top:6px",
}


def legend_html(sections: list[tuple[str, list[tuple[str, str, str]]]]) -> str:
    """Return the legend as HTML (every label escaped)."""
    parts = []
    for title, entries in sections:
        rows = "".join(
            f'<div class="wm-row"><span class="wm-swatch" style="'
            f'{_SWATCH[shape].format(c=colour)}"></span>{html.escape(label)}</div>'
            for shape, colour, label in entries
        )
        parts.append(f'<div class="wm-section"><b>{html.escape(title)}</b>{rows}</div>')
    return "".join(parts)


class Panel(MacroElement):  # type: ignore[misc]
    """A fixed box on the map (title or legend) with a ``data-testid`` for tests and users."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .wm-panel { position: absolute; z-index: 1000; background: rgba(255,255,255,0.93);
          padding: 8px 10px; border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,0.3);
          font: 12px/1.45 "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei",
          "PingFang SC", sans-serif; color: #222; max-width: 340px; }
        .wm-panel h1 { font-size: 15px; margin: 0 0 4px; display: inline; }
        .wm-panel summary { cursor: pointer; }
        .leaflet-control-layers { font-size: 13px; }
        .wm-section { margin-top: 6px; }
        .wm-row { display: flex; align-items: center; gap: 6px; }
        .wm-swatch { display: inline-block; width: 12px; height: 12px; flex: none; }
        .leaflet-container { background: {{ this.background }}; }
        .wm-label { font: 600 12px "Noto Sans CJK SC", sans-serif; color: #333;
          text-shadow: 0 0 3px #fff, 0 0 3px #fff; white-space: nowrap; }
        @media (max-width: 600px) {
          .wm-panel[data-testid=title] { right: 10px; max-width: none; }
          .leaflet-top.leaflet-right { top: 56px; }
          .wm-panel h1 { font-size: 13px; }
        }
        </style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
        <div class="wm-panel" data-testid="{{ this.testid }}" style="{{ this.position }}">
          {{ this.content }}
        </div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        // On a phone the panels start folded, leaving the map to the map.
        if (window.matchMedia("(max-width: 600px)").matches) {
            document.querySelectorAll(
                '[data-testid="{{ this.testid }}"] details'
            ).forEach(function (d) { d.open = false; });
        }
        {% endmacro %}
        """
    )

    def __init__(self, content: str, testid: str, position: str) -> None:
        super().__init__()
        self._name = "Panel"
        self.content = content
        self.testid = testid
        self.position = position
        self.background = BACKGROUND


def legend_panel(sections: list[tuple[str, list[tuple[str, str, str]]]]) -> Panel:
    """Return a legend panel (bottom left) of ``sections``, folded away with a click."""
    body = legend_html(sections)
    content = f"<details open><summary><b>图例 Legend</b></summary>{body}</details>"
    return Panel(content, "legend", "left:10px;bottom:24px")


def legend(threshold_m: float) -> Panel:
    """Return the legend of the report map's layers."""
    return legend_panel(legend_sections(threshold_m))


def title(lines: list[str]) -> Panel:
    """Return the title panel (top left, beside the zoom buttons): a heading, then lines."""
    heading, *rest = (html.escape(line) for line in lines)
    body = "".join(f"<div>{line}</div>" for line in rest)
    content = f"<details open><summary><h1>{heading}</h1></summary>{body}</details>"
    return Panel(content, "title", "left:54px;top:10px")


def feature_style(**values: Any) -> dict[str, Any]:
    """Return a Leaflet path style (a helper that keeps the layer code short)."""
    return {"weight": 1, "opacity": 1, "fillOpacity": 1, **values}
