"""``warmmap export-map`` on the demo: one HTML file that draws every layer with the network cut,
checked in the system's headless Chromium against counts taken from the database."""

import os
import re
import subprocess
import sys

import folium
import numpy as np
import pytest
from folium.plugins import MarkerCluster
from pyproj import Geod
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.coverage.gaps import coverage_gaps
from geo_api.coverage.refresh import refresh_city
from geo_api.errors import NotFound
from geo_api.report.assets import RemoteAsset, offline_map
from tests.browser import screenshot

CHENGDU, RES, THRESHOLD_M = "510100", 8, 1000.0
LAYERS = {
    "communities": "社区覆盖率 Community coverage",
    "gaps": "缺口网格 Gap cells",
    "boundaries": "边界 Boundaries",
    "outlets": "网点 Outlets",
    "stations": "驿站 Stations",
}
GEOD = Geod(ellps="WGS84")
PHONE = {"width": 412, "height": 915}
DESKTOP = {"width": 1400, "height": 900}


@pytest.fixture(scope="module")
def chengdu_cells(demo_engine):
    """Chengdu's cells at res 8, as the notebook test refreshes them (same data, same rows)."""
    with Session(demo_engine) as session, session.begin():
        try:
            if not coverage_gaps(session, CHENGDU, RES, THRESHOLD_M, 1, 1).stale:
                return
        except NotFound:
            pass
        refresh_city(session, CHENGDU, RES)


def expected_counts(engine) -> dict[str, int]:
    """What each layer should draw, counted in SQL and with pyproj, not by the report code."""
    with engine.connect() as connection:
        levels = dict(
            connection.execute(
                text(
                    "WITH RECURSIVE t AS (SELECT adcode, level FROM admin_areas WHERE adcode = :c "
                    "UNION ALL SELECT a.adcode, a.level FROM admin_areas a "
                    "JOIN t ON a.parent_adcode = t.adcode) SELECT level, count(*) FROM t GROUP BY level"
                ),
                {"c": CHENGDU},
            ).all()
        )
        gaps = connection.execute(
            text(
                "SELECT count(*) FROM coverage_cells WHERE city_adcode = :c AND res = :r "
                "AND riders > 0 AND (nearest_station_m IS NULL OR nearest_station_m > :t)"
            ),
            {"c": CHENGDU, "r": RES, "t": THRESHOLD_M},
        ).scalar()
        inside = "JOIN admin_areas c ON c.adcode = :c WHERE ST_Covers(c.geom, x.geom)"
        stations = connection.execute(
            text(f"SELECT ST_X(x.geom), ST_Y(x.geom), x.status FROM stations x {inside}"),
            {"c": CHENGDU},
        ).all()
        outlets = connection.execute(
            text(f"SELECT ST_X(x.geom), ST_Y(x.geom) FROM outlets x {inside}"), {"c": CHENGDU}
        ).all()
    open_ = np.array([(x, y) for x, y, status in stations if status == "open"])
    points = np.array(outlets)
    _, _, distance = GEOD.inv(
        np.repeat(points[:, 0], len(open_)),
        np.repeat(points[:, 1], len(open_)),
        np.tile(open_[:, 0], len(points)),
        np.tile(open_[:, 1], len(points)),
    )
    covered = (distance.reshape(len(points), len(open_)) <= THRESHOLD_M).any(axis=1)
    return {
        "communities": levels["community"],
        "gaps": gaps,
        "boundaries": 1 + levels["district"] + levels["street"],
        "outlets": len(outlets),
        "stations": len(stations),
        "districts": levels["district"],
        "uncovered_outlets": int((~covered).sum()),
    }


def city_extent(engine) -> tuple[float, float, float, float]:
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) "
                "FROM admin_areas WHERE adcode = :c"
            ),
            {"c": CHENGDU},
        ).one()
    return tuple(row)


