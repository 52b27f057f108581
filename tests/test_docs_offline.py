"""/docs (Swagger UI) and /redoc render in a real Chromium with nothing fetched off this machine."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import LiveServer, LoopbackPage, is_loopback, screenshot

# Anything that would make the page load from elsewhere: an absolute URL or a protocol-relative one.
EXTERNAL_URL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", re.IGNORECASE)
RENDER_TIMEOUT_MS = 30_000


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_reference_pages_name_no_outside_url(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert EXTERNAL_URL.findall(response.text) == []
    assert "fonts.googleapis" not in response.text
    for asset in re.findall(r"""(?:src|href)=["']([^"']+)["']""", response.text):
        assert asset.startswith("/"), asset
        assert client.get(asset).status_code == 200, asset


def operations(client) -> list[tuple[str, str]]:
    document = client.get("/openapi.json").json()
    return [(method, path) for path, item in document["paths"].items() for method in item]


def assert_stayed_home(page: LoopbackPage) -> None:
    assert page.offsite == [], f"requests left 127.0.0.1: {page.offsite}"
    assert page.traffic.requests, "the page made no request at all"
    # ReDoc's sidebar asks a CDN for its logo: the pages' policy refuses it before any network.
    elsewhere = [url for url in page.traffic.requests if not is_loopback(url)]
    assert elsewhere == page.traffic.refused, page.traffic.requests
    assert page.traffic.errors == []


def test_swagger_ui_renders_every_operation_offline(live_server: LiveServer, page, client):
    browser_page = page.page
    browser_page.goto(live_server.url + "/docs")
    nearest = browser_page.locator(".opblock-summary-path[data-path='/stations/nearest']")
    expect(nearest).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    # Swagger UI breaks long paths with zero-width spaces; the reader sees the path.
    assert nearest.inner_text().replace("\u200b", "") == "/stations/nearest"
    expect(browser_page.locator(".opblock")).to_have_count(len(operations(client)))
    # The API-key scheme gives the Authorize button, which asks for X-API-Key.
    browser_page.locator("button.authorize").first.click()
    dialog = browser_page.locator(".dialog-ux .modal-ux")
    expect(dialog).to_contain_text("X-API-Key")
    expect(dialog).to_contain_text("grid_manager")
    browser_page.locator(".dialog-ux .close-modal").click()
    screenshot(browser_page, "docs")
    assert_stayed_home(page)


def test_redoc_renders_the_operations_offline(live_server: LiveServer, page, client):
    browser_page = page.page
    browser_page.goto(live_server.url + "/redoc")
    title = browser_page.get_by_role("heading", name="warmmap", exact=False).first
    expect(title).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    nearest = browser_page.get_by_text("/stations/nearest", exact=True).first
    expect(nearest).to_be_attached()
    nearest.scroll_into_view_if_needed()
    expect(nearest).to_be_visible()
    menu = browser_page.locator("[role=menuitem]")
    assert menu.count() >= len(operations(client))
    screenshot(browser_page, "redoc")
    assert_stayed_home(page)
