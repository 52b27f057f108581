"""What every scenario shares: a server to measure, timing, and the results file."""

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg2

from geo_api.settings import DEFAULT_DATABASE_URL

RESULTS = Path(__file__).parent / "results"


def database_url() -> str:
    return os.environ.get("WARMMAP_DATABASE_URL", DEFAULT_DATABASE_URL)


def bench_database(name: str, *, fresh: bool = False) -> str:
    """Return the URL of database ``name`` on the configured server, with PostGIS and migrated.

    It is created when missing (dropped first when ``fresh``), so runs can reuse generated data.
    """
    from alembic import command
    from sqlalchemy.engine import make_url

    from geo_api.migrate import alembic_config

    server = make_url(database_url())
    admin = psycopg2.connect(server.set(database="postgres").render_as_string(False))
    admin.autocommit = True
    with admin.cursor() as cursor:
        if fresh:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    url = server.set(database=name).render_as_string(False)
    command.upgrade(alembic_config(url), "head")  # the first migration creates PostGIS
    return url


def drop_bench_database(name: str) -> None:
    """Drop database ``name`` on the configured server."""
    from sqlalchemy.engine import make_url

    server = make_url(database_url())
    admin = psycopg2.connect(server.set(database="postgres").render_as_string(False))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    """Run ``command`` (listening on ``port``) with ``env`` added; yield its base URL once up."""
    process = subprocess.Popen(
        command, env=os.environ | env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def running_server(
    url: str | None = None,
    workers: int = 1,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
) -> AbstractContextManager[str]:
    """Run ``warmmap serve ARGS`` in a child process (with ``env`` added); yield its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "warmmap_cli", "serve", "--port", str(port),
               "--workers", str(workers), *args]  # fmt: skip
    return serving(command, {"WARMMAP_DATABASE_URL": url or database_url()} | (env or {}), port)


def floor_server(url: str) -> AbstractContextManager[str]:
    """Serve ``bench.nearest_floor`` (the bare ASGI KNN answer) as warmmap is served."""
    port = free_port()
    command = [sys.executable, "-m", "bench.nearest_floor", "--port", str(port)]
    return serving(command, {"WARMMAP_DATABASE_URL": url}, port)


def wait_until_serving(base: str, timeout_s: float = 120) -> None:
    """Wait for the app: uvicorn's parent listens long before its workers have imported it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"warmmap serve did not answer /healthz within {timeout_s:.0f} s")


def time_calls(call: Callable[[], object], n: int, warmup: int = 50) -> list[float]:
    """Call ``call`` ``warmup`` times, then ``n`` times; return each latency in milliseconds."""
    for _ in range(warmup):
        call()
    latencies = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def summary(latencies_ms: list[float]) -> dict[str, float]:
    """Median, p99 and calls per second of a list of latencies."""
    ordered = sorted(latencies_ms)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 4),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 4),
        "per_s": round(1000 * len(ordered) / sum(ordered), 1),
    }


def write_result(name: str, result: dict[str, Any]) -> Path:
    """Write ``result`` with the machine and time to ``bench/results/NAME.json``."""
    RESULTS.mkdir(exist_ok=True)
    record = {
        "scenario": name,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        **result,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


TIPG_PYTHON = Path(__file__).parent / ".venv-tipg" / "bin" / "python"


def tipg_server(env: dict[str, str]) -> AbstractContextManager[str]:
    """Serve tipg (its own venv, ``make bench`` makes it) with two workers under ``env``."""
    port = free_port()
    command = [str(TIPG_PYTHON), "-m", "uvicorn", "tipg.main:app", "--port", str(port),
               "--workers", "2"]  # fmt: skip
    return serving(command, env, port)
