"""Shared test set-up.

scikit-learn's array-API estimator check only runs when SCIPY_ARRAY_API=1 is set before
SciPy is first imported; set it here so that check runs instead of skipping itself.

Browser tests of the app share two fixtures: ``server`` (``streamlit run app.py`` for the
test module) and ``browser`` (a headless Chromium); a module may define its own instead.

Streamlit's script runner (AppTest's too) leaves the page script as sys.modules["__main__"];
a process spawned afterwards (a Dask worker, joblib's loky pool) would import it and run
the page. Every test runs with the test run's own __main__, put back after it too.
"""

import os
import sys

import pytest

os.environ.setdefault("SCIPY_ARRAY_API", "1")
MAIN = sys.modules["__main__"]


@pytest.fixture(autouse=True)
def test_runs_main():
    sys.modules["__main__"] = MAIN
    yield
    sys.modules["__main__"] = MAIN


def pytest_runtest_setup(item):
    """No browser test reports the last looks of pages an earlier test closed."""
    support = sys.modules.get("browser_support")
    if support is not None:
        support.forget_last_looks()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A browser test that fails reports what its pages showed (before they close)."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and "browser" in item.keywords:
        from browser_support import failure_evidence

        report.sections.append(("what the browser showed", failure_evidence(item.nodeid)))


@pytest.fixture(scope="module")
def server():
    """The app on a fresh Streamlit server for the test module (browser tests)."""
    from browser_support import require_browser, streamlit_server

    require_browser()
    with streamlit_server("app.py") as running:
        yield running


@pytest.fixture(scope="module")
def browser(server):
    """A headless Chromium for the test module, beside ``server``."""
    from browser_support import chromium

    with chromium() as running:
        yield running
