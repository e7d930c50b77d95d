"""netview/frontend/diagram.js in Chromium: the network drawn as TensorFlow Playground draws
it, from the weights and forward.js's pictures, on a bare page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from browser_support import chromium, require_browser

from netview import FRONTEND, network_spec
from scratchnet.features import LABELS, check_features
from scratchnet.network import MLP

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
N = 20


@pytest.fixture(scope="module")
def browser():
    require_browser()
    with chromium() as running:
        yield running


EXTENT = (-2, 2, -2, 2)


def show(browser, net: MLP, features=("x1", "x2"), paused=True, **spec):
    """A page with the diagram of ``net`` (``spec``: more of ``network_spec``'s arguments);
    the handlers' calls are kept in window.calls."""
    page = browser.new_page(viewport={"width": 900, "height": 700})
    page.set_content('<html><body><div id="net" style="margin:40px 80px"></div></body></html>')
    page.add_style_tag(path=str(FRONTEND / "diagram.css"))
    page.add_script_tag(path=str(FRONTEND / "forward.js"))
    page.add_script_tag(path=str(FRONTEND / "diagram.js"))
    features = check_features(features)
    page.evaluate(
        """([net, n, paused, extent]) => {
            window.calls = [];
            const F = window.scratchnetForward;
            window.net = Object.assign(net, {n, paused,
                pictures: F.forward(net, F.grid(extent, n))});
            window.view = window.scratchnetDiagram.create(document.getElementById("net"), {
                onHoverNeuron: (l, j) => window.calls.push(["hover", l, j]),
                onEditWeight: (l, i, j, w) => window.calls.push(["edit", l, i, j, w]),
                onToggleFeature: (name) => window.calls.push(["feature", name]),
            });
            window.view.update(window.net);
        }""",
        [
            network_spec(net, features, [LABELS[f] for f in features], **spec),
            N,
            paused,
            list(EXTENT),
        ],
    )
    return page


def counts(page) -> tuple[list[int], int]:
    """Neurons shown in each column, and links drawn."""
    return page.evaluate(
        """() => [Array.from(document.querySelectorAll('.netview-column'))
                    .map((c) => c.querySelectorAll('.netview-neuron').length),
                  document.querySelectorAll('.netview-link').length]"""
    )


def test_every_neuron_and_link_of_a_small_network(browser):
    net = MLP([3, 8, 4, 2], "tanh", seed=0)
    page = show(browser, net, ("x1", "x2", "x1*x2"))
    assert counts(page) == [[3, 8, 4, 2], 3 * 8 + 8 * 4 + 4 * 2]
    labels = page.locator(".netview-label").all_inner_texts()
    assert labels == ["X₁", "X₂", "X₁X₂"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "diagram-3-8-4-2.png"))
    page.close()


def test_links_show_the_weights_sign_and_size(browser):
    net = MLP([2, 5, 2], seed=1)
    page = show(browser, net)
    links = page.evaluate(
        """() => Array.from(document.querySelectorAll('.netview-link')).map((l) => [
            +l.dataset.layer, +l.dataset.from, +l.dataset.to, +l.dataset.weight,
            l.getAttribute('stroke'), +l.getAttribute('stroke-width')])"""
    )
    assert len(links) == 2 * 5 + 5 * 2
    for layer, i, j, weight, stroke, _ in links:
        assert weight == net.coefs[layer - 1][i, j]  # the very number NumPy holds
        assert stroke == ("rgb(8,119,189)" if weight >= 0 else "rgb(245,147,34)")
    by_size = sorted(links, key=lambda link: abs(link[3]))
    widths = [link[5] for link in by_size]
    assert widths == sorted(widths) and widths[0] < widths[-1]  # wider for larger weights
    page.close()


