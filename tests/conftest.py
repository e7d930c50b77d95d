"""Shared test set-up.

scikit-learn's array-API estimator check only runs when SCIPY_ARRAY_API=1 is set before
SciPy is first imported; set it here so that check runs instead of skipping itself.

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
