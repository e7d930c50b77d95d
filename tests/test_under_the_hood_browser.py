"""Under the hood in Chromium: reached from the Playground in the same session, its maths
typeset (KaTeX), a step taken and the gradients checked."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

PATIENCE_MS = 90_000


def test_the_playgrounds_network_explained_with_its_numbers(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server.url + "/?h=3")
    page.get_by_role("button", name=re.compile("Play")).wait_for(timeout=PATIENCE_MS)
    page.get_by_role("link", name=re.compile("Under the hood")).click()
    page.get_by_text("Forward: what the network computes").wait_for(timeout=PATIENCE_MS)
    assert "(2 – 3 – 2, relu, softmax output)" in page.inner_text("body")  # the same run
    page.locator(".katex").first.wait_for(timeout=PATIENCE_MS)
    assert page.locator(".katex-error").count() == 0  # every line typesets
    assert page.locator(".katex").count() >= 8
    page.get_by_role("button", name="Take this step").click()
    page.get_by_text("exactly minus the learning rate").wait_for(timeout=PATIENCE_MS)
    page.get_by_role("button", name="Check the gradients").click()
    page.get_by_text("the backward pass is right").wait_for(timeout=PATIENCE_MS)
    assert page.get_by_test_id("stException").count() == 0
    page.close()
