"""The Playground on a phone (390 x 844, touch), as students open the class link: the
boundary without scrolling, Play, Step and Reset in one row, the headline controls under
the plot, no key hints, and nothing on the page moves when Play is tapped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_support import chromium, component_frame, require_browser, streamlit_server

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PHONE = {"width": 390, "height": 844}
PATIENCE_MS = 90_000


@pytest.fixture(scope="module")
def browser():
    require_browser()
    with streamlit_server("app.py") as server, chromium() as running:
        running.url = server.url
        yield running


@pytest.fixture
def phone(browser):
    """A fresh phone page on the app, its chart drawn."""
    context = browser.new_context(
        viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2
    )
    page = context.new_page()
    page.goto(browser.url)
    page.get_by_role("button", name=re.compile("Play")).wait_for(timeout=PATIENCE_MS)
    chart = component_frame(page, "livechart.livechart", timeout=PATIENCE_MS)
    chart.wait_for_function("window.livechartFrames >= 1", timeout=PATIENCE_MS)
    yield page
    context.close()


def boundary_box(page) -> dict:
    """Where the boundary plot's drawing area is on the screen (Playwright gives the boxes
    of elements in frames in the page's coordinates)."""
    chart = component_frame(page, "livechart.livechart")
    box = chart.locator("#boundary .nsewdrag, #preview img, #preview canvas").first.bounding_box()
    return {"top": box["y"], "bottom": box["y"] + box["height"]}


def test_the_boundary_shows_without_scrolling(phone):
    box = boundary_box(phone)
    assert box["top"] > 0 and box["bottom"] <= PHONE["height"]


def test_play_step_and_reset_sit_in_one_row_without_key_hints(phone):
    boxes = [
        phone.get_by_role("button", name=re.compile(name)).bounding_box()
        for name in ("^Play", "^Step", "^Reset")
    ]
    assert max(b["y"] for b in boxes) - min(b["y"] for b in boxes) < 2  # one row
    assert all(b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"] for b in boxes)
    hints = phone.locator("[data-testid='stMain'] button kbd")
    assert hints.count() > 0 and not any(h.is_visible() for h in hints.all())  # touch: none


def test_the_headline_controls_are_under_the_plot_not_in_the_sidebar(phone):
    main = phone.get_by_test_id("stMain")
    for label in ("Hidden neurons", "Learning rate"):
        control = main.get_by_text(label, exact=True)
        control.scroll_into_view_if_needed()
        assert control.is_visible()
        assert control.bounding_box()["y"] > boundary_box(phone)["top"]


def test_nothing_moves_when_play_is_tapped(phone):
    before = boundary_box(phone)
    phone.get_by_role("button", name=re.compile("^Play")).tap()
    component_frame(phone, "livechart.livechart").wait_for_function(
        "() => /^Epoch [2-9]|^Epoch \\d\\d/.test("
        "(document.querySelector('#status strong') || {}).innerText || '')",
        timeout=PATIENCE_MS,
    )  # playing, the metrics shown in the status line
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "phone-playing.png"))
    assert boundary_box(phone) == before


def test_the_network_diagram_is_readable_on_a_phone(phone):
    """Under the plot and the sliders, at the phone's width: every neuron shown is a picture
    a finger can find (>= 20 px), none cut off at the side, no sideways scrolling."""
    view = phone.locator('iframe[title="netview.netview"]')
    view.scroll_into_view_if_needed()
    box = view.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    frame = component_frame(phone, "netview.netview")
    frame.wait_for_function("window.netviewStats && window.netviewStats.draws >= 1",
                            timeout=PATIENCE_MS)  # fmt: skip
    sizes = frame.evaluate(
        """() => Array.from(document.querySelectorAll('.netview-neuron canvas')).map((c) => {
              const r = c.getBoundingClientRect();
              return [r.left, r.right, r.width, r.height]; })"""
    )
    assert len(sizes) == 2 + 16 + 2  # features, the first 16 of 64 neurons, the output
    width = frame.evaluate("document.documentElement.clientWidth")
    assert all(left >= 0 and right <= width and w >= 20 and h >= 20 for left, right, w, h in sizes)
    assert frame.evaluate("document.documentElement.scrollWidth") <= width
