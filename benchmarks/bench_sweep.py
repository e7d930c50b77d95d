"""The blog's ``test_class(3, 40, 3)``, timed: one network at a time against lock-step.

The sweep is 111 networks (hidden sizes 3..39, 3 trials each) with the moons-blog
settings (2-h-2, relu/softmax, standard-normal init, SGD at 1e-3, batch 10) for 100
epochs on the blog's data. Three ways to train the same 111 networks:

* sequential: ``ScratchNetClassifier.fit``, one network after another;
* lock-step, 1 process: ``run_sweep(..., n_jobs=1)``;
* lock-step, 2 processes: ``run_sweep(..., n_jobs=2)``.

Timing the sequential way in full takes a minute per round, so by default it trains a
representative subset (every 6th hidden size, all 3 trials: 21 networks, full epochs)
and scales the time by 111 / 21; the output says so. ``--full-baseline`` times all 111.
The machine may be busy, so the methods take turns round after round, and the ratios
are computed per round (then the median is shown). Other programs on the machine slow the
two processes of ``n_jobs=2`` most, so CPU seconds are shown too: this process's for the
sequential and 1-process runs, and for ``n_jobs=2`` the busiest worker's, which is about
what the run takes on two otherwise idle cores.

    python benchmarks/bench_sweep.py            # full: 100 epochs, 3 rounds
    python benchmarks/bench_sweep.py --quick    # 10 epochs, 2 rounds
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

import psutil

# `python benchmarks/bench_sweep.py` puts benchmarks/ on sys.path, not the repository.
ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from scratchnet.estimator import ScratchNetClassifier  # noqa: E402
from scratchnet.presets import PRESETS, preset_data  # noqa: E402
from scratchnet.sweep import neuron_range, run_sweep, summarize  # noqa: E402

HIDDEN = neuron_range(3, 39)
TRIALS = 3


def children_cpu() -> dict[int, float]:
    """CPU seconds so far of each process this one started (joblib's workers), by pid."""
    seconds = {}
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:  # it ended meanwhile
            continue
        seconds[child.pid] = times.user + times.system
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 epochs, 2 rounds")
    parser.add_argument("--epochs", type=int, help="epochs per network (default 100)")
    parser.add_argument("--rounds", type=int, help="rounds of the three methods")
    parser.add_argument("--full-baseline", action="store_true", help="time all 111 alone")
    parser.add_argument("--jobs", type=int, default=2, help="processes of the parallel run")
    args = parser.parse_args()
    epochs = args.epochs or (10 if args.quick else 100)
    rounds = args.rounds or (2 if args.quick else 3)

    X_train, X_test, y_train, y_test = preset_data("moons-blog")
    params = {**PRESETS["moons-blog"]["params"], "epochs": epochs}
    del params["hidden_layer_sizes"]
    subset = HIDDEN if args.full_baseline else HIDDEN[::6]
    n_total, n_subset = len(HIDDEN) * TRIALS, len(subset) * TRIALS

    cpu: dict[str, list[float]] = {"sequential": [], "lock-step, 1 process": [], "busiest": []}

    def sequential() -> float:
        started, started_cpu = time.perf_counter(), time.process_time()
        for h in subset:
            for t in range(TRIALS):
                clf = ScratchNetClassifier(**params, hidden_layer_sizes=(h,), random_state=t)
                clf.fit(X_train, y_train)
        cpu["sequential"].append((time.process_time() - started_cpu) * n_total / n_subset)
        return (time.perf_counter() - started) * n_total / n_subset

    results = {}

    def lockstep(n_jobs: int) -> float:
        workers = children_cpu()
        started, started_cpu = time.perf_counter(), time.process_time()
        results[n_jobs] = run_sweep(
            X_train, y_train, X_test, y_test, HIDDEN, TRIALS, n_jobs=n_jobs, **params
        )
        elapsed = time.perf_counter() - started
        if n_jobs == 1:
            cpu["lock-step, 1 process"].append(time.process_time() - started_cpu)
        else:
            used = [s - workers.get(pid, 0.0) for pid, s in children_cpu().items()]
            cpu["busiest"].append(max(used, default=math.nan))
        return elapsed

    methods = {
        "sequential": sequential,
        "lock-step, 1 process": lambda: lockstep(1),
        f"lock-step, n_jobs={args.jobs}": lambda: lockstep(args.jobs),
    }
    # warm up: imports, buffers and the worker processes are not what is measured
    run_sweep(X_train, y_train, X_test, y_test, [3, 4], 2, n_jobs=args.jobs, chunk_size=2,
              **{**params, "epochs": 1})  # fmt: skip

    print(
        f"{n_total} networks: hidden {HIDDEN[0]}..{HIDDEN[-1]} x {TRIALS} trials, {epochs} "
        f"epochs, batch {params['batch_size']}, {len(X_train)} training samples"
    )
    if not args.full_baseline:
        print(f"sequential: {n_subset} networks timed (hidden {subset}, {TRIALS} trials, "
              f"full epochs), scaled by {n_total}/{n_subset}")  # fmt: skip
    times: dict[str, list[float]] = {name: [] for name in methods}
    names = list(methods)
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]  # take turns going first
        for name in order:
            times[name].append(methods[name]())
        print(f"round {r + 1}: " + ", ".join(f"{n} {times[n][-1]:.2f} s" for n in names))

    print("\nseconds (median of rounds)")
    for name in names:
        print(f"  {name:24s} {statistics.median(times[name]):8.2f}")
    print("speed-up over sequential (median of per-round ratios)")
    for name in names[1:]:
        ratios = [s / t for s, t in zip(times["sequential"], times[name], strict=True)]
        print(f"  {name:24s} {statistics.median(ratios):8.1f}x   rounds: "
              + ", ".join(f"{x:.1f}" for x in ratios))  # fmt: skip
    ratios = [s / t for s, t in zip(cpu["sequential"], cpu["lock-step, 1 process"], strict=True)]
    print(f"CPU seconds of this process (less sensitive to a busy machine): sequential "
          f"{statistics.median(cpu['sequential']):.2f}, lock-step 1 process "
          f"{statistics.median(cpu['lock-step, 1 process']):.2f}: "
          f"{statistics.median(ratios):.1f}x")  # fmt: skip
    if cpu["busiest"]:
        ratios = [s / t for s, t in zip(cpu["sequential"], cpu["busiest"], strict=True)]
        print(f"CPU seconds of the busiest worker with n_jobs={args.jobs} (about the run's time "
              f"on idle cores): {statistics.median(cpu['busiest']):.2f}: "
              f"{statistics.median(ratios):.1f}x")  # fmt: skip
    same = results[1].equals(results[args.jobs])
    print(f"n_jobs=1 and n_jobs={args.jobs} give identical results: {same}")

    table = summarize(results[1])
    print("\nmean test accuracy by hidden neurons (blog's figure: ~0.89 at 3, 0.97-0.99 at 35-39)")
    rows = table[table.hidden_size.isin([3, 4, 5, 10, 20, 35, 36, 37, 38, 39])]
    print(rows[["hidden_size", "test_acc_mean", "test_acc_std", "train_acc_mean"]]
          .to_string(index=False, float_format=lambda x: f"{x:.4f}"))  # fmt: skip
    wide = table[table.hidden_size >= 35].test_acc_mean
    print(f"mean over 35-39 neurons: {wide.mean():.4f}")


if __name__ == "__main__":
    main()
