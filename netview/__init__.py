"""The Playground's network view, drawn in the browser from the weights (issue 12).

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
paused, a click on a link edits its weight; a click on a feature switches it.
"""

from pathlib import Path

FRONTEND = Path(__file__).resolve().parent / "frontend"
FORWARD_JS = FRONTEND / "forward.js"
DIAGRAM_JS = FRONTEND / "diagram.js"
DIAGRAM_CSS = FRONTEND / "diagram.css"
