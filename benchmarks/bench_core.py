"""Training speed per epoch, against peers measured in the same run.

    python benchmarks/bench_core.py [--rounds 15] [--keep-blas-env]

Workload: the blog's data (make_moons(5000, noise=0.1, random_state=42), 3,750 training
points), a 2-64-2 ReLU/softmax network, minibatch SGD with batch 10 (375 steps an epoch).
Peers, interleaved round by round so that machine noise hits all alike:
  * MLPClassifier(solver="sgd", batch_size=10, momentum=0, alpha=0, tol=0), partial_fit;
  * a plain tutorial-style NumPy loop (X @ W + b, np.max/np.sum softmax, one-hot, W -= lr*dW);
  * scratchnet: ScratchNetClassifier.partial_fit, and the Trainer that the app drives.
Also: predicting a 100x100 grid at H=64 (the decision boundary the app draws).

Every method runs with BLAS limited to one thread (threadpoolctl), as a classroom server
runs them; wall time and this thread's CPU time are both recorded, and the ratios are
printed three ways (see the table's legend) because this machine's load drifts.

This machine sets OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for old OpenBLAS builds; they slow a
current NumPy, so the script re-runs itself without them (unless --keep-blas-env) and
prints the BLAS kernel in use. Every peer runs in the same process, so the ratios are fair.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))


def plain_numpy_epoch(params, X, y, lr, batch, rng):
    """The straightforward loop a tutorial writes (correct, vectorised, no tricks)."""
    order = rng.permutation(len(X))
    X, y = X[order], y[order]
    for start in range(0, len(X), batch):
        xb, yb = X[start : start + batch], y[start : start + batch]
        z1 = xb @ params["W1"] + params["b1"]
        a1 = np.maximum(z1, 0)
        z2 = a1 @ params["W2"] + params["b2"]
        e = np.exp(z2 - np.max(z2, axis=1, keepdims=True))
        p = e / np.sum(e, axis=1, keepdims=True)
        delta2 = (p - np.eye(2)[yb]) / len(xb)
        dW2, db2 = a1.T @ delta2, np.sum(delta2, axis=0)
        delta1 = (delta2 @ params["W2"].T) * (z1 > 0)
        dW1, db1 = xb.T @ delta1, np.sum(delta1, axis=0)
        params["W1"] -= lr * dW1
        params["b1"] -= lr * db1
        params["W2"] -= lr * dW2
        params["b2"] -= lr * db2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--keep-blas-env", action="store_true")
    args = parser.parse_args()
    blas_vars = [v for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if v in os.environ]
    if blas_vars and not args.keep_blas_env:
        env = {k: v for k, v in os.environ.items() if k not in blas_vars}
        env["SCRATCHNET_BENCH_REMOVED"] = ",".join(blas_vars)
        os.execve(sys.executable, [sys.executable, *sys.argv], env)
    blas_vars = os.environ.get("SCRATCHNET_BENCH_REMOVED", "").split(",") if not blas_vars else []

    import threadpoolctl
    from sklearn.neural_network import MLPClassifier

    from scratchnet import ScratchNetClassifier
    from scratchnet.plots import grid
    from scratchnet.presets import preset_data
    from scratchnet.training import Trainer

    X_train, X_test, y_train, y_test = preset_data("moons-blog")
    lr = 0.1
    warnings.simplefilter("ignore")

    mlp = MLPClassifier(
        solver="sgd", hidden_layer_sizes=(64,), batch_size=10, momentum=0.0, alpha=0.0, tol=0.0,
        learning_rate_init=lr, max_iter=1, random_state=0,
    )  # fmt: skip
    mlp.partial_fit(X_train, y_train, classes=[0, 1])
    ours = ScratchNetClassifier(
        hidden_layer_sizes=(64,), batch_size=10, learning_rate=lr, random_state=0
    )
    ours.partial_fit(X_train, y_train)
    trainer = Trainer.from_params({"batch_size": 10, "learning_rate": lr, "random_state": 0}, 2, 2)
    trainer.set_data(X_train, y_train, X_test, y_test)
    rng = np.random.default_rng(0)
    plain = {
        "W1": rng.normal(0, 1, (2, 64)), "b1": np.zeros(64),
        "W2": rng.normal(0, 0.18, (64, 2)), "b2": np.zeros(2),
    }  # fmt: skip

    methods = {
        "MLPClassifier.partial_fit": lambda: mlp.partial_fit(X_train, y_train),
        "plain NumPy loop": lambda: plain_numpy_epoch(plain, X_train, y_train, lr, 10, rng),
        "ScratchNetClassifier.partial_fit": lambda: ours.partial_fit(X_train, y_train),
        "scratchnet Trainer.run(1) (+test eval)": lambda: trainer.run(1),
    }
    times: dict[str, list[float]] = {name: [] for name in methods}
    cpu: dict[str, list[float]] = {name: [] for name in methods}
    load_before = os.getloadavg()[0]
    with threadpoolctl.threadpool_limits(1):  # one core each: the same for every peer
        for _ in range(args.rounds):
            for name, run in methods.items():
                started, started_cpu = time.perf_counter(), time.thread_time()
                run()
                cpu[name].append(time.thread_time() - started_cpu)
                times[name].append(time.perf_counter() - started)

    blas = threadpoolctl.threadpool_info()
    kernel = blas[0].get("architecture") if blas else "?"
    print(f"BLAS kernel: {kernel} (1 thread); OPENBLAS env vars removed: "
          f"{','.join(blas_vars) or 'none'}; load average {load_before:.1f} -> "
          f"{os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{args.rounds} interleaved rounds, median ms per epoch (375 steps of batch 10)")
    print("vs MLP: ratio of the medians of wall time; per round: median [min, max] of the")
    print("rounds' own ratios (drift between rounds cancels); CPU: ratio of the medians of")
    print("this thread's CPU time (time lost to other processes does not count)\n")
    mlp_name, plain_name = "MLPClassifier.partial_fit", "plain NumPy loop"
    base, plain_ms = statistics.median(times[mlp_name]), statistics.median(times[plain_name])
    base_cpu = statistics.median(cpu[mlp_name])
    print(
        f"{'method':40s} {'ms/epoch':>8s} {'vs MLP':>7s} {'per round':>19s} {'CPU':>6s} "
        f"{'vs plain':>8s}"
    )
    for name, samples in times.items():
        m = statistics.median(samples)
        rounds = sorted(a / b for a, b in zip(times[mlp_name], samples, strict=True))
        per_round = f"{statistics.median(rounds):4.1f}x [{rounds[0]:4.1f}, {rounds[-1]:4.1f}]"
        print(
            f"{name:40s} {m * 1e3:8.2f} {base / m:6.1f}x {per_round:>19s} "
            f"{base_cpu / statistics.median(cpu[name]):5.1f}x {plain_ms / m:7.1f}x"
        )

    _, _, points = grid((-2.0, 3.0, -1.5, 2.0), 100)
    net = trainer.net
    grid_times = []
    for _ in range(100):
        started = time.perf_counter()
        net.predict_proba(points)
        grid_times.append(time.perf_counter() - started)
    grid_ms = statistics.median(grid_times) * 1e3
    print(f"\npredict a 100x100 grid at H=64: {grid_ms:.2f} ms (goal <= 2 ms)")
    print(f"test accuracy after the rounds: scratchnet {ours.score(X_test, y_test):.4f}, "
          f"MLPClassifier {mlp.score(X_test, y_test):.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
