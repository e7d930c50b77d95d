"""A student's own CSV in a real browser: every class that ``load_csv`` accepts is drawn,
and hovering a point names its class as the file does."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from browser_support import chromium, component_frame, require_browser, streamlit_server

from scratchnet.datasets import MAX_CSV_CLASSES

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHART = "livechart.livechart"


def blobs_csv(path: Path, n_classes: int, per_class: int = 30, seed: int = 0) -> Path:
    """A CSV of ``n_classes`` Gaussian blobs on a circle: columns x1, x2, label."""
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centres = 4 * np.column_stack([np.cos(angles), np.sin(angles)])
    X = np.concatenate([c + 0.4 * rng.standard_normal((per_class, 2)) for c in centres])
    y = np.repeat(np.arange(n_classes), per_class)
    rows = "\n".join(f"{a:.5f},{b:.5f},c{k}" for (a, b), k in zip(X, y, strict=True))
    path.write_text("x1,x2,label\n" + rows + "\n")
    return path


def distinct_point_colours(frame) -> int:
    """How many colours the chart's train points are drawn in."""
    return frame.evaluate(
        "(() => { const d = document.getElementById('boundary');"
        " if (!d || !d.data) return 0;"
        " const colours = new Set();"
        " for (const t of d.data) if (Array.isArray(t.marker && t.marker.color))"
        "   for (const c of t.marker.color) colours.add(c);"
        " return colours.size; })()"
    )


@pytest.mark.parametrize("n_classes", [10, MAX_CSV_CLASSES])
def test_a_csv_with_many_classes_is_drawn_in_as_many_colours(tmp_path, n_classes):
    require_browser()
    csv = blobs_csv(tmp_path / f"blobs{n_classes}.csv", n_classes)
    with streamlit_server("app.py") as server, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(server.url)
        page.get_by_role("button", name=re.compile("Play")).wait_for(timeout=60_000)
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_test_id("stSelectbox").filter(has_text="Dataset").click()
        page.get_by_role("option", name="Upload a CSV").click()
        sidebar.locator("input[type=file]").set_input_files(str(csv))
        # The upload rebuilds the chart's iframe: look it up afresh until it shows the points.
        page.wait_for_function(
            """n => { const f = document.querySelector('iframe[title="livechart.livechart"]');
                const d = f && f.contentDocument && f.contentDocument.getElementById('boundary');
                if (!d || !d.data) return false;
                const s = new Set();
                for (const t of d.data) if (Array.isArray(t.marker && t.marker.color))
                  for (const c of t.marker.color) s.add(c);
                return s.size === n; }""",
            arg=n_classes,
            timeout=90_000,
        )
        chart = component_frame(page, CHART)
        assert distinct_point_colours(chart) == n_classes
        # hovering a point names its class as the file does ("c3"), not "class 3"
        names = chart.evaluate("document.getElementById('boundary').data[0].customdata")
        assert set(names) == {f"c{k}" for k in range(n_classes)}
        chart.evaluate(
            "Plotly.Fx.hover(document.getElementById('boundary'),"
            " [{curveNumber: 0, pointNumber: 0}])"
        )
        chart.wait_for_selector(".hoverlayer .hovertext", timeout=90_000)
        assert names[0] in chart.locator(".hoverlayer .hovertext").first.text_content()
        assert page.get_by_test_id("stException").count() == 0
        assert "encountered an error" not in page.inner_text("body")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"upload-{n_classes}-classes.png"))