def test_links_follow_the_weights_while_playing(browser):
    """Playing, the view writes only what changed on each link: weights whose sign flips
    change colour, and the widths follow the new sizes (a stale cache would keep the old)."""
    page = show(browser, MLP([2, 5, 2], seed=1))
    read = """() => Array.from(document.querySelectorAll('.netview-link')).map((l) => [
        +l.dataset.layer, +l.dataset.from, +l.dataset.to, l.getAttribute('stroke'),
        +l.getAttribute('stroke-width'), 'weight' in l.dataset])"""
    before = page.evaluate(read)
    # every third weight doubled, the others negated
    weights = page.evaluate("() => Array.from(window.net.weights, (v, i) => (i % 3 ? -v : 2 * v))")
    page.evaluate(
        """(w) => window.view.update(Object.assign({}, window.net,
              {weights: Float64Array.from(w), paused: false}))""",
        weights,
    )
    after = page.evaluate(read)
    sizes = []
    for layer, i, j, stroke, width, has_weight in after:
        w = page.evaluate(
            "([l, i, j, w]) => window.scratchnetDiagram.weightAt(window.net.sizes, w, l, i, j)",
            [layer, i, j, weights],
        )
        assert stroke == ("rgb(8,119,189)" if w >= 0 else "rgb(245,147,34)")
        assert not has_weight  # the exact number is written while paused only
        sizes.append((abs(w), width))
    widths = [width for _, width in sorted(sizes)]
    assert widths == sorted(widths) and widths[0] < widths[-1]
    assert sum(b[3] != a[3] for b, a in zip(before, after, strict=True)) >= len(after) // 2
    page.close()


def test_a_wide_layer_shows_its_most_important_neurons_and_expands(browser):
    net = MLP([2, 128, 2], seed=2)
    page = show(browser, net)
    assert counts(page) == [[2, 16, 2], 2 * 16 + 16 * 2]
    shown = page.evaluate(
        """() => Array.from(document.querySelectorAll(
                   '.netview-column[data-layer="1"] .netview-neuron'))
                 .map((c) => +c.dataset.unit)"""
    )
    outgoing = np.abs(net.coefs[1]).sum(axis=1)  # what each neuron sends to the output
    assert shown == sorted(np.argsort(-outgoing)[:16].tolist())
    page.get_by_role("button", name="+112 more").click()
    assert counts(page) == [[2, 128, 2], 2 * 128 + 128 * 2]
    page.get_by_role("button", name="show fewer").click()
    assert counts(page)[0] == [2, 16, 2]
    page.close()


def test_hovering_shows_weights_and_biases(browser):
    net = MLP([2, 4, 2], seed=3)
    page = show(browser, net)
    page.locator('.netview-link[data-layer="2"][data-from="1"][data-to="0"]').hover(force=True)
    assert (
        page.locator(".netview-tip")
        .inner_text()
        .startswith(f"weight {float(f'{net.coefs[1][1, 0]:.4g}'):.4g}"[:10])
    )
    page.locator('.netview-neuron[data-layer="1"][data-unit="2"]').hover()
    assert page.locator(".netview-tip").inner_text().startswith("bias ")
    assert ["hover", 1, 2] in page.evaluate("window.calls")
    page.close()


def test_a_click_on_a_link_edits_its_weight_while_paused(browser):
    net = MLP([2, 4, 2], seed=4)
    page = show(browser, net, paused=True)
    page.once("dialog", lambda dialog: dialog.accept("0.75"))
    # (links cross: a click at one's middle may land on another, so the link itself is clicked)
    page.locator('.netview-link[data-layer="1"][data-from="0"][data-to="3"]').dispatch_event(
        "click"
    )
    assert page.evaluate("window.calls").count(["edit", 1, 0, 3, 0.75]) == 1
    page.close()
    page = show(browser, net, paused=False)  # while training, links are not editable
    prompts = []
    page.on("dialog", lambda dialog: (prompts.append(dialog.message), dialog.dismiss()))
    page.locator('.netview-link[data-layer="1"][data-from="0"][data-to="3"]').dispatch_event(
        "click"
    )
    assert prompts == []
    assert not [c for c in page.evaluate("window.calls") if c[0] == "edit"]
    page.close()


