"""A/B timing of the lock-step engine: this tree's ``scratchnet/sweep.py`` against another
git revision's (default ``main``), in one process, turn about.

Only the engine is timed (``_Lockstep``: build, every epoch, results), chunk by chunk, on
the plan this tree's ``plan_sweep`` makes; the old module is loaded from
``git show REF:scratchnet/sweep.py`` into a temporary file and uses this tree's core.
The machine may be shared: the two take turns round after round, the time is this
thread's CPU time, and the ratio is computed per round (the median is shown).

    python benchmarks/ab_sweep_engine.py                    # the blog's sweep, 10 epochs
    python benchmarks/ab_sweep_engine.py --case momentum-l2 --rounds 7
    python benchmarks/ab_sweep_engine.py --ref HEAD~1
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scratchnet import sweep as new  # noqa: E402
from scratchnet.presets import PRESETS, preset_data  # noqa: E402

BLOG = {k: v for k, v in PRESETS["moons-blog"]["params"].items() if k != "hidden_layer_sizes"}
GRID = {k: v for k, v in BLOG.items() if k != "learning_rate"}  # for learning_rates=[...]

#: name: (classifier arguments, sweep arguments)
CASES = {
    "blog": ({**BLOG}, {}),
    "momentum-l2": (
        {**GRID, "optimizer": "momentum", "l2": 1e-3, "init": "he"},
        {"learning_rates": [0.01, 0.003]},
    ),
    "adam-l1": (
        {**GRID, "optimizer": "adam", "l1": 1e-4, "init": "he"},
        {"learning_rates": [0.003, 0.001]},
    ),
    "sgd-grid-decay": (
        {**GRID, "lr_schedule": "exponential", "lr_decay": 0.9},
        {"learning_rates": [0.01, 0.001]},
    ),
}


def load_revision(ref: str):
    """``scratchnet/sweep.py`` as it is at git revision ``ref``, as a module."""
    source = subprocess.run(
        ["git", "show", f"{ref}:scratchnet/sweep.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "sweep_at_ref.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("sweep_at_ref", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def run_engine(module, plan) -> tuple[float, list]:
    """Thread CPU seconds to train every chunk of ``plan`` with ``module``'s engine."""
    started = time.thread_time()
    frames = []
    for chunk in plan.chunks:
        stack = module._Lockstep(chunk, plan.params, plan.X_train, plan.y_train, plan.n_classes)
        for _ in range(plan.params["epochs"]):
            stack.run_epoch()
        frames.append(stack.results(plan.X_train, plan.y_train, plan.X_test, plan.y_test))
    return time.thread_time() - started, frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ref", default="main", help="git revision to compare with")
    parser.add_argument("--case", default="blog", choices=list(CASES))
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    old = load_revision(args.ref)
    X_train, X_test, y_train, y_test = preset_data("moons-blog")
    params, grid = CASES[args.case]
    plan = new.plan_sweep(
        X_train, y_train, X_test, y_test, new.neuron_range(3, 39), 3,
        **grid, **{**params, "epochs": args.epochs},
    )  # fmt: skip
    print(
        f"case {args.case}: {len(plan.specs)} networks in {len(plan.chunks)} chunks, "
        f"{args.epochs} epochs; {args.ref} against this tree; thread CPU seconds"
    )
    engines = {args.ref: old, "this tree": new}
    run_engine(old, plan)  # warm up both: imports, caches
    run_engine(new, plan)
    times: dict[str, list[float]] = {name: [] for name in engines}
    frames = {}
    names = list(engines)
    for r in range(args.rounds):
        for name in names if r % 2 == 0 else names[::-1]:  # take turns going first
            seconds, frames[name] = run_engine(engines[name], plan)
            times[name].append(seconds)
        print(f"round {r + 1}: " + ", ".join(f"{n} {times[n][-1]:.3f} s" for n in names))
    for name in names:
        print(f"  {name:12s} median {statistics.median(times[name]):.3f} s")
    ratios = [b / a for a, b in zip(times[args.ref], times["this tree"], strict=True)]
    print(
        f"this tree / {args.ref}: median {statistics.median(ratios):.3f} "
        f"(rounds: {', '.join(f'{x:.3f}' for x in ratios)})"
    )
    same = all(
        a.drop(columns="final_loss").equals(b.drop(columns="final_loss"))
        for a, b in zip(frames[args.ref], frames["this tree"], strict=True)
    )
    worst = max(
        float((a.final_loss - b.final_loss).abs().max())
        for a, b in zip(frames[args.ref], frames["this tree"], strict=True)
    )
    print(f"same accuracies and epochs: {same}; largest final_loss difference {worst:.1e}")


if __name__ == "__main__":
    main()
