"""The layers benchmark's data: the demo in a database of its own, views for tipg, request lists.

tipg serves tables and views as they are, so it is given views (schema ``tipg_bench``) holding
exactly the properties warmmap's registry puts in tiles: the same columns, the amenities joined
with commas, the communities' coverage figures from the same ``community_coverage`` rows.
"""

import math
import tempfile
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from bench.harness import bench_database
from etl.demo.defaults import DEFAULT_SEED
from etl.demo.install import install_demo
from geo_api.database import sqlalchemy_url
from tiles.coverage import refresh_community_coverage
from tiles.layers import LAYERS
from tiles.mvt import tile_columns

BENCH_DB = "warmmap_bench_layers"
CHENGDU = "510100"
CENTRE = (104.066, 30.657)
LAYER_IDS = ("stations", "outlets", "communities")
ZOOMS = range(10, 17)
THRESHOLD_M = 1000.0

VIEW = """
CREATE VIEW tipg_bench.{layer} AS
SELECT {id} AS id, {columns}, c.geom
FROM ({candidates}) AS c
{enrichment}
"""


def demo_database() -> tuple[str, Engine]:
    """Return the URL and an engine of the benchmark's database, the demo loaded once."""
    url = bench_database(BENCH_DB)
    engine = create_engine(sqlalchemy_url(url))
    with engine.connect() as connection:
        loaded = connection.execute(
            text("SELECT 1 FROM admin_areas WHERE adcode = :c"), {"c": CHENGDU}
        ).first()
    if not loaded:
        with tempfile.TemporaryDirectory() as folder:
            install_demo(engine, Path(folder), DEFAULT_SEED)
    with Session(engine) as session:
        refresh_community_coverage(session, {"threshold_m": THRESHOLD_M})
        session.commit()
    create_views(engine)
    return url, engine


def create_views(engine: Engine) -> None:
    """(Re)create tipg's views: one per layer, the registry's tile properties and the geometry."""
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS tipg_bench CASCADE"))
        connection.execute(text("CREATE SCHEMA tipg_bench"))
        for layer_id in LAYER_IDS:
            layer = LAYERS[layer_id]
            columns = tile_columns(layer).replace(f"{layer.mvt_id_sql} AS mvt_id, ", "")
            sql = VIEW.format(
                layer=layer_id,
                id=layer.mvt_id_sql,
                columns=columns,
                candidates=layer.candidates.format(where="true"),
                enrichment=layer.enrichment,
            ).replace(":threshold_m", str(THRESHOLD_M))
            connection.execute(text(sql))


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def tile_list(per_zoom: int = 30, seed: int = 11) -> list[tuple[int, int, int]]:
    """A fixed list of z10-z16 tiles of Chengdu, dense near the centre like the data."""
    rng = np.random.default_rng(seed)
    tiles = []
    for z in ZOOMS:
        for lon, lat in zip(
            rng.normal(CENTRE[0], 0.12, per_zoom),
            rng.normal(CENTRE[1], 0.10, per_zoom),
            strict=True,
        ):
            tiles.append((z, *tile_of(float(lon), float(lat), z)))
    return tiles


def bbox_list(n: int = 200, seed: int = 12) -> list[tuple[float, float, float, float]]:
    """Boxes of 0.02 to 0.2 degrees over Chengdu, for items pages of 100."""
    rng = np.random.default_rng(seed)
    boxes = []
    for _ in range(n):
        size = float(rng.uniform(0.02, 0.2))
        lon = float(rng.normal(CENTRE[0], 0.15))
        lat = float(rng.normal(CENTRE[1], 0.12))
        boxes.append((round(lon - size / 2, 5), round(lat - size / 2, 5),
                      round(lon + size / 2, 5), round(lat + size / 2, 5)))  # fmt: skip
    return boxes