def test_a_click_on_an_input_switches_that_feature(browser):
    net = MLP([3, 4, 2], seed=5)
    page = show(browser, net, ("x1", "x2", "sin(x1)"))
    page.locator('.netview-neuron[data-layer="0"][data-unit="2"]').click()
    assert ["feature", "sin(x1)"] in page.evaluate("window.calls")
    page.close()


def test_a_neurons_picture_is_its_activation(browser):
    net = MLP([2, 6, 2], "tanh", seed=6)
    page = show(browser, net)
    # neuron 3 of layer 1: its canvas, and forward.js's picture it was painted from
    canvas, values = page.evaluate(
        """() => { const c = document.querySelector(
                     '.netview-neuron[data-layer="1"][data-unit="3"] canvas');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   return [Array.from(d), Array.from(window.net.pictures.layers[0][3])]; }"""
    )
    rgba = np.array(canvas, dtype=float).reshape(-1, 4)
    values = np.array(values)
    t = values / np.abs(values).max()
    colour = np.where(t[:, None] >= 0, [8, 119, 189], [245, 147, 34])
    expected = 255 + np.abs(t)[:, None] * (colour - 255)
    np.testing.assert_allclose(rgba[:, :3], expected, atol=1.0)  # canvas bytes round
    assert len(np.unique(rgba[:, :3], axis=0)) > 10  # a picture, not a flat colour


def canvas_rgba(page, layer: int, unit: int) -> np.ndarray:
    """The pixels of a neuron's canvas, (N * N, 4)."""
    data = page.evaluate(
        """([l, j]) => { const c = document.querySelector(
                `.netview-neuron[data-layer="${l}"][data-unit="${j}"] canvas`);
            return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data); }""",
        [layer, unit],
    )
    return np.array(data, dtype=np.uint8).reshape(-1, 4)


def test_a_regression_networks_outputs_are_pictures_of_its_values(browser):
    """One output neuron per target, each the boundary picture's value scale (value_rgba of
    the network's prediction over the value range, in the palette's first two colours);
    the hidden neurons keep their own scale."""
    from scratchnet.plots import OKABE_ITO, grid, value_rgba
    from scratchnet.training import build_network, check_params, make_rngs

    params = check_params({"hidden_layer_sizes": (5,), "activation": "tanh"}, "regression")
    net = build_network(params, 2, 2, make_rngs(0, None)[0])  # two targets
    net.coefs[-1][...] *= 4  # values well past the range too: clipped to the end colours
    value_range = 0.5
    page = show(browser, net, value_range=value_range, colors=OKABE_ITO)
    assert counts(page) == [[2, 5, 2], 2 * 5 + 5 * 2]
    predicted = net.predict_output(grid(EXTENT, N)[2])
    assert np.abs(predicted).max() > value_range
    for target in range(2):
        expected = value_rgba(predicted[:, target], N, OKABE_ITO, value_range=value_range)
        np.testing.assert_array_equal(canvas_rgba(page, 2, target), expected.reshape(-1, 4))
    hidden = canvas_rgba(page, 1, 0)[:, :3].astype(float)
    values = np.array(page.evaluate("() => Array.from(window.net.pictures.layers[0][0])"))
    t = values / np.abs(values).max()  # a hidden neuron: its own largest magnitude is full
    colour = np.where(t[:, None] >= 0, [8, 119, 189], [245, 147, 34])
    np.testing.assert_allclose(hidden, 255 + np.abs(t)[:, None] * (colour - 255), atol=1.0)
    # The overlay of a hovered neuron (main.js) takes the same scale: the outputs only.
    scales = page.evaluate(
        """() => [0, 1, 2].map((l) => window.scratchnetDiagram.valueScaleOf(window.net, l))"""
    )
    assert scales == [None, None, {"valueRange": value_range, "colors": list(OKABE_ITO[:2])}]
    page.close()


def test_a_classifiers_outputs_keep_their_own_scale(browser):
    page = show(browser, MLP([2, 3, 2], seed=0))
    assert page.evaluate("() => window.scratchnetDiagram.valueScaleOf(window.net, 2)") is None
    page.close()
