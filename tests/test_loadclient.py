"""benchmarks/loadclient.py: simulated browser tabs.

Frames mode (the Playground's design): the frame loop against a small fake frame
server (pacing, what counts as an update, main.js's query parameters, reports, reloads)
and the HTTP client. How its counts compare with a real Chromium page's:
benchmarks/bench_loadclient.py (a measurement, not a test). Every test here waits on a
condition, never for a while, and asserts no rate.
Fragment mode (the old design): against ``streamlit run benchmarks/load_fixture.py``
at ``run_every=0.5`` (2 ticks/s per tab), well inside what one process sustains,
because they test the client's counting, not the server's capacity (that is what
benchmarks/bench_classroom.py is for). Every server started here is stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from browser_support import benchmark_module, free_port, wait_until_async
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from server.frames import encode_frame

ROOT = Path(__file__).resolve().parents[1]
RUN_EVERY = 0.5  # a run that outlasts the next tick is cut short: room for a busy machine


loadclient = benchmark_module("loadclient")


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as response:
            if response.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"server did not answer {url} within {timeout} s")


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the process group we started, then SIGKILL whatever is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def fixture_server() -> Iterator[tuple[str, int]]:
    """The fixture page on a free port: yields (url, server pid)."""
    port = free_port()
    env = {**os.environ, "LOAD_FIXTURE_RUN_EVERY": str(RUN_EVERY), "LOAD_FIXTURE_WORK_MS": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "benchmarks/load_fixture.py",
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_healthy(url + "_stcore/health", proc)
        yield url, proc.pid
    finally:
        _stop(proc)


def every_session(counter: str, at_least: int):
    """A LoadConfig.until: every session's ``counter`` grew by ``at_least`` in the window."""
    return lambda progress, _: all(getattr(c, counter) >= at_least for c in progress)


def in_window(report, per_s: str) -> list[int]:
    """A per-second figure of each session's stats, back to a count over the window."""
    return [round(getattr(s, per_s) * report.window_s) for s in report.stats]


@pytest.mark.slow
def test_every_session_gets_updates(fixture_server):
    url, pid = fixture_server
    config = loadclient.LoadConfig(
        url=url,
        mode="fragment",
        sessions=10,
        seconds=120,
        until=every_session("updates", 5),
        click="Play",
        pid=pid,
        ramp=1,
        warmup=1,
        settle=0,
        connect_timeout=90,
    )
    report = asyncio.run(loadclient.run_load(config))

    assert [s.error for s in report.stats] == [""] * 10
    assert all(s.ready for s in report.stats)
    # No tab starves while the others are served (the window ended when each had 5).
    assert min(in_window(report, "updates_per_s")) >= 5, loadclient.format_report(report)
    # Ticks keep the fragment's schedule (setInterval at run_every): never a burst, so never
    # more than the window holds, however late the tab's event loop ran.
    ticks = in_window(report, "ticks_per_s")
    assert all(0 < n <= report.window_s / RUN_EVERY + 1 for n in ticks), ticks
    assert all(s.bytes_per_update > 0 for s in report.stats)
    assert all(math.isfinite(s.latency_ms_p50) for s in report.stats)
    assert report.server is not None
    assert report.server.cpu_percent > 0
    assert report.server.rss_mb_peak > 0
    assert "median" in loadclient.format_report(report)


@pytest.mark.slow
def test_element_predicate_counts_only_that_element(fixture_server):
    url, _ = fixture_server
    base = loadclient.LoadConfig(
        url=url,
        mode="fragment",
        sessions=2,
        seconds=120,
        until=every_session("runs_ok", 5),
        click="Play",
        ramp=0,
        warmup=1,
        connect_timeout=90,
    )

    text = asyncio.run(
        loadclient.run_load(replace(base, element="text", until=every_session("updates", 5)))
    )
    chart = asyncio.run(loadclient.run_load(replace(base, element="plotly_chart")))

    # Each fragment run draws a new text: an update.
    assert min(in_window(text, "updates_per_s")) >= 5
    # The fragment still runs, but never draws a chart: no updates.
    assert min(in_window(chart, "runs_per_s")) >= 5
    assert chart.rates["total"] == 0


