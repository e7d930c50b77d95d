"""A component's iframe replaced by a rerun (ci15, ci37: "Frame was detached"): the tests
hold what ``component_frame`` gives, which finds the new iframe and goes on there."""

from __future__ import annotations

import pytest
from browser_support import chromium, component_frame, require_browser

pytestmark = pytest.mark.browser

TITLE = "livechart.livechart"
REPLACE = """(n) => {
  const old = document.querySelector('iframe');
  const fresh = document.createElement('iframe');
  fresh.title = old.title;
  fresh.srcdoc = `<script>window.n = ${n}</script>`;
  old.replaceWith(fresh);
}"""


@pytest.fixture(scope="module")
def browser():
    require_browser()
    with chromium() as running:
        yield running


def test_a_component_frame_goes_on_in_the_iframe_that_replaced_its_own(browser):
    from playwright.sync_api import Error

    page = browser.new_page()
    try:
        page.set_content(f'<iframe title="{TITLE}" srcdoc="<script>window.n = 1</script>">')
        frame = component_frame(page, TITLE, timeout=60_000)
        frame.wait_for_function("window.n === 1")
        first = frame.frame

        page.evaluate(REPLACE, 2)
        assert frame.wait_for_function("window.n === 2").json_value() is True
        assert frame.evaluate("window.n") == 2
        assert frame.frame is not first and first.is_detached()
        with pytest.raises(Error, match="detached"):  # what a plain Frame does
            first.evaluate("window.n")

        page.evaluate(REPLACE, 3)  # and again
        assert frame.wait_for_function("window.n === 3").json_value() is True
    finally:
        page.close()


def test_other_errors_are_not_retried(browser):
    from playwright.sync_api import Error

    page = browser.new_page()
    try:
        page.set_content(f'<iframe title="{TITLE}" srcdoc="<p>hi</p>">')
        frame = component_frame(page, TITLE, timeout=60_000)
        with pytest.raises(Error, match="no_such_name"):
            frame.evaluate("no_such_name.x")
    finally:
        page.close()