def export(url, out, *args):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "warmmap_cli",
            "export-map",
            "--city",
            CHENGDU,
            "--out",
            str(out),
            *args,
        ],
        env={**os.environ, "WARMMAP_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )


def drawn_paths(page) -> int:
    return page.locator(".leaflet-overlay-pane path").count()


def show_only(page, name: str | None) -> None:
    """Tick only the named overlay in the layer control (None: untick all)."""
    for label in LAYERS.values():
        box = page.get_by_label(label, exact=True)
        if box.is_checked() != (label == name):
            box.click()


def test_the_exported_map_draws_every_layer_offline(
    demo_database_url, demo_engine, chengdu_cells, page, tmp_path
):
    out = tmp_path / "chengdu.html"
    done = export(demo_database_url, out, "--res", str(RES))
    assert done.returncode == 0, done.stderr
    expected = expected_counts(demo_engine)
    assert f"{expected['stations']} stations, {expected['outlets']} outlets" in done.stdout
    page_text = out.read_text(encoding="utf-8")
    # no script or stylesheet linked from anywhere: everything is inline
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=", page_text)
    assert page_text.count("<script>") >= 2  # Leaflet and jQuery, inlined

    traffic = page.traffic
    page = page.page  # the Playwright page; traffic keeps what it asked for
    page.set_viewport_size(DESKTOP)
    page.goto(out.as_uri())
    page.wait_for_selector(".leaflet-overlay-pane path")
    total = sum(expected[layer] for layer in LAYERS)
    assert drawn_paths(page) == total
    uncovered = page.locator('.leaflet-overlay-pane path[fill="#111111"]').count()
    assert uncovered == expected["uncovered_outlets"] > 0
    assert page.locator(".wm-label").count() == expected["districts"]
    assert "成都市 (510100)" in page.get_by_test_id("title").inner_text()
    assert "缺口网格骑手数" in page.get_by_test_id("legend").inner_text()
    screenshot(page, "export-map-chengdu-desktop")
    for layer, label in LAYERS.items():
        show_only(page, label)
        assert drawn_paths(page) == expected[layer], layer
    show_only(page, None)
    assert drawn_paths(page) == 0
    for label in LAYERS.values():
        page.get_by_label(label, exact=True).click()
    assert drawn_paths(page) == total

    # on a phone the map fills the screen, the city fits its width and the panels start folded
    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_selector(".leaflet-overlay-pane path")
    container = page.locator(".folium-map").bounding_box()
    assert container and container["width"] == PHONE["width"]
    assert container["height"] == PHONE["height"]
    # where the map puts the city's corners (its state, not a frame of an animation): with GPU
    # compositing (the web map's SwiftShader flags) Leaflet animates the fit from its start zoom
    west, south, east, north = city_extent(demo_engine)
    page.wait_for_function(
        """([south, west, north, east]) => {
            const map = window[document.querySelector(".folium-map").id];
            const zoom = map.getBoundsZoom([[south, west], [north, east]]);
            return !map._animatingZoom && map.getZoom() === zoom;
        }""",
        arg=[south, west, north, east],
    )
    corners = page.evaluate(
        """([south, west, north, east]) => {
            const map = window[document.querySelector(".folium-map").id];
            return [map.latLngToContainerPoint([north, west]), map.latLngToContainerPoint([south, east])];
        }""",
        [south, west, north, east],
    )
    (left, top), (right, bottom) = ((c["x"], c["y"]) for c in corners)
    assert 0 <= left < right <= PHONE["width"] and 0 <= top < bottom <= PHONE["height"]
    assert right - left >= PHONE["width"] * 0.6
    assert page.locator("[data-testid=legend] details[open]").count() == 0
    assert page.locator("[data-testid=title] details[open]").count() == 0
    assert drawn_paths(page) == total
    screenshot(page, "export-map-chengdu-phone")
    assert traffic.offsite == [] and traffic.errors == [] and traffic.console_errors == []
    assert all(url.startswith(("file:", "data:")) for url in traffic.requests)


def test_export_without_coverage_cells_fails_in_one_line(
    demo_database_url, chengdu_cells, tmp_path
):
    done = export(demo_database_url, tmp_path / "x.html", "--res", "5")
    assert done.returncode == 2 and not (tmp_path / "x.html").exists()
    assert done.stderr.strip() == (
        f"error: no coverage cells for city {CHENGDU} at res 5: "
        f"run warmmap coverage refresh --city {CHENGDU} --res 5"
    )
    done = export(demo_database_url, tmp_path / "missing" / "x.html", "--res", str(RES))
    assert done.returncode == 2 and done.stderr.startswith("error: cannot write")


def test_a_map_that_would_load_from_a_cdn_is_refused():
    fmap = offline_map(location=[30.6, 104.0])
    folium.CircleMarker([30.6, 104.0], radius=3).add_to(fmap)
    assert "<script>" in fmap.get_root().render()  # Leaflet inline
    clustered = offline_map(location=[30.6, 104.0])
    MarkerCluster().add_to(clustered)
    with pytest.raises(RemoteAsset, match="markercluster"):
        clustered.get_root().render()