@pytest.mark.slow
def test_missing_button_is_reported_per_session(fixture_server):
    url, _ = fixture_server
    config = loadclient.LoadConfig(
        url=url,
        mode="fragment",
        sessions=1,
        seconds=1,
        click="Nope",
        ramp=0,
        warmup=0,
        connect_timeout=90,
    )
    report = asyncio.run(loadclient.run_load(config))
    assert "no button labelled 'Nope'" in report.stats[0].error
    assert report.rates["total"] == 0


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"url": "http://example.com:8501/"}, "this machine"),
        ({"url": "https://127.0.0.1/"}, "http://"),
        ({"sessions": 0}, "sessions"),
        ({"sessions": loadclient.MAX_SESSIONS + 1}, "sessions"),
        ({"seconds": 0}, "seconds"),
        ({"seconds": loadclient.MAX_SECONDS + 1}, "seconds"),
        ({"interval": 0.001}, "interval"),
        ({"ramp": -1}, "ramp"),
        ({"mode": "sse"}, "mode"),
        ({"stall": True, "mode": "fragment"}, "stall"),
        ({"greedy": True, "click": None}, "greedy"),
    ],
)
def test_config_bounds(changes, match):
    with pytest.raises(ValueError, match=match):
        loadclient.LoadConfig(**changes).validate()


def test_cli_refuses_remote_hosts_without_connecting():
    result = subprocess.run(
        [sys.executable, "benchmarks/loadclient.py", "--url", "http://192.0.2.1:8501/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "this machine" in result.stderr


def test_tick_is_the_browsers_auto_rerun_message():
    payload = loadclient._rerun_msg(
        "page-hash", fragment_id="frag", cached=["h1", "h2"], query_string="h=8"
    )
    msg = BackMsg.FromString(payload)
    rerun = msg.rerun_script
    assert msg.WhichOneof("type") == "rerun_script"
    assert (rerun.page_script_hash, rerun.fragment_id, rerun.is_auto_rerun) == (
        "page-hash",
        "frag",
        True,
    )
    assert list(rerun.cached_message_hashes) == ["h1", "h2"]
    assert rerun.query_string == "h=8"
    assert rerun.HasField("widget_states")
    assert len(rerun.widget_states.widgets) == 0


def test_click_sends_a_trigger_without_fragment():
    msg = BackMsg.FromString(loadclient._rerun_msg("page-hash", trigger_id="button-id"))
    rerun = msg.rerun_script
    assert not rerun.fragment_id
    assert not rerun.is_auto_rerun
    [widget] = rerun.widget_states.widgets
    assert (widget.id, widget.trigger_value) == ("button-id", True)


def test_element_type_predicate():
    text, chart, finished = ForwardMsg(), ForwardMsg(), ForwardMsg()
    text.delta.new_element.text.body = "step 1"
    chart.delta.new_element.plotly_chart.spec = "{}"
    finished.script_finished = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
    is_text = loadclient.element_type_is("text")
    assert [is_text(m) for m in (text, chart, finished)] == [True, False, False]
    assert [loadclient.any_delta(m) for m in (text, chart, finished)] == [True, True, False]


# -- frames mode: the frame loop against a fake frame route ----------------------------------
# Every check here is exact or one-sided: the loop's pause is checked "never earlier than
# next_ms" (a loaded machine only makes it later), counts are counted, and the tests wait on
# conditions (wait_until_async), never for a while.
PNG = b"\x89PNG fake"
MISSING = 404  # in a FakeFrameRoute script: answer "unknown page", as the route does


class FakeFrameRoute:
    """A keep-alive HTTP/1.1 server that answers ``GET /f/tok?epoch=E&steps=S`` with scripted
    frames (server.frames' wire format; ``MISSING`` answers 404 "unknown page") and notes when
    each request came, on which connection."""

    def __init__(self, frames: list):
        self.frames = frames
        self.requests: list[tuple[float, int, str, dict]] = []  # (time, conn, target, headers)
        self.connections = 0

    async def handle(self, reader, writer) -> None:
        self.connections += 1
        conn = self.connections
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                target = head[0].split()[1]
                headers = dict(line.split(": ", 1) for line in head[1:] if ": " in line)
                self.requests.append((time.perf_counter(), conn, target, headers))
                n = len(self.requests) - 1
                scripted = self.frames[min(n, len(self.frames) - 1)]
                if scripted == MISSING:
                    body = encode_frame({"error": "unknown page"}, None)
                    writer.write(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: %d\r\n\r\n" % len(body) + body
                    )
                    await writer.drain()
                    continue
                body = encode_frame(*scripted)
                if n % 2:  # every other answer chunked, in two chunks
                    half = len(body) // 2
                    chunks = b"".join(
                        b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:half], body[half:])
                    )
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Replica: s9\r\n\r\n"
                        + chunks
                        + b"0\r\n\r\n"
                    )
                else:
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nX-Replica: s9\r\n\r\n"
                        % len(body)
                        + body
                    )
                await writer.drain()
        writer.close()


