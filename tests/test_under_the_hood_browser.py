"""Under the hood in Chromium: reached from the Playground in the same session, its maths
typeset (KaTeX), a step taken and the gradients checked."""

from __future__ import annotations

import re

import pytest
from browser_support import wait_on_page

pytestmark = pytest.mark.browser

PATIENCE_MS = 90_000


def test_the_playgrounds_network_explained_with_its_numbers(browser, server):
    from playwright.sync_api import TimeoutError

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server.url + "/?h=3")
    page.get_by_role("button", name=re.compile("Play")).wait_for(timeout=PATIENCE_MS)
    page.get_by_role("link", name=re.compile("Under the hood")).click()
    page.get_by_text("Forward: what the network computes").wait_for(timeout=PATIENCE_MS)
    assert "(2 – 3 – 2, relu, softmax output)" in page.inner_text("body")  # the same run
    page.locator(".katex").first.wait_for(timeout=PATIENCE_MS)
    assert page.locator(".katex-error").count() == 0  # every line typesets
    assert page.locator(".katex").count() >= 8
    # a test point clicked on the plot (test points are drawn on top) becomes the one followed
    # (once Plotly has drawn it: ci21 looked before it had)
    page.wait_for_function(
        """() => { const gd = document.querySelector('.js-plotly-plot');
              return Boolean(gd && gd._fullLayout && gd.calcdata && gd.calcdata[1]
                             && gd.calcdata[1].length > 7 && gd.querySelector('.nsewdrag')); }""",
        timeout=PATIENCE_MS,
    )
    where = page.evaluate(
        """() => { const gd = document.querySelector('.js-plotly-plot');
              const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
              const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
              const point = gd.calcdata[1][7];  // the eighth test point
              return [box.left + xa.l2p(point.x), box.top + ya.l2p(point.y)]; }"""
    )
    number = page.get_by_label(re.compile("Point number"))

    def followed_after_a_click() -> bool:
        # A click that comes before Streamlit has bound the plot's selection is lost, as a
        # student's would be (ci30, ci31 under load): like them, click again until it takes.
        page.mouse.click(*where)
        try:
            page.wait_for_function(
                "() => [...document.querySelectorAll('input[type=number]')]"
                ".some((i) => i.value === '8')",
                timeout=10_000,
            )
        except TimeoutError:
            return False
        return True

    wait_on_page(page, followed_after_a_click, what="the clicked test point followed",
                 timeout=PATIENCE_MS / 1000, step=0.5)  # fmt: skip
    assert number.input_value() == "8"
    page.get_by_text("The test point 8, at").wait_for(timeout=PATIENCE_MS)
    page.get_by_role("button", name="Take this step").click()
    page.get_by_text("exactly minus the learning rate").wait_for(timeout=PATIENCE_MS)
    page.get_by_role("button", name="Check the gradients").click()
    page.get_by_text("the backward pass is right").wait_for(timeout=PATIENCE_MS)
    assert page.get_by_test_id("stException").count() == 0
    page.close()
