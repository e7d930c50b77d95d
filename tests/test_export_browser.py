"""Taking a run home in Chromium: the Python script downloaded from the Playground trains,
with scratchnet alone, to the weights the page shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import chart_epoch, component_frame, wait_in_component

from scratchnet.export import load_model

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
PATIENCE_MS = 90_000


def shown_weights(page) -> dict[tuple[int, int, int], float]:
    view = component_frame(page, "netview.netview", timeout=PATIENCE_MS)
    view.wait_for_function("document.querySelectorAll('.netview-link[data-weight]').length > 0",
                           timeout=PATIENCE_MS)  # fmt: skip
    links = view.evaluate(
        """Array.from(document.querySelectorAll('.netview-link'), (l) =>
              [+l.dataset.layer, +l.dataset.from, +l.dataset.to, +l.dataset.weight])"""
    )
    return {(layer, i, j): w for layer, i, j, w in links}


def test_the_downloaded_script_trains_to_the_pages_weights(browser, server, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server.url + "/?h=4&lr=0.3")
    chart = component_frame(page, "livechart.livechart", timeout=PATIENCE_MS)
    for epochs in (1, 2):
        page.get_by_role("button", name=re.compile("^Step")).click()
        chart.wait_for_function(
            f"(document.querySelector('#status strong') || {{}}).innerText === 'Epoch {epochs}'",
            timeout=PATIENCE_MS,
        )
    assert chart_epoch(chart) == 2
    page.get_by_text("Take this run home").click()
    with page.expect_download(timeout=PATIENCE_MS) as download:
        page.get_by_role("button", name="Python script").click()
    script = tmp_path / download.value.suggested_filename
    download.value.save_as(script)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, script.name], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "epoch 2" in done.stdout
    steps = int(re.search(r"steps (\d+),", done.stdout)[1])
    # the view drew the step the script trained to (after Step's page run reached it)
    wait_in_component(page, "netview.netview", f"window.netviewStats.steps === {steps}")
    model = load_model(tmp_path / "scratchnet_weights.json")
    shown = shown_weights(page)
    assert len(shown) == 2 * 4 + 4 * 2
    for (layer, i, j), w in shown.items():
        assert model.coefs_[layer - 1][i, j] == w  # bit for bit
    page.close()
