"""``warmmap load`` and ``warmmap rejects`` as a user runs them, and a load killed midway."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from tests.loadutil import count, scalars

FIXTURES = Path(__file__).parent / "fixtures" / "load"
INDEXES = "SELECT indexname FROM pg_indexes WHERE tablename = 'outlets'"


def warmmap(url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = os.environ | {"WARMMAP_DATABASE_URL": url} | (env or {})
    command = [sys.executable, "-m", "warmmap_cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_load_prints_the_batch_and_rejects_lists_its_rows(db_url_engine):
    url, engine = db_url_engine
    done = warmmap(url, "load", "stations", str(FIXTURES / "stations_gcj02.csv"), "--crs", "gcj02")
    assert done.returncode == 0, done.stderr
    (batch_id,) = scalars(engine, "SELECT max(id) FROM load_batches")
    assert done.stdout == f"batch {batch_id}: 3 inserted, 0 updated, 4 rejected\n"
    assert done.stderr == ""  # no progress bar when stderr is not a terminal
    listed = warmmap(url, "rejects", str(batch_id))
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["4", "5", "6", "7"]
    assert "swapped" in lines[0].split("\t")[1]
    assert '"名称": "坐标颠倒的驿站"' in lines[0].split("\t")[2]
    again = warmmap(url, "load", "stations", str(FIXTURES / "stations_gcj02.csv"), "--crs", "gcj02")
    assert again.stdout.endswith(": 0 inserted, 0 updated, 4 rejected\n")


def test_map_names_columns_the_aliases_do_not_know(db_url_engine, tmp_path):
    url, engine = db_url_engine
    path = tmp_path / "outlets.csv"
    path.write_text("代号,网点,东经,北纬\nA1,顺丰春熙,104.05,30.55\n", encoding="utf-8")
    args = ["load", "outlets", str(path), "--crs", "wgs84", "--source", "sf"]
    mapped = ["--map", "external_id=代号", "--map", "name=网点", "--map", "lon=东经"]
    mapped += ["--map", "lat=北纬"]
    done = warmmap(url, *args, *mapped)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(": 1 inserted, 0 updated, 0 rejected\n")
    with engine.connect() as connection:
        row = connection.execute(text("SELECT source, external_id, name FROM outlets")).one()
    assert tuple(row) == ("sf", "A1", "顺丰春熙")


def test_times_without_an_offset_are_in_the_configured_time_zone(db_url_engine, tmp_path):
    # A station sheet from Kashgar's street office, its times written in Xinjiang time (UTC+6).
    url, engine = db_url_engine
    path = tmp_path / "stations.csv"
    path.write_text("名称,经度,纬度,核验时间\n喀什暖新驿站,75.99,39.47,2025-01-03 10:00\n")
    env = {"WARMMAP_TIMEZONE": "Asia/Urumqi"}
    done = warmmap(url, "load", "stations", str(path), "--crs", "wgs84", env=env)
    assert done.returncode == 0, done.stderr
    with engine.connect() as connection:
        verified = connection.execute(
            text(
                "SELECT to_char(last_verified_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM stations"
            )
        ).scalar_one()
    assert verified == "2025-01-03 04:00"


def test_an_unknown_time_zone_is_one_line(db_url_engine, tmp_path):
    url, engine = db_url_engine
    path = FIXTURES / "stations_gcj02.csv"
    done = warmmap(
        url,
        "load",
        "stations",
        str(path),
        "--crs",
        "gcj02",
        env={"WARMMAP_TIMEZONE": "Mars/Olympus"},
    )
    assert done.returncode == 2
    assert done.stderr == (
        "error: WARMMAP_TIMEZONE: unknown time zone 'Mars/Olympus': "
        "use an IANA name, e.g. Asia/Shanghai\n"
    )
    assert count(engine, "load_batches") == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["load", "outlets", "nowhere.csv", "--crs", "wgs84"], "no such file"),
        (["load", "outlets", "outlets.xlsx", "--crs", "gauss"], "gauss"),
        (["load", "outlets", "outlets.xlsx", "--crs", "wgs84", "--map", "lon"], "FIELD=COLUMN"),
        (["load", "outlets", "liaisons_bom.csv", "--crs", "wgs84"], "lon"),
        (["load", "boundaries", "districts.geojson", "--crs", "wgs84", "--level", "moon"], "moon"),
        (["load", "rivers", "outlets.xlsx", "--crs", "wgs84"], "unknown kind"),
        (["rejects", "999999"], "no batch 999999"),
    ],
)
def test_unprocessable_input_exits_2_with_one_line(db_url_engine, args, message):
    url, engine = db_url_engine
    args = [str(FIXTURES / a) if a.endswith((".csv", ".xlsx", ".geojson")) else a for a in args]
    done = warmmap(url, *args)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    assert message in done.stderr
    assert done.stdout == ""
    assert count(engine, "load_batches") == 0


def outlets_csv(path: Path, n: int) -> None:
    rng = np.random.default_rng(11)
    pd.DataFrame(
        {
            "id": [f"K{i}" for i in range(n)],
            "name": [f"网点{i}" for i in range(n)],
            "lon": rng.uniform(103.9, 104.3, n).round(6),
            "lat": rng.uniform(30.5, 30.8, n).round(6),
        }
    ).to_csv(path, index=False)


def backend_of(engine, database: str, query_prefix: str) -> int | None:
    sql = (
        "SELECT pid FROM pg_stat_activity WHERE datname = :db AND application_name = 'warmmap' "
        "AND state = 'active' AND query ILIKE :pattern"
    )
    pids = scalars(engine, sql, db=database, pattern=f"%{query_prefix}%")
    return pids[0] if pids else None


def test_a_load_killed_midway_leaves_the_database_as_it_was(db_url_engine, tmp_path):
    url, engine = db_url_engine
    path = tmp_path / "outlets.csv"
    outlets_csv(path, 120_000)
    database = engine.url.database
    indexes_before = set(scalars(engine, INDEXES))
    env = os.environ | {"WARMMAP_DATABASE_URL": url}
    command = [sys.executable, "-m", "warmmap_cli", "load", "outlets", str(path), "--crs", "wgs84"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    # Kill it while the upsert into outlets runs: by then the batch row, the staged rows and
    # (this batch is big) the dropped indexes are all in its open transaction.
    deadline = time.monotonic() + 120
    pid = None
    while pid is None and process.poll() is None and time.monotonic() < deadline:
        pid = backend_of(engine, database, "INSERT INTO outlets")
        time.sleep(0.02)
    assert pid is not None, "the load finished or failed before its upsert was seen"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    while scalars(engine, "SELECT pid FROM pg_stat_activity WHERE pid = :pid", pid=pid):
        assert time.monotonic() < deadline, "the killed load's backend did not end"
        time.sleep(0.1)
    assert process.returncode == -signal.SIGKILL
    for table in ("outlets", "load_batches", "rejected_rows", "audit_log"):
        assert count(engine, table) == 0, table
    indexes_after = set(scalars(engine, INDEXES))
    assert indexes_after == indexes_before and "ix_outlets_geog" in indexes_after
    foreign_keys = scalars(
        engine,
        "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = 'outlets'::regclass",
    )
    assert foreign_keys == ["fk_outlets_batch_id_load_batches"]
