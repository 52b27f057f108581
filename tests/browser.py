"""Browser tests' fixtures: a live warmmap server and a real headless Chromium that may not leave it.

``tests/conftest.py`` registers this module as a plugin, so any test may ask for its fixtures:

- ``live_server``: the real app served by uvicorn on a free port of 127.0.0.1, on the test
  database (``database_url``). Requests go through the app's own engine, so a test that needs
  data commits it (and removes it) itself.
- ``browser``: the system Chromium (``/usr/bin/chromium``, installed by ``scripts/bootstrap-tools``)
  driven by Playwright. Playwright's own browser downloads are never used: ``playwright install``
  must not run, and a missing Chromium fails the test, it never skips.
- ``page``: a fresh page whose every request is recorded; a request to any host other than the
  loopback is aborted and kept in ``page.offsite``, so a test asserts that list is empty.
  Requests the page's own Content-Security-Policy refused never reach the network; they are
  kept in ``page.traffic.refused``.

Screenshots go to ``tests/output/`` (git-ignored): ``screenshot(page, "name")``.
"""

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Playwright, Request, Route, sync_playwright

from geo_api.main import create_app
from geo_api.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    # WebGL without a GPU, for the web map's MapLibre (software rendering through SwiftShader).
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
OUTPUT = Path(__file__).parent / "output"
STARTUP_TIMEOUT_S = 20.0


@dataclass
class LiveServer:
    """A warmmap server running in a thread of the test process."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread


@pytest.fixture(scope="session")
def live_server(database_url: str) -> Iterator[LiveServer]:
    """Serve the real app on a free loopback port for the whole session."""
    app = create_app(Settings(database_url=database_url))
    # Bound here, before the server starts, so the port is ours without a race.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail(f"the live server did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", server, thread)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver (shipped in its wheel; it downloads nothing here)."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """The system's headless Chromium."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/bootstrap-tools (make test does)")
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@dataclass
class Traffic:
    """What a page asked for: every request, and those stopped for leaving the loopback."""

    requests: list[str] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    # Uncaught exceptions of the page's scripts, and what its console reported as errors.
    errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


class LoopbackPage:
    """A Playwright page and what it requested (``page.page`` drives it)."""

    def __init__(self, page: Page, traffic: Traffic) -> None:
        self.page = page
        self.traffic = traffic

    @property
    def offsite(self) -> list[str]:
        """Return the requests that tried to leave the loopback (each was aborted)."""
        return self.traffic.offsite


def is_loopback(url: str) -> bool:
    """Return whether ``url`` stays on this machine (or needs no network: data:, blob:, file:)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "file"):  # file: a page opened from disk
        return True
    return parts.hostname in LOOPBACK_HOSTS


@pytest.fixture
def page(browser: Browser) -> Iterator[LoopbackPage]:
    """A new page in its own context; requests that leave the loopback are aborted and kept."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", service_workers="block"
    )
    traffic = Traffic()

    def guard(route: Route) -> None:
        url = route.request.url
        if is_loopback(url):
            route.continue_()
        else:
            traffic.offsite.append(url)
            route.abort()

    def record(request: Request) -> None:
        traffic.requests.append(request.url)

    def failed(request: Request) -> None:
        if request.failure == "csp":
            traffic.refused.append(request.url)

    context.route("**/*", guard)
    context.on("request", record)
    context.on("requestfailed", failed)
    page = context.new_page()
    page.on("pageerror", lambda error: traffic.errors.append(str(error)))
    page.on(
        "console",
        lambda message: message.type == "error" and traffic.console_errors.append(message.text),
    )
    yield LoopbackPage(page, traffic)
    context.close()


def screenshot(page: Page, name: str) -> Path:
    """Save a screenshot of the viewport as ``tests/output/<name>.png`` and return its path."""
    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
