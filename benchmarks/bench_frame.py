"""What one frame costs the server, against a plain NumPy loop that trains the same slice.

    python benchmarks/bench_frame.py [--rounds 7] [--frames 300] [--hidden 64]

A playing page at the Playground's defaults (moons, 1,250 points, 2-64-2 ReLU/softmax,
batch 10, speed "10 steps a frame") asks the frame route for frame after frame. Each is
timed in this thread's CPU seconds, which is what the route costs a server process:
``server.frames.next_frame`` for a page whose browser paints the boundary (the frame
carries the weights) and for one that gets the server's PNG (as before, and still for
networks too large for a browser: ``netview.BROWSER_PAINT_LIMIT``).

The peer, in the same rounds: the tutorial's plain NumPy loop (bench_core.plain_numpy_epoch's
maths) training the same 10 minibatches of the same network, and evaluating the train and
test sets once an epoch as the run's history does. Rounds are interleaved, BLAS runs on one
thread, and the ratios compare medians measured together, because this machine's load drifts.
Goal (network-view issue): <= 1.5 ms of server CPU per frame at the defaults.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))


def playground_run(hidden: tuple[int, ...], speed: str | None):
    """A LiveRun as the Playground makes it from its default settings."""
    from scratchnet.datasets import make_dataset, split
    from scratchnet.live import LiveRun
    from ui.lifecycle import apply_live_settings
    from ui.settings import DEFAULTS, classifier_params

    values = {**DEFAULTS, "hidden": hidden, "speed": speed or DEFAULTS["speed"]}
    seed = values["data_seed"]
    X, y = make_dataset(values["dataset"], values["n_samples"], values["noise"], seed)
    X_train, X_test, y_train, y_test = split(X, y, values["test_ratio"], seed)
    params = classifier_params(values, len(X_train))
    run = LiveRun(X_train, y_train, X_test, y_test, params, 2, features=values["features"])
    apply_live_settings(run, values, len(X_train))
    return run, values


class PlainSlices:
    """The tutorial's loop, fed the way the Playground feeds its network: ``steps``
    minibatches a frame, a new shuffle each epoch, train and test evaluated at each
    epoch's end."""

    def __init__(self, run, steps: int, batch: int, lr: float, hidden: int):
        rng = np.random.default_rng(0)
        self.X, self.y = run.X_train, run.y_train
        self.X_test, self.y_test = run.X_test, run.y_test
        self.p = {
            "W1": rng.normal(0, 1, (2, hidden)), "b1": np.zeros(hidden),
            "W2": rng.normal(0, 0.18, (hidden, 2)), "b2": np.zeros(2),
        }  # fmt: skip
        self.rng, self.steps, self.batch, self.lr = rng, steps, batch, lr
        self.order, self.at = rng.permutation(len(self.X)), 0

    def _evaluate(self, X, y) -> tuple[float, float]:
        p = self.p
        z2 = np.maximum(X @ p["W1"] + p["b1"], 0) @ p["W2"] + p["b2"]
        e = np.exp(z2 - np.max(z2, axis=1, keepdims=True))
        prob = e / np.sum(e, axis=1, keepdims=True)
        return float(-np.mean(np.log(prob[np.arange(len(y)), y]))), float(
            np.mean(prob.argmax(1) == y)
        )

    def frame(self) -> None:
        p, lr = self.p, self.lr
        for _ in range(self.steps):
            if self.at >= len(self.X):  # an epoch ended: its history row, then a new shuffle
                self._evaluate(self.X, self.y)
                self._evaluate(self.X_test, self.y_test)
                self.order, self.at = self.rng.permutation(len(self.X)), 0
            index = self.order[self.at : self.at + self.batch]
            self.at += self.batch
            xb, yb = self.X[index], self.y[index]
            z1 = xb @ p["W1"] + p["b1"]
            a1 = np.maximum(z1, 0)
            z2 = a1 @ p["W2"] + p["b2"]
            e = np.exp(z2 - np.max(z2, axis=1, keepdims=True))
            prob = e / np.sum(e, axis=1, keepdims=True)
            delta2 = (prob - np.eye(2)[yb]) / len(xb)
            dW2, db2 = a1.T @ delta2, np.sum(delta2, axis=0)
            delta1 = (delta2 @ p["W2"].T) * (z1 > 0)
            dW1, db1 = xb.T @ delta1, np.sum(delta1, axis=0)
            p["W1"] -= lr * dW1
            p["b1"] -= lr * db1
            p["W2"] -= lr * dW2
            p["b2"] -= lr * db2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--frames", type=int, default=300, help="frames a method a round")
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--speed", default=None, help='a speed of the sidebar: "10s", "1e"...')
    args = parser.parse_args()

    import threadpoolctl

    from server import frames
    from server.frames import Pacer, Registry, decode_frame
    from ui.settings import speed_of

    registry = Registry(connected=lambda _: True, ttl=lambda: 120.0)
    frames.REGISTRY = registry
    # A clock that moves a second a look: every request comes in its page's time.
    frames.PACER = Pacer(clock=itertools.count(0.0, 1.0).__next__)

    pages, peer_values = {}, None
    for name, paints in (("browser paints (weights)", True), ("server PNG", False)):
        run, values = playground_run((args.hidden,), args.speed)
        run.browser_paints = paints
        pages[name] = [run, registry.put(None, run, run_id=1, playing=True), -1, 0, 0]
        peer_values = values
    speed = speed_of(peer_values["speed"])
    n_train = len(pages["server PNG"][0].X_train)
    per_epoch = -(-n_train // peer_values["batch_size"])
    steps = speed.get("steps") or speed["epochs"] * per_epoch
    peer = PlainSlices(
        pages["server PNG"][0], steps, peer_values["batch_size"], peer_values["learning_rate"],
        args.hidden,
    )  # fmt: skip

    def serve(page: list) -> None:
        _, token, have_steps, have_epoch, _ = page
        body = frames.next_frame(token, have_epoch, have_steps)[1]
        header = decode_frame(body)[0]
        page[2] = header["steps"]
        page[3] = header["rows"][-1][0] if header["rows"] else have_epoch
        page[4] += len(body)

    methods = {name: (lambda page=page: serve(page)) for name, page in pages.items()}
    methods["plain NumPy loop, same slice"] = peer.frame
    cpu: dict[str, list[float]] = {name: [] for name in methods}
    load_before = os.getloadavg()[0]
    with threadpoolctl.threadpool_limits(1):
        for _ in range(args.rounds):
            for name, method in methods.items():
                started = time.thread_time()
                for _ in range(args.frames):
                    method()
                cpu[name].append((time.thread_time() - started) / args.frames)

    peer_ms = statistics.median(cpu["plain NumPy loop, same slice"]) * 1e3
    print(
        f"2-{args.hidden}-2, the Playground's defaults, speed {peer_values['speed']!r} "
        f"({steps} steps of batch "
        f"{peer_values['batch_size']} a frame); {args.rounds} interleaved rounds of "
        f"{args.frames} frames; BLAS 1 thread; load average {load_before:.1f} -> "
        f"{os.getloadavg()[0]:.1f}\n"
    )
    print(f"{'method':32s} {'CPU ms/frame':>12s} {'vs plain loop':>13s} {'bytes/frame':>11s}")
    for name, samples in cpu.items():
        ms = statistics.median(samples) * 1e3
        page = pages.get(name)
        size = f"{page[4] / (args.rounds * args.frames):11.0f}" if page else f"{'':11s}"
        print(f"{name:32s} {ms:12.3f} {ms / peer_ms:12.2f}x {size}")
    weights = statistics.median(cpu["browser paints (weights)"]) * 1e3
    print(f"\ngoal: server CPU per frame at the defaults <= 1.5 ms: {weights:.2f} ms")


if __name__ == "__main__":
    main()
