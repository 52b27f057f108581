"""``warmmap serve`` beyond this machine only with a report salt of one's own."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from typer.testing import CliRunner

from geo_api.settings import get_settings
from warmmap_cli import app
from warmmap_cli.serve import is_loopback


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


SALT_LINE = (
    "error: WARMMAP_REPORT_SALT is the default: set it to a secret of your own to serve on {}\n"
)


@pytest.fixture
def environment(monkeypatch):
    """The CLI's environment, read afresh by each invocation."""
    monkeypatch.delenv("WARMMAP_REPORT_SALT", raising=False)
    monkeypatch.delenv("WARMMAP_HOST", raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "warmmap.example.org"])
def test_serving_beyond_loopback_with_the_default_salt_is_refused(environment, host):
    result = CliRunner().invoke(app, ["serve", "--host", host, "--port", "8102"])
    assert result.exit_code == 2
    assert result.stderr == SALT_LINE.format(host)
    assert result.stdout == ""


def test_an_empty_salt_is_refused_too(environment):
    environment.setenv("WARMMAP_REPORT_SALT", "")
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert result.stderr == SALT_LINE.format("0.0.0.0").replace("the default", "empty")


def test_the_host_setting_counts_like_the_option(environment):
    environment.setenv("WARMMAP_HOST", "0.0.0.0")
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2
    assert result.stderr == SALT_LINE.format("0.0.0.0")


def test_the_demo_refuses_before_loading_anything(environment):
    # A database that cannot be reached: the refusal comes first, not a connection error.
    environment.setenv("WARMMAP_DATABASE_URL", f"postgresql://postgres@127.0.0.1:{free_port()}/x")
    result = CliRunner().invoke(app, ["demo", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert result.stderr == SALT_LINE.format("0.0.0.0")


def test_loopback_addresses():
    assert all(map(is_loopback, ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "10.0.0.5", "warmmap.example.org"]))


def serve_until_healthy(database_url, host, salt=None):
    """Run ``warmmap serve``; return the status of /healthz (or why it ended) and its stderr."""
    port = free_port()
    env = os.environ | {"WARMMAP_DATABASE_URL": database_url}
    env.pop("WARMMAP_REPORT_SALT", None)
    if salt is not None:
        env["WARMMAP_REPORT_SALT"] = salt
    command = [sys.executable, "-m", "warmmap_cli", "serve", "--host", host, "--port", str(port)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    status = None
    deadline = time.monotonic() + 60
    while status is None and time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                status = r.status
        except OSError:
            time.sleep(0.3)
    process.terminate()
    _, stderr = process.communicate(timeout=10)
    return status, stderr


def test_loopback_serves_with_the_default_salt(database_url):
    status, stderr = serve_until_healthy(database_url, "127.0.0.1")
    assert status == 200, stderr


def test_all_interfaces_serve_with_a_salt_of_ones_own(database_url):
    status, stderr = serve_until_healthy(database_url, "0.0.0.0", salt="a secret of this city")
    assert status == 200, stderr
