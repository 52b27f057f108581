"""The web map's worker view in a real Chromium: the nearest stations as the API answers them."""

from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from geo_api.coords import wgs84_to_gcj02
from tests.browser import LoopbackPage
from tests.map_world import MapWorld, assert_clean, map_screenshot

HOME = (104.018, 30.622)  # in community A1, among the world's stations
READY = "[data-testid=nearest-list][data-state=ready]"


def listed(page: Page) -> list[int]:
    items = page.locator("[data-testid=nearest-list] [data-station-id]")
    return [int(v) for v in items.evaluate_all("els => els.map(e => e.dataset.stationId)")]


def api_order(world: MapWorld, **params) -> list[int]:
    return [f["properties"]["id"] for f in world.get("/stations/nearest", **params)["features"]]


def test_a_point_in_the_url_lists_the_apis_stations_in_order(
    map_world: MapWorld, page: LoopbackPage
):
    lon, lat = HOME
    browser_page = page.page
    browser_page.set_viewport_size({"width": 412, "height": 915})
    browser_page.goto(f"{map_world.server}/map?lon={lon}&lat={lat}")
    browser_page.wait_for_selector(READY)
    expected = api_order(map_world, lon=lon, lat=lat, k=5)
    assert len(expected) == 5
    assert listed(browser_page) == expected
    # Each listed station carries its navigation links from the API and its phone.
    first = browser_page.locator("[data-testid=nearest-list] [data-station-id]").first
    answer = map_world.get("/stations/nearest", lon=lon, lat=lat, k=5)["features"][0]
    amap = first.locator("[data-testid=nav-amap]").get_attribute("href")
    assert amap == answer["properties"]["navigation"]["amap"]
    expect(first.locator("[data-testid=station-phone]")).to_have_text("028-00001234")
    expect(browser_page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(browser_page.locator("[data-testid=locate-me]")).to_have_text("定位我")
    map_screenshot(browser_page, "map-worker-phone")
    assert_clean(page)


def test_a_click_lists_the_stations_of_that_point(map_world: MapWorld, page: LoopbackPage):
    browser_page = page.page
    browser_page.set_viewport_size({"width": 1280, "height": 800})
    browser_page.goto(f"{map_world.server}/map?lang=en&lon=104.05&lat=30.64")
    browser_page.wait_for_selector(READY)
    browser_page.wait_for_selector("[data-testid=map][data-state=loaded]")
    canvas = browser_page.locator("canvas.maplibregl-canvas")
    box = canvas.bounding_box()
    assert box is not None
    with browser_page.expect_response(lambda r: "/stations/nearest" in r.url) as asked:
        canvas.click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.7})
    query = parse_qs(urlsplit(asked.value.url).query)
    browser_page.wait_for_selector(READY)
    clicked = {"lon": float(query["lon"][0]), "lat": float(query["lat"][0])}
    assert clicked != {"lon": 104.05, "lat": 30.64}
    assert listed(browser_page) == api_order(map_world, **clicked, k=5)
    # Charging only: the list follows the API's filter, and the chosen station gets a line.
    with browser_page.expect_response(lambda r: "amenity=charging" in r.url):
        browser_page.locator("[data-testid=amenity-charging]").click()
    browser_page.wait_for_selector(READY)
    assert listed(browser_page) == api_order(map_world, **clicked, k=5, amenity="charging")
    expect(browser_page.locator("[data-testid=locate-me]")).to_have_text("Locate me")
    map_screenshot(browser_page, "map-worker-desktop")
    # The base map is our own layers: their TileJSON and tiles, from warmmap itself.
    asked = " ".join(page.traffic.requests)
    for layer in ("districts", "streets", "stations"):
        assert f"/tiles/{layer}.json" in asked
        assert f"/tiles/{layer}/" in asked
    assert_clean(page)


def test_a_rider_reports_a_problem_where_they_stand(map_world: MapWorld, page: LoopbackPage):
    # As a phone's Amap or WeChat gives the point: GCJ-02, named in the URL.
    lon, lat = HOME
    gcj = [float(v) for v in wgs84_to_gcj02(lon, lat)]
    browser_page = page.page
    browser_page.goto(f"{map_world.server}/map?lang=en&lon={gcj[0]}&lat={gcj[1]}&crs=gcj02")
    browser_page.wait_for_selector(READY)
    assert listed(browser_page) == api_order(map_world, lon=lon, lat=lat, k=5)
    browser_page.locator("[data-testid=report-here]").click()
    category = browser_page.locator("[data-testid=report-category]")
    expect(category.locator("option[value=no_rider_entry]")).to_have_count(1)
    category.select_option("no_rider_entry")
    browser_page.locator("[data-testid=report-description]").fill("the gate is locked for riders")
    browser_page.locator("[data-testid=report-submit]").click()
    receipt = browser_page.locator("[data-testid=report-receipt]")
    expect(receipt).to_be_visible()
    case_id = int(receipt.get_attribute("data-case-id") or 0)
    token = receipt.locator("code").inner_text()
    case = map_world.get(f"/cases/{case_id}", token=token)
    assert case["category"] == "no_rider_entry"
    stored = case["geometry"]["coordinates"]
    assert abs(stored[0] - lon) < 1e-5 and abs(stored[1] - lat) < 1e-5  # within a metre
    assert_clean(page)
