"""Going back in time over a run (scratchnet.timeline): memory, and how long a scrub takes.

    python benchmarks/bench_timeline.py [--epochs 10000] [--scrubs 200]

A run at the Playground's defaults (moons, 1,250 points, 2-64-2 ReLU/softmax, batch 10)
trains ``--epochs`` epochs, with two learning-rate changes on the way. Then:

- memory: the timeline's checkpoints, in bytes, against the run's own history of the same
  epochs (the curves it already keeps: 64 bytes an epoch). Goal: <= 1 MB for 10,000 epochs.
- a scrub: ``LiveRun.weights_at(k)`` for random epochs k, plus the picture of the boundary
  from those weights (what the page shows), in milliseconds; the peer, in the same run, is
  one live epoch of the run (training and its evaluation), so the ratio says how many
  epochs' worth of time a scrub costs. Goal: a new epoch shown within 100 ms.
Each scrub's weights are checked against the weights the run had at that epoch.

With ``--browser``, the same in the app, in headless Chromium: the timeline slider moved
one epoch back with the keyboard, timed until the chart's status line shows that epoch
(Streamlit's rerun included), against the peer of the same page: a Step, timed until the
status shows the next epoch.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from benchmarks.bench_frame import playground_run
from scratchnet.plots import boundary_rgba, encode_png


def browser_scrubs(epochs: int, scrubs: int) -> None:
    """Time the timeline in the app (see the module docstring)."""
    import re

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
    from browser_support import chromium, component_frame, streamlit_server

    status = "(document.querySelector('#status strong') || {}).innerText || ''"
    with streamlit_server("app.py") as server, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server.url + f"/?epoch={epochs}")  # trained to there on open
        chart = component_frame(page, "livechart.livechart", timeout=300_000)
        chart.wait_for_function(f"{status} === 'Epoch {epochs}'", timeout=300_000)
        slider = page.get_by_test_id("stMain").locator("[data-testid='stSlider']")
        slider = slider.filter(has_text="Timeline").get_by_role("slider")
        steps, backs = [], []
        for i in range(scrubs):
            slider.focus()
            t = time.perf_counter()
            page.keyboard.press("ArrowLeft")
            chart.wait_for_function(f"{status} === 'Epoch {epochs + i - 1}'", timeout=60_000)
            backs.append(time.perf_counter() - t)
            t = time.perf_counter()
            page.get_by_role("button", name=re.compile("^Step")).click()  # newest + 1
            chart.wait_for_function(f"{status} === 'Epoch {epochs + i + 1}'", timeout=60_000)
            steps.append(time.perf_counter() - t)
            slider = page.get_by_test_id("stMain").locator("[data-testid='stSlider']")
            slider = slider.filter(has_text="Timeline").get_by_role("slider")
    back, step = statistics.median(backs), statistics.median(steps)
    print(f"in Chromium: one epoch back on the timeline {1000 * back:.0f} ms (median of "
          f"{scrubs}; goal <= 100 ms), a Step {1000 * step:.0f} ms: "
          f"{back / step:.2f}x a Step")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=10_000)
    parser.add_argument("--scrubs", type=int, default=200)
    parser.add_argument("--browser", action="store_true", help="time the app's timeline")
    args = parser.parse_args()
    if args.browser:
        browser_scrubs(args.epochs, args.scrubs)
        return
    run, _ = playground_run((64,), None)
    run.set_epochs(args.epochs)
    kept, epoch_seconds = {}, []
    check = set(np.random.default_rng(0).integers(0, args.epochs, 20).tolist())
    started = time.perf_counter()
    while run.epoch < args.epochs:
        t = time.perf_counter()
        run.step_epoch()
        epoch_seconds.append(time.perf_counter() - t)
        if run.epoch in check:
            kept[run.epoch] = run.trainer.net.flat_params.copy()
        if run.epoch in (args.epochs // 3, 2 * args.epochs // 3):
            run.set_learning_rate(0.3 if run.epoch == args.epochs // 3 else 0.05)
    trained = time.perf_counter() - started
    timeline = run.trainer.timeline
    history = run.history._data[: len(run.history)].nbytes
    points, every = len(timeline.checkpoints), timeline.every
    print(f"trained {args.epochs} epochs in {trained:.1f} s; {points} checkpoints, one every "
          f"{every} epochs")  # fmt: skip
    print(f"memory: timeline {timeline.nbytes / 1e6:.3f} MB (goal <= 1 MB), history "
          f"{history / 1e6:.3f} MB: {timeline.nbytes / history:.2f}x the history")  # fmt: skip
    for epoch, weights in kept.items():
        assert np.array_equal(run.weights_at(epoch), weights), epoch
    rng = np.random.default_rng(1)
    scrubs = []
    for k in rng.integers(0, args.epochs, args.scrubs):
        t = time.perf_counter()
        weights = run.weights_at(int(k))
        net = run._scratch.net if run._scratch is not None else run.trainer.net
        assert np.array_equal(net.flat_params, weights)
        encode_png(boundary_rgba(net.predict_proba(run._grid), run.grid_size), level=1)
        scrubs.append(time.perf_counter() - t)
    epoch = statistics.median(epoch_seconds)
    median, worst = statistics.median(scrubs), max(scrubs)
    p95 = sorted(scrubs)[int(0.95 * len(scrubs))]
    print(f"a live epoch: {1000 * epoch:.2f} ms (median)")
    print(f"a scrub (weights + picture): median {1000 * median:.1f} ms, p95 {1000 * p95:.1f} ms, "
          f"worst {1000 * worst:.1f} ms (goal <= 100 ms): {median / epoch:.1f}x / "
          f"{p95 / epoch:.1f}x a live epoch")  # fmt: skip
    print(f"every scrub's weights equal the run's at that epoch ({len(kept)} checked bit for bit)")


if __name__ == "__main__":
    main()
