"""A small classroom against one ``streamlit run app.py``: every student's page stays live,
and no student's page, however it misbehaves, slows, breaks or reads another's.

Each student is a benchmarks/loadclient.py session (frames mode): it loads the
Playground over Streamlit's websocket, presses Play, then fetches frames from the frame
route as the chart does. The page runs with a high epoch limit so that no run stops
within a window. The server is stopped (its process group) whatever happens; each load
run is bounded by its LoadConfig. benchmarks/bench_classroom.py measures capacity (how many
updates a second, how fair); these tests check behaviour and assert no rate: a load window
lasts until every student got UPDATES pictures (LoadConfig.until), however slow the machine,
within a generous deadline.
"""

from __future__ import annotations

import asyncio
import re
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from browser_support import benchmark_module, streamlit_server, wait_until_async

from server.frames import decode_frame

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
QUERY = "epochs=100000"
STUDENTS = 10
UPDATES = 5  # pictures every student gets in a window: it plays, it is not starved
DEADLINE_S = 150.0  # a window ends when every student got them; fails after this long


loadclient = benchmark_module("loadclient")


@pytest.fixture(scope="module")
def server():
    with streamlit_server("app.py") as running:
        yield running


def every_student(updates: int = UPDATES):
    """A LoadConfig.until: every session got ``updates`` pictures in the window."""
    return lambda progress, _: all(c.updates >= updates for c in progress)


def config(server, **changes) -> object:
    base = loadclient.LoadConfig(
        url=server.url + "/",
        sessions=STUDENTS,
        seconds=DEADLINE_S,
        until=every_student(),
        query=QUERY,
        ramp=0.5,
        warmup=2.0,
        connect_timeout=90,
    )
    return replace(base, **changes)


def updates(report) -> list[int]:
    """Pictures each session got in the window."""
    return [round(s.updates_per_s * report.window_s) for s in report.stats]


def run(*configs) -> list:
    """Run load configs at the same time; their reports."""

    async def all_of():
        return await asyncio.gather(*(loadclient.run_load(c) for c in configs))

    return asyncio.run(all_of())


