"""A small classroom against one ``streamlit run app.py``: every student's page stays live,
and no student's page, however it misbehaves, slows, breaks or reads another's.

Each student is a benchmarks/loadclient.py session (frames mode): it loads the
Playground over Streamlit's websocket, presses Play, then fetches frames from the frame
route as the chart does. The page runs with a high epoch limit so that no run stops
within a window. The server is stopped (its process group) whatever happens; each load
run is bounded by its LoadConfig. benchmarks/bench_classroom.py measures capacity; these
tests check behaviour, with margins wide enough for a busy 2-core machine.
"""

from __future__ import annotations

import asyncio
import re
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from browser_support import benchmark_module, streamlit_server

from server.frames import decode_frame

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
QUERY = "epochs=100000"
STUDENTS = 10


loadclient = benchmark_module("loadclient")


@pytest.fixture(scope="module")
def server():
    with streamlit_server("app.py") as running:
        yield running


def config(server, **changes) -> object:
    base = loadclient.LoadConfig(
        url=server.url + "/", sessions=STUDENTS, seconds=5, query=QUERY, ramp=0.5, warmup=2.0
    )
    return replace(base, **changes)


def run(*configs, delays=()) -> list:
    """Run load configs at the same time (each after its delay); their reports."""

    async def one(cfg, delay: float):
        await asyncio.sleep(delay)
        return await loadclient.run_load(cfg)

    async def all_of():
        delays_ = list(delays) + [0.0] * (len(configs) - len(delays))
        return await asyncio.gather(*(one(c, d) for c, d in zip(configs, delays_, strict=True)))

    return asyncio.run(all_of())


def frame_of(server, frames_url: str, cookie: str = "") -> tuple[int, dict]:
    """(HTTP status, frame header) of one frame request made outside any page."""
    request = urllib.request.Request(
        f"{server.url}{frames_url}?epoch=0&steps=0", headers={"Cookie": cookie} if cookie else {}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, decode_frame(response.read())[0]
    except urllib.error.HTTPError as error:
        return error.code, decode_frame(error.read())[0]


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
    assert baseline.rates["min"] > 2, summary(baseline)
    # Fair: the slowest student gets at least half of what the median one gets.
    assert baseline.rates["min"] >= 0.5 * baseline.rates["median"], summary(baseline)
    assert len({s.token for s in stats}) == STUDENTS  # one run each
    assert all(0 < s.bytes_per_update <= 12_000 for s in stats)


def test_a_stalled_student_does_not_slow_the_others(server, baseline):
    """A frozen tab: it presses Play, pipelines STALL_REQUESTS frame requests on one
    connection and never reads an answer, nor its websocket."""
    stalled_config = config(server, sessions=1, seconds=10.5, stall=True, ramp=0, warmup=0)
    reference = baseline
    for attempt in range(2):  # the machine is shared: on a miss, measure the reference again
        if attempt:
            (reference,) = run(config(server))
        others, stalled = run(config(server), stalled_config, delays=(2.0, 0.0))
        if others.rates["median"] >= 0.8 * reference.rates["median"]:
            break
    assert stalled.stats[0].error == "", summary(stalled)
    assert [s.error for s in others.stats] == [""] * STUDENTS, summary(others)
    assert others.rates["min"] > 2, summary(others)
    assert others.rates["median"] >= 0.8 * reference.rates["median"], (
        f"median {others.rates['median']:.1f} updates/s beside a stalled tab, "
        f"{reference.rates['median']:.1f} without\n{summary(others)}"
    )
    # The stalled run trained only while the server could write its answers: then the
    # server's writes to that socket waited, for nobody else.
    status, header = frame_of(server, f"/scratchnet/frame/{stalled.stats[0].token}")
    assert status == 200
    assert 50 <= header["epoch"] < loadclient.STALL_REQUESTS, header


@pytest.fixture(scope="module")
def mixed(server):
    """At the same time: students with small networks (h=8, epochs=5000), with large ones
    (h=32, epochs=7000), one whose training diverges at once, one with a tampered link."""
    small = config(server, sessions=3, query="h=8&epochs=5000")
    large = config(server, sessions=3, query="h=32&epochs=7000")
    diverging = config(server, sessions=1, query="preset=diverging")
    tampered = config(server, sessions=1, query="lr=fast&h=999&epoch=-3&play=maybe&epochs=9000")
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
        assert report.rates["min"] > 2, summary(report)
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


LECTURE = 100  # the large lecture: every student plays, nobody starves


def test_a_lecture_of_a_hundred_all_load_and_play():
    """A hundred students open the link and press Play within eight seconds, as the charts
    do: frames from the route, reports through Streamlit. Every page loads, plays and gets
    pictures; the slowest gets at least half of what the median one gets. (When every chart
    reported once a second, a fragment rerun each, 36 pages never loaded and the others got
    nothing.) A fresh server: the runs of the tests above do not count."""
    with streamlit_server("app.py") as fresh:
        (report,) = run(
            loadclient.LoadConfig(
                url=fresh.url + "/",
                sessions=LECTURE,
                seconds=5,
                query=QUERY,
                ramp=8.0,
                warmup=3.0,
                connect_timeout=90,
            )
        )
    stats = report.stats
    assert [s.error for s in stats] == [""] * LECTURE, summary(report)
    assert all(s.ready and s.status == "training" for s in stats), summary(report)
    assert report.rates["min"] > 0, summary(report)
    assert report.rates["min"] >= 0.5 * report.rates["median"], summary(report)
