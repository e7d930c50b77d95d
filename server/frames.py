"""Frames for playing pages, served on our own HTTP route rather than by Streamlit reruns.

Why. A Streamlit fragment rerun costs the server 4-5 ms of bookkeeping whatever it draws,
the browser's ``run_every`` timer never waits for the last run, and Streamlit drops a
run's unsent output when the next run starts: past about 100 runs a second a process
sends nobody anything (measured, see README "Classroom"). So while a page plays, the
chart itself asks ``/scratchnet/frame/<token>`` for the next frame, waits for the answer,
and asks again after the pause the server names. Each request trains one slice of that
page's own run and answers with the new boundary picture and history rows. No request
is ever thrown away, a slow or stalled tab costs nothing, and the pause grows with the
number of pages playing so that every page slows down by the same factor.

The pause is enforced, not only announced: a page that asks again before its time gets
"not yet" (``early``, with the time to wait) and trains nothing, so a tab that ignores
``next_ms`` gets no more frames than the others (``Pacer.admit``). The "not yet" answer is
held until that time (a sleeping coroutine costs nothing), so such a tab cannot spin the
server either. The wire format and what the chart does with each answer are
``livechart``'s (see its docstring, "Frames").

The registry maps a random token (one per browser session) to that session's
``LiveRun``; the page registers it, the route looks it up. Both run in the same process.

Memory. A student who leaves keeps their run alive twice over: in the registry, and in
their Streamlit session's state, which Streamlit keeps after its TTL until its session
store is next written (the next disconnect of anyone: after a class leaves, maybe never).
So once a run's session has been gone for longer than Streamlit keeps it, the registry
drops the run and releases it (nobody can come back to it), and a sweeper thread hands
free memory back to the system; see ``Registry.sweep``, ``start_sweeper`` and server/memory.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from livechart import decode_frame, encode_frame, wire_row  # noqa: F401 (the frame format, for clients)
from scratchnet.live import LiveRun
from server import internals
from server.memory import forget_expired_sessions, give_back_memory

FRAME_PATH = "/scratchnet/frame"
WEIGHTS_PATH = "/scratchnet/weights"  # the network view's read-only route (weights_of)
SCRIPTS_PATH = "/scratchnet/js"  # scripts a chart loads to paint its pictures (script_endpoint)
# Seconds between frames for one page when the server is idle: 40 a second, so that a
# student sees >= 30 updates a second (at 1/30 the pace itself was the ceiling: 28.7).
FASTEST = 1 / 40
BUDGET = 0.8  # the share of one core that frames may use before pages slow down
ACTIVE_SECONDS = 2.0  # a page that asked within this long counts as playing
# Entries not touched (by a frame or a page run) for this long may be dropped: a little
# longer than Streamlit keeps a disconnected session (server.disconnectedSessionTTL, 120 s).
# An entry of a session still connected stays (see Registry.sweep); any other page that
# comes back later registers again under its token on its next run.
IDLE_SECONDS = 150.0
SWEEP_SECONDS = 10.0  # frame requests sweep at most this often; the sweeper thread this often
MAX_ROWS = 64  # history rows a frame carries at most (the chart asks again for more)
CATCH_UP_SECONDS = 0.25  # training a frame may do to bring a replayed run to its chart's step
# How early a request may come and still be served, for the jitter of a page that waits as
# told (timers, the network, a busy event loop that reads a request late and so makes the
# next one look early): this share of the pause it was given, plus EARLY_SLACK seconds.
# Earliness does not add up (see Pacer), so this buys a greedy tab one frame, once.
EARLY_SHARE = 0.75
EARLY_SLACK = 0.010
HOLD_EARLY = 1.0  # seconds at most that a "not yet" answer is held back


@dataclass
class Entry:
    """One browser session's run, as the route sees it."""

    run: LiveRun
    run_id: int
    playing: bool
    session: str | None = None  # the Streamlit session whose page registered it
    lock: threading.Lock = field(default_factory=threading.Lock)
    touched: float = field(default_factory=time.monotonic)
    gone_since: float | None = None  # when a sweep first found that session disconnected
    # A run replayed from a link (``put(replayed=True)``): the step its page's chart already
    # shows, taken from the first frame request (None: not asked yet), trained up to before
    # anything else; -1 once there, or for a run that is no replay.
    catch_up_to: int | None = -1


