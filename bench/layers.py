"""Issue 11: warmmap's tiles and items against tipg, on the same database, views and settings.

Both servers run with two workers, one at a time (alternately, never at once), over the demo
loaded through the ETL (``bench/layers_data.py``): the same extent (4096), buffer (256), feature
cap (10,000) and properties, tipg reading views that hold exactly warmmap's tile properties.
Caches off on both sides (``WARMMAP_TILE_CACHE_MB=0``; tipg has none). wrk (``make bench``
installs it) cycles through a fixed list of z10-z16 Chengdu tiles per layer, then through
``bbox`` pages of 100 outlets. Before timing, both sides' answers are compared: the features
meeting each tile (decoded), and ``numberReturned``/``numberMatched`` of each page.

Reported apart: warmmap's tiles from its cache, and the 304 path (If-None-Match).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx
import mapbox_vector_tile
from shapely.geometry import box, shape
from sqlalchemy.engine import make_url

from bench.harness import TIPG_PYTHON, running_server, tipg_server
from bench.layers_data import LAYER_IDS, bbox_list, demo_database, tile_list

LUA = Path(__file__).with_name("layers.lua")
SCALE = float(os.environ.get("WARMMAP_BENCH_SCALE", "1.0"))
DURATION_S = max(3, round(10 * min(SCALE, 1.0)))
ROUNDS = 2
CONNECTIONS = 8
GOAL = {"tiles": 1.5, "items": 1.0}


def tipg_env(url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "TIPG_DB_SCHEMAS": '["tipg_bench"]',
        "TIPG_DB_FUNCTIONS": "[]",
        "TIPG_TILE_RESOLUTION": "4096",
        "TIPG_TILE_BUFFER": "256",
        "TIPG_TILE_CLIP": "true",
        "TIPG_MAX_FEATURES_PER_TILE": "10000",
        "TIPG_MAX_FEATURES_PER_QUERY": "10000",
        "TIPG_SET_MVT_LAYERNAME": "true",
        "TIPG_DB_MAX_CONN_SIZE": "10",
    }


@contextmanager
def warmmap_server(url: str, cache_mb: float) -> Iterator[str]:
    os.environ["WARMMAP_TILE_CACHE_MB"] = str(cache_mb)
    try:
        with running_server(url, workers=2) as base:
            yield base
    finally:
        del os.environ["WARMMAP_TILE_CACHE_MB"]


def paths(side: str, tiles: list[tuple[int, int, int]], layer: str) -> list[str]:
    if side == "warmmap":
        return [f"/tiles/{layer}/{z}/{x}/{y}.mvt" for z, x, y in tiles]
    return [
        f"/collections/tipg_bench.{layer}/tiles/WebMercatorQuad/{z}/{x}/{y}" for z, x, y in tiles
    ]


def item_paths(side: str, boxes: Sequence[tuple[float, ...]]) -> list[str]:
    root = "/ogc/collections/outlets" if side == "warmmap" else "/collections/tipg_bench.outlets"
    return [f"{root}/items?limit=100&bbox={','.join(map(str, b))}" for b in boxes]


def wrk(base: str, lines: list[str]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(lines) + "\n")
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{DURATION_S}s",
        "-s",
        str(LUA),
        base,
        "--",
        f.name,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(f.name)
    found = json.loads(output.split("WRK_JSON", 1)[1].strip().splitlines()[0])
    seconds = found["duration_us"] / 1e6
    return {
        "requests": found["requests"],
        "per_s": round(found["requests"] / seconds, 1),
        "p50_ms": round(found["p50_us"] / 1000, 2),
        "p99_ms": round(found["p99_us"] / 1000, 2),
        "errors": found["socket_errors"] + found["non_2xx"],
    }


def features_in_tile(data: bytes, layer: str) -> tuple[int, int]:
    """Features meeting the tile proper, counted tight and loose by one snapped unit."""
    if not data:
        return 0, 0
    features = mapbox_vector_tile.decode(data).get(layer, {"features": []})["features"]
    shapes = [shape(f["geometry"]) for f in features]
    return sum(s.intersects(box(1, 1, 4095, 4095)) for s in shapes), sum(
        s.intersects(box(-1, -1, 4097, 4097)) for s in shapes
    )


def fetch_all(base: str, lines: list[str]) -> list[httpx.Response]:
    with httpx.Client(base_url=base, timeout=60) as client:
        return [client.get(path) for path in lines]


def tile_counts(
    base: str, side: str, tiles: list[tuple[int, int, int]], layer: str
) -> list[tuple[int, int]]:
    return [features_in_tile(r.content if r.status_code == 200 else b"", layer)
            for r in fetch_all(base, paths(side, tiles, layer))]  # fmt: skip


def item_counts(base: str, side: str, boxes: Sequence[tuple[float, ...]]) -> list[tuple[int, int]]:
    return [(r.json()["numberReturned"], r.json()["numberMatched"])
            for r in fetch_all(base, item_paths(side, boxes))]  # fmt: skip


def agreement(ours: list[tuple[int, int]], theirs: list[tuple[int, int]]) -> dict[str, Any]:
    """Tiles whose feature counts agree, within the features lying on a tile's edge."""
    agree = sum(o[0] <= t[1] and t[0] <= o[1] for o, t in zip(ours, theirs, strict=True))
    return {"tiles": len(ours), "agree": agree, "features": sum(o[0] for o in ours)}


