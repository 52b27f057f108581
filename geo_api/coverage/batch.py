"""``coverage batch``: the coverage of many cities at once, on a Dask cluster.

The cities are a dask-geopandas frame, one city per partition, the largest first so that a
big city does not start last. Each partition runs on a worker with the same use-case as a
single refresh (``refresh_coverage``): its own connection to PostgreSQL, one transaction per
city, audited. The open stations are read once, by the caller, and sent to every worker: a
city's nearest station may lie in another city, so every task needs all of them.

Workers need this package installed and a route to the database (the URL is sent with the
tasks); the scheduler is ``local`` (a cluster in this process) or the address of a running one.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import dask_geopandas
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from distributed import Client, LocalCluster, get_worker
from shapely import wkb
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from geo_api.coverage.nearest import StationIndex
from geo_api.coverage.refresh import check_res, read_open_stations, refresh_coverage
from geo_api.database import sqlalchemy_url
from geo_api.errors import NotFound

CITY_BOUNDARIES = """
SELECT adcode, ST_AsBinary(geom) AS geom FROM admin_areas WHERE adcode = ANY(:cities)
"""
PROVINCE_CITIES = """
SELECT adcode FROM admin_areas
WHERE level = 'city' AND left(adcode, 2) = left(:province, 2) ORDER BY adcode
"""
OUTCOME = pd.DataFrame(
    {
        "city": pd.Series(dtype=str),
        "cells": pd.Series(dtype="int64"),
        "cells_with_riders": pd.Series(dtype="int64"),
        "seconds": pd.Series(dtype=float),
        "worker": pd.Series(dtype=str),
    }
)


@dataclass(frozen=True)
class BatchResult:
    """What a batch wrote: per city (a frame like ``OUTCOME``), in all, and how fast."""

    res: int
    workers: int
    cities: pd.DataFrame
    seconds: float

    @property
    def cells(self) -> int:
        """Return the cells written in all."""
        return int(self.cities["cells"].sum())

    @property
    def cells_per_s(self) -> float:
        """Return the cells written per second of the whole batch (wall clock)."""
        return self.cells / self.seconds if self.seconds else 0.0


def province_cities(session: Session, province: str) -> list[str]:
    """Return the adcodes of the loaded prefecture cities of ``province`` (its first 2 digits)."""
    cities = list(session.execute(text(PROVINCE_CITIES), {"province": province}).scalars())
    if not cities:
        raise NotFound(f"no city of province {province} is among the admin areas")
    return cities


def city_frame(session: Session, cities: list[str]) -> gpd.GeoDataFrame:
    """Return the cities and their boundaries, the largest first; NotFound names the missing."""
    rows = session.execute(text(CITY_BOUNDARIES), {"cities": cities}).all()
    missing = sorted(set(cities) - {row.adcode for row in rows})
    if missing:
        raise NotFound(f"cities not among the admin areas: {', '.join(missing)}")
    frame = gpd.GeoDataFrame(
        {"adcode": [row.adcode for row in rows]},
        geometry=[wkb.loads(bytes(row.geom)) for row in rows],
        crs=4326,
    )
    area = shapely.area(frame.geometry.to_numpy())  # degrees², only to order the cities
    return frame.iloc[np.argsort(-area, kind="stable")].reset_index(drop=True)


@dataclass(frozen=True)
class Batch:
    """What a batch needs before a cluster starts: the cities and the open stations."""

    res: int
    cities: gpd.GeoDataFrame
    stations: StationIndex


def prepare_batch(session: Session, cities: list[str], res: int) -> Batch:
    """Check the request and read what every task needs; errors come before any work."""
    check_res(res)
    return Batch(res, city_frame(session, cities), read_open_stations(session))


def run_batch(client: Client, database_url: str, batch: Batch, actor: str = "batch") -> BatchResult:
    """Refresh the batch's cities on ``client``'s cluster; one transaction per city."""
    started = time.perf_counter()
    shared = client.scatter(batch.stations, broadcast=True)
    partitions = dask_geopandas.from_geopandas(
        batch.cities, npartitions=len(batch.cities), sort=False
    )
    outcome = partitions.map_partitions(
        refresh_partition, database_url, batch.res, shared, actor, meta=OUTCOME
    ).compute()
    return BatchResult(
        res=batch.res,
        workers=len(client.scheduler_info()["workers"]),
        cities=outcome.reset_index(drop=True),
        seconds=time.perf_counter() - started,
    )


def refresh_partition(
    cities: gpd.GeoDataFrame, database_url: str, res: int, stations: StationIndex, actor: str
) -> pd.DataFrame:
    """Refresh each city of a partition (on a worker) in a transaction of its own."""
    engine = worker_engine(database_url)
    rows = []
    for city in cities["adcode"]:
        with Session(engine) as session, session.begin():
            result = refresh_coverage(session, city, res, actor, stations)
        rows.append((city, result.cells, result.cells_with_riders, result.seconds, _worker()))
    return pd.DataFrame(rows, columns=OUTCOME.columns).astype(OUTCOME.dtypes)


@cache
def worker_engine(database_url: str) -> Engine:
    """Return the worker process's engine for ``database_url``, created once."""
    return create_engine(sqlalchemy_url(database_url), pool_size=1, max_overflow=1)


def _worker() -> str:
    try:
        return str(get_worker().address)
    except ValueError:  # run outside a worker (dask's local schedulers)
        return "local"


@contextmanager
def dask_client(scheduler: str, workers: int) -> Iterator[Client]:
    """Yield a client of the scheduler at ``scheduler``, or of a local cluster of ``workers``.

    The local cluster's workers are processes of one thread each: the refresh's Python loops
    hold the GIL.
    """
    if scheduler != "local":
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
