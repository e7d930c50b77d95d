"""The Playground's network view, drawn in the browser from the weights.

``frontend/forward.js`` is the network's forward pass over a grid of the plane in
JavaScript: the same maths as ``scratchnet.network.MLP.activations`` and
``scratchnet.features.feature_map`` (tests/test_forward_js.py holds them to 1e-9 in
Chromium), so a playing page can be sent weights rather than pictures, and every neuron's
picture comes from the same pass as the output's.

``frontend/diagram.js`` (with ``diagram.css``) draws the network as TensorFlow Playground
does: the input features, a column per hidden layer and the output, each neuron a small
picture of its activation, each link coloured by its weight's sign and as wide as it is
large. A layer wider than 16 shows the 16 neurons with the largest outgoing weights (what
matters most to the next layer) and "+N more". Hovering shows a weight or a bias; while
paused, a click on a link edits its weight; a click on a feature switches it. A regression
network (identity output) paints the predicted value on the diverging scale of
``scratchnet.plots.value_rgba``, in the boundary picture and in its output neurons.

``network_view`` puts both on a Streamlit page as a component (``frontend/index.html`` and
``main.js``): the page sends the network on each run; while it plays, the view asks the
server for the newest weights (``server/frames.py``'s weights route) and draws the
pictures itself.
"""

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from scratchnet.plots import VALUE_COLORS, VALUE_RANGE, check_value_range

FRONTEND = Path(__file__).resolve().parent / "frontend"
FORWARD_JS = FRONTEND / "forward.js"
DIAGRAM_JS = FRONTEND / "diagram.js"
DIAGRAM_CSS = FRONTEND / "diagram.css"

# The most multiply-adds a picture may cost to be painted in the browser (tests and the
# README's figures: bench_forward_js.py). 2-64-2 over 100 x 100 points is 2.6 million (about
# 8-19 ms in Chromium here), 3 layers of 16 on all seven features 6.6 million; 6 layers of
# 128 is 820 million (over a second): such a network's picture is the server's PNG.
BROWSER_PAINT_LIMIT = 8_000_000

_component: Any = None


def painter(
    net: Any,
    features: Sequence[str],
    extent: Sequence[float],
    n: int,
    colors: Sequence[str],
    script_url: str,
    discrete: bool = False,
    value_range: float = VALUE_RANGE,
    target: int = 0,
) -> dict:
    """A ``livechart`` painter that draws the decision boundary from the network's weights
    (``forward.js``'s ``scratchnetPaint``), byte for byte ``scratchnet.plots.boundary_rgba``
    over the same ``n`` x ``n`` grid of ``extent``; for a regression network (identity
    output) ``value_rgba`` of output ``target`` over ``value_range`` (``LiveRun.boundary_png``
    either way). ``net``: a ``scratchnet.network.MLP`` trained on ``features`` (its weights
    are not sent: the pictures carry them); ``script_url``: where the browser loads
    forward.js."""
    if not 0 <= target < net.layer_sizes[-1]:
        raise ValueError(f"target must be from 0 to {net.layer_sizes[-1] - 1}. Got {target!r}.")
    shape = {
        "sizes": [int(s) for s in net.layer_sizes],
        "activation": net.activation,
        "output": net.output,
        "features": list(features),
    }
    return {
        "scripts": [script_url],
        "function": "scratchnetPaint",
        "options": {
            "n": int(n),
            "extent": [float(v) for v in extent],
            "net": shape,
            "colors": list(colors),
            "discrete": bool(discrete),
            "value_range": check_value_range(value_range),
            "target": int(target),
        },
    }


def network_spec(
    net: Any,
    features: Sequence[str],
    labels: Sequence[str] = (),
    weights: Sequence[float] | None = None,
    value_range: float = VALUE_RANGE,
    colors: Sequence[str] = VALUE_COLORS,
) -> dict:
    """What forward.js and diagram.js need of a network: ``net`` a ``scratchnet.network.MLP``
    (its layer sizes, activation and output), the input ``features`` it was trained on and
    their ``labels``; ``weights`` (default the net's own ``flat_params``) as a flat list. A
    regression network's output neurons are painted on the value scale: ``value_range`` and
    the (negative, positive) ``colors`` (a palette's first two) as the boundary picture's."""
    return {
        "sizes": [int(s) for s in net.layer_sizes],
        "weights": [float(w) for w in (net.flat_params if weights is None else weights)],
        "activation": net.activation,
        "output": net.output,
        "features": list(features),
        "labels": list(labels),
        "value_range": check_value_range(value_range),
        "colors": list(colors[:2]),
    }


def _get_component() -> Any:
    global _component
    if _component is None:
        from streamlit.components.v1 import declare_component

        _component = declare_component("netview", path=str(FRONTEND))
    return _component


def network_view(
    *,
    key: str,
    net: dict,
    extent: Sequence[float],
    run_id: int | str,
    steps: int,
    playing: bool = False,
    weights_url: str | None = None,
    lecture: bool = False,
    rewound: bool = False,
    on_change: Callable[[], None] | None = None,
) -> Any:
    """Draw the network (see the module docstring) and return the last event, or None.

    net : the network, as ``network_spec`` describes it.
    extent : (xmin, xmax, ymin, ymax) of the plane the neurons' pictures cover.
    steps : the training step the weights are from (older pictures never replace newer).
    rewound : the weights are a past epoch's (a timeline): drawn whatever step the view
        showed; the next drawing after one is taken whatever its step too.
    weights_url : while ``playing``, where the view asks for newer weights (little-endian
        float64s: the step, then the flat weights), a few times a second, when no live chart
        on the page shares its frames' weights with it (livechart's "livechart:frame"
        message, sent when the chart's painter draws the boundary from the weights).
    The value is ``{"nonce": n, "edit": [layer, i, j, weight]}`` (a link's new weight,
    asked for while paused) or ``{"nonce": n, "feature": name}`` (an input clicked);
    ``on_change`` runs before the next script run, where widget values may still change.
    """
    return _get_component()(
        key=key,
        default=None,
        on_change=on_change,
        net=net,
        extent=[float(v) for v in extent],
        run_id=str(run_id),
        steps=int(steps),
        rewound=bool(rewound),
        playing=bool(playing and weights_url),
        weights_url=weights_url,
        lecture=bool(lecture),
    )
