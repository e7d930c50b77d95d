"""The network view in the Playground, in Chromium: the diagram of the page's network,
live while playing, a weight edited by a click while paused, a feature switched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_support import component_frame, wait_in_component

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
VIEW = "netview.netview"
CHART = "livechart.livechart"
PATIENCE_MS = 90_000
# The picture under the boundary plot: Plotly's layout image (or "" before Plotly drew it).
BOUNDARY = (
    "(() => { const d = document.querySelector('.js-plotly-plot');"
    " return d && d.layout.images && d.layout.images.length"
    " ? d.layout.images[0].source : ''; })()"
)
# The diagram shows one input feature.
ONE_INPUT = (
    "() => document.querySelectorAll('.netview-column[data-layer=\"0\"] .netview-neuron')"
    ".length === 1"
)
# The large picture of the hovered neuron over the boundary (or "" when there is none).
OVERLAY = (
    "(() => { const d = document.getElementById('boundary'); const i = d.layout.images;"
    " return i.length > 1 && i[1] && i[1].visible !== false ? i[1].source : ''; })()"
)


def open_view(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(url)
    page.get_by_role("button", name=re.compile("Play")).wait_for(timeout=PATIENCE_MS)
    frame = component_frame(page, VIEW, timeout=PATIENCE_MS)
    frame.wait_for_function("window.netviewStats && window.netviewStats.draws >= 1",
                            timeout=PATIENCE_MS)  # fmt: skip
    return page, frame


def columns(frame) -> list[int]:
    return frame.evaluate(
        """() => Array.from(document.querySelectorAll('.netview-column'))
                  .map((c) => c.querySelectorAll('.netview-neuron').length)"""
    )


def neuron_pixels(frame, layer: int, unit: int) -> list[int]:
    return frame.evaluate(
        """([l, j]) => { const c = document.querySelector(
              `.netview-neuron[data-layer="${l}"][data-unit="${j}"] canvas`);
              const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              return Array.from(d); }""",
        [layer, unit],
    )


def test_the_diagram_is_the_pages_network_and_lives_while_playing(browser, server):
    page, frame = open_view(browser, server.url + "/?h=8,6&f=x1,x2,x1^2")
    assert columns(frame) == [3, 8, 6, 2]
    assert frame.locator(".netview-label").all_inner_texts() == ["X₁", "X₂", "X₁²"]
    before = neuron_pixels(frame, 1, 0)
    page.get_by_role("button", name=re.compile("Play")).click()
    # while playing, the view draws newer pictures from the weights of the chart's frames
    wait_in_component(
        page, VIEW, "window.netviewStats.followed >= 5 && window.netviewStats.steps > 50"
    )
    wait_in_component(
        page,
        VIEW,
        """(before) => { const c = document.querySelector(
              '.netview-neuron[data-layer="1"][data-unit="0"] canvas');
              const now = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              return now.some((v, i) => v !== before[i]); }""",
        arg=before,
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(f'iframe[title="{VIEW}"]').screenshot(path=str(ARTIFACTS / "network-view.png"))
    page.close()


def test_a_network_too_large_to_paint_in_the_browser_still_lives_from_the_weights_route(
    browser, server
):
    # 6 x 128: the chart's frames carry the server's PNG, so the view asks for the weights
    page, frame = open_view(browser, server.url + "/?h=" + ",".join(["128"] * 6))
    assert columns(frame) == [2, *[16] * 6, 2]  # 16 neurons and "+112 more" a layer
    assert frame.locator(".netview-more").all_inner_texts() == ["+112 more"] * 6
    page.get_by_role("button", name=re.compile("Play")).click()
    wait_in_component(page, VIEW, "window.netviewStats.polls >= 3 && window.netviewStats.steps > 0")
    frame = component_frame(page, VIEW)
    assert frame.evaluate("window.netviewStats.followed") == 0
    page.close()


def test_a_click_on_a_link_edits_its_weight_and_the_boundary(browser, server):
    page, frame = open_view(browser, server.url + "/?h=4")
    chart = component_frame(page, CHART)
    chart.wait_for_function(BOUNDARY + " !== ''", timeout=PATIENCE_MS)
    picture = chart.evaluate(BOUNDARY)
    link = frame.locator('.netview-link[data-layer="2"][data-from="1"][data-to="0"]')
    page.once("dialog", lambda dialog: dialog.accept("7.5"))
    link.dispatch_event("click")  # links cross: the link itself, not a point on the screen
    # the page runs again with the new weight (which may replace either iframe): the view
    # shows the weight, the chart a new picture
    wait_in_component(
        page,
        VIEW,
        """() => +document.querySelector('.netview-link[data-layer="2"][data-from="1"]'
              + '[data-to="0"]').dataset.weight === 7.5""",
    )
    # and the boundary is drawn again from it, though no training step was taken
    wait_in_component(page, CHART, f"(before) => {BOUNDARY} !== '' && {BOUNDARY} !== before",
                      arg=picture)  # fmt: skip
    page.close()


def test_a_click_on_an_input_switches_the_feature_and_the_link(browser, server):
    page, frame = open_view(browser, server.url + "/?h=4")
    assert columns(frame)[0] == 2
    frame.locator('.netview-neuron[data-layer="0"][data-unit="1"]').click()  # X₂ off
    page.wait_for_function("() => new URL(location.href).searchParams.get('f') === 'x1'",
                           timeout=PATIENCE_MS)  # fmt: skip
    wait_in_component(page, VIEW, ONE_INPUT)
    page.close()


def test_an_input_switched_off_under_the_mouse_takes_its_large_picture_away(browser, server):
    """The click that turns X2 off comes with the mouse over it: its large picture showed on
    the boundary plot, and stayed there (labelled X2) after the neuron had gone, as did the
    diagram's own tip."""
    page, frame = open_view(browser, server.url + "/?h=4")
    chart = component_frame(page, CHART, timeout=PATIENCE_MS)
    chart.wait_for_function("window.livechartFrames >= 1", timeout=PATIENCE_MS)
    x2 = frame.locator('.netview-neuron[data-layer="0"][data-unit="1"]')
    x2.hover()
    chart.wait_for_function(f"{OVERLAY}.startsWith('data:image/png')", timeout=PATIENCE_MS)
    x2.click()
    wait_in_component(page, VIEW, ONE_INPUT)
    chart.wait_for_function(f"{OVERLAY} === ''", timeout=PATIENCE_MS)
    frame.wait_for_function("document.querySelector('.netview-tip').hidden",
                            timeout=PATIENCE_MS)  # fmt: skip
    page.close()


def test_hovering_a_neuron_shows_its_picture_large_on_the_boundary_plot(browser, server):
    """As in TensorFlow Playground: the neuron under the mouse, over the whole plane, with
    its bias; the boundary comes back when the mouse leaves."""
    page, frame = open_view(browser, server.url + "/?h=5")
    chart = component_frame(page, CHART, timeout=PATIENCE_MS)
    chart.wait_for_function("window.livechartFrames >= 1", timeout=PATIENCE_MS)
    assert chart.evaluate(OVERLAY) == ""
    frame.locator('.netview-neuron[data-layer="1"][data-unit="2"]').hover()
    chart.wait_for_function(f"{OVERLAY}.startsWith('data:image/png')", timeout=PATIENCE_MS)
    label = chart.locator("#overlay-label")
    assert re.fullmatch(r"layer 1, neuron 3 · bias -?\d.*", label.inner_text())
    # its own picture, not the boundary's
    assert chart.evaluate(OVERLAY) != chart.evaluate(BOUNDARY)
    frame.locator(".netview-title").first.hover()  # the mouse leaves the neuron
    chart.wait_for_function(f"{OVERLAY} === ''", timeout=PATIENCE_MS)
    assert label.is_hidden()
    page.close()
