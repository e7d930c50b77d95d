"""The blog's ``test_class(3, 40, 3)``, timed: one network at a time against lock-step.

The sweep is 111 networks (hidden sizes 3..39, 3 trials each) with the moons-blog
settings (2-h-2, relu/softmax, standard-normal init, SGD at 1e-3, batch 10) for 100
epochs on the blog's data. Three ways to train the same 111 networks:

* sequential: ``ScratchNetClassifier.fit``, one network after another;
* lock-step, 1 process: ``run_sweep(..., n_jobs=1)``;
* lock-step, 2 processes: ``run_sweep(..., n_jobs=2)``;
* the Experiments page's path: ``SweepRunner`` with the page's defaults (its pool of
  ``MAX_SWEEP_WORKERS`` processes, chunks of ``SWEEP_CHUNK_SIZE``), a ``Sweep`` advanced
  a second at a time as the page's fragment does;
* on Dask: ``run_sweep(..., executor=client)`` on a ``LocalCluster`` of ``--jobs`` worker
  processes started here (or the cluster at ``--scheduler tcp://host:8786``).

Then a 1,000-network grid (4 learning rates x 25 hidden sizes x 10 trials, ``--grid-epochs``
epochs) on the cluster against ``n_jobs=--jobs``, in turns, and the cluster's extra wall
time per chunk. On one machine's two cores parity is the expected result; the point is that
the same code path runs on a cluster of many machines.

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
    python benchmarks/bench_sweep.py --no-dask  # without the Dask rows
    python benchmarks/bench_sweep.py --scheduler tcp://10.0.0.1:8786   # a real cluster
"""

from __future__ import annotations

import argparse
import contextlib
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
from scratchnet.sweep import (  # noqa: E402
    SweepRunner,
    default_workers,
    neuron_range,
    plan_sweep,
    run_sweep,
    summarize,
)
from ui.settings import MAX_SWEEP_WORKERS, SWEEP_CHUNK_SIZE  # noqa: E402