class Pacer:
    """Shares the frame budget of this process fairly among the pages that are playing.

    It keeps a moving average of what a frame costs and the time each page last asked.
    With ``k`` pages playing and frames costing ``c`` seconds, the process can make
    ``BUDGET / c`` frames a second, so each page gets ``BUDGET / (c k)`` of them, or
    ``1 / FASTEST`` when that is more.

    And it holds each page to that share (``admit``): a page's next frame is due one
    announced interval after the later of its last frame's request and its last due time
    (the "generic cell rate algorithm" of ATM networks). A request up to ``EARLY_SHARE`` of
    the interval (plus ``EARLY_SLACK``) before that is served all the same, for jitter; as
    the due time moves on by a whole interval with each frame, being early never adds up,
    and a page that asks without pausing gets one frame an interval, like the others.

    clock : the time in seconds (tests pass their own).
    """

    def __init__(
        self,
        fastest: float = FASTEST,
        budget: float = BUDGET,
        clock: Callable[[], float] | None = None,
    ):
        self.fastest, self.budget = fastest, budget
        self.clock = clock or (lambda: time.monotonic())
        self.cost = 0.004  # seconds a frame takes, smoothed; a guess until measured
        self._seen: dict[str, float] = {}
        self._due: dict[str, tuple[float, float]] = {}  # token: (next frame due, interval)
        self._lock = threading.Lock()

    def admit(self, token: str, now: float | None = None) -> float:
        """0.0 when ``token`` may have a frame at ``now`` (its request's arrival; default
        the clock), else the seconds until it may."""
        now = self.clock() if now is None else now
        with self._lock:
            due, interval = self._due.get(token, (now, 0.0))
        return max(0.0, due - (EARLY_SHARE * interval + EARLY_SLACK) - now)

    def record(self, token: str, seconds: float, started: float | None = None) -> float:
        """Note a frame served to ``token`` whose request arrived at ``started`` (default:
        ``seconds`` ago) and cost ``seconds``; returns the interval to announce to it."""
        now = self.clock()
        started = now - seconds if started is None else started
        with self._lock:
            self.cost += 0.05 * (seconds - self.cost)
            self._seen[token] = now
        interval = self.interval()
        with self._lock:
            due, _ = self._due.get(token, (started, 0.0))
            self._due[token] = (max(started, due) + interval, interval)
        return interval

    def active(self) -> int:
        """Pages that asked for a frame in the last ``ACTIVE_SECONDS``."""
        cutoff = self.clock() - ACTIVE_SECONDS
        with self._lock:
            for token in [t for t, seen in self._seen.items() if seen < cutoff]:
                del self._seen[token]
                self._due.pop(token, None)
            return max(1, len(self._seen))

    def interval(self) -> float:
        """Seconds a page should wait before it asks for its next frame."""
        return max(self.fastest, self.active() * self.cost / self.budget)


def session_connected(session: str) -> bool:
    """True while Streamlit has a live connection for ``session`` (True without a runtime:
    then nobody can tell, and nothing is released). Asks ``server.internals``."""
    return internals.session_connected(session)


def current_session() -> str | None:
    """The Streamlit session of the script run on this thread (None outside one, or when this
    Streamlit cannot say: see ``server.internals``)."""
    return internals.current_session()


def session_ttl() -> float:
    """How long Streamlit keeps a disconnected session (server.disconnectedSessionTTL)."""
    from streamlit import config

    return float(config.get_option("server.disconnectedSessionTTL"))


