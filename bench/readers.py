"""Readers during a load: a process that asks for the nearest outlets in a loop.

A rider's query must not wait for a data officer's batch. ``readers_during(url, points)``
runs a child process that issues a plain KNN on ``outlets`` (the query a DBA would write)
back to back, each at the next of ``points``, and yields; on exit it returns every latency.
A load that takes a lock readers wait for shows as a p99 (and a maximum) as long as the
lock is held.
"""

import multiprocessing
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.synchronize import Event

import numpy as np
import psycopg2

KNN_SQL = (
    "SELECT id FROM outlets ORDER BY geom::geography <-> "
    "ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography LIMIT 5"
)


def _read(
    url: str, points: np.ndarray, stop: Event, out: "multiprocessing.Queue[list[float]]"
) -> None:
    connection = psycopg2.connect(url)
    connection.autocommit = True
    latencies = []
    with connection.cursor() as cursor:
        i = 0
        while not stop.is_set():
            lon, lat = points[i % len(points)]
            start = time.perf_counter()
            cursor.execute(KNN_SQL, (float(lon), float(lat)))
            cursor.fetchall()
            latencies.append((time.perf_counter() - start) * 1000)
            i += 1
            # A rider's phone, not a load generator: leave the cores to the load.
            time.sleep(0.01)
    connection.close()
    out.put(latencies)


@contextmanager
def readers_during(url: str, points: np.ndarray) -> Iterator[list[float]]:
    """Run one reader process while the body runs; the yielded list gets its latencies (ms)."""
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    out: multiprocessing.Queue[list[float]] = context.Queue()
    process = context.Process(target=_read, args=(url, points, stop, out), daemon=True)
    process.start()
    latencies: list[float] = []
    time.sleep(1.0)  # let it connect before the load starts
    try:
        yield latencies
    finally:
        stop.set()
        latencies.extend(out.get(timeout=600))
        process.join(timeout=10)


def latency_summary(latencies_ms: list[float]) -> dict[str, float]:
    """Count, median, p99 and maximum of the readers' latencies in milliseconds."""
    if not latencies_ms:
        return {"n": 0}
    ordered = np.sort(np.asarray(latencies_ms))
    return {
        "n": len(ordered),
        "p50_ms": round(float(np.median(ordered)), 2),
        "p99_ms": round(float(np.quantile(ordered, 0.99)), 2),
        "max_ms": round(float(ordered[-1]), 2),
    }
