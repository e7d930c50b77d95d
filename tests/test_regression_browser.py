"""The Playground's regression mode in a real browser: the predicted value painted on a
diverging scale with its colour bar, each point coloured by its own value, at a projector's
1920 x 1080 (lecture mode too) and a phone's 390 px."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from browser_support import component_frame

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHART = "livechart.livechart"
TIMEOUT_MS = 120_000

# Where the colour bar sits against the plot: its box, the plot's axes box, the figure's.
GEOMETRY = """() => {
  const d = document.getElementById('boundary');
  const bar = d.querySelector('.colorbar');
  if (!bar) return null;
  const r = bar.getBoundingClientRect(), box = d.getBoundingClientRect();
  const x = d._fullLayout.xaxis, y = d._fullLayout.yaxis;
  return {bar: [r.left - box.left, r.top - box.top, r.width, r.height],
          plot: [x._offset, y._offset, x._length, y._length], width: box.width,
          title: bar.textContent};
}"""


def open_regression(browser, url: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(url)
    page.get_by_role("button", name=re.compile("^(Play|Pause)")).wait_for(timeout=TIMEOUT_MS)
    frame = component_frame(page, CHART, timeout=TIMEOUT_MS)
    frame.wait_for_function(
        "window.livechartFrames >= 1 && document.querySelector('#boundary .colorbar')",
        timeout=TIMEOUT_MS,
    )
    return context, page, frame


def assert_small_bar_beside_the_plot(frame) -> dict:
    g = frame.evaluate(GEOMETRY)
    assert g is not None, "no colour bar"
    (bx, by, bw, bh), (px, py, pw, ph) = g["bar"], g["plot"]
    assert bw > 0 and bh > 0
    assert bx >= px + pw - 1, g  # right of the plot's axes: it covers no point
    assert bx + bw <= g["width"] + 1, g  # inside the chart: not cut off
    assert py - 1 <= by and by + bh <= py + ph + 1, g  # within the plot's height
    assert bh <= 0.75 * ph and bw <= 0.3 * pw, g  # small beside the plot
    assert "value" in g["title"]
    return g


def test_regression_shows_values_with_a_colour_bar_and_points_by_value(browser, server):
    context, page, frame = open_regression(browser, server.url + "/?problem=regression", 1920, 1080)
    try:
        assert_small_bar_beside_the_plot(frame)
        train = frame.evaluate(
            "(() => { const t = document.getElementById('boundary').data[0];"
            " return {color: Array.from(t.marker.color), custom: Array.from(t.customdata),"
            " scale: t.marker.colorscale, cmin: t.marker.cmin, cmax: t.marker.cmax,"
            " bar: t.marker.showscale}; })()"
        )
        # the points carry their values (numbers, not class colours) on the [-1, 1] scale
        values = np.array(train["color"], dtype=float)
        assert len(values) == 937 and train["bar"] and (train["cmin"], train["cmax"]) == (-1, 1)
        assert values.min() < -0.5 and values.max() > 0.5 and len(np.unique(values)) > 100
        assert train["scale"][1] == [0.5, "#FFFFFF"]  # white at 0, as the picture
        assert train["custom"] == train["color"]
        # hovering a point shows its value
        frame.evaluate(
            "Plotly.Fx.hover(document.getElementById('boundary'),"
            " [{curveNumber: 0, pointNumber: 0}])"
        )
        frame.wait_for_selector(".hoverlayer .hovertext", timeout=TIMEOUT_MS)
        text = frame.locator(".hoverlayer .hovertext").first.text_content()
        assert text.startswith(f"value {values[0]:.3g}".replace("-", "−")) or (
            f"value {values[0]:.3g}" in text
        ), text
        # the curves: half the MSE and R², R² on its own axis (not 0-100%)
        titles = frame.evaluate(
            "(() => { const l = document.getElementById('curves-plot').layout;"
            " return [l.yaxis.title.text, l.yaxis2.title.text, l.yaxis2.range,"
            " l.yaxis2.tickformat]; })()"
        )
        assert titles == ["loss (½ MSE)", "R²", [-1, 1.02], ""]
        page.get_by_role("button", name=re.compile("^Step")).click()
        frame.wait_for_function(
            "document.getElementById('status').innerText.includes('train R²')",
            timeout=TIMEOUT_MS,
        )
        assert page.get_by_test_id("stException").count() == 0
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "regression-1920.png"))
    finally:
        context.close()


@pytest.mark.parametrize(
    ("query", "width", "height", "name"),
    [("&lecture=1", 1920, 1080, "regression-lecture"), ("", 390, 844, "regression-phone")],
)
def test_the_colour_bar_stays_small_and_beside_the_plot(browser, server, query, width, height,
                                                        name):  # fmt: skip
    url = server.url + "/?problem=regression&data=multi-gaussian" + query
    context, page, frame = open_regression(browser, url, width, height)
    try:
        assert_small_bar_beside_the_plot(frame)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width  # no sideways scrolling on a phone
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    finally:
        context.close()
