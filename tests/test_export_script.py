"""ui.export: the script a Playground run exports trains, with scratchnet alone, to the
same weights bit for bit, learning-rate changes and a weight set by hand included."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_lifecycle import ready, session

from scratchnet.export import load_model
from ui import keys as K
from ui.export import WEIGHTS_FILE, notebook, run_script

ROOT = Path(__file__).resolve().parents[1]


def played(**query):
    """A Playground run that changed while it trained: two rates and one weight."""
    state = session(**query)
    run, _, _ = ready(state)
    run.trainer.run(epochs=1, max_steps=25)
    run.set_learning_rate(0.4)
    run.trainer.run(epochs=3, max_steps=60)
    run.set_weight(1, 1, 2, -1.75)
    run.set_learning_rate(0.05)
    run.trainer.run(epochs=2, max_steps=130)  # ends mid-epoch
    return state, run


def run_exported(script: str, folder: Path) -> tuple[str, list[np.ndarray]]:
    (folder / "run.py").write_text(script)
    done = subprocess.run([sys.executable, "run.py"], cwd=folder, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    model = load_model(folder / WEIGHTS_FILE)
    return done.stdout, [*model.coefs_, *model.intercepts_]


@pytest.mark.parametrize("query", [{"h": "6,3"}, {"data": "spiral", "k": "3", "act": "tanh"}])
def test_the_exported_script_trains_to_the_same_weights(tmp_path, query):
    state, run = played(**query)
    script = run_script(state[K.SETTINGS], run)
    compile(script, "run.py", "exec")
    stdout, weights = run_exported(script, tmp_path)
    net = run.trainer.net
    for mine, theirs in zip(weights, [*net.coefs, *net.intercepts], strict=True):
        np.testing.assert_array_equal(mine, theirs)  # bit for bit
    train_loss, train_acc = run.trainer.evaluate(run.trainer._X1[:, :-1], run.y_train)
    assert f"train: loss {train_loss:.6f}, accuracy {train_acc:.4f}" in stdout
    assert f"steps {run.trainer.steps}," in stdout


def test_without_the_changes_the_script_would_not_match(tmp_path):
    state, run = played(h="6,3")
    changed = run_script(state[K.SETTINGS], run)
    # the same script with its CHANGES emptied trains another network: the changes count
    plain = changed.replace(changed[changed.index("CHANGES = [") :].split("\n")[0], "CHANGES = []")
    _, weights = run_exported(plain, tmp_path)
    assert not np.array_equal(weights[0], run.trainer.net.coefs[0])


def test_the_notebook_holds_the_script_cell_by_cell(tmp_path):
    state, run = played(h="6,3")
    script = run_script(state[K.SETTINGS], run)
    book = json.loads(notebook(script))
    assert book["nbformat"] == 4 and book["cells"][0]["cell_type"] == "markdown"
    code = "\n\n".join("".join(c["source"]) for c in book["cells"][1:])
    _, from_cells = run_exported(code, tmp_path)
    np.testing.assert_array_equal(from_cells[0], run.trainer.net.coefs[0])


def test_every_download_is_made_when_asked_and_reads_back(tmp_path):
    import contextlib
    import csv
    import io

    from scratchnet.export import read_model
    from ui.export import downloads

    state, run = played(h="6,3")
    files = {f.file_name: f for f in downloads(state[K.SETTINGS], run, contextlib.nullcontext())}
    assert len(files) == 7
    model = read_model(files["scratchnet_weights.json"].make())
    np.testing.assert_array_equal(model["coefs"][0], run.trainer.net.coefs[0])
    npz = read_model(files["scratchnet_weights.npz"].make())
    np.testing.assert_array_equal(npz["intercepts"][1], run.trainer.net.intercepts[1])
    rows = list(csv.DictReader(io.StringIO(files["scratchnet_history.csv"].make())))
    assert len(rows) == run.epoch and float(rows[-1]["train_loss"]) == run.history[-1]["train_loss"]
    html = files["scratchnet_boundary.html"].make()
    assert "<html>" in html and "Plotly.newPlot" in html
    assert not re.search(r"<script[^>]*\bsrc=", html)  # plotly.js inside, not from a CDN
    assert files["scratchnet_boundary.png"].make().startswith(b"\x89PNG")
    script = files["scratchnet_run.py"].make()
    _, weights = run_exported(script, tmp_path)
    np.testing.assert_array_equal(weights[0], run.trainer.net.coefs[0])
    assert json.loads(files["scratchnet_run.ipynb"].make())["nbformat"] == 4


def test_a_regression_run_exports_a_script_that_trains_it_again(tmp_path):
    state, run = played(problem="regression", h="6,3")
    assert run.regression
    script = run_script(state[K.SETTINGS], run)
    stdout, weights = run_exported(script, tmp_path)
    for mine, theirs in zip(weights, [*run.trainer.net.coefs, *run.trainer.net.intercepts],
                            strict=True):  # fmt: skip
        np.testing.assert_array_equal(mine, theirs)
    assert "train: loss" in stdout and "R²" in stdout
