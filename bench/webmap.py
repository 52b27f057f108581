"""The web map's worker view: bytes of JavaScript and CSS it loads, and time to drawn stations.

Over the ``nearest`` scenario's stations (200,000; ``WARMMAP_BENCH_SCALE`` scales them), served
by ``warmmap serve`` on loopback, the system Chromium (SwiftShader WebGL, as the browser tests)
opens ``/map?lon&lat`` for ``ROUNDS`` points and waits for the nearest list. Time to first drawn
stations: the page's ``warmmap:stations-drawn`` mark (set when the list and markers are drawn),
from navigation start (and ``warmmap:start``, when MapLibre and our modules are loaded and
parsed, and ``warmmap:map-created``), with a cold cache (a new browser context each time) and a
warm one (the same context). Baseline, in the same run: ``GET /stations/nearest`` for the same
points alone, over urllib, so the ratio says what the page adds to the answer it draws.
"""

import gzip
import os
import statistics
import time
import urllib.request
from typing import Any
from urllib.parse import urlencode

from playwright.sync_api import BrowserContext, sync_playwright

from bench.harness import running_server
from bench.nearest_data import bench_url, prepare, query_points

SCALE = float(os.environ.get("WARMMAP_BENCH_SCALE", "1.0"))
STATIONS = max(1000, int(200_000 * SCALE))
ROUNDS = 12
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
READY = "[data-testid=nearest-list][data-state=ready]"
DRAWN = "() => performance.getEntriesByName('warmmap:stations-drawn')[0].startTime"
STARTED = "() => performance.getEntriesByName('warmmap:start')[0].startTime"
MAP_CREATED = "() => performance.getEntriesByName('warmmap:map-created')[0].startTime"
NEAREST = (
    "() => performance.getEntriesByType('resource')"
    ".filter(e => e.name.includes('/stations/nearest'))"
    ".map(e => e.responseEnd - e.startTime)[0]"
)


def open_map(context: BrowserContext, base: str, lon: float, lat: float) -> dict[str, float]:
    """Open the worker view at a point; return when the stations were drawn and the API's share."""
    page = context.new_page()
    page.goto(f"{base}/map?{urlencode({'lon': lon, 'lat': lat})}")
    page.wait_for_selector(READY, timeout=60_000)
    timing = {
        "drawn_ms": page.evaluate(DRAWN),
        "started_ms": page.evaluate(STARTED),
        "map_created_ms": page.evaluate(MAP_CREATED),
        "nearest_fetch_ms": page.evaluate(NEAREST),
    }
    page.close()
    return timing


def asset_bytes(context: BrowserContext, base: str, lon: float, lat: float) -> dict[str, Any]:
    """Bytes of every script and style the page loads (MapLibre's worker included)."""
    sizes: dict[str, int] = {}

    def keep(response: Any) -> None:
        if "/map-assets/" in response.url and response.ok:
            sizes[response.url.split("/map-assets/")[1]] = len(response.body())

    context.on("response", keep)
    open_map(context, base, lon, lat)
    worker = "vendor/maplibre-gl-csp-worker.js"
    if worker not in sizes:  # a worker's own request is not always seen as the page's
        with urllib.request.urlopen(f"{base}/map-assets/{worker}") as response:
            sizes[worker] = len(response.read())
    bodies = {}
    for name in sizes:
        with urllib.request.urlopen(f"{base}/map-assets/{name}") as response:
            bodies[name] = response.read()
    ours = {n: len(b) for n, b in bodies.items() if not n.startswith("vendor/")}
    return {
        "files": dict(sorted(sizes.items())),
        "total_bytes": sum(sizes.values()),
        "gzip_bytes": sum(len(gzip.compress(b, 6)) for b in bodies.values()),
        "ours_bytes": sum(ours.values()),
        "maplibre_bytes": sum(sizes.values()) - sum(ours.values()),
    }


def api_alone(base: str, points: list[tuple[float, float]]) -> list[float]:
    latencies = []
    for lon, lat in points:
        start = time.perf_counter()
        with urllib.request.urlopen(
            f"{base}/stations/nearest?{urlencode({'lon': lon, 'lat': lat})}"
        ) as r:
            r.read()
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


def run() -> dict[str, Any]:
    data = prepare(STATIONS)
    points = query_points(ROUNDS + 1)
    with running_server(bench_url()) as base, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        assets = asset_bytes(browser.new_context(), base, *points[0])
        api_alone(base, points[:3])  # warm the server's connections
        cold, warm = [], []
        for lon, lat in points[1:]:
            context = browser.new_context()
            cold.append(open_map(context, base, lon, lat))
            context.close()
        context = browser.new_context()
        open_map(context, base, *points[0])
        for lon, lat in points[1:]:
            warm.append(open_map(context, base, lon, lat))
        context.close()
        api = api_alone(base, points[1:])
        browser.close()
    drawn_cold = median([t["drawn_ms"] for t in cold])
    drawn_warm = median([t["drawn_ms"] for t in warm])
    api_ms = median(api)
    return {
        **data,
        "rounds": ROUNDS,
        "assets": assets,
        "drawn_cold_ms": drawn_cold,
        "drawn_warm_ms": drawn_warm,
        "scripts_ready_cold_ms": median([t["started_ms"] for t in cold]),
        "scripts_ready_warm_ms": median([t["started_ms"] for t in warm]),
        "map_created_cold_ms": median([t["map_created_ms"] for t in cold]),
        "nearest_fetch_in_page_ms": median([t["nearest_fetch_ms"] for t in cold + warm]),
        "baseline_api_alone_ms": api_ms,
        "ratio_cold_to_api": round(drawn_cold / api_ms, 1),
        "ratio_warm_to_api": round(drawn_warm / api_ms, 1),
    }


def report(result: dict[str, Any]) -> str:
    assets = result["assets"]
    return (
        f"webmap: JS+CSS {assets['total_bytes'] / 1024:.0f} KiB "
        f"({assets['gzip_bytes'] / 1024:.0f} KiB gzipped; "
        f"ours {assets['ours_bytes'] / 1024:.0f} KiB, "
        f"MapLibre {assets['maplibre_bytes'] / 1024:.0f} KiB); stations drawn after "
        f"{result['drawn_cold_ms']} ms cold, {result['drawn_warm_ms']} ms warm (median of "
        f"{result['rounds']}); /stations/nearest alone {result['baseline_api_alone_ms']} ms: "
        f"{result['ratio_cold_to_api']}x cold, {result['ratio_warm_to_api']}x warm"
    )