class Registry:
    """Tokens to entries, shared by the page scripts and the route (thread-safe).

    connected, ttl : how to tell whether a Streamlit session is connected, and how long
        Streamlit keeps one after it disconnects (tests pass their own).
    """

    def __init__(
        self,
        connected: Callable[[str], bool] = session_connected,
        ttl: Callable[[], float] = session_ttl,
    ):
        self._entries: dict[str, Entry] = {}
        self._lock = threading.Lock()
        self._swept = time.monotonic()
        self._connected, self._ttl = connected, ttl
        self.released = 0  # runs released so far

    def sweep(self, force: bool = False) -> int:
        """Drop the entries nobody can use any more (at most every ``SWEEP_SECONDS``);
        returns how many runs it released.

        An entry goes once no frame or page run has touched it for ``IDLE_SECONDS`` and,
        when a Streamlit session registered it, that session has been disconnected for
        longer than Streamlit keeps it: then the session has expired, nobody can come back
        to the run, and it is released as well (Streamlit may keep the expired session's
        state, which holds the run, for a long time). A session still connected keeps its
        entry however long it is idle.
        """
        now = time.monotonic()
        if not force and now - self._swept < SWEEP_SECONDS:
            return 0
        ttl = self._ttl()
        expired = []
        with self._lock:
            self._swept = now
            for token, entry in list(self._entries.items()):
                if entry.session is not None:
                    if self._connected(entry.session):
                        entry.gone_since = None
                    elif entry.gone_since is None:
                        entry.gone_since = now  # at or after the disconnect: never early
                if now - entry.touched <= IDLE_SECONDS:
                    continue
                if entry.session is None:
                    del self._entries[token]
                elif entry.gone_since is not None and now - entry.gone_since > ttl:
                    del self._entries[token]
                    expired.append(entry)
        for entry in expired:
            with entry.lock:  # a frame request that found it a moment ago finishes first
                entry.run.release()
        self.released += len(expired)
        return len(expired)

    def put(
        self,
        token: str | None,
        run: LiveRun,
        run_id: int,
        playing: bool,
        session: str | None = None,
        replayed: bool = False,
    ) -> str:
        """Register (or update) a session's run; returns its token. ``session``: the
        Streamlit session of the page, so that the run is released once it has expired.
        ``replayed``: the run was rebuilt from a link after a reconnect, and the page's chart
        may show it further on: the first frame trains it up to the chart's step."""
        self.sweep(force=True)  # page runs are rare: always
        now = time.monotonic()
        with self._lock:
            token = token or secrets.token_urlsafe(16)
            entry = self._entries.get(token)
            if entry is None or entry.run is not run:
                entry = Entry(run, run_id, playing, session, touched=now)
                entry.catch_up_to = None if replayed else -1
                self._entries[token] = entry
            else:
                entry.run_id, entry.playing, entry.touched = run_id, playing, now
                entry.session = session
            return token

    def get(self, token: str) -> Entry | None:
        with self._lock:
            entry = self._entries.get(token)
            if entry is not None:
                entry.touched = time.monotonic()
            return entry

    def lock(self, token: str | None) -> contextlib.AbstractContextManager:
        """The lock that keeps a page script and the route from using one run at once
        (a no-op for a token that is not registered)."""
        entry = self._entries.get(token) if token else None
        return entry.lock if entry is not None else contextlib.nullcontext()

    def drop(self, token: str) -> None:
        with self._lock:
            self._entries.pop(token, None)

    def __len__(self) -> int:
        return len(self._entries)


REGISTRY = Registry()
PACER = Pacer()


_SWEEPER: threading.Thread | None = None
_SWEEPER_LOCK = threading.Lock()


def start_sweeper() -> None:
    """Sweep ``REGISTRY`` every ``SWEEP_SECONDS`` in a daemon thread (once per process), so
    that the runs of students who left are released even when nobody else comes, have
    Streamlit forget its expired sessions, and hand free memory back to the system
    (``server.memory``). Called from app.py."""
    global _SWEEPER

    def sweep_forever() -> None:
        while True:
            time.sleep(SWEEP_SECONDS)
            REGISTRY.sweep(force=True)
            forget_expired_sessions()  # on the server's loop, soon
            give_back_memory()

    with _SWEEPER_LOCK:
        if _SWEEPER is None:
            _SWEEPER = threading.Thread(target=sweep_forever, name="frames-sweeper", daemon=True)
            _SWEEPER.start()


def status_of(run: LiveRun, playing: bool) -> str:
    if run.diverged:
        return "diverged"
    if run.epoch >= run.epochs:
        return "done"
    return "training" if playing else "paused"


def next_frame(token: str, have_epoch: int, have_steps: int) -> tuple[int, bytes]:
    """(HTTP status, body) of the frame for ``token``: one slice of training if the page
    is playing, then what the chart lacks; "not yet" (``early``) when the page asks before
    its time. Never raises for a bad token or a busy run."""
    status, header, png = _frame(token, have_epoch, have_steps)
    return status, encode_frame(header, png)


def _frame(token: str, have_epoch: int, have_steps: int) -> tuple[int, dict, bytes | None]:
    """``next_frame`` before encoding: (HTTP status, header, picture or None). The picture
    is ``LiveRun.picture``: a PNG, or the weights when the browser paints them."""
    REGISTRY.sweep()
    entry = REGISTRY.get(token)
    if entry is None:
        return 404, {"error": "unknown page; it reloads"}, None
    arrived = PACER.clock()
    wait = PACER.admit(token, arrived)
    if wait > 0:  # before its time: trains nothing, and says how long to wait
        return 200, {"early": True, "next_ms": max(1, round(1000 * wait))}, None
    if not entry.lock.acquire(blocking=False):  # the page script is changing this run
        return 200, {"busy": True, "next_ms": 20}, None
    started = time.perf_counter()
    try:
        run = entry.run
        if entry.catch_up_to is None:  # a replay's first frame: where its chart is
            entry.catch_up_to = have_steps
        if entry.playing and run.trainer.steps < entry.catch_up_to:
            run.catch_up(entry.catch_up_to, max_seconds=CATCH_UP_SECONDS)
        elif entry.playing:
            entry.catch_up_to = -1
            run.tick()
        status = status_of(run, entry.playing)
        start = max(0, have_epoch)
        columns = run.curve_columns  # the chart's curves: the page names the same columns
        rows = [wire_row(r, columns) for r in run.history[start : start + MAX_ROWS]]
        # None when the chart has this step's picture, or a newer one (it keeps the newer)
        picture = None if run.trainer.steps <= have_steps else run.picture()
        header = {
            "run_id": entry.run_id,
            "epoch": run.epoch,
            "epochs": run.epochs,
            "steps": run.trainer.steps,
            "progress": round(run.progress, 4),
            "status": status,
            "message": run.diverged,
            "rows": rows,
        }
    finally:
        entry.lock.release()
    interval = PACER.record(token, time.perf_counter() - started, started=arrived)
    header["next_ms"] = round(1000 * interval)
    return 200, header, picture


