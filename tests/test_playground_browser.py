"""The Playground in a real browser (Debian's Chromium through Playwright): what only a
browser shows. The page loads, the plots render, Play moves the epoch counter and the
boundary, a zoom survives Play, and a copied link replays the same run elsewhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_support import (
    chart_epoch,
    component_frame,
    drag_zoom,
    plot_ranges,
    wait_on_page,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHART = "livechart.livechart"


def open_page(browser, url, width=1400, height=900):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(90_000)  # every wait of the test: generous, for a busy machine
    page = context.new_page()
    page.goto(url)
    page.get_by_role("button", name=re.compile("Play")).wait_for(timeout=90_000)
    frame = component_frame(page, CHART)
    frame.wait_for_function("window.livechartFrames >= 1", timeout=90_000)
    return context, page, frame


def epoch_of(page) -> float:
    """The epoch the chart's status line shows, playing or paused (fractions included)."""
    return chart_epoch(component_frame(page, CHART))


def step(page) -> None:
    """Press Step and wait until the chart shows the next epoch."""
    epoch = epoch_of(page)
    page.get_by_role("button", name=re.compile("Step")).click()
    component_frame(page, CHART).wait_for_function(
        "n => (document.querySelector('#status strong') || {}).innerText === 'Epoch ' + n",
        arg=epoch + 1,
    )


def metrics(page) -> list[str]:
    """The four numbers of the chart's status line (losses and accuracies)."""
    return component_frame(page, CHART).locator("#status .metric b").all_inner_texts()


def boundary_src(frame) -> str:
    return frame.evaluate(
        "(() => { const d = document.querySelector('.js-plotly-plot');"
        " return d && d.layout.images && d.layout.images.length"
        " ? d.layout.images[0].source : ''; })()"
    )


def test_page_loads_and_plots_render(browser, server):
    context, page, frame = open_page(browser, server.url)
    try:
        assert (
            "scratchnet" in page.title().lower()
            or page.get_by_text("scratchnet Playground").count()
        )
        assert epoch_of(page) == 0
        assert frame.locator(".main-svg").count() >= 1
        ARTIFACTS.mkdir(exist_ok=True)
        shot = page.locator(f'iframe[title="{CHART}"]').screenshot(
            path=str(ARTIFACTS / "chart.png")
        )
        from io import BytesIO

        from PIL import Image

        colours = Image.open(BytesIO(shot)).convert("RGB").getcolors(maxcolors=1_000_000)
        assert colours is not None and len(colours) > 50  # a drawing, not a blank frame
    finally:
        context.close()


