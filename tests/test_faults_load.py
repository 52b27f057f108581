"""Loads under faults: killed mid-batch, two of one table at once, cancelled, driver errors.

Each load runs as a user runs it, ``python -m warmmap_cli load``, against the module's own
database (loads commit).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg2
import psycopg2.errors
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from etl.load import load_file
from etl.write.failures import refusal
from geo_api.batches.reading import get_batch
from geo_api.batches.running import ABANDONED, LOCK_CLASS, lock_key
from geo_api.errors import DatabaseUnavailable, InvalidInput
from geo_api.settings import get_settings
from tests.loadutil import count, scalars

INDEXES = "SELECT indexname FROM pg_indexes WHERE tablename = 'outlets'"
# Long enough to stop waiting for a process that will never do what is awaited; never reached
# when the code works.
PATIENCE_S = 120


def outlets_csv(path: Path, n: int) -> Path:
    rng = np.random.default_rng(11)
    pd.DataFrame(
        {
            "id": [f"K{i}" for i in range(n)],
            "name": [f"网点{i}" for i in range(n)],
            "lon": rng.uniform(103.9, 104.3, n).round(6),
            "lat": rng.uniform(30.5, 30.8, n).round(6),
        }
    ).to_csv(path, index=False)
    return path


def start_load(url: str, path: Path, *options: str) -> subprocess.Popen:
    env = os.environ | {"WARMMAP_DATABASE_URL": url, "LC_ALL": "C.UTF-8"}
    command = [sys.executable, "-m", "warmmap_cli", "load", "outlets", str(path), "--crs", "wgs84"]
    return subprocess.Popen(
        [*command, *options], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for(probe, process: subprocess.Popen | None = None):
    """Poll ``probe`` until it answers something, while ``process`` (if any) still runs."""
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline and (process is None or process.poll() is None):
        found = probe()
        if found:
            return found
        time.sleep(0.02)
    return None


def backend_running(engine, query_prefix: str) -> int | None:
    sql = (
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND application_name = 'warmmap' AND state = 'active' AND query ILIKE :pattern"
    )
    pids = scalars(engine, sql, pattern=f"%{query_prefix}%")
    return pids[0] if pids else None


def outlets_lock_holder(engine) -> int | None:
    sql = (
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = :c "
        "AND objid = :k"
    )
    pids = scalars(engine, sql, c=LOCK_CLASS, k=lock_key("outlets"))
    return pids[0] if pids else None


def test_a_load_killed_mid_batch_leaves_no_rows_no_locks_and_a_failed_batch(
    db_url_engine, tmp_path
):
    url, engine = db_url_engine
    indexes_before = set(scalars(engine, INDEXES))
    process = start_load(url, outlets_csv(tmp_path / "outlets.csv", 50_000))
    # Killed while the upsert into outlets runs: by then the staged rows and (this batch is big)
    # the dropped indexes are all in its open transaction, and the server is busy inserting.
    pid = wait_for(lambda: backend_running(engine, "INSERT INTO outlets"), process)
    assert pid is not None, "the load finished or failed before its upsert was seen"
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    # The server notices the client is gone (client_connection_check_interval) and ends the
    # statement, instead of running it to its end with its locks held.
    assert wait_for(lambda: not scalars(engine, "SELECT 1 FROM pg_stat_activity WHERE pid = :p",
                                        p=pid)), "the killed load's backend did not end"  # fmt: skip
    assert not scalars(engine, "SELECT 1 FROM pg_locks WHERE pid = :p", p=pid)
    with engine.connect() as reader:
        # A reader of outlets answers instead of queueing behind the dead load's locks.
        reader.execute(text("SET lock_timeout = '5s'"))
        assert reader.execute(text("SELECT count(*) FROM outlets")).scalar_one() == 0
        (batch_id,) = reader.execute(text("SELECT id FROM load_batches")).scalars()
        shown = get_batch(reader, batch_id)
    assert (shown["status"], shown["failure"]) == ("failed", ABANDONED)
    for table in ("outlets", "rejected_rows", "audit_log"):
        assert count(engine, table) == 0, table
    indexes_after = set(scalars(engine, INDEXES))
    assert indexes_after == indexes_before and "ix_outlets_geog" in indexes_after
    foreign_keys = scalars(
        engine,
        "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = 'outlets'::regclass",
    )
    assert foreign_keys == ["fk_outlets_batch_id_load_batches"]
    # The next load of outlets marks the dead batch failed for good.
    load_file(engine, "outlets", outlets_csv(tmp_path / "small.csv", 3), crs="wgs84")
    rows = scalars(engine, "SELECT status || ': ' || coalesce(failure, '') FROM load_batches "
                           "ORDER BY id")  # fmt: skip
    assert rows == [f"failed: {ABANDONED}", "committed: "]


def waiting_for_advisory_lock(engine) -> int | None:
    sql = (
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
    )
    pids = scalars(engine, sql)
    return pids[0] if pids else None


def test_two_loads_of_one_table_run_one_after_the_other(db_url_engine, tmp_path):
    url, engine = db_url_engine
    path = outlets_csv(tmp_path / "outlets.csv", 300)
    with engine.connect() as blocker:
        # Hold the first load inside its batch (it waits to write outlets), as a big file would.
        transaction = blocker.begin()
        blocker.execute(text("LOCK TABLE outlets IN SHARE MODE"))
        first = start_load(url, path, "--source", "顺丰")
        holder = wait_for(lambda: outlets_lock_holder(engine), first)
        assert holder is not None, "the first load ended before it took the lock of outlets"
        # The same file and source at once (they deadlocked): one gives up, one waits.
        impatient = start_load(url, path, "--source", "顺丰", "--wait", "0")
        second = start_load(url, path, "--source", "顺丰")
        _, refused = impatient.communicate(timeout=PATIENCE_S)
        assert impatient.returncode == 2
        assert refused.startswith(
            f"error: another load of outlets is running (server process {holder}, since "
        )
        assert refused.count("\n") == 1 and "--wait SECONDS" in refused
        assert wait_for(lambda: waiting_for_advisory_lock(engine), second) is not None
        transaction.rollback()
    first_out, first_err = first.communicate(timeout=PATIENCE_S)
    assert first.returncode == 0, first_err
    second_out, waited = second.communicate(timeout=PATIENCE_S)
    assert second.returncode == 0, waited
    assert waited.startswith(f"another load of outlets is running (server process {holder}")
    assert waited.rstrip().endswith(": waiting up to 600 s for it to finish")
    assert first_out.splitlines()[0].endswith(
        ": 300 inserted, 0 updated, 0 rejected, 0 flagged, 0 skipped"
    )
    assert second_out.splitlines()[0].endswith(
        ": 0 inserted, 0 updated, 0 rejected, 0 flagged, 0 skipped"
    )
    statuses = scalars(engine, "SELECT status FROM load_batches ORDER BY id")
    assert statuses == ["committed", "committed"]
    assert count(engine, "outlets") == 300


def test_a_load_the_database_cancels_fails_in_one_line_and_keeps_its_batch_failed(
    db, tmp_path, monkeypatch
):
    monkeypatch.setenv("WARMMAP_LOAD_STATEMENT_TIMEOUT_S", "2")
    get_settings.cache_clear()
    path = outlets_csv(tmp_path / "outlets.csv", 300)
    try:
        with db.connect() as blocker, blocker.begin():
            # The load's write waits on this lock until its statement timeout cancels it.
            blocker.execute(text("LOCK TABLE outlets IN SHARE MODE"))
            with pytest.raises(DatabaseUnavailable) as cancelled:
                load_file(db, "outlets", path, crs="wgs84")
    finally:
        get_settings.cache_clear()
    detail = cancelled.value.detail
    assert detail.startswith("the database cancelled the load: canceling statement due to ")
    assert "WARMMAP_LOAD_STATEMENT_TIMEOUT_S" in detail and "\n" not in detail
    assert count(db, "outlets") == 0 and count(db, "rejected_rows") == 0
    with db.connect() as connection:
        batch = connection.execute(text("SELECT status, failure FROM load_batches")).one()
    assert tuple(batch) == ("failed", detail)


@pytest.mark.parametrize(
    ("error", "kind", "says"),
    [
        # COPY runs on psycopg2's own cursor: its errors arrive unwrapped.
        (psycopg2.errors.CharacterNotInRepertoire("invalid byte sequence for encoding \"UTF8\": 0x00\nCONTEXT:  COPY etl_staging, line 1"), InvalidInput, "the database refused the batch: invalid byte sequence"),
        (psycopg2.errors.NumericValueOutOfRange("integer out of range"), InvalidInput, "the database refused the batch: integer out of range"),
        (psycopg2.OperationalError("server closed the connection unexpectedly\n\tThis probably means"), DatabaseUnavailable, "database unavailable: server closed the connection unexpectedly"),
        (OperationalError("INSERT ...", {}, psycopg2.OperationalError("could not connect")), DatabaseUnavailable, "database unavailable: could not connect"),
    ],
)  # fmt: skip
def test_every_driver_error_of_the_bulk_path_is_one_line(error, kind, says):
    refused = refusal(error)
    assert isinstance(refused, kind)
    assert refused.detail == says or refused.detail.startswith(says)
    assert "\n" not in refused.detail