async def frame_endpoint(request):
    """Starlette route: GET /scratchnet/frame/{token}?epoch=E&steps=S."""
    from starlette.responses import Response

    token = request.path_params["token"]
    try:
        have_epoch = int(request.query_params.get("epoch", "0"))
        have_steps = int(request.query_params.get("steps", "-1"))
    except ValueError:
        have_epoch, have_steps = 0, -1
    status, header, png = _frame(token, have_epoch, have_steps)
    if header.get("early"):
        # Held until the page's time (next_ms counts from the request's start): a tab that
        # asks again at once then asks once an interval, not thousands of times a second.
        await asyncio.sleep(min(HOLD_EARLY, header["next_ms"] / 1000))
    return Response(
        encode_frame(header, png),
        status_code=status,
        media_type="application/octet-stream",
        headers={"Cache-Control": "no-store"},
    )


def weights_of(token: str) -> tuple[int, bytes]:
    """(HTTP status, body) for the network view: little-endian float64s, the training step
    the weights are from, then ``MLP.flat_params`` (2-64-2: 2,584 bytes; exact, so the
    browser's pictures are NumPy's). Reads only: it trains nothing, so it is not paced; a
    run the page or the frame route is changing right now answers 204 (ask again)."""
    entry = REGISTRY.get(token)
    if entry is None:
        return 404, b""
    if not entry.lock.acquire(blocking=False):
        return 204, b""
    try:
        trainer = entry.run.trainer
        body = np.empty(1 + trainer.net.flat_params.size, dtype="<f8")
        body[0], body[1:] = trainer.steps, trainer.net.flat_params
        return 200, body.tobytes()
    finally:
        entry.lock.release()


async def weights_endpoint(request):
    """Starlette route: GET /scratchnet/weights/{token}."""
    from starlette.responses import Response

    status, body = weights_of(request.path_params["token"])
    return Response(
        body,
        status_code=status,
        media_type="application/octet-stream",
        headers={"Cache-Control": "no-store"},
    )


def scripts() -> dict[str, Path]:
    """The scripts a chart may load (``SCRIPTS_PATH/<name>``): the forward pass that paints
    the boundary from the weights (``netview.painter``)."""
    import netview

    return {netview.FORWARD_JS.name: netview.FORWARD_JS}


async def script_endpoint(request):
    """Starlette route: GET /scratchnet/js/{name}, one of ``scripts()``, or 404."""
    from starlette.responses import FileResponse, Response

    path = scripts().get(request.path_params["name"])
    if path is None:
        return Response("no such script", status_code=404, media_type="text/plain")
    # Revalidated on each load (ETag): an upgraded server's script is never a stale copy.
    return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


def routes() -> list:
    """The Starlette routes to mount beside Streamlit (see app.py)."""
    from starlette.routing import Route

    return [
        Route(FRAME_PATH + "/{token}", frame_endpoint),
        Route(WEIGHTS_PATH + "/{token}", weights_endpoint),
        Route(SCRIPTS_PATH + "/{name}", script_endpoint),
    ]


def disable_nagle() -> None:
    """Send small answers at once: set TCP_NODELAY on every TCP connection this process accepts.

    Streamlit 1.67 binds its listening socket as ``socket.socket(family)`` (protocol 0), and
    asyncio only sets TCP_NODELAY on sockets whose protocol is IPPROTO_TCP, so Nagle's
    algorithm stays on: with the client's delayed ACKs, a small answer that follows another
    waits about 40 ms (measured: a frame round trip 45 ms -> 9 ms without it). This widens
    asyncio's check, once, before the server accepts anything (``server.internals``: without
    asyncio's private hook it warns once and Nagle stays on). Called from app.py.
    """
    internals.nodelay_on_every_tcp_socket()


def serving() -> bool:
    """True when this process serves the frame route (app.py run by ``streamlit run``)."""
    return _SERVING.is_set()


_SERVING = threading.Event()


def mark_serving() -> None:
    _SERVING.set()