def frame_of(server, frames_url: str, cookie: str = "") -> tuple[int, dict]:
    """(HTTP status, frame header) of a frame request made outside any page: asked again
    after the pause the server names while it answers "not yet" (the page's share)."""
    request = urllib.request.Request(
        f"{server.url}{frames_url}?epoch=0&steps=0", headers={"Cookie": cookie} if cookie else {}
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, header = response.status, decode_frame(response.read())[0]
        except urllib.error.HTTPError as error:
            return error.code, decode_frame(error.read())[0]
        if not header.get("early") or time.monotonic() > deadline:
            return status, header
        time.sleep(header["next_ms"] / 1000)  # what a page does: wait, then ask again


def summary(report) -> str:
    return loadclient.format_report(report)


@pytest.fixture(scope="module")
def baseline(server):
    """STUDENTS well-behaved students playing: the reference for the isolation tests."""
    (report,) = run(config(server))
    return report


def test_no_student_starves(baseline):
    stats = baseline.stats
    assert [s.error for s in stats] == [""] * STUDENTS, summary(baseline)
    assert all(s.ready and s.status == "training" for s in stats), summary(baseline)
    assert min(updates(baseline)) >= UPDATES, summary(baseline)  # before the deadline
    assert len({s.token for s in stats}) == STUDENTS  # one run each
    assert all(0 < s.bytes_per_update <= 12_000 for s in stats)


def test_a_stalled_student_does_not_stop_the_others(server):
    """A frozen tab: it presses Play, pipelines STALL_REQUESTS frame requests on one
    connection and never reads an answer, nor its websocket. While it is frozen, every other
    student gets UPDATES pictures. (How much it slows them: bench_isolation.py.)"""
    stalled_config = config(server, sessions=1, stall=True)

    async def scenario():
        stop = asyncio.Event()
        stalled = loadclient._Session(0, stalled_config, stop)
        task = asyncio.create_task(stalled.run())
        try:
            await wait_until_async(
                lambda: stalled.stall_writers or task.done(),
                what="the stalled tab plays, then pipelines its requests",
            )
            assert stalled.stall_writers, f"the stalled tab gave up: {stalled.error}"
            others = await loadclient.run_load(config(server))
            # Still frozen: the server's writes to that socket wait, for nobody else.
            status, header = await asyncio.to_thread(
                frame_of, server, f"/scratchnet/frame/{stalled.token}"
            )
        finally:
            stop.set()
            await asyncio.wait_for(task, 60)
        return stalled, others, status, header

    stalled, others, status, header = asyncio.run(scenario())
    assert stalled.error == ""
    assert [s.error for s in others.stats] == [""] * STUDENTS, summary(others)
    assert min(updates(others)) >= UPDATES, summary(others)
    # The stalled run trained while the server could write its answers (this request too),
    # then no more: not one epoch per request it sent.
    assert status == 200
    assert header["epoch"] >= 1 and header["epoch"] < loadclient.STALL_REQUESTS, header


@pytest.fixture(scope="module")
def mixed(server):
    """At the same time: students with small networks (h=8, epochs=5000), with large ones
    (h=32, epochs=7000), one whose training diverges at once, one with a tampered link."""
    reached: set[str] = set()  # which of small and large got UPDATES each

    def until(name: str | None):
        def check(progress, statuses) -> bool:
            if name and all(c.updates >= UPDATES for c in progress):
                reached.add(name)
            done = reached == {"small", "large"}
            return done and (name != "diverging" or statuses == ["diverged"])

        return check

    small = config(server, sessions=3, query="h=8&epochs=5000", until=until("small"))
    large = config(server, sessions=3, query="h=32&epochs=7000", until=until("large"))
    diverging = config(server, sessions=1, query="preset=diverging", until=until("diverging"))
    tampered = config(
        server,
        sessions=1,
        query="lr=fast&h=999&epoch=-3&play=maybe&epochs=9000",
        until=until(None),
    )
    return dict(
        zip(
            ("small", "large", "diverging", "tampered"),
            run(small, large, diverging, tampered),
            strict=True,
        )
    )


def test_a_diverging_or_tampered_student_breaks_nobody(server, mixed):
    [diverged] = mixed["diverging"].stats
    assert diverged.error == "" and diverged.status == "diverged", summary(mixed["diverging"])
    [tampered] = mixed["tampered"].stats
    assert tampered.error == "" and tampered.status == "training", summary(mixed["tampered"])
    assert tampered.epochs_seen == [9000]  # the valid settings of the link were kept
    for name in ("small", "large"):
        report = mixed[name]
        assert [s.error for s in report.stats] == [""] * 3, summary(report)
        assert min(updates(report)) >= UPDATES, summary(report)
    # A made-up token, or a real one with a character changed, is an unknown page.
    token = mixed["small"].stats[0].token
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in ("nope", wrong):
        status, header = frame_of(server, f"/scratchnet/frame/{bad}")
        assert status == 404 and "unknown page" in header["error"]
    with urllib.request.urlopen(server.url + "/_stcore/health", timeout=5) as response:
        assert response.status == 200


def test_students_with_different_settings_never_see_each_others_frames(server, mixed):
    small, large = mixed["small"].stats, mixed["large"].stats
    tokens = [s.token for report in mixed.values() for s in report.stats]
    assert len(set(tokens)) == len(tokens)  # a token per page, never shared
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22,}", t) for t in tokens)  # >= 128 random bits
    # Every frame each page got carried its own run's settings (epochs 5000 or 7000).
    assert all(s.epochs_seen == [5000] for s in small), [s.epochs_seen for s in small]
    assert all(s.epochs_seen == [7000] for s in large), [s.epochs_seen for s in large]
    # A token names one page's run, whatever the cookie: B's cookie does not get B's run
    # through A's token, and each run kept its own network.
    status, header = frame_of(server, f"/scratchnet/frame/{small[0].token}", cookie="x=y")
    assert status == 200 and header["epochs"] == 5000
    status, header = frame_of(server, f"/scratchnet/frame/{large[0].token}")
    assert status == 200 and header["epochs"] == 7000


# A lecture of a hundred (every page loads and plays, none at 0) is a capacity measurement:
# benchmarks/bench_classroom.py. What kept a hundred pages from loading (each chart
# reporting once a second) is tested as a count in tests/test_live_loop_browser.py.
