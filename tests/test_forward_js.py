"""netview/frontend/forward.js in Chromium against NumPy: the browser's pictures of the
network (input features, every hidden neuron, the output) are NumPy's, to 1e-9, and the
boundary it paints (class probabilities, or a regression's values) is NumPy's byte for byte."""

from __future__ import annotations

import numpy as np
import pytest
from browser_support import chromium, require_browser

from netview import FORWARD_JS as NETVIEW_FORWARD_JS
from netview import network_spec
from scratchnet.activations import ACTIVATIONS
from scratchnet.features import FEATURES, PLAIN, check_features, feature_map
from scratchnet.network import MLP
from scratchnet.plots import grid

pytestmark = pytest.mark.browser

FORWARD_JS = NETVIEW_FORWARD_JS
EXTENT = (-2.5, 3.0, -1.75, 2.25)
N = 24  # grid size: 576 pixels a picture
TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def page():
    require_browser()
    with chromium() as browser:
        page = browser.new_page()
        page.set_content("<html><body></body></html>")
        page.add_script_tag(path=str(FORWARD_JS))
        yield page


def js_pictures(page, net: MLP, features) -> dict:
    return page.evaluate(
        """([net, extent, n]) => {
            const F = window.scratchnetForward;
            const out = F.forward(net, F.grid(extent, n));
            const list = (pictures) => pictures.map((p) => Array.from(p));
            const last = out.layers[out.layers.length - 1];
            return {
                inputs: list(out.inputs),
                layers: out.layers.map(list),
                proba: net.output === "identity" ? null : list(F.classProbabilities(net, last)),
            };
        }""",
        [
            network_spec(net, features),
            list(EXTENT),
            N,
        ],
    )


def assert_same_pictures(js: list, ours: np.ndarray, what: str) -> None:
    """Each column of ``ours`` (pixels, neurons) against the browser's picture, relative to
    the picture's largest value."""
    js = np.array(js)
    assert js.shape == ours.T.shape, what
    scale = np.maximum(np.abs(ours).max(axis=0), 1e-300)
    error = (np.abs(js.T - ours) / scale).max()
    assert error <= TOLERANCE, f"{what}: relative error {error:.3g}"


CASES = [
    (activation, output, features, hidden)
    for activation in ACTIVATIONS
    for output, features, hidden in [
        ("softmax", PLAIN, (16,)),
        ("sigmoid", tuple(FEATURES), (8, 5)),
    ]
] + [
    ("relu", "softmax", ("x1^2", "x2^2"), ()),  # no hidden layer
    ("tanh", "softmax", ("x1", "sin(x2)", "x1*x2"), (7, 6, 5)),  # three classes, deep
    *[(activation, "identity", ("x1", "x2", "x1*x2"), (6, 4)) for activation in ACTIVATIONS],
    ("relu", "identity", PLAIN, ()),  # regression without a hidden layer: a plane
]


def n_outputs(output, hidden) -> int:
    """One unit for sigmoid and for most regressions; three classes (or targets) deep."""
    return 3 if hidden == (7, 6, 5) else 1 if output in ("sigmoid", "identity") else 2


@pytest.mark.parametrize("activation, output, features, hidden", CASES)
def test_the_browsers_pictures_are_numpys(page, activation, output, features, hidden):
    features = check_features(features)
    n_out = n_outputs(output, hidden)
    net = MLP([len(features), *hidden, n_out], activation, output, init="normal", seed=7)
    points = feature_map(grid(EXTENT, N)[2], features)
    js = js_pictures(page, net, features)
    assert_same_pictures(js["inputs"], points, "input features")
    ours = net.activations(points)
    assert len(js["layers"]) == len(ours)
    for i, (theirs, mine) in enumerate(zip(js["layers"], ours, strict=True)):
        assert_same_pictures(theirs, mine, f"layer {i + 1}")
    if output == "identity":  # the output layer is the predicted values, as they are
        assert_same_pictures(js["layers"][-1], net.predict_output(points), "predicted values")
    else:
        assert_same_pictures(js["proba"], net.predict_proba(points), "class probabilities")


def test_a_trained_regression_network_predicts_numpys_values(page):
    from scratchnet.datasets import make_dataset
    from scratchnet.training import Trainer

    X, y = make_dataset("multi-gaussian", 400, seed=0)
    trainer = Trainer.from_params({"hidden_layer_sizes": (16, 8), "random_state": 0}, 2, 1,
                                  "regression")  # fmt: skip
    trainer.set_data(X, y)
    trainer.run(20)
    net = trainer.net
    points = grid(EXTENT, N)[2]
    js = js_pictures(page, net, PLAIN)
    assert_same_pictures(js["layers"][-1], net.predict_output(points), "predicted values")
    message = page.evaluate(
        """(net) => { try { window.scratchnetForward.classProbabilities(net, []); return ""; }
                      catch (e) { return e.message; } }""",
        network_spec(net, PLAIN),
    )
    assert "predicts numbers" in message


def test_a_trained_network_too(page):
    from scratchnet.datasets import make_dataset
    from scratchnet.training import Trainer

    X, y = make_dataset("moons", 400, 0.1, seed=0)
    trainer = Trainer.from_params({"hidden_layer_sizes": (64,), "random_state": 0}, 2, 2)
    trainer.set_data(X, y)
    trainer.run(20)
    net = trainer.net
    js = js_pictures(page, net, PLAIN)
    points = grid(EXTENT, N)[2]
    assert_same_pictures(js["proba"], net.predict_proba(points), "class probabilities")
    assert_same_pictures(js["layers"][0], net.activations(points)[0], "hidden neurons")


