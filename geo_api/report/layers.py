"""The folium layers of a city map: our boundaries as the base, then coverage, gaps and points.

Every layer is a ``folium.GeoJson`` (one data blob, styled per feature in Python) inside a
``FeatureGroup`` named in Chinese and English for the layer control. Hover texts are built here,
escaped, because folium's tooltips insert them as HTML.
"""

import html
from typing import Any

import folium

from geo_api.report.style import (
    OUTLET_COVERED,
    OUTLET_UNCOVERED,
    STATION_CLOSED,
    STATION_OPEN,
    feature_style,
    outlet_radius,
    riders_colour,
    share_colour,
)


def _tip(*lines: Any) -> str:
    return "<br>".join(html.escape(str(line)) for line in lines if line not in (None, ""))


def _group(fmap: folium.Map, name: str, show: bool = True) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=name, show=show)
    group.add_to(fmap)
    return group


def _geojson(data: dict[str, Any], style: Any, **kwargs: Any) -> folium.GeoJson:
    tooltip = (
        folium.GeoJsonTooltip(fields=["tip"], labels=False) if kwargs.pop("tips", True) else None
    )
    return folium.GeoJson(data, style_function=style, tooltip=tooltip, **kwargs)


def boundary_layer(fmap: folium.Map, city: Any, districts: Any, streets: Any) -> None:
    """Draw the city, district and street boundaries, with district names as labels."""
    group = _group(fmap, "边界 Boundaries")
    for data, style in (
        (streets, {"color": "#777777", "weight": 0.8, "dashArray": "3 3"}),
        (districts, {"color": "#333333", "weight": 2}),
        (city, {"color": "#111111", "weight": 3}),
    ):
        folium.GeoJson(
            data,
            style_function=lambda _, s=style: feature_style(fill=False, **s),
            interactive=False,
        ).add_to(group)
    for feature in districts["features"]:
        props = feature["properties"]
        folium.Marker(
            [props["label_lat"], props["label_lon"]],
            icon=folium.DivIcon(html=f'<div class="wm-label">{html.escape(props["name"])}</div>'),
            interactive=False,
        ).add_to(group)


def community_layer(fmap: folium.Map, communities: dict[str, Any]) -> None:
    """Fill each community by the share of its riders within reach of an open station."""
    for feature in communities["features"]:
        p = feature["properties"]
        share = p.get("covered_share")
        p["tip"] = _tip(
            f"{p['name']} ({p['adcode']})",
            f"骑手 riders: {p.get('riders', 0)}, 已覆盖 covered: {p.get('covered_riders', 0)}",
            f"覆盖率 covered share: {share:.0%}" if share is not None else "无骑手 no riders",
        )
    _geojson(
        communities,
        lambda f: feature_style(
            color="#ffffff",
            weight=0.5,
            fillColor=share_colour(f["properties"].get("covered_share")),
            fillOpacity=0.45,
        ),
    ).add_to(_group(fmap, "社区覆盖率 Community coverage"))


def gap_layer(fmap: folium.Map, gaps: dict[str, Any]) -> None:
    """Draw the gap cells coloured by their riders."""
    for feature in gaps["features"]:
        p = feature["properties"]
        distance = p["nearest_station_m"]
        p["tip"] = _tip(
            f"缺口网格 gap cell {p['h3']}",
            f"骑手 riders: {p['riders']} ({p['outlets']} 网点 outlets)",
            f"最近驿站 nearest station: {distance / 1000:.1f} km" if distance else "无 none",
            " · ".join(filter(None, (p["community_name"], p["street_name"], p["district_name"]))),
        )
    _geojson(
        gaps,
        lambda f: feature_style(
            color="#2d004b", weight=1.5, fillColor=riders_colour(f["properties"]["riders"]),
            fillOpacity=0.85,
        ),
    ).add_to(_group(fmap, "缺口网格 Gap cells"))  # fmt: skip


def outlet_layer(fmap: folium.Map, outlets: dict[str, Any], threshold_m: float) -> None:
    """Draw the outlets sized by riders: black out of reach, white covered."""
    for feature in outlets["features"]:
        p = feature["properties"]
        reach = "已覆盖 covered" if p["covered"] else f"{threshold_m:g} m 内无驿站 out of reach"
        p["tip"] = _tip(p["name"], f"骑手 riders: {p['riders']}", reach)
    _geojson(
        outlets,
        lambda f: feature_style(
            fill=True,
            radius=outlet_radius(f["properties"]["riders"]),
            color="#444444" if f["properties"]["covered"] else "#ffffff",
            weight=1,
            fillColor=OUTLET_COVERED if f["properties"]["covered"] else OUTLET_UNCOVERED,
        ),
        marker=folium.CircleMarker(),
    ).add_to(_group(fmap, "网点 Outlets"))


def station_layer(fmap: folium.Map, stations: dict[str, Any]) -> None:
    """Draw the stations: blue when open, grey rings when closed or suspended."""
    for feature in stations["features"]:
        p = feature["properties"]
        p["tip"] = _tip(
            p["name"],
            f"{p['kind']} · {p['status']}",
            p["address"],
            f"电话 phone: {p['phone']}" if p["phone"] else None,
            f"开放时间 hours: {p['hours_text']}" if p["hours_text"] else None,
            ", ".join(p["amenities"] or []),
        )
    _geojson(
        stations,
        lambda f: feature_style(
            fill=True,
            radius=6,
            color="#ffffff" if f["properties"]["status"] == "open" else STATION_CLOSED,
            weight=1.5 if f["properties"]["status"] == "open" else 2,
            fillColor=STATION_OPEN if f["properties"]["status"] == "open" else "#ffffff",
        ),
        marker=folium.CircleMarker(),
        popup=folium.GeoJsonPopup(fields=["tip"], labels=False),
        tips=False,
    ).add_to(_group(fmap, "驿站 Stations"))
