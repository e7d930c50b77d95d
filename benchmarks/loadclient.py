"""Load a Streamlit server the way N browser tabs do, and count what they see.

Two modes, after the two designs of the Playground:

``frames`` (the default, the design in server/frames.py): a tab loads the page over
Streamlit's websocket, clicks Play, reads the ``frames_url`` that the live chart's
arguments carry once the page plays, then asks that URL for frames over ONE
keep-alive HTTP/1.1 connection, exactly like ``pollLoop`` in livechart/frontend/main.js:
``GET frames_url?epoch=E&steps=S``, wait for the whole answer, apply it, and ask
again ``next_ms`` after the request *started*. An *update* is a new boundary picture
the tab receives, as ``window.livechartFrames`` counts them: a frame that carries a PNG
(a frame without one, the picture unchanged, or a ``busy`` or "not yet" (``early``)
answer is not), or a chart
render that carries one (the fragment rerun that follows each of the chart's reports,
see 5. below). E is the last history row the tab has, S the training steps of the
last picture (as main.js sends them).

``fragment`` (the old design): each tab ticks Streamlit's auto-rerun fragment on
a fixed schedule, as the browser's ``setInterval`` does, and an update is a
fragment run that finished after delivering a delta.

What every tab does over the websocket, as the browser does:

1. ``GET`` the page (keeping any ``Set-Cookie``, for a load balancer's session
   affinity), then open ``/_stcore/stream`` with subprotocol ``streamlit`` and
   the cookies. Frames are binary protobufs: ``BackMsg`` out, ``ForwardMsg`` in.
2. Load the page: a ``rerun_script`` with the URL's query string and empty widget
   states. The replies carry ``new_session`` (with ``page_script_hash``), the
   element deltas (a button's widget id is ``delta.new_element.button.id``; the
   chart is a ``component_instance`` whose ``json_args`` hold ``frames_url``,
   ``run_id`` and ``playing``), ``auto_rerun`` (fragment mode) and end with
   ``script_finished`` = ``FINISHED_SUCCESSFULLY``.
3. Click a button by its label (``"Play"``; a label that starts with the given
   text, after any leading symbols, matches): a ``rerun_script`` whose widget states
   hold ``{id, trigger_value}``.
4. With ``reconnect``, a closed websocket is opened again (the browser's back-off),
   and the page runs again only when Streamlit's frontend would rerun it
   (``App.handleConnectionStateChanged``: a run was under way, the last run was a
   fragment run, or an auto-rerun timer is set), with the query string Streamlit
   keeps (the last ``page_info_changed``), not the address bar that main.js updates.
   Meanwhile the frame loop keeps asking the old URL every 500 ms; after
   ``MISSING_BEFORE_RELOAD`` answers 404 in a row over at least ``RELOAD_AFTER_S`` (the new
   replica does not know the page, and Streamlit's reconnect brought no new one) it
   reloads the page from the address bar (``epoch=E&play=1``), as main.js does.
5. Like the chart, a tab reports its value (``setComponentValue``: a fragment rerun)
   when what it holds changes, every ``REPORT_FRAMES`` frames (at most once a second)
   while playing, and when training stops; a picture that such a rerun carries counts as
   an update too (the browser draws it; ``window.livechartFrames`` counts it).

The report gives, per session, updates/s, bytes received per update (frame
answers, headers included), the frame latency (request start to last byte) or,
in fragment mode, tick-to-finish; over sessions, the median, 10th percentile and
minimum updates/s; the server's CPU and RSS (a process and its children, via
psutil) before, during and after the load; this client's own CPU; and the
machine's load average, because other processes skew every number.

The client only talks to 127.0.0.1, localhost or ::1, and every run is bounded
in sessions and seconds.

Command line::

    python benchmarks/loadclient.py --url http://127.0.0.1:8501/ --sessions 30 \\
        --seconds 15 --query epochs=100000 --pid <server pid>
    python benchmarks/loadclient.py --mode fragment --click Play --url ...  # old design

From Python::

    report = asyncio.run(run_load(LoadConfig(sessions=10, seconds=8, query="h=8")))
    print(format_report(report))
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import socket
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np
import psutil
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from server.frames import decode_frame

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MODES = ("frames", "fragment")
PLAY = "Play"
MAX_SESSIONS = 500
MAX_SECONDS = 600.0
REPLICA_HEADER = "x-replica"
FIRST_RECONNECT_DELAY_S = 0.25  # what the browser waits before its first reconnect
MAX_RECONNECT_DELAY_S = 2.0
FRAME_RETRY_S = 0.5  # main.js: the pause after a failed frame request
MISSING_BEFORE_RELOAD = 3  # main.js: "unknown page" answers in a row before it reloads
RELOAD_AFTER_S = 4.0  # main.js RELOAD_AFTER_MS: and for at least this long
REPORT_EVERY_S = 1.0  # main.js: the chart reports its epoch while playing at most this often
REPORT_FRAMES = 30  # main.js: and only after this many frames since the last report
FRAME_DEFAULT_MS = 50  # main.js: the pause when an answer names none
URL_SYNC_S = 1.0  # main.js: how often the page's link takes the epoch while playing
HTTP_TIMEOUT_S = 10.0
STALL_REQUESTS = 3000  # pipelined frame requests a stalled tab sends, never reading one
STALL_RCVBUF = 4096  # its receive buffer: small, so the server's writes block soon

Predicate = Callable[[ForwardMsg], bool]


def any_delta(msg: ForwardMsg) -> bool:
    """Accept every element or block delta."""
    return msg.WhichOneof("type") == "delta"


def element_type_is(element_type: str) -> Predicate:
    """Accept deltas that draw one kind of element, e.g. "text" or "plotly_chart".

    The kind is the name of the field set in ``Element`` (``new_element.WhichOneof``),
    so "component_instance" matches a custom component.
    """

    def predicate(msg: ForwardMsg) -> bool:
        return (
            msg.WhichOneof("type") == "delta"
            and msg.delta.WhichOneof("type") == "new_element"
            and msg.delta.new_element.WhichOneof("type") == element_type
        )

    return predicate


@dataclass(frozen=True)
class LoadConfig:
    """What to load and for how long.

    mode : "frames" (the chart fetches frames, server/frames.py) or "fragment" (the
        old design: auto-rerun fragment ticks).
    query : the page URL's query string without "?", e.g. "h=8&epochs=100000".
    click : the label (or the start of it) of a button to click once loaded; None
        for none.
    stall : every session of this run loads, clicks, then stops reading: it sends
        ``STALL_REQUESTS`` pipelined frame requests and never reads the answers nor
        its websocket (a frozen tab; for isolation tests).
    greedy : every session of this run ignores ``next_ms`` and asks for the next frame
        as soon as an answer arrives (a tab that does not follow the server's pace).
    reload_on_404 : after MISSING_BEFORE_RELOAD answers 404 in a row from the frame route
        (its page is gone: the replica died), reload the page from the address bar, which
        carries the epoch and the play state, as main.js does. False: keep retrying.
    report : send the chart's value as main.js does (setComponentValue, which reruns the
        chart's fragment): after a render that changes what it holds, about once a
        second while playing (the epoch, for the link), and when training stops.
    interval, element, predicate : fragment mode only. ``interval`` None means the
        fragment's own ``run_every`` (what the browser uses). ``element`` None
        counts any delta; a name counts deltas of that element type only;
        ``predicate`` overrides both.
    until : end the window as soon as ``until(progress, statuses)`` holds: what each session
        got since the window began (a ``Counters`` each) and each one's training status
        ("training", "diverged", ...); ``seconds`` then only bounds the window. For tests,
        which wait on a condition (e.g. every session got 5 updates), not for a rate.
    """

    url: str = "http://127.0.0.1:8501/"
    sessions: int = 10
    seconds: float = 10.0
    mode: str = "frames"
    query: str = ""
    click: str | None = PLAY
    stall: bool = False
    greedy: bool = False
    reload_on_404: bool = True
    report: bool = True
    interval: float | None = None
    element: str | None = None
    predicate: Predicate | None = None
    until: Callable[[list[Counters], list[str]], bool] | None = None
    warmup: float = 2.5
    ramp: float = 2.0
    connect_timeout: float = 30.0
    use_cookies: bool = True
    reconnect: bool = False
    pid: int | None = None
    settle: float = 3.0

    def validate(self) -> None:
        """Raise ValueError naming the first setting that is out of bounds."""
        parts = urlsplit(self.url)
        if parts.scheme not in {"http", "ws"}:
            raise ValueError(f"url must start with http:// or ws://. Got {self.url!r}.")
        if parts.hostname not in LOCAL_HOSTS:
            raise ValueError(
                f"url must point at this machine ({', '.join(sorted(LOCAL_HOSTS))}). "
                f"Got host {parts.hostname!r}."
            )
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}. Got {self.mode!r}.")
        if not 1 <= self.sessions <= MAX_SESSIONS:
            raise ValueError(f"sessions must be in 1..{MAX_SESSIONS}. Got {self.sessions}.")
        if not 0 < self.seconds <= MAX_SECONDS:
            raise ValueError(f"seconds must be in (0, {MAX_SECONDS:g}]. Got {self.seconds}.")
        if self.interval is not None and not 0.005 <= self.interval <= 60:
            raise ValueError(f"interval must be in [0.005, 60] seconds. Got {self.interval}.")
        for name in ("warmup", "ramp", "settle"):
            if not 0 <= getattr(self, name) <= 600:
                raise ValueError(f"{name} must be in [0, 600] seconds. Got {getattr(self, name)}.")
        if not 0 < self.connect_timeout <= 600:
            raise ValueError(
                f"connect_timeout must be in (0, 600] seconds. Got {self.connect_timeout}."
            )
        if (self.stall or self.greedy) and (self.mode != "frames" or not self.click):
            raise ValueError("stall and greedy need mode 'frames' and a button to click (Play).")


@dataclass
class Counters:
    """What one session has seen so far; the report subtracts two snapshots."""

    ticks: int = 0  # fragment ticks sent, or frame requests sent
    runs_ok: int = 0  # fragment runs finished, or frames answered 200
    runs_discarded: int = 0  # fragment runs cut short by the next one
    updates: int = 0  # frames with a picture, or fragment runs that drew and finished
    frames: int = 0  # frame answers applied (main.js livechartStats.framesFetched)
    visible_updates: int = 0
    busy: int = 0  # frame answers "busy": the page script held the run
    early: int = 0  # frame answers "not yet": asked before the pause (a greedy tab does)
    errors: int = 0  # frame requests that failed or were not answered 200
    bytes_received: int = 0  # frame answers (frames mode) or websocket frames (fragment)
    ws_bytes: int = 0
    messages: int = 0


@dataclass
class SessionStats:
    """One session's results over the measurement window."""

    index: int
    ready: bool
    replica: str
    replicas_seen: list[str]
    updates_per_s: float
    visible_updates_per_s: float
    runs_per_s: float
    discarded_per_s: float
    ticks_per_s: float
    busy_per_s: float
    errors: int
    bytes_per_update: float
    kbytes_per_s: float
    ws_kbytes: float
    latency_ms_p50: float
    latency_ms_p90: float
    reconnects: int
    reloads: int
    reports: int
    curve_resets: int
    failover_s: list[float]
    resumes: list[tuple[int | None, int]]
    run_id: str
    epoch: int
    epochs: int
    epochs_seen: list[int]  # every distinct "epochs" its frames carried (its own setting)
    status: str
    token: str
    error: str


@dataclass
class ServerUsage:
    """CPU and memory of the server process tree (psutil)."""

    cpu_percent: float  # mean over the window; 100 = one core busy
    rss_mb_before: float
    rss_mb_peak: float
    rss_mb_end: float
    rss_mb_after: float  # after every session disconnected and ``settle`` passed


@dataclass
class LoadReport:
    """The whole run: per-session stats and the summary over sessions."""

    url: str
    mode: str
    sessions: int
    window_s: float
    interval_s: float | None
    stats: list[SessionStats]
    server: ServerUsage | None
    client_cpu_percent: float
    machine_cpu_percent: float  # every process on the machine; 100 = one core busy
    cores: int
    loadavg_before: tuple[float, float, float]
    loadavg_after: tuple[float, float, float]
    rates: dict[str, float] = field(default_factory=dict)


class _HttpConnection:
    """One keep-alive HTTP/1.1 connection, as a browser keeps one to an origin.

    Minimal: GET only, Content-Length or chunked bodies, reopened after the server
    closes it. asyncio sets TCP_NODELAY on the sockets it opens.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.opened = 0

    async def get(self, target: str, headers: dict[str, str]) -> tuple[int, dict, bytes, int]:
        """(status, headers with lower-case names, body, bytes received) of ``GET target``.

        Repeated headers (Set-Cookie) are joined with "\\n".
        """
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.opened += 1
        lines = [f"GET {target} HTTP/1.1", f"Host: {self.host}:{self.port}", "Accept: */*"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            status = int(status_line.split(" ", 2)[1])
            answer: dict[str, str] = {}
            for line in header_lines:
                name, sep, value = line.partition(":")
                if sep:
                    name = name.strip().lower()
                    answer[name] = (answer[name] + "\n" if name in answer else "") + value.strip()
            if "content-length" in answer:
                body = await self.reader.readexactly(int(answer["content-length"]))
                received = len(head) + len(body)
            elif answer.get("transfer-encoding", "").lower() == "chunked":
                body, received = await self._chunked(len(head))
            else:
                body = await self.reader.read()
                received = len(head) + len(body)
                answer["connection"] = "close"
        except BaseException:
            self.close()
            raise
        if answer.get("connection", "").lower() == "close":
            self.close()
        return status, answer, body, received

    async def _chunked(self, received: int) -> tuple[bytes, int]:
        parts = []
        while True:
            line = await self.reader.readuntil(b"\r\n")
            size = int(line.split(b";")[0], 16)
            chunk = await self.reader.readexactly(size + 2)
            received += len(line) + len(chunk)
            if size == 0:
                return b"".join(parts), received
            parts.append(chunk[:-2])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def query_with(query: str, **values: str | None) -> str:
    """``query`` with some parameters set (a value) or removed (None), order kept."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in values]
    pairs += [(k, v) for k, v in values.items() if v is not None]
    return urlencode(pairs, safe=",")


class _Session:
    """One simulated browser tab."""

    def __init__(self, index: int, config: LoadConfig, stop: asyncio.Event) -> None:
        self.index = index
        self.config = config
        self.predicate = config.predicate or (
            element_type_is(config.element) if config.element else any_delta
        )
        self.stop = stop
        self.counters = Counters()
        self.ready = asyncio.Event()
        self.error = ""
        self.replica = ""
        self.replicas_seen: list[str] = []
        self.reconnects = 0
        self.failover_s: list[float] = []
        self.latencies: list[float] = []
        self.cookies: dict[str, str] = {}
        self._disconnected_at: float | None = None
        parts = urlsplit(config.url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.path = parts.path or "/"
        # The chart, as the component's arguments and the frames describe it.
        self.frames_url: str | None = None
        self.frames_changed = asyncio.Event()
        self.run_id = ""
        self.token = ""
        self.last_epoch = 0  # main.js state.lastEpoch: the newest history row it has
        self.steps = -1  # main.js poll.steps: the training steps of its picture
        self.epoch = 0
        self.epochs = 0
        self.epochs_seen: set[int] = set()
        self.status = ""
        self.url_epoch: int | None = None  # the epoch the page's link carries
        self.url_playing = False
        self.url_synced = -1e9
        self.server_query: str | None = None  # Streamlit's own idea of the query string
        self.run_in_progress = False
        self.last_run_fragment = False
        self.fragment_mode_ticking = False
        self.reload = asyncio.Event()  # the chart asks for a page reload (reload_on_404)
        self.missing = 0  # 404 answers in a row
        self.missing_since = 0.0  # when the first of them came
        self.missing_for = 0.0  # seconds from it to the last of them
        self.ws = None  # the open websocket, for the chart's reports
        self.chart_id = ""  # the component's widget id and fragment
        self.chart_fragment = ""
        self.chart_session = os.urandom(5).hex()  # main.js: a random id per iframe
        self.points_rev = 0
        self.synced = False
        self.report_key = ""
        self.reported_at = -1e9
        self.since_report = 0  # frames applied since the last epoch report
        self.stopped = 0
        self.curve_resets = 0  # renders that made the chart clear its curves
        self.reports = 0
        self.reloads = 0
        self.resumes: list[tuple[int | None, int]] = []  # (link epoch at failure, epoch after)
        self._failed_link_epoch: int | None = None
        self.stall_writers: list[asyncio.StreamWriter] = []
        self._reset_connection_state()

    def _reset_connection_state(self) -> None:
        self.page_script_hash = ""
        self.buttons: dict[str, str] = {}
        self.max_cache_age = 2
        self.cache: dict[str, list] = {}  # hash -> [run count when used, fragment id, bytes]
        self.cache_run_count = 0
        self.received_new_session = False
        self.run_matched = False
        self.run_is_fragment = False
        self.full_run_done = asyncio.Event()
        self.tickers: dict[str, asyncio.Task] = {}
        self.tick_times: deque[float] = deque()
        self.run_started_at = 0.0

    # ---- the websocket -----------------------------------------------------

    async def run(self) -> None:
        """Connect, load, click; tick (fragment) or fetch frames (frames), until ``stop``."""
        poller = None
        if self.config.mode == "frames" and not self.config.stall:
            poller = asyncio.create_task(self._poll_frames())
        try:
            await self._websocket_loop()
            if poller is not None:
                await self.stop.wait()
        finally:
            if poller is not None:
                poller.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await poller
            for writer in self.stall_writers:
                writer.close()

    async def _websocket_loop(self) -> None:
        delay = FIRST_RECONNECT_DELAY_S
        how = "load"
        while not self.stop.is_set():
            try:
                await self._one_connection(how)
                return
            except _Reload:
                self.reloads += 1
                how, delay = "reload", FIRST_RECONNECT_DELAY_S
                continue
            except (OSError, TimeoutError, websockets.WebSocketException) as exc:
                self.error = f"{type(exc).__name__}: {exc}"[:200]
            finally:
                for task in self.tickers.values():
                    task.cancel()
            if not self.config.reconnect or self.stop.is_set():
                return
            how = "reconnect" if self.ready.is_set() else "load"
            self._note_failure()
            self.reconnects += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), delay)
            delay = min(2 * delay, MAX_RECONNECT_DELAY_S)

    def _link_query(self) -> str:
        """The query string in the address bar: what the server last set (Streamlit's
        page_info_changed), or the original link, with the epoch and play state that
        main.js writes into it while playing."""
        base = self.server_query if self.server_query is not None else self.config.query
        if self.url_epoch is None:
            return base
        return query_with(
            base,
            epoch=str(self.url_epoch) if self.url_epoch else None,
            play="1" if self.url_playing else None,
        )

    def _frontend_would_rerun(self) -> bool:
        """Streamlit's App.handleConnectionStateChanged on a reconnect (1.67): it asks for a
        script run only if a run was under way, or the last run was a fragment run, or an
        auto-rerun timer is set. Otherwise the new server session never runs the page."""
        return self.run_in_progress or self.last_run_fragment or self.fragment_mode_ticking

    async def _one_connection(self, how: str) -> None:
        """``how``: "load" (open the link, then click), "reload" (open the address bar's
        link: the page's epoch and play state, no click) or "reconnect" (Streamlit's own
        reconnect of the same page)."""
        self.fragment_mode_ticking = bool(self.tickers)
        self._reset_connection_state()
        self.reload.clear()
        if how == "reload":
            self.server_query = None  # a fresh page: Streamlit reads the address bar
            self.chart_session = os.urandom(5).hex()  # and a new chart
            self.points_rev, self.synced, self.report_key, self.missing = 0, False, "", 0
        if self.config.use_cookies:
            await self._get_page()
        headers = {}
        if self.cookies:
            headers["Cookie"] = self._cookie_header()
        ws_url = f"ws://{self.host}:{self.port}{self.path.rstrip('/')}/_stcore/stream"
        async with websockets.connect(
            ws_url,
            subprotocols=["streamlit"],
            additional_headers=headers,
            compression=None,
            proxy=None,
            max_size=None,
            ping_interval=None,
            open_timeout=self.config.connect_timeout,
            close_timeout=1,
        ) as ws:
            self._note_replica(ws.response.headers.get(REPLICA_HEADER))
            self.ws = ws
            reader = asyncio.create_task(self._read(ws))
            try:
                if how == "load":
                    await self._load_and_click(ws, self._link_query(), click=True)
                elif how == "reload":
                    await self._load_and_click(ws, self._link_query(), click=False)
                elif self._frontend_would_rerun():
                    query = self.server_query or self._link_query()
                    await self._load_and_click(ws, query, click=False)
                self.error = ""
                self.ready.set()
                if self.config.stall:
                    await self._stall(reader)
                await _first(asyncio.shield(reader), self.stop.wait(), self.reload.wait())
            finally:
                if not reader.done():
                    reader.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await reader
            self.ws = None
            if self.reload.is_set() and not self.stop.is_set():
                raise _Reload
            if not self.stop.is_set():
                reader.result()  # re-raise why the connection ended
                raise websockets.ConnectionClosedOK(None, None)

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _take_cookies(self, set_cookie: str) -> None:
        for value in set_cookie.split("\n"):
            jar = SimpleCookie()
            jar.load(value.strip())
            self.cookies.update({k: m.value for k, m in jar.items()})

    def _note_replica(self, replica: str | None) -> None:
        if replica:
            self.replica = replica
            if self.replicas_seen[-1:] != [replica]:
                self.replicas_seen.append(replica)

    async def _get_page(self) -> None:
        """GET the page like a browser: remember cookies and the replica header."""
        http = _HttpConnection(self.host, self.port)
        headers = {"Connection": "close"}
        if self.cookies:
            headers["Cookie"] = self._cookie_header()
        try:
            status, answer, _, _ = await asyncio.wait_for(
                http.get(self.path, headers), self.config.connect_timeout
            )
        finally:
            http.close()
        if status != 200:
            raise OSError(f"GET {self.path} answered {status}")
        self._take_cookies(answer.get("set-cookie", ""))
        self._note_replica(answer.get(REPLICA_HEADER))

    def _find_button(self, label: str) -> str:
        """The widget id of the button labelled ``label``, or whose label starts with it
        after any leading symbols ("▶ Play" and "Play" both match "Play")."""
        if label in self.buttons:
            return self.buttons[label]
        for name, widget_id in self.buttons.items():
            if name.startswith(label) or re.sub(r"^\W+", "", name).startswith(label):
                return widget_id
        raise OSError(f"no button labelled {label!r}; the page has {sorted(self.buttons)}")

    async def _load_and_click(self, ws, query: str, click: bool) -> None:
        timeout = self.config.connect_timeout
        self.full_run_done.clear()
        await self._send(ws, _rerun_msg(page_script_hash="", query_string=query))
        await asyncio.wait_for(self.full_run_done.wait(), timeout)
        if self.config.click is None or not click:
            return
        self.full_run_done.clear()
        await self._send(
            ws,
            _rerun_msg(
                page_script_hash=self.page_script_hash,
                trigger_id=self._find_button(self.config.click),
                cached=self.cache.keys(),
                query_string=query,
            ),
        )
        await asyncio.wait_for(self.full_run_done.wait(), timeout)

    async def _send(self, ws, payload: bytes) -> None:
        # Like App.sendRerunBackMsg: the cache ages only on runs whose
        # new_session arrived after the latest rerun request.
        self.received_new_session = False
        await ws.send(payload)

    async def _stall(self, reader: asyncio.Task) -> None:
        """A frozen tab: pipeline frame requests it never reads; stop reading the websocket."""
        # The Play run may still be arriving (a report's fragment rerun can finish first):
        # a tab freezes after it has started playing, so wait for the chart's frames_url.
        deadline = time.monotonic() + self.config.connect_timeout
        while self.frames_url is None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        reader.cancel()
        if self.frames_url is None:
            raise OSError("stall: the page did not start playing (no frames_url)")
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, STALL_RCVBUF)  # fill up soon
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (self.host, self.port))
        _, writer = await asyncio.open_connection(sock=sock)
        self.stall_writers.append(writer)
        request = (
            f"GET {self.frames_url}?epoch=0&steps=-1 HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Cookie: {self._cookie_header()}\r\n\r\n"
        ).encode("latin-1")
        writer.write(request * STALL_REQUESTS)
        await self.stop.wait()

    # ---- incoming websocket messages ---------------------------------------

    async def _read(self, ws) -> None:
        counters = self.counters
        fragment = self.config.mode == "fragment"
        async for raw in ws:
            counters.ws_bytes += len(raw)
            if fragment:
                counters.bytes_received += len(raw)
            counters.messages += 1
            msg = ForwardMsg.FromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "ref_hash":
                cached = self.cache.get(msg.ref_hash)
                if cached is None:
                    raise OSError(f"cached ForwardMsg miss for hash {msg.ref_hash}")
                cached[0] = self.cache_run_count
                msg = ForwardMsg.FromString(cached[2])
                kind = msg.WhichOneof("type")
            elif msg.metadata.cacheable and msg.hash and msg.hash not in self.cache:
                self.cache[msg.hash] = [self.cache_run_count, msg.delta.fragment_id, raw]

            if kind == "delta":
                self._on_delta(msg)
            elif kind == "new_session":
                self._on_new_session(msg)
            elif kind == "script_finished":
                self._on_script_finished(msg)
            elif kind == "page_info_changed":
                self.server_query = msg.page_info_changed.query_string
            elif kind == "auto_rerun" and fragment:
                self._on_auto_rerun(ws, msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
            elif kind == "stop_auto_rerun":
                for fragment_id in msg.stop_auto_rerun.fragment_ids:
                    task = self.tickers.pop(fragment_id, None)
                    if task is not None:
                        task.cancel()

    def _on_new_session(self, msg: ForwardMsg) -> None:
        new_session = msg.new_session
        if new_session.page_script_hash:
            self.page_script_hash = new_session.page_script_hash
        if new_session.HasField("config"):
            self.max_cache_age = new_session.config.max_cached_message_age
        self.received_new_session = True
        self.run_in_progress = True
        self.run_matched = False
        self.run_is_fragment = bool(msg.metadata.run.fragment_ids)
        self.run_started_at = time.perf_counter()

    def _on_delta(self, msg: ForwardMsg) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") == "new_element":
            element = delta.new_element
            kind = element.WhichOneof("type")
            if kind == "button":
                self.buttons[element.button.label] = element.button.id
            elif kind == "component_instance" and self.config.mode == "frames":
                self._on_chart(element.component_instance, delta.fragment_id)
        if not self.run_matched and self.predicate(msg):
            self.run_matched = True
            if self.run_is_fragment:
                self.counters.visible_updates += 1
                self._note_recovered()

    def _on_chart(self, instance, fragment_id: str) -> None:
        """What main.js onRender does with the chart's arguments: keep the run and the
        epoch, apply a picture (an update, as livechartFrames counts it), start or stop
        fetching frames, and report when what it holds changed."""
        args = json.loads(instance.json_args or "{}")
        if "frames_url" not in args:
            return  # another component
        self.chart_id, self.chart_fragment = instance.id, fragment_id
        special = {a.key: a.bytes for a in instance.special_args}
        if special.get("points") and args.get("points_rev") != self.points_rev:
            self.points_rev = args["points_rev"]
        run_id, epoch = str(args.get("run_id", "")), int(args.get("epoch", 0))
        if self.run_id and (run_id != self.run_id or epoch < self.epoch):
            self.last_epoch = 0  # a reset (or an older epoch): the chart clears its curves
            self.curve_resets += 1
        self.run_id, self.epoch = run_id, epoch
        if args.get("curves_full"):
            self.synced = True
        if special.get("image"):
            self.counters.updates += 1
            self.counters.visible_updates += 1
        url = args["frames_url"] if args.get("playing") else None
        if url:
            self.token = url.rsplit("/", 1)[-1]
        if url != self.frames_url:
            self.frames_url = url
            self.frames_changed.set()
        key = f"{self.points_rev}|{self.synced}"
        if key != self.report_key:
            self.report_key = key
            self._report()

    def _report(self) -> None:
        """main.js report(): the chart's value, which reruns its fragment."""
        if not self.config.report or self.ws is None or not self.chart_id:
            return
        value = {
            "points_rev": self.points_rev,
            "synced": self.synced,
            "session": self.chart_session,
            "stopped": self.stopped,
            "epoch": self.epoch,
        }
        payload = _rerun_msg(
            page_script_hash=self.page_script_hash,
            fragment_id=self.chart_fragment,
            cached=self.cache.keys(),
            query_string=self.server_query or self._link_query(),
            json_value=(self.chart_id, json.dumps(value)),
        )
        self.reports += 1
        task = asyncio.ensure_future(self._send(self.ws, payload))
        task.add_done_callback(lambda t: t.cancelled() or t.exception())

    def _on_script_finished(self, msg: ForwardMsg) -> None:
        status = msg.script_finished
        now = time.perf_counter()
        self.run_in_progress = False
        if status in (
            ForwardMsg.FINISHED_SUCCESSFULLY,
            ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
        ):
            self.last_run_fragment = status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
        if status == ForwardMsg.FINISHED_SUCCESSFULLY:
            self.full_run_done.set()
        elif status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
            self.counters.runs_ok += 1
            if self.run_matched:
                self.counters.updates += 1
            self._take_latency(now)
        elif status == ForwardMsg.FINISHED_EARLY_FOR_RERUN and self.run_is_fragment:
            self.counters.runs_discarded += 1
            self._take_latency(now)
        self.run_matched = False
        # The browser ages its ForwardMsg cache on every finished run it started
        # (App.handleScriptFinished -> ForwardMsgCache.incrementRunCount).
        if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN and self.received_new_session:
            fragment_ids = set(msg.metadata.run.fragment_ids)
            self.cache_run_count += 1
            for key, (used, fragment_id, _) in list(self.cache.items()):
                in_scope = not fragment_ids or fragment_id in fragment_ids
                if in_scope and self.cache_run_count - used > self.max_cache_age:
                    del self.cache[key]

    def _take_latency(self, now: float) -> None:
        """Tick-to-finish: from the oldest unanswered tick to this run's end.

        Ticks sent before this run's ``new_session`` arrived are folded into it
        (the server coalesces pending fragment reruns), so they are answered now.
        """
        if self.tick_times:
            self.latencies.append(now - self.tick_times[0])
        while self.tick_times and self.tick_times[0] <= self.run_started_at:
            self.tick_times.popleft()

    def _note_failure(self) -> None:
        if self._disconnected_at is None:
            self._disconnected_at = time.perf_counter()
            self._failed_link_epoch = self.url_epoch

    def _note_recovered(self, epoch: int | None = None) -> None:
        if self._disconnected_at is not None:
            self.failover_s.append(time.perf_counter() - self._disconnected_at)
            self._disconnected_at = None
            if epoch is not None:
                self.resumes.append((self._failed_link_epoch, epoch))

    # ---- frames (main.js pollLoop) -----------------------------------------

    async def _poll_frames(self) -> None:
        """Ask for a frame, wait for it, apply it, pause ``next_ms`` from the request start."""
        http = _HttpConnection(self.host, self.port)
        counters = self.counters
        try:
            while not self.stop.is_set():
                url = self.frames_url
                if url is None:
                    self.frames_changed.clear()
                    await _first(self.frames_changed.wait(), self.stop.wait())
                    continue
                started = time.perf_counter()
                wait = FRAME_RETRY_S
                headers = {"Cookie": self._cookie_header()} if self.cookies else {}
                counters.ticks += 1
                try:
                    status, answer, body, received = await asyncio.wait_for(
                        http.get(f"{url}?epoch={self.last_epoch}&steps={self.steps}", headers),
                        HTTP_TIMEOUT_S,
                    )
                except (OSError, EOFError, TimeoutError, ValueError, IndexError):
                    counters.errors += 1
                    self._note_failure()
                else:
                    self.latencies.append(time.perf_counter() - started)
                    counters.bytes_received += received
                    self._take_cookies(answer.get("set-cookie", ""))
                    self._note_replica(answer.get(REPLICA_HEADER))
                    if status == 200:
                        self.missing = 0
                        counters.runs_ok += 1
                        header, png = decode_frame(body)
                        wait = header.get("next_ms", FRAME_DEFAULT_MS) / 1000
                        if header.get("early"):
                            counters.early += 1  # nothing trained: wait next_ms, as main.js
                        elif header.get("busy"):
                            counters.busy += 1
                        elif url == self.frames_url:
                            self._apply_frame(header, png)
                    else:
                        counters.errors += 1
                        self._note_failure()
                        self.missing = self.missing + 1 if status == 404 else 0
                        if self.missing == 1:
                            self.missing_since = time.monotonic()
                        self.missing_for = time.monotonic() - self.missing_since
                        given = self.missing_for >= RELOAD_AFTER_S
                        if (
                            self.config.reload_on_404
                            and self.missing >= MISSING_BEFORE_RELOAD
                            and given
                        ):
                            self.reload.set()  # main.js: reload the page from its link
                left = (0.0 if self.config.greedy else wait) - (time.perf_counter() - started)
                if left > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.stop.wait(), left)
        finally:
            http.close()

    def _apply_frame(self, header: dict, png: bytes) -> None:
        """main.js applyFrame: a frame of another run (before a Reset) is ignored."""
        self.epochs_seen.add(header.get("epochs"))
        if str(header.get("run_id")) != self.run_id:
            return
        self.counters.frames += 1
        if png:
            self.steps = header["steps"]
            self.counters.updates += 1
            self.counters.visible_updates += 1
            self._note_recovered(header["epoch"])
        for row in header.get("rows", ()):
            self.last_epoch = max(self.last_epoch, int(row[0]))
        self.epoch, self.epochs, self.status = header["epoch"], header["epochs"], header["status"]
        now = time.perf_counter()
        training = self.status == "training"
        if now - self.url_synced >= URL_SYNC_S or not training:
            self.url_synced, self.url_epoch, self.url_playing = now, self.epoch, training
        self.since_report += 1
        if (
            training
            and self.since_report >= REPORT_FRAMES
            and now - self.reported_at > REPORT_EVERY_S
        ):
            self.reported_at, self.since_report = now, 0
            self._report()  # the epoch, for the link Streamlit keeps
        if not training:
            self.frames_url = None  # stop polling; the page reruns and relabels Play
            self.stopped += 1
            self._report()

    def stats(self, start: Counters, end: Counters, window: float) -> SessionStats:
        """Summarise the window between two counter snapshots."""
        d = {k: getattr(end, k) - getattr(start, k) for k in asdict(end)}
        lat = np.array(self.latencies) * 1000 if self.latencies else np.array([np.nan])
        return SessionStats(
            index=self.index,
            ready=self.ready.is_set(),
            replica=self.replica,
            replicas_seen=list(self.replicas_seen),
            updates_per_s=d["updates"] / window,
            visible_updates_per_s=d["visible_updates"] / window,
            runs_per_s=d["runs_ok"] / window,
            discarded_per_s=d["runs_discarded"] / window,
            ticks_per_s=d["ticks"] / window,
            busy_per_s=d["busy"] / window,
            errors=d["errors"],
            bytes_per_update=d["bytes_received"] / d["updates"] if d["updates"] else 0.0,
            kbytes_per_s=d["bytes_received"] / window / 1000,
            ws_kbytes=d["ws_bytes"] / 1000,
            latency_ms_p50=float(np.percentile(lat, 50)),
            latency_ms_p90=float(np.percentile(lat, 90)),
            reconnects=self.reconnects,
            reloads=self.reloads,
            reports=self.reports,
            curve_resets=self.curve_resets,
            failover_s=[round(s, 3) for s in self.failover_s],
            resumes=list(self.resumes),
            run_id=self.run_id,
            epoch=self.epoch,
            epochs=self.epochs,
            epochs_seen=sorted(self.epochs_seen),
            status=self.status,
            token=self.token,
            error=self.error,
        )

    # ---- outgoing ticks (fragment mode) ------------------------------------

    def _on_auto_rerun(self, ws, fragment_id: str, interval: float) -> None:
        if fragment_id in self.tickers:
            return  # like the browser: the same fragment keeps its running timer
        period = self.config.interval or interval
        self.tickers[fragment_id] = asyncio.create_task(self._tick(ws, fragment_id, period))

    async def _tick(self, ws, fragment_id: str, period: float) -> None:
        """setInterval: fire every ``period`` whatever the server is doing; never burst."""
        loop = asyncio.get_running_loop()
        due = loop.time() + period
        while True:
            await asyncio.sleep(max(0.0, due - loop.time()))
            if self.page_script_hash:
                payload = _rerun_msg(
                    page_script_hash=self.page_script_hash,
                    fragment_id=fragment_id,
                    cached=self.cache.keys(),
                    query_string=self.config.query,
                )
                self.tick_times.append(time.perf_counter())
                self.counters.ticks += 1
                await self._send(ws, payload)
            due += period
            due = max(due, loop.time())


