"""Comparing runs in Chromium: a link with a pinned run shows its curves dashed beside the
live ones, labelled with what differs, and its boundary at the same epoch."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_support import component_frame

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PATIENCE_MS = 90_000


def test_a_pinned_run_from_the_link_is_drawn_dashed_and_pictured(browser, server):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(server.url + "/?h=4&lr=3&epoch=6&pins=h:4")
    page.get_by_role("button", name=re.compile("Play")).wait_for(timeout=PATIENCE_MS)
    chart = component_frame(page, "livechart.livechart", timeout=PATIENCE_MS)
    chart.wait_for_function(
        """() => { const d = document.getElementById('curves-plot');
              return d && d.data && d.data.length === 6
                && d.data.slice(4).every((t) => t.line.dash === 'dash' && t.x.length === 6); }""",
        timeout=PATIENCE_MS,
    )
    # the pinned run had the default rate, 0.1; the live one has 3
    assert chart.locator(".pin").first.inner_text().strip() == "lr 0.1 → 3"
    picture = page.get_by_test_id("stImage").filter(has_text="(epoch 6)")
    picture.wait_for(timeout=PATIENCE_MS)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "compare.png"))
    page.close()