HIDDEN = neuron_range(3, 39)
TRIALS = 3
GRID_RATES, GRID_HIDDEN, GRID_TRIALS = [1e-3, 3e-3, 0.01, 0.03], neuron_range(3, 27), 10
PAGE_STEP_SECONDS = 1.0  # pages/experiments.py STEP_SECONDS: its fragment's wait per rerun


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int):
    """A client of the cluster at ``scheduler``, or of a LocalCluster of ``workers``
    processes on loopback started (and closed) here; None if Dask is not installed."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        print("Dask is not installed (pip install -r requirements-dask.txt): no Dask rows")
        yield None
        return
    if scheduler:
        with Client(scheduler, timeout=10) as client:
            yield client
        return
    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, host="127.0.0.1",
                     dashboard_address=None, silence_logs=40) as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        yield client


def page_path(runner: SweepRunner, data, params: dict) -> float:
    """The 111 networks as the Experiments page trains them, in seconds."""
    X_train, X_test, y_train, y_test = data
    started = time.perf_counter()
    plan = plan_sweep(X_train, y_train, X_test, y_test, HIDDEN, TRIALS,
                      chunk_size=SWEEP_CHUNK_SIZE, **params)  # fmt: skip
    sweep = runner.sweep(plan)
    while not sweep.done:
        sweep.advance(max_seconds=PAGE_STEP_SECONDS)
        if sweep.error:
            raise RuntimeError(sweep.error)
    elapsed = time.perf_counter() - started
    page_path.results = sweep.results()
    return elapsed


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
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask rows")
    parser.add_argument("--scheduler", help="a Dask scheduler (default: a LocalCluster here)")
    parser.add_argument("--grid-epochs", type=int, help="epochs of the 1,000-network grid")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        client = (
            None if args.no_dask else stack.enter_context(dask_client(args.scheduler, args.jobs))
        )
        runner = stack.enter_context(contextlib.closing(
            SweepRunner(None, workers=default_workers(MAX_SWEEP_WORKERS))))  # fmt: skip
        measure(args, client, runner)


def measure(args, client, runner: SweepRunner) -> None:
    """The rounds, then the grid."""
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

    def on_dask() -> float:
        started = time.perf_counter()
        results["dask"] = run_sweep(
            X_train, y_train, X_test, y_test, HIDDEN, TRIALS, executor=client, **params
        )
        return time.perf_counter() - started

    data = (X_train, X_test, y_train, y_test)
    page = f"page: pool of {runner.workers}, chunks {SWEEP_CHUNK_SIZE}"
    methods = {
        "sequential": sequential,
        "lock-step, 1 process": lambda: lockstep(1),
        f"lock-step, n_jobs={args.jobs}": lambda: lockstep(args.jobs),
        page: lambda: page_path(runner, data, params),
    }
    if client is not None:
        n_workers = len(client.scheduler_info(n_workers=-1)["workers"])
        methods[f"Dask, {n_workers} workers"] = on_dask
    # warm up: imports, buffers and the worker processes are not what is measured
    tiny = (X_train, y_train, X_test, y_test, [3, 4], 2)
    run_sweep(*tiny, n_jobs=args.jobs, chunk_size=2, **{**params, "epochs": 1})
    if client is not None:
        run_sweep(*tiny, executor=client, chunk_size=2, **{**params, "epochs": 1})
    with contextlib.suppress(Exception):
        page_path(runner, data, {**params, "epochs": 1})

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
        print(f"  {name:36s} {statistics.median(times[name]):8.2f}")
    print("speed-up over sequential (median of per-round ratios)")
    for name in names[1:]:
        ratios = [s / t for s, t in zip(times["sequential"], times[name], strict=True)]
        print(f"  {name:36s} {statistics.median(ratios):8.1f}x   rounds: "
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
    if "dask" in results:
        print(f"n_jobs=1 and Dask give identical results: {results[1].equals(results['dask'])}")
    page_same = page_path.results.equals(
        run_sweep(X_train, y_train, X_test, y_test, HIDDEN, TRIALS, chunk_size=SWEEP_CHUNK_SIZE,
                  **params))  # fmt: skip
    print(f"the page's path and n_jobs=1 (its chunks) give identical results: {page_same}")

    table = summarize(results[1])
    print("\nmean test accuracy by hidden neurons (blog's figure: ~0.89 at 3, 0.97-0.99 at 35-39)")
    rows = table[table.hidden_size.isin([3, 4, 5, 10, 20, 35, 36, 37, 38, 39])]
    print(rows[["hidden_size", "test_acc_mean", "test_acc_std", "train_acc_mean"]]
          .to_string(index=False, float_format=lambda x: f"{x:.4f}"))  # fmt: skip
    wide = table[table.hidden_size >= 35].test_acc_mean
    print(f"mean over 35-39 neurons: {wide.mean():.4f}")
    if client is not None:
        grid(args, client, X_train, y_train, X_test, y_test, params)


def grid(args, client, X_train, y_train, X_test, y_test, params: dict) -> None:
    """1,000 networks (rates x sizes x trials) on the cluster against n_jobs, in turns."""
    epochs = args.grid_epochs or (5 if args.quick else 20)
    rounds = args.rounds or (2 if args.quick else 3)
    p = {k: v for k, v in params.items() if k != "learning_rate"} | {"epochs": epochs}
    a = (X_train, y_train, X_test, y_test, GRID_HIDDEN, GRID_TRIALS)
    plan = plan_sweep(*a, learning_rates=GRID_RATES, **p)
    n_chunks = len(plan.chunks)
    print(f"\n{len(plan.specs):,}-network grid: {len(GRID_RATES)} rates x {len(GRID_HIDDEN)} "
          f"sizes x {GRID_TRIALS} trials, {epochs} epochs, {n_chunks} chunks")  # fmt: skip
    runs = {f"n_jobs={args.jobs}": {"n_jobs": args.jobs}, "Dask": {"executor": client}}
    times: dict[str, list[float]] = {name: [] for name in runs}
    out = {}
    for r in range(rounds):
        for name in list(runs)[r % 2 :] + list(runs)[: r % 2]:
            started = time.perf_counter()
            out[name] = run_sweep(*a, learning_rates=GRID_RATES, **runs[name], **p)
            times[name].append(time.perf_counter() - started)
        print(f"round {r + 1}: " + ", ".join(f"{n} {times[n][-1]:.2f} s" for n in runs))
    local, dask = (statistics.median(t) for t in times.values())
    extra = (dask - local) / n_chunks * 1e3
    print(f"median: n_jobs={args.jobs} {local:.2f} s, Dask {dask:.2f} s ({local / dask:.2f}x); "
          f"the cluster's extra wall time per chunk: {extra:+.0f} ms")  # fmt: skip
    print(f"identical results: {out[f'n_jobs={args.jobs}'].equals(out['Dask'])}")


if __name__ == "__main__":
    main()