def test_the_boundary_shows_before_plotly_has_loaded(browser, server):
    """plotly.min.js takes a second or more to compile: meanwhile the chart draws a preview
    (the boundary picture and the points); Plotly replaces it once loaded, and Play made
    during the wait still plays."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    held = []
    context.route("**/plotly.min.js", lambda route: held.append(route))  # answered later
    page = context.new_page()
    try:
        page.goto(server.url)
        frame = component_frame(page, CHART)
        frame.wait_for_function("window.livechartPreviews >= 1", timeout=90_000)
        # the painter (forward.js) paints the preview's picture when its script has loaded
        frame.wait_for_function(
            "(document.querySelector('#preview img') || {src: ''}).src.startsWith('data:image')",
            timeout=90_000,
        )
        assert held and frame.evaluate("typeof window.Plotly") == "undefined"
        preview = frame.evaluate(
            """() => {
              const img = document.querySelector('#preview img');
              const c = document.querySelector('#preview canvas');
              const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              let inked = 0;
              for (let i = 3; i < px.length; i += 4) if (px[i] > 0) inked += 1;
              return { src: img.src.slice(0, 22), w: img.getBoundingClientRect().width,
                       inked: inked, frames: window.livechartFrames };
            }"""
        )
        assert preview["src"] == "data:image/png;base64," and preview["w"] > 100
        assert preview["inked"] > 1000  # the points are drawn
        assert preview["frames"] == 0
        assert frame.locator("#status strong").inner_text() == "Epoch 0"
        page.get_by_role("button", name=re.compile("Play")).click()
        page.get_by_role("button", name=re.compile("Pause")).wait_for(timeout=90_000)
        for route in held:
            route.continue_()
        frame.wait_for_function("window.livechartFrames >= 3", timeout=90_000)
        assert frame.locator("#preview").count() == 0
        assert frame.locator(".main-svg").count() >= 1
        frame.wait_for_function(
            "() => /^Epoch [1-9]/.test("
            "(document.querySelector('#status strong') || {}).innerText || '')",
            timeout=90_000,
        )
    finally:
        context.close()


def test_play_moves_the_epoch_and_the_boundary(browser, server):
    context, page, frame = open_page(browser, server.url)
    try:
        before_src, before_frames = boundary_src(frame), frame.evaluate("window.livechartFrames")
        page.get_by_role("button", name=re.compile("Play")).click()
        # While playing, the chart fetches its own frames and shows the epoch itself.
        frame.wait_for_function(
            "() => /^Epoch ([3-9]|\\d\\d+)(\\.\\d+)?$/.test("
            "(document.querySelector('#status strong') || {}).innerText || '')",
            timeout=90_000,
        )
        # Live: it keeps drawing new pictures (benchmarks/bench_playground.py: how many a second).
        frames0 = frame.evaluate("window.livechartFrames")
        frame.wait_for_function(f"window.livechartFrames >= {frames0 + 5}", timeout=90_000)
        assert boundary_src(frame) != before_src
        assert frame.evaluate("window.livechartFrames") > before_frames
        page.get_by_role("button", name=re.compile("Pause")).click()
        page.get_by_role("button", name=re.compile("Play")).wait_for()
        # paused: the counter shows the epoch again, once the pause's run has drawn (ci32
        # read it the moment "Play" came back, before the chart had redrawn: 0)
        wait_on_page(page, lambda: epoch_of(page) >= 3, what="the paused epoch shown")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "playground.png"), full_page=True)
    finally:
        context.close()


def test_zoom_survives_play(browser, server):
    context, page, frame = open_page(browser, server.url)
    try:
        before = plot_ranges(frame)
        zoomed = drag_zoom(page, frame)
        assert zoomed[1] - zoomed[0] < 0.5 * (before[1] - before[0])  # the drag zoomed in
        page.get_by_role("button", name=re.compile("Play")).click()
        frames0 = frame.evaluate("window.livechartFrames")
        frame.wait_for_function(f"window.livechartFrames >= {frames0 + 5}", timeout=90_000)
        assert plot_ranges(frame) == pytest.approx(zoomed)
        page.get_by_role("button", name=re.compile("Pause")).click()
        page.get_by_role("button", name=re.compile("Play")).wait_for()
        assert plot_ranges(frame) == pytest.approx(zoomed)  # and the rerun on Pause
    finally:
        context.close()


def test_a_copied_link_replays_the_same_run_in_a_fresh_browser(browser, server):
    first, page, _ = open_page(browser, server.url + "/?h=12&lr=0.3&batch=25&iseed=4")
    try:
        for _ in range(3):
            step(page)
        shared = page.url
        numbers = metrics(page)
        assert "h=12" in shared and "lr=0.3" in shared and "iseed=4" in shared
    finally:
        first.close()
    second, page, _ = open_page(browser, shared)
    try:
        neurons = page.locator('[data-testid="stSlider"]', has_text="Hidden neurons").first
        assert neurons.locator('input[type="range"]').input_value() == "12"
        # The link carries the epoch: the fresh browser trains up to it with the same seeds
        # and lands on the very same numbers.
        assert "epoch=3" in shared and epoch_of(page) == 3
        assert metrics(page) == numbers
    finally:
        second.close()


def test_a_tampered_link_warns(browser, server):
    context, page, _ = open_page(browser, server.url + "/?lr=fast")
    try:
        assert page.get_by_text(re.compile(r"lr='fast' is not valid")).count() == 1
    finally:
        context.close()
