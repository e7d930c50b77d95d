"""A Playground run to take home: a Python script (and the same as a notebook) that trains
it again with scratchnet alone, step for step, to the same weights.

The script is written from the page's settings and the run itself: the data set and its
seeds, the network's parameters, the changes made while it trained (``LiveRun.changes``:
learning rates, weights set by hand, each from its step on) and the number of steps.
Running it prints the final loss and accuracy (R² for a regression) and writes the
weights (``scratchnet.export``'s JSON).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from scratchnet.live import LiveRun
from scratchnet.plots import boundary_figure

WEIGHTS_FILE = "scratchnet_weights.json"


class Download(NamedTuple):
    """One file the Playground offers: made only when it is asked for (``make``)."""

    label: str
    file_name: str
    mime: str
    make: Callable[[], str | bytes]
    help: str


def downloads(
    values: Mapping[str, Any],
    run: LiveRun,
    lock: contextlib.AbstractContextManager,
    csv: Mapping[str, Any] | None = None,
    class_names: Sequence[str] | None = None,
) -> list[Download]:
    """The files of a run: weights (JSON, .npz), history (CSV), the boundary (interactive
    HTML, PNG picture), the script and the notebook. Each is made under ``lock`` (the frame
    route may be training the run) from the run as it is when the button is pressed."""

    # scratchnet.export is imported when a file is made: it brings scikit-learn (its
    # estimators), ~0.6 s that a student's first page load need not wait for.
    def model() -> dict[str, Any]:
        from scratchnet.export import model_dict

        with lock:
            return model_dict(run.trainer.net, run.params, run.features, class_names)

    def history() -> str:
        from scratchnet.export import history_csv

        with lock:
            rows = run.history[:]
        return history_csv(rows, run.history.columns)

    def figure() -> str:
        with lock:
            picture, epoch = run.boundary_png(), run.epoch
        regression = getattr(run, "regression", False)
        kind = {"values": True, "value_range": run.value_range} if regression else {}
        fig = boundary_figure(run.X_train, run.y_train, run.X_test, run.y_test, picture,
                              run.extent, colors=run.colors, title=f"scratchnet, epoch {epoch}",
                              **kind)  # fmt: skip
        return fig.to_html(include_plotlyjs=True, full_html=True)  # works offline

    def picture() -> bytes:
        with lock:
            return run.boundary_png()

    def script() -> str:
        with lock:
            return run_script(values, run, csv)

    return [
        Download("Weights (JSON)", "scratchnet_weights.json", "application/json",
                 lambda: _export("to_json")(model()), "Layer sizes, activation, features, "
                 "every weight: scratchnet.export.load_model reads it back."),
        Download("Weights (.npz)", "scratchnet_weights.npz", "application/octet-stream",
                 lambda: _export("to_npz")(model()),
                 "The same for NumPy: coef_0, intercept_0, ..."),
        Download("History (CSV)", "scratchnet_history.csv", "text/csv", history,
                 "One row per epoch: loss, accuracy, learning rate."),
        Download("Boundary (HTML)", "scratchnet_boundary.html", "text/html", figure,
                 "The plot, interactive, in one file that works offline."),
        Download("Boundary picture (PNG)", "scratchnet_boundary.png", "image/png", picture,
                 "The background picture; the chart's camera button saves the plot."),
        Download("Python script", "scratchnet_run.py", "text/x-python", script,
                 "Trains the same run again with scratchnet alone, step for step."),
        Download("Notebook", "scratchnet_run.ipynb", "application/x-ipynb+json",
                 lambda: notebook(script()), "The script as a Jupyter notebook."),
    ]  # fmt: skip


HEADER = '''"""A scratchnet Playground run, trained again with scratchnet alone.

Run it with scratchnet importable (the repository on PYTHONPATH):  python {name}
It trains the same network on the same data, step for step, as the Playground did, prints
the final loss and {score}, and writes the weights to {weights} (load them with
scratchnet.export.load_model).
"""

import numpy as np

from scratchnet.export import model_dict, to_json
from scratchnet.features import feature_map
from scratchnet.training import Trainer
'''

TOY_DATA = """from scratchnet.datasets import make_dataset, split

# The data: {dataset}, {n} points, noise {noise}, split {test_ratio} for testing (seed {seed})
X, y = make_dataset({dataset!r}, {n}, {noise!r}, seed={seed}, n_classes={classes})
X_train, X_test, y_train, y_test = split(X, y, {test_ratio!r}, seed={seed})
"""

CSV_DATA = """from scratchnet.datasets import {load}, split, standardize