def measure(
    url: str, tiles: list[tuple[int, int, int]], boxes: Sequence[tuple[float, ...]]
) -> dict[str, Any]:
    """Alternate warmmap (cache off) and tipg, ROUNDS times, on every layer and on items."""
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {}
    checks: dict[str, Any] = {}
    for round_ in range(ROUNDS):
        for side in ("warmmap", "tipg"):
            server = warmmap_server(url, 0) if side == "warmmap" else tipg_server(tipg_env(url))
            with server as base:
                if round_ == 0:
                    checks[side] = {
                        layer: tile_counts(base, side, tiles, layer) for layer in LAYER_IDS
                    }
                    checks[side]["items"] = item_counts(base, side, boxes)
                for layer in LAYER_IDS:
                    lines = paths(side, tiles, layer)
                    wrk(base, lines[: len(lines) // 3])  # warm the workers and their pools
                    runs.setdefault(layer, {}).setdefault(side, []).append(wrk(base, lines))
                lines = item_paths(side, boxes)
                wrk(base, lines[:50])
                runs.setdefault("items", {}).setdefault(side, []).append(wrk(base, lines))
    same = {
        layer: agreement(checks["warmmap"][layer], checks["tipg"][layer]) for layer in LAYER_IDS
    }
    same["items"] = {
        "pages": len(boxes),
        "agree": sum(
            o == t for o, t in zip(checks["warmmap"]["items"], checks["tipg"]["items"], strict=True)
        ),
    }
    return {"runs": runs, "same_counts": same}


def cached_and_304(url: str, tiles: list[tuple[int, int, int]]) -> dict[str, Any]:
    """warmmap with its cache: tiles from memory, and revalidation answered 304."""
    found: dict[str, Any] = {}
    with warmmap_server(url, 64) as base:
        for layer in LAYER_IDS:
            lines = paths("warmmap", tiles, layer)
            responses = fetch_all(base, lines)  # fills the cache of whichever worker answers
            wrk(base, lines)  # both workers' caches
            cached = wrk(base, lines)
            tagged = [f"{p}\t{r.headers['etag']}" for p, r in zip(lines, responses, strict=True)]
            found[layer] = {"cached": cached, "not_modified": wrk(base, tagged)}
    return found


def mean_per_s(runs: list[dict[str, Any]]) -> float:
    return round(sum(r["per_s"] for r in runs) / len(runs), 1)


def best_per_s(runs: list[dict[str, Any]]) -> float:
    """The best round: on a shared machine, the one least slowed by other jobs."""
    return max(r["per_s"] for r in runs)


def run() -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing: `make bench` installs it (apt-get install wrk)")
    if not TIPG_PYTHON.exists():
        raise RuntimeError("tipg's venv is missing: `make bench` creates bench/.venv-tipg")
    load_before = os.getloadavg()[0]
    url, engine = demo_database()
    engine.dispose()
    tiles, boxes = tile_list(), bbox_list()
    measured = measure(url, tiles, boxes)
    ratios = {
        name: round(mean_per_s(sides["warmmap"]) / mean_per_s(sides["tipg"]), 2)
        for name, sides in measured["runs"].items()
    }
    best = {
        name: round(best_per_s(sides["warmmap"]) / best_per_s(sides["tipg"]), 2)
        for name, sides in measured["runs"].items()
    }
    tile_ratio = round(
        sum(mean_per_s(measured["runs"][layer]["warmmap"]) for layer in LAYER_IDS)
        / sum(mean_per_s(measured["runs"][layer]["tipg"]) for layer in LAYER_IDS),
        2,
    )
    return {
        "database": make_url(url).database,
        "tiles": len(tiles),
        "zooms": "10-16, Chengdu",
        "item_pages": len(boxes),
        "duration_s": DURATION_S,
        "rounds": ROUNDS,
        "connections": CONNECTIONS,
        "servers": "warmmap serve --workers 2 (WARMMAP_TILE_CACHE_MB=0) | "
        "uvicorn tipg.main:app --workers 2",
        "tipg": tipg_version(),
        **measured,
        "ratios_per_s": ratios,
        "ratios_best_round": best,
        "tiles_ratio_all_layers": tile_ratio,
        "cached": cached_and_304(url, tiles),
        "load_average_1m": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "cpus": os.cpu_count(),
        "goal": "tiles >= 1.5x tipg without cache; items no slower (>= 1.0x)",
    }


def tipg_version() -> str:
    done = subprocess.run(
        [str(TIPG_PYTHON), "-c", "import tipg; print(tipg.__version__)"],
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def report(result: dict[str, Any]) -> str:
    lines = [f"layers: {result['tiles']} tiles (z{result['zooms']}), {result['item_pages']} bbox "
             f"pages, {result['duration_s']} s x {result['rounds']} rounds, tipg {result['tipg']}, "
             f"load {result['load_average_1m']}"]  # fmt: skip
    for name, sides in result["runs"].items():
        w, t = mean_per_s(sides["warmmap"]), mean_per_s(sides["tipg"])
        same = result["same_counts"][name]
        ratio = result["ratios_per_s"][name]
        total = same.get("tiles", same.get("pages"))
        lines.append(
            f"  {name:12} warmmap {w:8.1f}/s  tipg {t:8.1f}/s  ratio {ratio}x"
            f"  same counts {same['agree']}/{total}"
        )
    lines.append(f"  tiles, all three layers: {result['tiles_ratio_all_layers']}x (goal 1.5x)")
    for layer, c in result["cached"].items():
        cached, revalidated = c["cached"]["per_s"], c["not_modified"]["per_s"]
        lines.append(f"  {layer:12} cached {cached:8.1f}/s  304 {revalidated:8.1f}/s")
    return "\n".join(lines)


if __name__ == "__main__":
    outcome = run()
    print(report(outcome))
    sys.exit(0)
