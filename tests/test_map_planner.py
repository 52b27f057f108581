"""The web map's planner view in a real Chromium: the API's gaps, coverage, plan and cases."""

from playwright.sync_api import expect

from tests.browser import LoopbackPage
from tests.map_world import MapWorld, assert_clean, map_screenshot


def open_planner(world: MapWorld, page: LoopbackPage, size: tuple[int, int], lang: str = "zh"):
    browser_page = page.page
    browser_page.set_viewport_size({"width": size[0], "height": size[1]})
    url = f"{world.server}/map?view=planner&lang={lang}&city={world.district}"
    browser_page.goto(url)
    browser_page.locator("[data-testid=api-key]").fill(world.key("planner"))
    browser_page.locator("[data-testid=key-save]").click()
    browser_page.wait_for_selector("[data-testid=gap-totals][data-state=ready]")
    # Typed once, kept in the tab's session storage, never in a URL.
    assert browser_page.evaluate("() => sessionStorage.getItem('warmmap.apiKey')") == world.key(
        "planner"
    )
    assert not any(world.key("planner") in url for url in page.traffic.requests)
    return browser_page


def test_the_planners_gap_count_and_totals_are_the_apis(map_world: MapWorld, page: LoopbackPage):
    browser_page = open_planner(map_world, page, (1280, 800))
    gaps = map_world.get("/coverage/gaps", city=map_world.district, threshold_m=1000)
    assert gaps["uncovered"]["cells"] > 0
    count = browser_page.locator("[data-testid=gap-count]")
    assert int(count.get_attribute("data-cells") or -1) == gaps["uncovered"]["cells"]
    streets = map_world.get(
        "/coverage/communities", city=map_world.district, threshold_m=1000, level="street"
    )
    by_outlet = browser_page.locator("[data-testid=uncovered-by-outlet]")
    assert (
        int(by_outlet.get_attribute("data-riders") or -1) == streets["totals"]["uncovered_riders"]
    )
    # Both ways of counting are explained, as the API explains them.
    notes = browser_page.locator("[data-testid=gap-totals] [data-note]")
    codes = set(notes.evaluate_all("els => els.map(e => e.dataset.note)"))
    assert {"measured_from_cell_centres", "measured_from_outlets"} <= codes
    rows = browser_page.locator("[data-testid=worst-areas] tbody tr")
    assert rows.evaluate_all("els => els.map(e => e.dataset.adcode)") == [
        a["adcode"] for a in streets["areas"]
    ]
    # A wider reach: fewer gap cells, again the API's figure.
    browser_page.locator("[data-testid=threshold]").select_option("3000")
    browser_page.locator("[data-testid=planner-show]").click()
    wider = map_world.get("/coverage/gaps", city=map_world.district, threshold_m=3000)
    expect(count).to_have_attribute("data-cells", str(wider["uncovered"]["cells"]))
    assert_clean(page)


def test_the_planner_plans_sites_and_sees_cases(map_world: MapWorld, page: LoopbackPage):
    browser_page = open_planner(map_world, page, (412, 915))
    browser_page.locator("[data-testid=plan-p]").fill("2")
    browser_page.locator("[data-testid=plan-run]").click()
    sites = browser_page.locator("[data-testid=plan-sites] tbody tr")
    expect(sites).to_have_count(2)
    expect(browser_page.locator("[data-testid=site-marker-2]")).to_have_count(1)
    points = browser_page.locator("[data-testid=coverage-curve] circle")
    expect(points).to_have_count(3)  # before, then one and two sites
    stats = browser_page.locator("[data-testid=case-stats] tbody tr")
    expect(stats.first).to_be_visible()
    browser_page.locator("[data-testid=coverage-curve]").scroll_into_view_if_needed()
    map_screenshot(browser_page, "map-planner-phone")
    browser_page.set_viewport_size({"width": 1280, "height": 800})
    map_screenshot(browser_page, "map-planner-desktop")
    assert_clean(page)