class FakeWebsocket:
    """Where a session's reports go (its chart's value, a rerun_script BackMsg): kept."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    async def send(self, payload: bytes) -> None:
        self.sent.append(payload)

    def reported_epochs(self) -> list[int]:
        """The epoch of each report, in order (main.js report(): the chart's JSON value)."""
        values = []
        for payload in self.sent:
            [widget] = BackMsg.FromString(payload).rerun_script.widget_states.widgets
            values.append(json.loads(widget.json_value)["epoch"])
        return values


def _frame(epoch: int, steps: int, *, png=PNG, run_id="1", status="training", next_ms=100):
    header = {
        "run_id": run_id,
        "epoch": epoch,
        "epochs": 50,
        "steps": steps,
        "status": status,
        "message": None,
        "rows": [[epoch, 0.5, 0.5, 0.9, 0.9]] if epoch else [],
        "next_ms": next_ms,
    }
    return header, png


async def _poll_fake(frames: list, until, what: str, **changes) -> tuple[FakeFrameRoute, object]:
    """One session's frame loop against a FakeFrameRoute playing ``frames``, until
    ``until(route, session)`` holds (the test fails if it never does); then stopped."""
    route = FakeFrameRoute(frames)
    server = await asyncio.start_server(route.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    stop = asyncio.Event()
    config = loadclient.LoadConfig(url=f"http://127.0.0.1:{port}/", **changes)
    session = loadclient._Session(0, config, stop)
    session.frames_url, session.run_id = "/f/tok", "1"
    session.cookies = {"SERVERID": "s9"}
    # A page whose chart can report (a websocket, the chart's widget and fragment).
    session.ws, session.chart_id, session.chart_fragment = FakeWebsocket(), "chart", "frag"
    poller = asyncio.create_task(session._poll_frames())
    try:
        await wait_until_async(lambda: until(route, session) or poller.done(), what=what)
    finally:
        stop.set()
        await asyncio.wait_for(poller, 30)  # re-raises what ended the loop, if anything did
        server.close()
        await server.wait_closed()
    return route, session


def test_frame_loop_paces_like_main_js_and_counts_only_new_pictures():
    frames = [
        _frame(0, 0),  # the picture before training: an update
        _frame(1, 10),
        _frame(1, 10, png=b""),  # the same picture: not an update
        _frame(2, 20, run_id="0"),  # a frame from before a Reset: ignored
        ({"busy": True, "next_ms": 20}, b""),  # the page script holds the run
        _frame(3, 30, next_ms=250),
        _frame(4, 40),
        _frame(5, 50, status="done"),  # training stopped: the loop stops asking
    ]
    route, session = asyncio.run(
        _poll_fake(frames, lambda r, s: s.frames_url is None, "training stopped")
    )

    # Once "done" is applied the loop asks nothing more: it waits for a new frames_url.
    assert len(route.requests) == len(frames)
    assert route.connections == 1  # one keep-alive connection
    assert all(h.get("Cookie") == "SERVERID=s9" for *_, h in route.requests)
    # main.js: epoch = the newest history row it has, steps = those of its picture.
    targets = [t for _, _, t, _ in route.requests]
    assert targets == [
        "/f/tok?epoch=0&steps=-1",
        "/f/tok?epoch=0&steps=0",
        "/f/tok?epoch=1&steps=10",
        "/f/tok?epoch=1&steps=10",  # the ignored frame changed nothing
        "/f/tok?epoch=1&steps=10",
        "/f/tok?epoch=1&steps=10",
        "/f/tok?epoch=3&steps=30",
        "/f/tok?epoch=4&steps=40",
    ]
    # The pause counts from each request's start: next_ms of the answer before. Never
    # earlier (a busy machine only makes it later, so no upper bound); 5 ms for where the
    # fake server notes the time, after the request left.
    gaps = np.diff([t for t, *_ in route.requests]) * 1000
    named = [100, 100, 100, 100, 20, 250, 100]
    assert all(g >= n - 5 for g, n in zip(gaps, named, strict=True)), (gaps, named)
    assert session.counters.updates == 5  # frames 0, 1, 3, 4, 5 carried a picture
    assert session.counters.frames == 6  # applied: all but the busy one and the old run's
    assert session.counters.busy == 1
    assert session.counters.runs_ok == len(frames)
    assert (session.status, session.epoch, session.epochs) == ("done", 5, 50)
    assert session.replicas_seen == ["s9"]
    assert session.counters.bytes_received > sum(len(encode_frame(*f)) for f in frames)


def test_greedy_tabs_ignore_the_pause():
    # A polite tab would wait a minute between requests: ten would take nine minutes.
    frames = [_frame(i, 10 * i, next_ms=60_000) for i in range(40)]
    _, session = asyncio.run(
        _poll_fake(frames, lambda r, s: len(r.requests) >= 10, "10 requests", greedy=True)
    )
    assert session.counters.frames >= 9


def test_a_tab_reports_its_epoch_every_30_frames_and_when_training_stops():
    """main.js applyFrame: while training, a report (a fragment rerun) after every
    REPORT_FRAMES frames, and no more than once a second; one when training stops. At 40 ms
    a frame (never less: the pause is a minimum), 30 frames take over a second, so the
    frame count alone decides here."""
    assert loadclient.REPORT_FRAMES == 30  # main.js REPORT_FRAMES
    last = 3 * loadclient.REPORT_FRAMES + 5
    frames = [_frame(e, 10 * e, next_ms=40) for e in range(1, last)]
    frames.append(_frame(last, 10 * last, status="done"))
    _, session = asyncio.run(
        _poll_fake(frames, lambda r, s: s.frames_url is None, "training stopped")
    )
    assert session.counters.frames == last
    assert session.reports == 4
    assert session.ws.reported_epochs() == [30, 60, 90, last]


def test_a_tab_reloads_its_page_after_3_unknown_page_answers_in_a_row(monkeypatch):
    """main.js pollLoop: a 404 (the replica that knew the page is gone) is retried; the third
    in a row (here with no wait for Streamlit's own reconnect: RELOAD_AFTER_S 0) reloads
    the page from its link, which carries the epoch and play=1."""
    monkeypatch.setattr(loadclient, "RELOAD_AFTER_S", 0.0)
    frames = [_frame(1, 10), MISSING, MISSING, _frame(2, 20), MISSING, MISSING, MISSING]
    frames += [_frame(3, 30)] * 5  # (what a reloaded page would get: never asked here)

    route, session = asyncio.run(
        _poll_fake(frames, lambda r, s: s.reload.is_set(), "a reload asked for")
    )
    # The loop retries a 404 only after FRAME_RETRY_S (500 ms) and the test polls every
    # 10 ms on the same event loop: it stops the loop before another request can leave.
    asked = len(route.requests)
    assert asked == 7  # not after the 2 in a row, only after the 3rd
    assert session.missing == 3 and session.counters.errors == 5
    assert (session.epoch, session.status) == (2, "training")
    assert "epoch=2" in session._link_query() and "play=1" in session._link_query()


def test_a_tab_gives_streamlits_reconnect_time_before_it_reloads(monkeypatch):
    """main.js RELOAD_AFTER_MS: 404s for less than that long reload nothing (Streamlit's own
    reconnect brings the page a new token within a second or two); then the next one does."""
    monkeypatch.setattr(loadclient, "RELOAD_AFTER_S", 2.0)
    frames = [_frame(1, 10), *[MISSING] * 30]
    _, session = asyncio.run(
        _poll_fake(frames, lambda r, s: s.reload.is_set(), "a reload asked for")
    )
    assert session.missing >= 3 and session.missing_for >= 2.0


def test_without_reload_on_404_a_tab_keeps_asking():
    frames = [_frame(1, 10), *[MISSING] * 6]
    _, session = asyncio.run(
        _poll_fake(frames, lambda r, s: len(r.requests) >= 7, "six 404s asked", reload_on_404=False)
    )
    assert session.missing >= 5 and not session.reload.is_set()


def test_query_with_sets_and_removes_parameters_in_order():
    assert loadclient.query_with("h=8,4&lr=0.3", epoch="12", play="1") == (
        "h=8,4&lr=0.3&epoch=12&play=1"
    )
    assert loadclient.query_with("h=8&epoch=3&play=1", epoch="7", play=None) == "h=8&epoch=7"
    assert loadclient.query_with("", epoch=None) == ""


def test_http_connection_reopens_after_the_server_closes():
    async def run() -> list[bytes]:
        async def handle(reader, writer) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\nnope")
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        http = loadclient._HttpConnection("127.0.0.1", server.sockets[0].getsockname()[1])
        answers = [await http.get("/x", {}) for _ in range(3)]
        http.close()
        server.close()
        await server.wait_closed()
        assert http.opened == 3
        return answers

    answers = asyncio.run(run())
    assert [(status, body) for status, _, body, _ in answers] == [(404, b"nope")] * 3