class _Reload(Exception):
    """The chart asked for a page reload."""


async def _first(*aws) -> None:
    """Wait until the first of these awaitables is done; cancel the others."""
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


def _rerun_msg(
    page_script_hash: str,
    fragment_id: str = "",
    trigger_id: str = "",
    cached=(),
    query_string: str = "",
    json_value: tuple[str, str] | None = None,
) -> bytes:
    """Serialise the rerun_script BackMsg the browser's sendRerunBackMsg would send.

    fragment_id alone: an auto-rerun tick. json_value (widget id, JSON text): a
    component's new value (setComponentValue), which reruns its fragment.
    """
    msg = BackMsg()
    rerun = msg.rerun_script
    rerun.page_script_hash = page_script_hash
    rerun.query_string = query_string
    rerun.widget_states.SetInParent()
    if trigger_id:
        widget = rerun.widget_states.widgets.add()
        widget.id = trigger_id
        widget.trigger_value = True
    if json_value:
        widget = rerun.widget_states.widgets.add()
        widget.id, widget.json_value = json_value
    if fragment_id:
        rerun.fragment_id = fragment_id
        rerun.is_auto_rerun = json_value is None
    rerun.cached_message_hashes.extend(cached)
    return msg.SerializeToString()


class ServerSampler:
    """Sums CPU time and RSS over a process and its children."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.cpu_seen: dict[int, float] = {}
        self.peak_rss = 0

    def _processes(self) -> list[psutil.Process]:
        try:
            return [self.root, *self.root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def sample(self) -> tuple[float, int]:
        """Return (CPU seconds used since the previous sample, current RSS bytes)."""
        used, rss = 0.0, 0
        for proc in self._processes():
            try:
                cpu = proc.cpu_times()
                mem = proc.memory_info().rss
            except psutil.Error:
                continue
            total = cpu.user + cpu.system
            used += total - self.cpu_seen.get(proc.pid, total)
            self.cpu_seen[proc.pid] = total
            rss += mem
        self.peak_rss = max(self.peak_rss, rss)
        return used, rss


async def _ready_or_done(session: _Session, task: asyncio.Task) -> None:
    """Wait until the session has loaded its page, or has given up."""
    await _first(session.ready.wait(), asyncio.shield(task))


def _since(start: Counters, now: Counters) -> Counters:
    return Counters(**{k: getattr(now, k) - getattr(start, k) for k in asdict(now)})


def _nanmedian(values: list[float]) -> float:
    finite = [v for v in values if not np.isnan(v)]
    return float(np.median(finite)) if finite else float("nan")


def _loadavg() -> tuple[float, float, float]:
    return tuple(round(x, 2) for x in os.getloadavg())


async def run_load(config: LoadConfig) -> LoadReport:
    """Run the sessions, measure for ``config.seconds`` and return the report."""
    config.validate()
    sampler = ServerSampler(config.pid) if config.pid else None
    rss_before = sampler.sample()[1] if sampler else 0
    loadavg_before = _loadavg()
    stop = asyncio.Event()
    sessions = [_Session(i, config, stop) for i in range(config.sessions)]
    tasks = []
    for session in sessions:
        tasks.append(asyncio.create_task(session.run()))
        await asyncio.sleep(config.ramp / config.sessions)
    # Sessions that never get ready report zero updates and their error.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(
            asyncio.gather(*(_ready_or_done(s, t) for s, t in zip(sessions, tasks, strict=True))),
            config.connect_timeout,
        )
    await asyncio.sleep(config.warmup)

    if sampler:
        sampler.sample()
        sampler.peak_rss = 0
    client = psutil.Process()
    client_cpu0 = sum(client.cpu_times()[:2])
    machine0 = psutil.cpu_times()
    start = [replace(s.counters) for s in sessions]
    t0 = time.perf_counter()
    cpu_used = 0.0
    while (left := config.seconds - (time.perf_counter() - t0)) > 0:
        await asyncio.sleep(min(0.5 if config.until is None else 0.1, left))
        if sampler:
            cpu_used += sampler.sample()[0]
        if config.until is not None and config.until(
            [_since(a, s.counters) for a, s in zip(start, sessions, strict=True)],
            [s.status for s in sessions],
        ):
            break
    window = time.perf_counter() - t0
    end = [replace(s.counters) for s in sessions]
    client_cpu = sum(client.cpu_times()[:2]) - client_cpu0
    machine1 = psutil.cpu_times()
    machine_busy = sum(machine1) - sum(machine0) - (machine1.idle - machine0.idle)
    machine_busy -= getattr(machine1, "iowait", 0) - getattr(machine0, "iowait", 0)
    rss_end = sampler.sample()[1] if sampler else 0
    peak = sampler.peak_rss if sampler else 0
    loadavg_after = _loadavg()

    stop.set()
    await asyncio.wait(tasks, timeout=5)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    server = None
    if sampler:
        await asyncio.sleep(config.settle)
        mb = 1 / 2**20
        server = ServerUsage(
            cpu_percent=100 * cpu_used / window,
            rss_mb_before=rss_before * mb,
            rss_mb_peak=peak * mb,
            rss_mb_end=rss_end * mb,
            rss_mb_after=sampler.sample()[1] * mb,
        )
    stats = [s.stats(a, b, window) for s, a, b in zip(sessions, start, end, strict=True)]
    rates = np.array([s.updates_per_s for s in stats])
    updates = sum(b.updates - a.updates for a, b in zip(start, end, strict=True))
    received = sum(b.bytes_received - a.bytes_received for a, b in zip(start, end, strict=True))
    return LoadReport(
        url=config.url,
        mode=config.mode,
        sessions=config.sessions,
        window_s=window,
        interval_s=config.interval,
        stats=stats,
        server=server,
        client_cpu_percent=100 * client_cpu / window,
        machine_cpu_percent=100 * machine_busy / window,
        cores=psutil.cpu_count() or 1,
        loadavg_before=loadavg_before,
        loadavg_after=loadavg_after,
        rates={
            "median": float(np.median(rates)),
            "p10": float(np.percentile(rates, 10)),
            "min": float(rates.min()),
            "max": float(rates.max()),
            "total": float(rates.sum()),
            "visible_median": float(np.median([s.visible_updates_per_s for s in stats])),
            "runs_total": float(sum(s.runs_per_s for s in stats)),
            "discarded_total": float(sum(s.discarded_per_s for s in stats)),
            "bytes_per_update": received / updates if updates else 0.0,
            "latency_ms_p50": _nanmedian([s.latency_ms_p50 for s in stats]),
            "latency_ms_p90": _nanmedian([s.latency_ms_p90 for s in stats]),
        },
    )


def format_report(report: LoadReport) -> str:
    """The report as a plain-text table, one row per session and a summary."""
    frames = report.mode == "frames"
    latency = "frame latency" if frames else "tick-to-finish latency"
    rows = [
        f"{'sess':>4} {'replica':>8} {'upd/s':>6} {'req/s':>6} {'busy/s':>6} "
        f"{'drop/s':>6} {'B/upd':>7} {'kB/s':>6} {'p50 ms':>7} {'p90 ms':>7} {'epoch':>6} "
        f"{'status':>8} {'recon':>5} {'fail s':>6}  error"
    ]
    for s in report.stats:
        rows.append(
            f"{s.index:>4} {s.replica[-8:]:>8} {s.updates_per_s:6.1f} {s.ticks_per_s:6.1f} "
            f"{s.busy_per_s:6.1f} {s.discarded_per_s:6.1f} {s.bytes_per_update:7.0f} "
            f"{s.kbytes_per_s:6.1f} {s.latency_ms_p50:7.1f} {s.latency_ms_p90:7.1f} "
            f"{s.epoch:6d} {s.status[:8]:>8} {s.reconnects:5d} "
            f"{max(s.failover_s) if s.failover_s else float('nan'):6.2f}  {s.error}"
        )
    r = report.rates
    rows.append(
        f"\n{report.sessions} sessions ({report.mode}), {report.window_s:.1f} s window: "
        f"updates/s per session median {r['median']:.1f}, p10 {r['p10']:.1f}, "
        f"min {r['min']:.1f}, max {r['max']:.1f}; all sessions {r['total']:.0f} updates/s, "
        f"{r['bytes_per_update'] / 1000:.1f} KB per update"
    )
    if not frames:
        rows[-1] += (
            f", {r['runs_total']:.0f} fragment runs/s, {r['discarded_total']:.0f} discarded runs/s"
        )
    rows.append(
        f"{latency}, median of session p50 / p90: {r['latency_ms_p50']:.1f} / "
        f"{r['latency_ms_p90']:.1f} ms"
    )
    if report.server:
        u = report.server
        rows.append(
            f"server CPU {u.cpu_percent:.0f}% of one core; RSS MB before {u.rss_mb_before:.0f}, "
            f"peak {u.rss_mb_peak:.0f}, end {u.rss_mb_end:.0f}, after disconnect "
            f"{u.rss_mb_after:.0f}"
        )
    rows.append(
        f"load client CPU {report.client_cpu_percent:.0f}% of one core; whole machine "
        f"{report.machine_cpu_percent:.0f}% of {report.cores} cores; load average "
        f"{report.loadavg_before} -> {report.loadavg_after} (others' load skews results)"
    )
    return "\n".join(rows)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8501/")
    parser.add_argument("--mode", choices=MODES, default="frames")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=10.0, help="measurement window")
    parser.add_argument("--query", default="", help="the page URL's query, e.g. epochs=100000")
    parser.add_argument(
        "--click", default=PLAY, help="label (or its start) of a button to click once loaded"
    )
    parser.add_argument("--no-click", action="store_true", help="click nothing")
    parser.add_argument(
        "--interval", default="auto", help="fragment mode: tick period in s, or 'auto'"
    )
    parser.add_argument(
        "--element", default=None, help="fragment mode: count only deltas of this element type"
    )
    parser.add_argument("--pid", type=int, default=None, help="server pid to sample (+children)")
    parser.add_argument("--warmup", type=float, default=2.5)
    parser.add_argument("--ramp", type=float, default=2.0, help="seconds to spread connects over")
    parser.add_argument("--settle", type=float, default=3.0, help="wait before the after-RSS")
    parser.add_argument("--connect-timeout", type=float, default=30.0)
    parser.add_argument("--no-cookies", action="store_true", help="skip the initial page GET")
    parser.add_argument("--reconnect", action="store_true", help="reconnect when closed")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: run the load and print the table (or JSON)."""
    args = _parse_args(argv)
    try:
        interval = None if args.interval == "auto" else float(args.interval)
        config = LoadConfig(
            url=args.url,
            mode=args.mode,
            sessions=args.sessions,
            seconds=args.seconds,
            query=args.query.lstrip("?"),
            click=None if args.no_click else args.click,
            interval=interval,
            element=args.element,
            warmup=args.warmup,
            ramp=args.ramp,
            settle=args.settle,
            connect_timeout=args.connect_timeout,
            use_cookies=not args.no_cookies,
            reconnect=args.reconnect,
            pid=args.pid,
        )
        config.validate()
    except ValueError as exc:
        print(f"loadclient: {exc}", file=sys.stderr)
        return 2
    report = asyncio.run(run_load(config))
    if args.json:
        print(json.dumps(asdict(report), default=float))
    else:
        print(format_report(report))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
