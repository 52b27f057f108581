"""The web map's grid-manager view in a real Chromium: assign by clicking, auto-assign, cases."""

from playwright.sync_api import Page, expect

from tests.browser import LoopbackPage
from tests.liaison_world import A1, STREET_A
from tests.map_world import MapWorld, assert_clean, map_screenshot

READY = "[data-testid=outlet-summary][data-state=ready]"


def open_manager(world: MapWorld, page: LoopbackPage, size: tuple[int, int]) -> Page:
    browser_page = page.page
    browser_page.set_viewport_size({"width": size[0], "height": size[1]})
    browser_page.goto(f"{world.server}/map?view=manager&lang=en&scope={STREET_A}")
    browser_page.locator("[data-testid=api-key]").fill(world.key("gm_A"))
    browser_page.locator("[data-testid=key-save]").click()
    browser_page.wait_for_selector(READY)
    browser_page.wait_for_selector("[data-testid=map][data-idle=true]")
    return browser_page


def click_on_map(browser_page: Page, lon: float, lat: float) -> None:
    x, y = browser_page.evaluate(
        "([lon, lat]) => { const p = warmmap.map.project([lon, lat]); return [p.x, p.y]; }",
        [lon, lat],
    )
    browser_page.locator("canvas.maplibregl-canvas").click(position={"x": x, "y": y})


def test_a_grid_manager_assigns_liaisons_by_clicking(map_world: MapWorld, page: LoopbackPage):
    browser_page = open_manager(map_world, page, (1280, 800))
    missing = map_world.get("/outlets/unassigned", "gm_A", street=STREET_A)
    total = browser_page.locator("[data-testid=unassigned-total]")
    assert int(total.get_attribute("data-total") or -1) == missing["total"] > 0
    outlet = map_world.world.outlets[A1][0]
    click_on_map(browser_page, 104.01, 30.61)  # where that outlet is
    expect(browser_page.locator("[data-testid=outlet-panel]")).to_have_attribute(
        "data-outlet-id", str(outlet.id)
    )
    community, police = map_world.world.liaisons["cA1"].id, map_world.world.liaisons["pA"].id
    browser_page.locator("[data-testid=assign-community]").select_option(str(community))
    browser_page.locator("[data-testid=assign-police]").select_option(str(police))
    browser_page.locator("[data-testid=assign-save]").click()
    expect(browser_page.locator("[data-testid=assign-done]")).to_be_visible()
    current = map_world.get(f"/outlets/{outlet.id}/liaisons", "gm_A")
    assert current["community"]["liaison"]["id"] == community
    assert current["police"]["liaison"]["id"] == police
    expect(total).to_have_attribute("data-total", str(missing["total"] - 1))
    map_screenshot(browser_page, "map-manager-desktop")
    assert_clean(page)


def test_auto_assign_dry_run_then_apply_and_move_a_case(map_world: MapWorld, page: LoopbackPage):
    browser_page = open_manager(map_world, page, (412, 915))
    before = map_world.get("/outlets/unassigned", "gm_A", street=STREET_A, role="police")
    assert before["total"] > 0
    browser_page.locator("[data-testid=auto-role]").select_option("police")
    browser_page.locator("[data-testid=auto-dry]").click()
    result = browser_page.locator("[data-testid=auto-result] p")
    expect(result).to_have_attribute("data-applied", "false")
    assert map_world.get("/outlets/unassigned", "gm_A", street=STREET_A, role="police") == before
    browser_page.locator("[data-testid=auto-apply]").click()
    expect(result).to_have_attribute("data-applied", "true")
    after = map_world.get("/outlets/unassigned", "gm_A", street=STREET_A, role="police")
    assert after["total"] == 0
    # The queue, overdue first as the API orders it; a case moved along its lifecycle.
    queue = map_world.get("/cases", "gm_A", scope=STREET_A)
    items = browser_page.locator("[data-testid=case-list] > li")
    expect(items).to_have_count(queue["total"])
    assert items.evaluate_all("els => els.map(e => Number(e.dataset.caseId))") == [
        c["id"] for c in queue["data"]
    ]
    first = items.first
    case_id = int(first.get_attribute("data-case-id") or 0)
    first.locator("[data-testid=case-move-to]").select_option("accepted")
    first.locator("[data-testid=case-move]").click()
    moved = browser_page.locator(f"[data-testid=case-list] > li[data-case-id='{case_id}']")
    expect(moved).to_have_attribute("data-status", "accepted")
    assert map_world.get(f"/cases/{case_id}", "gm_A")["status"] == "accepted"
    map_screenshot(browser_page, "map-manager-phone")
    assert_clean(page)
