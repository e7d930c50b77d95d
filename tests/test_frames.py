"""The frame route's pieces: the registry, the fair pacer, the wire format, one frame."""

import asyncio
import itertools
import sys
import threading
import time

import numpy as np
import pytest

from scratchnet.datasets import make_dataset, split
from scratchnet.live import LiveRun
from server import frames
from server.frames import Pacer, Registry, decode_frame, encode_frame, next_frame


def live(**params):
    X, y = make_dataset("moons", 300, 0.1, seed=1)
    X_train, X_test, y_train, y_test = split(X, y, 0.25, seed=1)
    base = {"hidden_layer_sizes": (8,), "batch_size": 10, "epochs": 3, "random_state": 0}
    return LiveRun(X_train, y_train, X_test, y_test, {**base, **params})


class Clock:
    """A clock that a test moves by hand."""

    def __init__(self, now: float = 100.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def registry(monkeypatch):
    """A fresh registry, and a pacer whose clock moves on by a second at each look: every
    request comes in its page's time (the pacing has tests of its own below)."""
    fresh = Registry()
    monkeypatch.setattr(frames, "REGISTRY", fresh)
    monkeypatch.setattr(frames, "PACER", Pacer(clock=itertools.count(1000.0, 1.0).__next__))
    return fresh


def test_wire_format_round_trips():
    header = {"epoch": 3, "rows": [[1, 0.5, None, 0.9, None]]}
    assert decode_frame(encode_frame(header, b"\x89PNGxyz")) == (header, b"\x89PNGxyz")
    assert decode_frame(encode_frame(header, None)) == (header, b"")


def test_a_playing_page_gets_a_trained_frame_then_only_what_it_lacks(registry):
    token = registry.put(None, live(), run_id=1, playing=True)
    status, body = next_frame(token, have_epoch=0, have_steps=-1)
    header, png = decode_frame(body)
    assert status == 200 and header["epoch"] == 1 and header["status"] == "training"
    assert png.startswith(b"\x89PNG") and [r[0] for r in header["rows"]] == [1]
    assert header["next_ms"] >= round(1000 * frames.FASTEST)
    header2, _ = decode_frame(next_frame(token, have_epoch=1, have_steps=header["steps"])[1])
    assert [r[0] for r in header2["rows"]] == [2]  # only the new row


def test_a_replayed_run_is_trained_up_to_its_charts_step_then_plays_on(registry):
    """After a failover the new session's run, replayed from the link, is behind the chart
    that still shows the old run: the chart's first request names its step, and the route
    trains up to it, sending no picture and no row the chart already has, then goes on."""
    ahead = live(epochs=50)
    while ahead.trainer.steps < 95:  # the run the chart showed: mid-epoch 5 (23 steps each)
        ahead.catch_up(95)
    shown_steps, shown_epoch = ahead.trainer.steps, ahead.epoch
    replay = live(epochs=50)
    replay.replay_to(2)  # where the link's copy said: two epochs
    token = registry.put(None, replay, run_id=2, playing=True, replayed=True)
    headers = []
    while not headers or headers[-1]["steps"] < shown_steps:
        header, png = decode_frame(next_frame(token, shown_epoch, shown_steps)[1])
        assert png == b"" and header["rows"] == []  # nothing the chart has
        headers.append(header)
    assert headers[-1]["steps"] == shown_steps  # exactly there, not beyond
    np.testing.assert_array_equal(replay.trainer.net.flat_params, ahead.trainer.net.flat_params)
    header, png = decode_frame(next_frame(token, shown_epoch, shown_steps)[1])
    assert header["steps"] > shown_steps and png.startswith(b"\x89PNG")  # plays on from there
    ahead.tick()
    assert header["steps"] == ahead.trainer.steps  # as the run would have


def test_a_run_that_is_no_replay_is_not_trained_to_a_step_a_page_names(registry):
    token = registry.put(None, live(epochs=50), run_id=1, playing=True)
    header, png = decode_frame(next_frame(token, have_epoch=0, have_steps=500)[1])
    assert header["steps"] < 500 and header["epoch"] == 1  # one tick, as always
    assert png == b""  # the page says it has a newer picture: none is sent


def test_a_paused_page_trains_nothing_and_gets_no_new_picture(registry):
    run = live()
    token = registry.put(None, run, run_id=1, playing=False)
    header, png = decode_frame(next_frame(token, 0, have_steps=0)[1])
    assert header["status"] == "paused" and run.epoch == 0 and png == b""


def until_stopped(token: str) -> dict:
    """Frames until training stops (a frame trains an epoch or 30 ms, whichever ends first:
    on a busy machine an epoch can take several)."""
    for _ in range(1000):
        header, _ = decode_frame(next_frame(token, 0, -1)[1])
        if header["status"] != "training":
            return header
    raise AssertionError("training never stopped")


def test_the_end_and_a_divergence_are_reported(registry):
    token = registry.put(None, live(epochs=1), run_id=1, playing=True)
    assert until_stopped(token)["status"] == "done"
    wild = registry.put(None, live(hidden_layer_sizes=(64, 64), learning_rate=10.0), 2, True)
    header = until_stopped(wild)
    assert header["status"] == "diverged" and "Lower the learning rate" in header["message"]


def test_unknown_tokens_and_busy_runs_never_raise(registry):
    assert next_frame("nobody", 0, -1)[0] == 404
    token = registry.put(None, live(), run_id=1, playing=True)
    with registry.lock(token):  # the page script holds the run
        status, body = next_frame(token, 0, -1)
    assert status == 200 and decode_frame(body)[0]["busy"] is True


def test_sessions_are_kept_apart(registry):
    a, b = live(hidden_layer_sizes=(4,)), live(hidden_layer_sizes=(16,))
    token_a = registry.put(None, a, run_id=1, playing=True)
    token_b = registry.put(None, b, run_id=7, playing=True)
    assert token_a != token_b and len(token_a) >= 16
    next_frame(token_a, 0, -1)
    assert a.epoch == 1 and b.epoch == 0
    assert decode_frame(next_frame(token_b, 0, -1)[1])[0]["run_id"] == 7


def test_put_updates_in_place_and_a_new_run_replaces(registry):
    run = live()
    token = registry.put(None, run, run_id=1, playing=False)
    assert registry.put(token, run, run_id=1, playing=True) == token
    assert registry.get(token).playing
    registry.put(token, live(), run_id=2, playing=False)
    assert registry.get(token).run is not run and registry.get(token).run_id == 2


def test_idle_entries_expire(registry, monkeypatch):
    token = registry.put(None, live(), run_id=1, playing=False)
    clock = [1000.0]
    monkeypatch.setattr(frames.time, "monotonic", lambda: clock[0])
    registry.get(token).touched = clock[0]
    clock[0] += frames.IDLE_SECONDS + 1
    newer = registry.put(None, live(), run_id=1, playing=False)  # a put sweeps
    assert registry.get(token) is None
    registry.drop(newer)
    other = registry.put(None, live(), run_id=1, playing=True)
    registry.get(other).touched = registry._swept = clock[0]
    clock[0] += frames.IDLE_SECONDS + frames.SWEEP_SECONDS + 1
    assert next_frame("anyone", 0, -1)[0] == 404  # the request swept the idle entry away
    assert len(registry) == 0


def test_a_run_is_released_once_its_session_has_expired(monkeypatch):
    connected = {"s1": True, "s2": True}
    registry = Registry(connected=lambda s: connected[s], ttl=lambda: 120.0)
    monkeypatch.setattr(frames, "REGISTRY", registry)
    clock = [1000.0]
    monkeypatch.setattr(frames.time, "monotonic", lambda: clock[0])
    left, idle = live(), live()
    registry.put("t1", left, run_id=1, playing=True, session="s1")
    registry.put("t2", idle, run_id=1, playing=False, session="s2")

    clock[0] += 10 * frames.IDLE_SECONDS  # a connected page keeps its entry however idle
    assert registry.sweep(force=True) == 0 and len(registry) == 2
    connected["s1"] = False  # the student on t1 leaves; a sweep notices
    assert registry.sweep(force=True) == 0
    clock[0] += 119.0  # Streamlit still keeps the session: the student may come back
    assert registry.sweep(force=True) == 0 and not left.released
    clock[0] += 2.0  # now it has expired: nobody can use the run again
    assert registry.sweep(force=True) == 1 and registry.released == 1
    assert left.released and not idle.released
    assert next_frame("t1", 0, -1)[0] == 404 and next_frame("t2", 0, -1)[0] == 200


def test_a_session_that_comes_back_in_time_keeps_its_run(monkeypatch):
    connected = {"s1": False}
    registry = Registry(connected=lambda s: connected[s], ttl=lambda: 120.0)
    clock = [1000.0]
    monkeypatch.setattr(frames.time, "monotonic", lambda: clock[0])
    run = live()
    registry.put("t1", run, run_id=1, playing=False, session="s1")
    clock[0] += frames.IDLE_SECONDS + 100
    registry.sweep(force=True)  # disconnected, seen now
    connected["s1"] = True  # reconnected (a network blip) within the TTL
    clock[0] += 60
    registry.sweep(force=True)
    connected["s1"] = False
    clock[0] += 100  # 160 s since first seen gone, but only 100 s since the last time
    assert registry.sweep(force=True) == 0 and not run.released and len(registry) == 1


def test_pacer_shares_the_budget_fairly(monkeypatch):
    pacer = Pacer(fastest=0.05, budget=0.8)
    pacer.cost = 0.004
    pacer.record("a", 0.004)
    assert pacer.interval() == 0.05  # one page: as fast as allowed
    for i in range(100):
        pacer.record(f"p{i}", 0.004)
    # 101 pages x 4 ms a frame over 80% of a core: each waits about half a second.
    assert pacer.interval() == pytest.approx(101 * 0.004 / 0.8, rel=0.01)


def test_pacer_forgets_pages_that_stopped_asking(monkeypatch):
    pacer = Pacer()
    clock = [50.0]
    monkeypatch.setattr(frames.time, "monotonic", lambda: clock[0])
    for i in range(10):
        pacer.record(f"p{i}", 0.004)
    assert pacer.active() == 10
    clock[0] += frames.ACTIVE_SECONDS + 0.1
    assert pacer.active() == 1  # none left: counts as one


def test_the_registrys_lock_lets_one_thread_at_a_time_train_a_run(registry):
    """Page scripts and the frame route train the same run from different threads, each
    through the registry's lock. Steps never interleave: whatever thread took which, the
    weights are those of one sequential run of as many steps, bit for bit. (Without the
    lock, interleaved steps share the network's buffers and the weights come out wrong.)"""
    run = live(epochs=1000)
    token = registry.put(None, run, run_id=1, playing=True)
    errors = []

    def page_steps():  # what Step does: the page's lock, then train
        try:
            for _ in range(40):
                with registry.lock(token):
                    run.trainer.run(epochs=1, max_steps=3)
        except Exception as error:
            errors.append(error)

    def route_frames():  # what the chart's requests do
        try:
            for _ in range(40):
                next_frame(token, 0, -1)
        except Exception as error:
            errors.append(error)

    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as Python can: races show
    try:
        threads = [threading.Thread(target=f) for f in (page_steps, page_steps, route_frames)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(switching)
    assert errors == []
    alone = live(epochs=1000)
    alone.trainer.run(epochs=1000, max_steps=run.trainer.steps)
    assert alone.trainer.steps == run.trainer.steps > 120
    np.testing.assert_array_equal(run.trainer.net.flat_params, alone.trainer.net.flat_params)


# -- the pause is enforced -------------------------------------------------------------------
def serve(pacer: Pacer, token: str, clock: Clock, cost: float = 0.004) -> float:
    """A frame served to ``token`` now; returns the interval announced to it."""
    return pacer.record(token, cost, started=clock.now)


def test_a_request_before_its_time_is_told_to_wait():
    clock = Clock()
    pacer = Pacer(fastest=0.05, clock=clock)
    assert pacer.admit("a") == 0.0  # a page's first request
    interval = serve(pacer, "a", clock)
    assert interval == 0.05
    tolerance = frames.EARLY_SHARE * interval + frames.EARLY_SLACK
    clock.now += 0.001  # asks again at once (a tab that ignores next_ms)
    assert pacer.admit("a") == pytest.approx(0.049 - tolerance)
    assert pacer.admit("b") == 0.0  # another page is not held by it
    clock.now += 0.049 - tolerance  # its time has come
    assert pacer.admit("a") == 0.0


def test_a_request_a_little_early_is_served_but_earliness_never_adds_up():
    """Jitter: a page that waits as told may arrive up to EARLY_SHARE of its interval
    early. Its next frame is due one interval after the last was due, not after it came,
    so a page that always comes as early as allowed still gets one frame an interval."""
    clock = Clock()
    pacer = Pacer(fastest=0.1, clock=clock)
    tolerance = frames.EARLY_SHARE * 0.1 + frames.EARLY_SLACK
    serve(pacer, "a", clock)
    due = clock.now + 0.1
    clock.now = due - 0.9 * tolerance  # early, within the tolerance: served
    assert pacer.admit("a") == 0.0
    serve(pacer, "a", clock)
    due += 0.1  # from when it was due, not from when it came
    clock.now = due - 1.1 * tolerance  # early beyond the tolerance: not yet
    assert pacer.admit("a") == pytest.approx(0.1 * tolerance)
    # A greedy page that asks every millisecond for 10 s gets one frame an interval.
    clock.now, served = 200.0, 0
    for _ in range(10_000):
        if pacer.admit("g") == 0.0:
            serve(pacer, "g", clock)
            served += 1
        clock.now += 0.001
    assert 10 / 0.1 <= served <= 10 / 0.1 + 2  # 100, plus the one early frame at most


def test_a_page_late_for_its_frame_is_served_and_due_again_from_then():
    clock = Clock()
    pacer = Pacer(fastest=0.05, clock=clock)
    serve(pacer, "a", clock)
    clock.now += 1.0  # the tab was in the background
    assert pacer.admit("a") == 0.0
    serve(pacer, "a", clock)
    clock.now += 0.001  # no credit for the time away: due one interval after this frame
    assert pacer.admit("a") == pytest.approx(0.049 - frames.EARLY_SHARE * 0.05 - frames.EARLY_SLACK)


def test_an_early_request_trains_nothing_and_says_how_long_to_wait(monkeypatch):
    registry = Registry()
    clock = Clock()
    monkeypatch.setattr(frames, "REGISTRY", registry)
    monkeypatch.setattr(frames, "PACER", Pacer(fastest=0.05, clock=clock))
    run = live(epochs=100)
    token = registry.put(None, run, run_id=1, playing=True)
    header, png = decode_frame(next_frame(token, 0, -1)[1])
    assert header["epoch"] == 1 and png and header["next_ms"] == 50
    clock.now += 0.001
    status, body = next_frame(token, 1, header["steps"])
    early, png = decode_frame(body)
    wait = 0.049 - (frames.EARLY_SHARE * 0.05 + frames.EARLY_SLACK)
    assert status == 200 and early == {"early": True, "next_ms": round(1000 * wait)}
    assert png == b"" and run.epoch == 1  # nothing trained
    clock.now += wait
    header, _ = decode_frame(next_frame(token, 1, header["steps"])[1])
    assert header["epoch"] == 2 and run.epoch == 2


# -- a greedy tab among well-behaved ones, on a real server ---------------------------------
POLITE, GREEDY = 8, 3


@pytest.mark.slow
def test_greedy_tabs_get_no_more_frames_than_the_others():
    """Protocol clients (benchmarks/loadclient.py) on a real server: POLITE tabs that wait
    next_ms and GREEDY ones that ask again as soon as an answer comes. Before the route
    enforced the pause, a greedy tab got 3-4 times the frames of the others and some of
    those got none. Counts relative to each other, with a wide margin; no rates."""
    from statistics import median

    from browser_support import benchmark_module, streamlit_server

    loadclient = benchmark_module("loadclient")
    with streamlit_server("app.py") as server:
        polite = loadclient.LoadConfig(url=server.url + "/", query="epochs=100000")
        greedy = loadclient.LoadConfig(url=server.url + "/", query="epochs=100000", greedy=True)

        async def run() -> tuple[list[int], list[int], list[int]]:
            stop = asyncio.Event()
            sessions = [loadclient._Session(i, polite, stop) for i in range(POLITE)]
            sessions += [loadclient._Session(POLITE + i, greedy, stop) for i in range(GREEDY)]
            tasks = [asyncio.create_task(s.run()) for s in sessions]
            try:

                async def until(condition, what: str, timeout: float = 120.0) -> None:
                    """Wait for ``condition``; fail after ``timeout`` s."""
                    deadline = time.monotonic() + timeout
                    while not condition():
                        assert all(not t.done() for t in tasks), [s.error for s in sessions]
                        assert time.monotonic() < deadline, f"not {what} after {timeout} s"
                        await asyncio.sleep(0.2)

                await until(lambda: all(s.counters.updates for s in sessions), "all playing")
                start = [s.counters.updates for s in sessions]

                # A window long enough that the polite tabs each get 30 frames or more.
                def got() -> list[int]:
                    return [s.counters.updates - u for s, u in zip(sessions, start, strict=True)]

                # Until the slowest tab has 30 frames, or 2 minutes: a starved tab shows in
                # the counts asserted below.
                deadline = time.monotonic() + 120
                while min(got()) < 30 and time.monotonic() < deadline:
                    await asyncio.sleep(0.2)
                got = got()
                early = [s.counters.early for s in sessions]
            finally:
                stop.set()
                await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 60)
            return got[:POLITE], got[POLITE:], early

        got_polite, got_greedy, early = asyncio.run(run())
    print(f"\nframes: polite {got_polite}, greedy {got_greedy}; 'not yet' answers {early}")
    assert min(got_polite) > 0 and min(got_greedy) > 0  # nobody starved
    assert max(got_greedy) <= 1.5 * median(got_polite) + 3, (got_polite, got_greedy)
    assert min(early[POLITE:]) > 0  # the greedy tabs were told to wait


def test_the_route_holds_a_not_yet_answer_until_the_page_may_ask(monkeypatch):
    """A tab that asks again at once would otherwise spin the server with requests: the
    route sleeps (a coroutine, no thread) until the page's time before it answers."""
    from types import SimpleNamespace

    registry, clock, slept = Registry(), Clock(), []
    monkeypatch.setattr(frames, "REGISTRY", registry)
    monkeypatch.setattr(frames, "PACER", Pacer(fastest=0.2, clock=clock))

    async def sleep(seconds):
        slept.append(seconds)

    monkeypatch.setattr(frames.asyncio, "sleep", sleep)
    token = registry.put(None, live(epochs=100), run_id=1, playing=True)
    request = SimpleNamespace(path_params={"token": token}, query_params={"epoch": "0"})
    first = asyncio.run(frames.frame_endpoint(request))
    assert decode_frame(first.body)[0]["epoch"] == 1 and slept == []  # served at once
    answer = asyncio.run(frames.frame_endpoint(request))  # again, at once
    header, _ = decode_frame(answer.body)
    assert header["early"] is True and slept == [header["next_ms"] / 1000]


def test_a_page_whose_browser_paints_gets_the_weights_not_a_picture(registry):
    run = live(epochs=100)
    run.browser_paints = True
    token = registry.put(None, run, run_id=1, playing=True)
    header, picture = decode_frame(next_frame(token, have_epoch=0, have_steps=-1)[1])
    weights = np.frombuffer(picture, dtype="<f8")
    assert np.array_equal(weights, run.trainer.net.flat_params)  # after this frame's slice
    assert header["steps"] == run.trainer.steps
    _, again = decode_frame(next_frame(token, have_epoch=1, have_steps=-1)[1])
    assert not np.array_equal(np.frombuffer(again, dtype="<f8"), weights)  # trained on


def test_the_script_route_serves_the_painter_and_nothing_else():
    from types import SimpleNamespace

    import netview

    def get(name):
        return asyncio.run(frames.script_endpoint(SimpleNamespace(path_params={"name": name})))

    answer = get("forward.js")
    assert answer.status_code == 200 and answer.media_type == "text/javascript"
    assert str(answer.path) == str(netview.FORWARD_JS)
    for name in ("main.js", "../frames.py", "diagram.js", ""):
        assert get(name).status_code == 404