# The data: your file {file!r} (put it next to this script), columns {features} -> {label!r},
# split {test_ratio} for testing (seed {seed}), scaled on the training part
X, y, info = {load}({file!r}, {label!r}, {features!r}, return_info=True)
X_train, X_test, y_train, y_test = split(X, y, {test_ratio!r}, seed={seed})
X_train, X_test, _, _ = standardize(X_train, X_test)
"""

TRAINING = """
# The network, as the Playground's settings made it (ScratchNetClassifier's parameters)
FEATURES = {features!r}
PARAMS = {params}
trainer = Trainer.from_params(PARAMS, len(FEATURES), {n_outputs}, {task!r})
trainer.set_data(feature_map(X_train, FEATURES), y_train, feature_map(X_test, FEATURES), y_test)

# What changed while it trained, each from a training step on
CHANGES = {changes}
STEPS = {steps}  # minibatch steps in all: {epochs:g} epochs

for step, what, value in [*CHANGES, (STEPS, "end", None)]:
    while trainer.steps < step and trainer.diverged is None:
        trainer.run(epochs=STEPS, max_steps=step - trainer.steps)
    if what == "learning_rate":
        trainer.learning_rate = value
        trainer.clear_divergence()
    elif what == "weight":  # set by hand: layer (1 = the first hidden), from unit, to unit
        layer, i, j, weight = value
        trainer.net.coefs[layer - 1][i, j] = weight
        trainer.optimizer.reset_state()

for name, X_part, y_part in (("train", X_train, y_train), ("test", X_test, y_test)):
    if len(X_part):
        loss, score = trainer.evaluate(feature_map(X_part, FEATURES), y_part)
        print(f"{{name}}: loss {{loss:.6f}}, {score_name} {{score:.4f}}")
print(f"steps {{trainer.steps}}, epoch {{trainer.progress:g}}")
with open({weights!r}, "w") as file:
    file.write(to_json(model_dict(trainer.net, PARAMS, FEATURES, {classes})))
"""


def _export(name: str) -> Callable:
    """A function of scratchnet.export, imported when it is called for."""
    import scratchnet.export

    return getattr(scratchnet.export, name)


def run_script(values: Mapping[str, Any], run: LiveRun, csv: Mapping[str, Any] | None = None,
               name: str = "scratchnet_run.py") -> str:  # fmt: skip
    """The script for the Playground's settings ``values`` and its ``run``; ``csv`` the
    uploaded file's record (name, label, features) when the data is the student's own."""
    regression = getattr(run, "regression", False)
    changes = list(run.changes)
    params = dict(run.params)
    if changes and changes[0].kind == "lr":  # the rate it started with; the rest are changes
        params["learning_rate"] = changes[0].values[0]
        changes = changes[1:]
    written = [
        (c.step, "learning_rate", c.values[0]) if c.kind == "lr" else (c.step, "weight", c.values)
        for c in changes
    ]
    if values["dataset"] == "csv":
        data = CSV_DATA.format(
            load="load_regression_csv" if regression else "load_csv",
            file=csv["name"], label=csv["label"], features=list(csv["features"]),
            test_ratio=values["test_ratio"], seed=values["data_seed"],
        )  # fmt: skip
        classes = "info.classes" if not regression else "None"
    else:
        data = TOY_DATA.format(dataset=values["dataset"], n=values["n_samples"],
                               noise=values["noise"], seed=values["data_seed"],
                               classes=values["classes"] if values["dataset"] == "spiral" else 2,
                               test_ratio=values["test_ratio"])  # fmt: skip
        classes = "None"
    score = "R²" if regression else "accuracy"
    steps = run.trainer.steps
    body = TRAINING.format(
        features=tuple(run.features), params=_python(params), changes=_python(written),
        steps=steps, epochs=run.progress,
        n_outputs=run.trainer.net.layer_sizes[-1] if regression else run.n_classes,
        task="regression" if regression else "classification", weights=WEIGHTS_FILE,
        score_name=score, classes=classes,
    )  # fmt: skip
    return HEADER.format(name=name, score=score, weights=WEIGHTS_FILE) + "\n" + data + body


def _python(value: Any) -> str:
    """A value as Python source that reads back to exactly it (floats by repr)."""
    if isinstance(value, dict):
        items = ",\n    ".join(f"{k!r}: {_python(v)}" for k, v in value.items())
        return "{\n    " + items + ",\n}"
    if isinstance(value, list):
        return "[" + ", ".join(_python(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(_python(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if hasattr(value, "item"):  # a NumPy scalar
        value = value.item()
    return repr(value)


def notebook(script: str) -> str:
    """The script as a Jupyter notebook (nbformat 4): its docstring as a markdown cell,
    then one code cell per block of the script."""
    docstring, _, code = script.partition('"""\n\n')
    blocks = [b.strip("\n") for b in code.split("\n\n# ") if b.strip()]
    blocks = [blocks[0], *("# " + b for b in blocks[1:])]
    cells = [{"cell_type": "markdown", "metadata": {},
              "source": docstring.strip('"\n').splitlines(keepends=True)}]  # fmt: skip
    cells += [
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": block.splitlines(keepends=True),
        }
        for block in blocks
    ]
    return json.dumps(
        {
            "cells": cells,
            "metadata": {"language_info": {"name": "python"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )
