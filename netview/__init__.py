"""The Playground's network view, drawn in the browser from the weights (issue 12).

``frontend/forward.js`` is the network's forward pass over a grid of the plane in
JavaScript: the same maths as ``scratchnet.network.MLP.activations`` and
``scratchnet.features.feature_map`` (tests/test_forward_js.py holds them to 1e-9 in
Chromium), so a playing page can be sent weights rather than pictures, and every neuron's
picture comes from the same pass as the output's.
"""

from pathlib import Path

FRONTEND = Path(__file__).resolve().parent / "frontend"
FORWARD_JS = FRONTEND / "forward.js"