def test_weights_that_do_not_fit_the_sizes_are_refused(page):
    message = page.evaluate(
        """() => { const F = window.scratchnetForward;
            try { F.forward({sizes: [2, 3, 2], weights: [1, 2, 3], activation: "relu",
                             output: "softmax"}, F.grid([0, 1, 0, 1], 2)); return "";
            } catch (e) { return e.message; } }"""
    )
    assert message == "weights do not match the layer sizes"


@pytest.mark.parametrize("discrete", [False, True])
@pytest.mark.parametrize("k", [2, 3, 5])
def test_the_browsers_boundary_picture_is_numpys_byte_for_byte(page, k, discrete):
    from scratchnet.plots import OKABE_ITO, boundary_rgba

    net = MLP([2, 12, k], "tanh", init="normal", seed=k)
    points = grid(EXTENT, N)[2]
    proba = net.predict_proba(points)
    proba[:3] = np.nan  # a diverged corner paints white
    proba[3] = 1 / k  # a pixel where every class is as likely: white too
    ours = boundary_rgba(proba, N, OKABE_ITO, discrete=discrete).reshape(-1)
    theirs = page.evaluate(
        """([proba, colors, discrete]) => Array.from(window.scratchnetForward.boundaryRGBA(
            proba.map((p) => Float64Array.from(p.map((v) => v === null ? NaN : v))),
            colors, {discrete}))""",
        [[[None if v != v else v for v in col] for col in proba.T.tolist()], list(OKABE_ITO),
         discrete],
    )  # fmt: skip
    np.testing.assert_array_equal(np.array(theirs, dtype=np.uint8), ours)


@pytest.mark.parametrize("discrete", [False, True])
@pytest.mark.parametrize("value_range", [1.0, 0.3])
def test_the_browsers_value_picture_is_numpys_byte_for_byte(page, value_range, discrete):
    from scratchnet.plots import OKABE_ITO, value_rgba

    net = MLP([2, 12, 1], "tanh", "identity", init="normal", seed=3)
    values = net.predict_output(grid(EXTENT, N)[2])[:, 0]
    values[:2] = np.nan  # a diverged corner paints white
    values[2:6] = [0.0, value_range, -value_range, 1e300]  # white, both ends, clipped
    values[6:8] = [value_range / 30, -value_range * 0.1]  # levels 0.5 and 1.5: rint to even
    assert np.abs(values[8:]).max() > value_range  # some beyond the range
    ours = value_rgba(values, N, OKABE_ITO, value_range=value_range, discrete=discrete)
    theirs = page.evaluate(
        """([values, colors, valueRange, discrete]) => Array.from(
            window.scratchnetForward.valueRGBA(
                Float64Array.from(values.map((v) => v === null ? NaN : v)),
                colors, {valueRange, discrete}))""",
        [[None if v != v else v for v in values.tolist()], list(OKABE_ITO), value_range,
         discrete],
    )  # fmt: skip
    np.testing.assert_array_equal(np.array(theirs, dtype=np.uint8), ours.reshape(-1))


def live_run(task: str):
    from scratchnet.datasets import make_dataset, split
    from scratchnet.live import LiveRun

    X, y = make_dataset("plane" if task == "regression" else "moons", 300, seed=0)
    X_train, X_test, y_train, y_test = split(X, y, 0.25, seed=0)
    params = {"hidden_layer_sizes": (8,), "activation": "tanh", "batch_size": 10,
              "learning_rate": 0.03, "random_state": 0, "epochs": 3}  # fmt: skip
    run = LiveRun(X_train, y_train, X_test, y_test, params, task=task, grid_size=N)
    run.replay_to(3)
    return run


@pytest.mark.parametrize("discrete", [False, True])
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_the_painter_paints_the_runs_own_picture_from_its_weights(page, task, discrete):
    """netview.painter's options and LiveRun.picture()'s weights in, LiveRun.boundary_png's
    pixels out: what the Playground's chart shows whichever side paints."""
    import io

    from PIL import Image

    from netview import painter
    from scratchnet.plots import OKABE_ITO

    run = live_run(task)
    run.discrete, run.colors = discrete, OKABE_ITO
    if run.regression:
        run.value_range = 0.5  # the values reach past it: clipped on both sides
        assert np.abs(run.values()).max() > run.value_range
    expected = np.asarray(Image.open(io.BytesIO(run.boundary_png())).convert("RGBA"))
    run.browser_paints = True
    spec = painter(run.trainer.net, run.features, run.extent, run.grid_size, list(run.colors),
                   "forward.js", discrete=run.discrete, value_range=run.value_range)  # fmt: skip
    theirs = page.evaluate(
        """([bytes, options]) => {
            const out = window[options.function](Uint8Array.from(bytes), options.options);
            return [out.width, out.height, Array.from(out.data)];
        }""",
        [list(run.picture()), {"function": spec["function"], "options": spec["options"]}],
    )
    assert theirs[:2] == [run.grid_size, run.grid_size]
    np.testing.assert_array_equal(np.array(theirs[2], dtype=np.uint8), expected.reshape(-1))
