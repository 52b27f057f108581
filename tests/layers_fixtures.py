"""Session fixtures for the map layers: a demo database of their own, and a live server on it.

- ``layers_database_url``: a database (``warmmap_test_layers_…``, dropped at the end) with the
  demo loaded through ``install_demo`` and the coverage of Chengdu and Pudong refreshed at
  res 9, so that every layer has features. Unlike ``demo_database_url`` it may be written to
  by tests that say so (the invalidation tests edit stations through the live server).
- ``layers_server``: ``uvicorn`` serving the app on a free port over that database, with the
  change log read on every request (``WARMMAP_TILE_CHANGE_POLL_S=0``), for real clients.
- ``liaison_words``: every liaison's name and phone from the demo's ``liaisons.csv``, as
  ``(names, phones)``.
"""

import csv
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from etl.demo.install import DEFAULT_SEED, DemoFile, install_demo
from geo_api.coverage.refresh import refresh_city
from geo_api.database import sqlalchemy_url
from geo_api.migrate import alembic_config
from tests.dbutil import create_database, drop_database

CHENGDU, PUDONG = "510100", "310115"


@pytest.fixture(scope="session")
def layers_database_url(demo_files: tuple[Path, list[DemoFile]]) -> Iterator[str]:
    folder, _ = demo_files
    url = create_database("warmmap_test_layers")
    try:
        command.upgrade(alembic_config(url), "head")
        engine = create_engine(sqlalchemy_url(url))
        install_demo(engine, folder, DEFAULT_SEED)
        with Session(engine) as session:
            for city in (CHENGDU, PUDONG):
                refresh_city(session, city, 9)
            session.commit()
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        engine.dispose()
        yield url
    finally:
        drop_database(url)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(database_url: str, **settings: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start uvicorn on the app over ``database_url``; return the process and its base URL."""
    port = free_port()
    env = os.environ | {"WARMMAP_DATABASE_URL": database_url, "WARMMAP_TILE_CHANGE_POLL_S": "0"}
    env |= {f"WARMMAP_{name.upper()}": value for name, value in settings.items()}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "geo_api.main:create_app", "--factory",
         "--port", str(port), "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                if response.status == 200:
                    return process, base
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("the live server did not answer /healthz within 120 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="session")
def layers_server(layers_database_url: str) -> Iterator[str]:
    process, base = start_server(layers_database_url)
    yield base
    stop_server(process)


@pytest.fixture(scope="session")
def liaison_words(demo_files: tuple[Path, list[DemoFile]]) -> tuple[set[str], set[str]]:
    folder, _ = demo_files
    with open(folder / "liaisons.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    names = {row["name"].strip() for row in rows if row["name"].strip()}
    phones = {row["phone"].strip() for row in rows if row["phone"].strip()}
    assert len(rows) > 1000 and len(names) > 500 and len(phones) > 1000  # the demo's liaisons
    return names, phones
