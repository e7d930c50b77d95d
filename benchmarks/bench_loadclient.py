"""Does a load-client session see what a Chromium page sees? Both side by side, measured.

    python benchmarks/bench_loadclient.py [--background 40] [--seconds 4] [--rounds 3]

One ``streamlit run app.py``; Debian's Chromium (through Playwright) opens the Playground
and presses Play; one benchmarks/loadclient.py session, driven in a thread of this process,
does the same; ``--background`` more load-client sessions play beside them from a process
of their own, so that the server paces every page below its 30 frames a second (next_ms)
and the comparison covers the pause as well as the counting. Then, over ``--seconds``
(after 3 s in which the background settles: the pacer counts a page as playing for 2 s
after its last request), per round:

* frames: frame answers each applied, Chromium's ``livechartStats.framesFetched`` against
  the session's ``Counters.frames`` (both count the same thing: main.js applyFrame). The
  load client is good for capacity figures when the ratio is near 1;
* updates: pictures each drew, ``window.livechartFrames`` against ``Counters.updates``.
  Not like for like: livechartFrames counts the pictures of renders too (the fragment
  rerun after each report), so Chromium's is higher when reports carry pictures;
* reports: how often Chromium's chart told Python its epoch (each a fragment rerun), and
  frames per report: main.js reports every 30 frames (REPORT_FRAMES), at most once a
  second, so frames per report is at least about 30 while paced below 30 a second.

Printed per round with the machine's load average, and the medians over rounds. It measures;
it asserts nothing (tests/test_loadclient.py checks the client's behaviour exactly against a
fake frame route).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser_support import (  # noqa: E402
    benchmark_module,
    chromium,
    component_frame,
    require_browser,
    streamlit_server,
    wait_until,
)

loadclient = benchmark_module("loadclient")

CHART = "livechart.livechart"
QUERY = "epochs=100000"  # no run stops within the window
SETTLE_S = 3.0
STATS = (
    "({fetched: window.livechartStats.framesFetched, reports: window.livechartStats.reports,"
    " pictures: window.livechartFrames})"
)


def one_round(background: int, seconds: float) -> dict:
    """One fresh server, page, session and background; the counts over the window."""
    with streamlit_server("app.py") as server, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{server.url}/?{QUERY}")
        play = page.get_by_role("button", name=re.compile("Play"))
        play.wait_for(timeout=90_000)
        frame = component_frame(page, CHART, timeout=90_000)
        frame.wait_for_function("window.livechartFrames >= 1", timeout=90_000)
        play.click()
        frame.wait_for_function("window.livechartStats.framesFetched >= 10", timeout=90_000)

        background_client = subprocess.Popen(
            [sys.executable, str(ROOT / "benchmarks" / "loadclient.py"), "--url",
             server.url + "/", "--sessions", str(background), "--seconds", "600", "--query",
             QUERY, "--warmup", "0", "--ramp", "1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        config = loadclient.LoadConfig(url=server.url + "/", sessions=1, query=QUERY)
        running: dict = {}

        async def load() -> None:
            # Driven directly, so that its counters are read at the moments Chromium's are.
            stop = running["stop"] = asyncio.Event()
            running["loop"] = asyncio.get_running_loop()
            session = running["session"] = loadclient._Session(0, config, stop)
            await session.run()

        client = threading.Thread(target=lambda: asyncio.run(load()))
        client.start()
        try:

            def pause(s: float) -> None:
                page.wait_for_timeout(1000 * s)

            session = wait_until(
                lambda: (s := running.get("session")) is not None and s.counters.frames and s,
                what="the compared session plays",
                pause=pause,
            )
            pause(SETTLE_S)
            t0, c0, s0 = time.perf_counter(), _counts(session), frame.evaluate(STATS)
            pause(seconds)
            t1, c1, s1 = time.perf_counter(), _counts(session), frame.evaluate(STATS)
            alive = background_client.poll() is None
        finally:
            background_client.kill()
            background_client.wait(timeout=30)
            if "loop" in running:
                running["loop"].call_soon_threadsafe(running["stop"].set)
            client.join(timeout=60)
    window = t1 - t0
    row = {
        "chromium_frames": (s1["fetched"] - s0["fetched"]) / window,
        "client_frames": (c1[0] - c0[0]) / window,
        "chromium_pictures": (s1["pictures"] - s0["pictures"]) / window,
        "client_updates": (c1[1] - c0[1]) / window,
        "reports": s1["reports"] - s0["reports"],
        "fetched": s1["fetched"] - s0["fetched"],
        "loadavg": os.getloadavg()[0],
        "ok": alive and session.error == "" and session.status == "training",
    }
    row["frames_ratio"] = row["client_frames"] / row["chromium_frames"] if row["fetched"] else 0
    return row


def _counts(session) -> tuple[int, int]:
    return session.counters.frames, session.counters.updates


def line(row: dict) -> str:
    per_report = row["fetched"] / row["reports"] if row["reports"] else float("inf")
    return (
        f"frames/s Chromium {row['chromium_frames']:5.1f}  load client {row['client_frames']:5.1f}"
        f"  ratio {row['frames_ratio']:.2f} | pictures/s Chromium {row['chromium_pictures']:5.1f}"
        f"  load client {row['client_updates']:5.1f} | {row['reports']} reports"
        f" ({per_report:.0f} frames each) | load average {row['loadavg']:.1f}"
        + ("" if row["ok"] else "  (a client stopped or failed: do not trust this round)")
        + ("" if row["fetched"] >= 10 else "  (too few frames to compare: the machine is busy)")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--background", type=int, default=40, help="other sessions playing")
    parser.add_argument("--seconds", type=float, default=4.0, help="measurement window")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    require_browser()
    rows = []
    for i in range(args.rounds):
        rows.append(one_round(args.background, args.seconds))
        print(f"round {i + 1}: {line(rows[-1])}", flush=True)
    median = {k: statistics.median(r[k] for r in rows) for k in rows[0] if k != "ok"}
    median["ok"] = all(r["ok"] for r in rows)
    print(f"median ({args.background} other sessions, {args.seconds:g} s windows): {line(median)}")


if __name__ == "__main__":
    main()
