"""The evidence a failing browser test leaves: what its pages showed, even the pages the test
closed in its own ``finally`` before the report was written (CI runs far from anyone who
could look at the page)."""

from __future__ import annotations

import pytest
from browser_support import EVIDENCE_DIR, chromium, failure_evidence, require_browser

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    require_browser()
    with chromium() as running:
        yield running


def show(page, text: str) -> None:
    page.set_content(f"<body><p>{text}</p><div id='status'>Epoch 7 · paused</div></body>")


def a_failing_test_closing_its_own(opened, page) -> None:
    try:
        assert page.inner_text("body").startswith("never"), "the page showed something else"
    finally:
        opened.close()


@pytest.mark.parametrize("opens", ["context", "page"])
def test_a_page_closed_by_a_failing_test_leaves_its_last_look(browser, opens):
    if opens == "context":
        opened = browser.new_context()
        page = opened.new_page()
    else:
        opened = page = browser.new_page()
    show(page, f"the {opens} the test closed")
    with pytest.raises(AssertionError):
        a_failing_test_closing_its_own(opened, page)
    assert page.is_closed()

    evidence = failure_evidence("evidence test")
    assert f"the {opens} the test closed" in evidence
    assert "[chart status] Epoch 7 · paused" in evidence
    shots = [line.split(" ", 1)[1] for line in evidence.splitlines() if "[screenshot]" in line]
    assert shots and all(shot.startswith(str(EVIDENCE_DIR)) for shot in shots)


def test_a_page_closed_without_a_failure_leaves_nothing(browser):
    page = browser.new_page()
    show(page, "closed by a passing test")
    page.close()
    assert "closed by a passing test" not in failure_evidence("evidence test")


def test_open_pages_are_in_the_evidence_too(browser):
    page = browser.new_page()
    show(page, "still open")
    try:
        assert "still open" in failure_evidence("evidence test")
    finally:
        page.close()
