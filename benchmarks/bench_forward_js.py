"""The network's forward pass over the boundary grid: in Chromium (netview/frontend/forward.js)
against NumPy (MLP.activations, every neuron's picture) in the same run.

    python benchmarks/bench_forward_js.py [--rounds 15]

For each network and grid size: the median milliseconds of each, interleaved round by
round, and their ratio. The browser's figure is what one picture update costs a student's
tab (the output picture and every neuron's picture); NumPy's is what the server would pay
to make the same pictures. Needs Debian's chromium.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser_support import chromium  # noqa: E402

from netview import network_spec  # noqa: E402
from scratchnet.features import FEATURES, PLAIN, feature_map  # noqa: E402
from scratchnet.network import MLP  # noqa: E402
from scratchnet.plots import grid  # noqa: E402

FORWARD_JS = ROOT / "netview" / "frontend" / "forward.js"
EXTENT = (-2.0, 3.0, -1.5, 2.0)
CASES = [  # (label, hidden layers, features)
    ("2-64-2 (defaults)", (64,), PLAIN),
    ("3 x 16, all 7 features", (16, 16, 16), tuple(FEATURES)),
    ("6 x 128", (128,) * 6, PLAIN),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # NumPy's BLAS on one thread, as bench_core.py: a browser tab has one
    print(f"{'network':<26}{'grid':>6}{'Chromium ms':>13}{'NumPy ms':>10}{'JS / NumPy':>12}")
    with chromium() as browser:
        page = browser.new_page()
        page.set_content("<html><body></body></html>")
        page.add_script_tag(path=str(FORWARD_JS))
        for label, hidden, features in CASES:
            net = MLP([len(features), *hidden, 2], "relu", seed=0)
            spec = network_spec(net, features)
            for n in (100, 50):
                points = feature_map(grid(EXTENT, n)[2], features)
                js, ours = [], []
                for _ in range(args.rounds):
                    js.append(
                        page.evaluate(
                            """([net, extent, n]) => { const F = window.scratchnetForward;
                                const t = performance.now(); F.forward(net, F.grid(extent, n));
                                return performance.now() - t; }""",
                            [spec, list(EXTENT), n],
                        )
                    )
                    started = time.perf_counter()
                    net.activations(points)
                    ours.append(1000 * (time.perf_counter() - started))
                a, b = statistics.median(js), statistics.median(ours)
                print(f"{label:<26}{n:>6}{a:>13.1f}{b:>10.1f}{a / b:>11.1f}x")


if __name__ == "__main__":
    main()
