"""``warmmap export-map``: a city's report as one HTML file that opens with no network.

The page holds everything: Leaflet and jQuery inlined from their packages (``assets``), the
city's own boundaries as the base map (no tile server), community coverage, gap cells, outlets and
stations as layers with a layer control, a title with the city's totals, and a legend.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import folium
import shapely
from shapely.geometry import shape
from sqlalchemy.orm import Session

from geo_api.report import layers
from geo_api.report.assets import offline_map
from geo_api.report.data import CityReport, read_city
from geo_api.report.style import legend, title

# Times on the map are the place's local time (the settings' timezone; this is its default).
DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class ExportedMap:
    """What was written: the file, its size and the features of each layer."""

    path: Path
    bytes: int
    stations: int
    outlets: int
    gap_cells: int
    communities: int


def _local(moment: datetime, timezone: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%Y-%m-%d %H:%M} UTC{local:%z}"


def summary_lines(report: CityReport, res: int, threshold_m: float, timezone: str) -> list[str]:
    """Return the title panel's lines: the city, then the totals the map shows."""
    name = report.city["features"][0]["properties"]["name"]
    totals, gaps = report.coverage["totals"], report.gaps
    share = totals["covered_share"]
    refreshed = _local(datetime.fromisoformat(gaps["refreshed_at"]), timezone)
    return [
        f"{name} ({report.coverage['city']}) 暖新驿站覆盖 Warm-station coverage",
        f"覆盖半径 reach {threshold_m:g} m · H3 res {res} · 网格更新 cells refreshed {refreshed}"
        + (" (已过期 stale)" if gaps["stale"] else ""),
        f"骑手 riders {totals['riders']} · 已覆盖 covered "
        + (f"{share:.1%}" if share is not None else "–")
        + f" · 未覆盖 uncovered {totals['uncovered_riders']} (按网点 by outlet)",
        f"缺口网格 gap cells {gaps['uncovered']['cells']} · 其中骑手 riders "
        f"{gaps['uncovered']['riders']} (按网格中心 by cell centre)",
        f"生成 made {_local(datetime.now(UTC), timezone)}",
    ]


def report_map(
    report: CityReport, res: int, threshold_m: float, timezone: str = DEFAULT_TIMEZONE
) -> folium.Map:
    """Return the map of a city's report: base boundaries, layers, control, title, legend."""
    boundary = shapely.union_all([shape(f["geometry"]) for f in report.city["features"]])
    west, south, east, north = boundary.bounds
    fmap = offline_map(location=[(south + north) / 2, (west + east) / 2], zoom_start=10)
    layers.community_layer(fmap, report.communities)
    layers.gap_layer(fmap, report.gaps)
    layers.boundary_layer(fmap, report.city, report.districts, report.streets)
    layers.outlet_layer(fmap, report.outlets, threshold_m)
    layers.station_layer(fmap, report.stations)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    title(summary_lines(report, res, threshold_m, timezone)).add_to(fmap)
    legend(threshold_m).add_to(fmap)
    return fmap


def city_map(
    session: Session,
    city: str,
    res: int = 9,
    threshold_m: float = 1000.0,
    timezone: str = DEFAULT_TIMEZONE,
) -> folium.Map:
    """Return the report map of ``city`` (NotFound without its boundary or coverage cells)."""
    return report_map(read_city(session, city, res, threshold_m), res, threshold_m, timezone)


def export_map(
    session: Session,
    city: str,
    out: Path,
    res: int = 9,
    threshold_m: float = 1000.0,
    timezone: str = DEFAULT_TIMEZONE,
) -> ExportedMap:
    """Write the report map of ``city`` to ``out`` as one self-contained HTML file."""
    report = read_city(session, city, res, threshold_m)
    page = report_map(report, res, threshold_m, timezone).get_root().render()
    out.write_text(page, encoding="utf-8")
    return ExportedMap(
        path=out,
        bytes=len(page.encode("utf-8")),
        stations=len(report.stations["features"]),
        outlets=len(report.outlets["features"]),
        gap_cells=len(report.gaps["features"]),
        communities=len(report.communities["features"]),
    )
