"""Screenshots of the app for the docs, taken in headless Chromium.

    python benchmarks/screenshots.py [--play-seconds 4]

Writes to docs/:

* ``playground.png``: the Playground at 1920 x 1080 (the network beside the boundary)
  after Play for a few seconds, then Pause, so the boundary, the network and the curves
  show a network learning;
* ``lecture.png``: the same with ``?lecture=1`` (projector mode);
* ``network.png``: the network view of a 2-8-6-2 network on four input features, after
  playing a few seconds;
* ``phone.png``: the Playground on a 390 x 844 touch screen, playing;
* ``regression.png``: the Playground on multi-gaussian as a regression (2-16-16-1 tanh);
* ``under-the-hood.png``: the Under the hood page on a 2-3-2 network the Playground played;
* ``experiments.png`` (when pages/experiments.py exists): the Experiments page after
  its default experiment ran (Run pressed, the results plot drawn).

The app runs in a fresh Streamlit server (tests/browser_support.py) that is always
stopped at the end.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser_support import chromium, component_frame, streamlit_server  # noqa: E402

HAS_EXPERIMENTS = (ROOT / "pages" / "experiments.py").exists()
APP = "app.py" if HAS_EXPERIMENTS else "pages/playground.py"
DOCS = ROOT / "docs"
VIEWPORT = {"width": 1400, "height": 900}
WIDE = {"width": 1920, "height": 1080}  # a projector's, and a laptop's external screen
CHART = "livechart.livechart"


def settle(page, seconds: float = 1.0) -> None:
    """Wait until Streamlit says no script runs, then ``seconds`` more for the drawing."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !/Running|Stop/.test(document.querySelector("
        "'[data-testid=\"stStatusWidget\"]').innerText)",
        timeout=60_000,
    )
    page.wait_for_timeout(seconds * 1000)


def play_then_pause(page, seconds: float) -> None:
    """Press Play, let it train ``seconds``, press Pause, and wait until the page settled."""
    page.get_by_role("button", name=re.compile("Play")).click()
    page.get_by_role("button", name=re.compile("Pause")).wait_for(timeout=30_000)
    page.wait_for_timeout(seconds * 1000)
    page.get_by_role("button", name=re.compile("Pause")).click()
    page.get_by_role("button", name=re.compile("Play")).wait_for(timeout=30_000)
    page.mouse.move(5, 5)  # off the buttons and the chart: no tooltip in the picture
    settle(page)


def playground_shot(browser, url: str, path: Path, play_seconds: float) -> None:
    """Open ``url``, play for ``play_seconds``, pause, and save the page to ``path``."""
    context = browser.new_context(viewport=WIDE)
    try:
        page = context.new_page()
        page.goto(url)
        play = page.get_by_role("button", name=re.compile("Play"))
        play.wait_for(timeout=90_000)
        component_frame(page, CHART).wait_for_function("window.livechartFrames >= 1")
        play_then_pause(page, play_seconds)
        page.screenshot(path=str(path))
        epoch = component_frame(page, CHART).locator("#status strong").inner_text()
        print(f"{path.relative_to(ROOT)}: {epoch}")
    finally:
        context.close()


def network_shot(browser, url: str, path: Path, play_seconds: float) -> None:
    """The network view (netview) after playing ``play_seconds``, paused."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(url + "/?h=8,6&f=x1,x2,x1^2,x2^2&data=circles")
        play = page.get_by_role("button", name=re.compile("Play"))
        play.wait_for(timeout=90_000)
        view = component_frame(page, "netview.netview", timeout=90_000)
        view.wait_for_function("window.netviewStats && window.netviewStats.draws >= 1")
        play_then_pause(page, play_seconds)
        page.locator('iframe[title="netview.netview"]').screenshot(path=str(path))
        print(f"{path.relative_to(ROOT)}: {view.evaluate('window.netviewStats')}")
    finally:
        context.close()


def phone_shot(browser, url: str, path: Path, play_seconds: float) -> None:
    """The Playground on a phone, playing."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    try:
        page = context.new_page()
        page.goto(url)
        play = page.get_by_role("button", name=re.compile("Play"))
        play.wait_for(timeout=90_000)
        component_frame(page, CHART).wait_for_function("window.livechartFrames >= 1")
        play.tap()
        page.wait_for_timeout(play_seconds * 1000)
        page.screenshot(path=str(path))
        print(f"{path.relative_to(ROOT)}")
    finally:
        context.close()


def experiments_shot(browser, url: str, path: Path, timeout: float) -> None:
    """Run the Experiments page's default experiment and save the page once it is drawn."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(url + "/experiments")
        run = page.get_by_role("button", name="Run", exact=True)
        run.wait_for(timeout=90_000)
        started = time.monotonic()
        run.click()
        page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(
            timeout=timeout * 1000
        )
        page.mouse.move(5, 5)
        settle(page, 2.0)
        page.screenshot(path=str(path))
        print(f"{path.relative_to(ROOT)}: ran in {time.monotonic() - started:.0f} s")
    finally:
        context.close()


def hood_shot(browser, url: str, path: Path, play_seconds: float) -> None:
    """The Playground played a little, then its Under the hood page on that run."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(url + "/?h=3")
        page.get_by_role("button", name=re.compile("Play")).wait_for(timeout=90_000)
        play_then_pause(page, play_seconds)
        page.get_by_role("link", name=re.compile("Under the hood")).click()
        page.get_by_text("Forward: what the network computes").wait_for(timeout=90_000)
        page.mouse.move(5, 5)
        settle(page, 1.5)
        page.screenshot(path=str(path))
        print(f"{path.relative_to(ROOT)}")
    finally:
        context.close()


SHOTS = ("playground", "lecture", "network", "phone", "regression", "hood", "experiments")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--play-seconds", type=float, default=4.0)
    parser.add_argument(
        "--experiment-timeout", type=float, default=600.0, help="seconds the sweep may take"
    )
    parser.add_argument("--skip-experiments", action="store_true")
    parser.add_argument(
        "--only", default=",".join(SHOTS), help="comma-separated: " + ", ".join(SHOTS)
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    DOCS.mkdir(exist_ok=True)
    with streamlit_server(APP) as server, chromium() as browser:
        url, seconds = server.url, args.play_seconds
        if "playground" in only:
            playground_shot(browser, url, DOCS / "playground.png", seconds)
        if "lecture" in only:
            playground_shot(browser, url + "/?lecture=1", DOCS / "lecture.png", seconds)
        if "network" in only:
            network_shot(browser, url, DOCS / "network.png", seconds)
        if "phone" in only:
            phone_shot(browser, url, DOCS / "phone.png", seconds)
        if "regression" in only:
            playground_shot(browser, url + "/?problem=regression&data=multi-gaussian&h=16,16"
                            "&act=tanh", DOCS / "regression.png", seconds)  # fmt: skip
        if "hood" in only:
            hood_shot(browser, url, DOCS / "under-the-hood.png", seconds)
        if HAS_EXPERIMENTS and not args.skip_experiments and "experiments" in only:
            experiments_shot(browser, url, DOCS / "experiments.png", args.experiment_timeout)


if __name__ == "__main__":
    main()
