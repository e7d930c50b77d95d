"""The Playground's timeline in Chromium: back to a past epoch, the chart and the network
view show it; Step goes on from the newest epoch."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_support import chart_epoch, component_frame, wait_in_component, wait_on_page

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PATIENCE_MS = 90_000
STATUS = "(document.querySelector('#status') || {}).innerText || ''"


def test_the_timeline_goes_back_and_step_goes_on_from_the_newest(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server.url + "/?h=4")
    chart = component_frame(page, "livechart.livechart", timeout=PATIENCE_MS)
    for epoch in (1, 2, 3):
        page.get_by_role("button", name=re.compile("^Step")).click()
        wait_on_page(page, lambda e=epoch: chart_epoch(chart) == e, what=f"epoch {epoch}")
    view = component_frame(page, "netview.netview", timeout=PATIENCE_MS)
    newest = view.evaluate("window.netviewStats.steps")
    slider = (
        page.get_by_test_id("stMain")
        .locator("[data-testid='stSlider']")
        .filter(has_text="Timeline")
    )
    slider.get_by_role("slider").focus()
    page.keyboard.press("Home")  # back to epoch 0, the initial weights
    wait_in_component(page, "livechart.livechart", f"/Epoch 0 · looking back/.test({STATUS})")
    wait_in_component(page, "netview.netview", "window.netviewStats.steps === 0")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "timeline.png"))
    page.get_by_role("button", name=re.compile("^Step")).click()  # from the newest: epoch 4
    wait_in_component(page, "livechart.livechart", f"/^Epoch 4 · paused/.test({STATUS})")
    wait_in_component(page, "netview.netview", f"window.netviewStats.steps > {newest}")
    page.close()
