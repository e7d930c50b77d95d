"""How much a frozen tab slows the other students: with it against without, same server.

    python benchmarks/bench_isolation.py [--students 10] [--seconds 5] [--rounds 3]

One ``streamlit run app.py``; each round measures ``--students`` well-behaved students
(benchmarks/loadclient.py, frames mode, ``?epochs=100000``) twice, in alternating order:
alone, and beside a stalled tab (``LoadConfig.stall``: it presses Play, pipelines
STALL_REQUESTS frame requests on one connection and never reads an answer nor its
websocket) frozen before they start. Printed per round and as medians: the students'
median and minimum updates a second each way, their ratio (goal: the median beside a
stalled tab at least 0.8 of the median without), and the machine's load average.
It asserts nothing; tests/test_classroom.py checks that the others keep playing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser_support import benchmark_module, streamlit_server  # noqa: E402

loadclient = benchmark_module("loadclient")
QUERY = "epochs=100000"


async def measure(url: str, students: int, seconds: float, stalled: bool) -> dict:
    """The students' rates over one window, beside a stalled tab or not."""
    config = loadclient.LoadConfig(
        url=url, sessions=students, seconds=seconds, query=QUERY, ramp=0.5, warmup=2.0
    )
    stop = asyncio.Event()
    task = None
    if stalled:
        tab = loadclient._Session(0, loadclient.LoadConfig(url=url, stall=True, query=QUERY), stop)
        task = asyncio.create_task(tab.run())
        deadline = time.monotonic() + 120
        while not tab.stall_writers and not task.done() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if not tab.stall_writers:
            raise RuntimeError(f"the stalled tab did not freeze: {tab.error}")
    try:
        report = await loadclient.run_load(config)
    finally:
        stop.set()
        if task is not None:
            await asyncio.wait_for(task, 60)
    return {"median": report.rates["median"], "min": report.rates["min"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ratios = []
    with streamlit_server("app.py") as server:
        url = server.url + "/"
        for i in range(args.rounds):
            order = (False, True) if i % 2 == 0 else (True, False)
            got = {s: asyncio.run(measure(url, args.students, args.seconds, s)) for s in order}
            ratio = got[True]["median"] / got[False]["median"] if got[False]["median"] else 0
            ratios.append(ratio)
            print(
                f"round {i + 1}: without a stalled tab median {got[False]['median']:.1f}, "
                f"min {got[False]['min']:.1f} updates/s; beside one median "
                f"{got[True]['median']:.1f}, min {got[True]['min']:.1f}: ratio {ratio:.2f} "
                f"(load average {os.getloadavg()[0]:.1f})",
                flush=True,
            )
    print(
        f"median ratio over {args.rounds} rounds, {args.students} students: "
        f"{statistics.median(ratios):.2f} (goal >= 0.8)"
    )


if __name__ == "__main__":
    main()
