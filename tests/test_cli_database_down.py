"""Every command that touches the database answers one line, not a traceback, when it is down."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def closed_port_url() -> str:
    """A PostgreSQL URL whose port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql://postgres@127.0.0.1:{port}/warmmap"


@pytest.mark.parametrize(
    "args",
    [
        ["db", "upgrade"],
        ["load", "stations", str(FIXTURES / "load" / "stations_gcj02.csv"), "--crs", "gcj02"],
        ["load", "stations", str(FIXTURES / "sheets" / "锦江区驿站统计表_20240315_v2.xlsx")],
        ["rejects", "1"],
        ["rejects", "1", "--xlsx", "{tmp}/out.xlsx"],
        ["flagged", "1"],
        ["coverage", "refresh", "--city", "510100"],
        ["coverage", "batch", "--cities", "510100"],
        ["keys", "create", "--role", "admin", "--name", "ops"],
        ["demo", "--no-serve", "--out", "{tmp}/demo"],
    ],
    ids=lambda args: " ".join(a for a in args[:3] if not a.startswith(("/", "{"))),
)
def test_a_command_says_the_database_is_down_in_one_line(closed_port_url, tmp_path, args):
    env = os.environ | {
        "WARMMAP_DATABASE_URL": closed_port_url,
        "WARMMAP_DB_CONNECT_TIMEOUT_S": "1",
    }
    command = [sys.executable, "-m", "warmmap_cli", *(a.format(tmp=tmp_path) for a in args)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: database unavailable:"), done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stdout == ""
