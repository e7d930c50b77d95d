"""deploy/serve: two fixture replicas behind HAProxy, sticky sessions, failover.

``serve()`` starts deploy/serve on free loopback ports for any app (the Playground's
failover test and benchmarks/bench_classroom.py use it with app.py).

Needs Debian's haproxy. Without it the tests are skipped, unless
``SCRATCHNET_REQUIRE_BROWSER=1`` or ``CI=true``, where they fail instead.
Every test stops the whole process group it started (serve, HAProxy, replicas).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import websockets
from browser_support import benchmark_module, wait_until_async
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[1]
SERVE = ROOT / "deploy" / "serve"
HAPROXY = shutil.which("haproxy", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/usr/local/sbin")


loadclient = benchmark_module("loadclient")


def _require_haproxy() -> str:
    if HAPROXY:
        return HAPROXY
    message = "deploy/serve needs haproxy (apt-get install haproxy)."
    if os.environ.get("SCRATCHNET_REQUIRE_BROWSER") == "1" or os.environ.get("CI") == "true":
        pytest.fail(message + " SCRATCHNET_REQUIRE_BROWSER=1 or CI=true makes this an error.")
    pytest.skip(message)


def _free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports on 127.0.0.1."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + count > 65535:
            continue
        sockets = []
        try:
            for port in range(first, first + count):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError(f"found no {count} consecutive free ports")


@dataclass
class Served:
    """A running deploy/serve: its URL, process, replica name -> pid and -> direct URL."""

    url: str
    process: subprocess.Popen
    replica_pids: dict[str, int]
    replica_urls: dict[str, str]


@contextlib.contextmanager
def serve(
    replicas: int = 2,
    app: str = "benchmarks/load_fixture.py",
    env: dict[str, str] | None = None,
    flags: tuple[str, ...] = (),
    timeout: float = 90,
) -> Iterator[Served]:
    """Run deploy/serve on free loopback ports; always stop its whole process group.

    The default app is the load fixture at 4 ticks a second (cheap); ``env`` adds to
    the environment, ``flags`` to serve's options (e.g. ``("--tcp-nodelay",)``).
    Skips (or fails, see the module docstring) without haproxy.
    """
    haproxy = _require_haproxy()
    first = _free_ports(replicas + 1)  # HAProxy on first, replica i on first + i
    full_env = {
        **os.environ,
        "PYTHON": sys.executable,
        "HAPROXY": haproxy,
        "LOAD_FIXTURE_RUN_EVERY": "0.25",
        "LOAD_FIXTURE_WORK_MS": "1",
        **(env or {}),
    }
    args = ["--replicas", str(replicas), "--app", app, *flags]
    args += ["--port", str(first), "--base-port", str(first), "--address", "127.0.0.1"]
    proc = subprocess.Popen(
        ["bash", str(SERVE), *args],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    output: list[str] = []
    try:
        deadline = time.monotonic() + timeout
        while not any("serve: open http" in line for line in output):
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError(
                    f"deploy/serve did not serve within {timeout} s:\n" + "".join(output)
                ) from None
            if line is None:
                raise RuntimeError("deploy/serve exited before serving:\n" + "".join(output))
            output.append(line)
        found = list(
            re.finditer(
                r"replica (?P<name>s\d+) pid (?P<pid>\d+) port (?P<port>\d+)", "".join(output)
            )
        )
        pids = {m["name"]: int(m["pid"]) for m in found}
        urls = {m["name"]: f"http://127.0.0.1:{m['port']}/" for m in found}
        yield Served(f"http://127.0.0.1:{first}/", proc, pids, urls)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # anything serve failed to stop
        proc.wait(timeout=10)


def _get(url: str, cookie: str | None = None) -> tuple[str, str | None]:
    """GET url; return (X-Replica, the SERVERID cookie HAProxy set or None)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=2) as response:
        set_cookie = response.headers.get("Set-Cookie") or ""
        match = re.search(r"SERVERID=(\w+)", set_cookie)
        return response.headers["X-Replica"], match[1] if match else None


async def _page_pid(url: str, cookie: str) -> tuple[str, int]:
    """Load the page over the websocket; return (X-Replica, pid the page printed)."""
    ws_url = url.replace("http://", "ws://") + "_stcore/stream"
    async with websockets.connect(
        ws_url,
        subprotocols=["streamlit"],
        additional_headers={"Cookie": cookie},
        proxy=None,
        open_timeout=10,
    ) as ws:
        await ws.send(loadclient._rerun_msg(page_script_hash=""))
        pid = None
        async with asyncio.timeout(20):
            async for raw in ws:
                msg = ForwardMsg.FromString(raw)
                kind = msg.WhichOneof("type")
                if kind == "delta":
                    body = msg.delta.new_element.markdown.body
                    if found := re.search(r"replica pid (\d+)", body):
                        pid = int(found[1])
                elif kind == "script_finished":
                    break
        return ws.response.headers["X-Replica"], pid


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with serve() as running:
        yield running


@pytest.mark.slow
def test_new_clients_are_spread_over_replicas(served):
    seen = {}
    for _ in range(10):
        replica, cookie = _get(served.url)
        assert cookie == replica  # the cookie names the replica that answered
        seen[replica] = cookie
        if len(seen) == 2:
            break
    assert set(seen) == {"s1", "s2"}


@pytest.mark.slow
@pytest.mark.parametrize("replica", ["s1", "s2"])
def test_a_client_sticks_to_its_replica(served, replica):
    cookie = f"SERVERID={replica}"
    for _ in range(5):
        answered, new_cookie = _get(served.url, cookie)
        assert (answered, new_cookie) == (replica, None)
    ws_replica, pid = asyncio.run(_page_pid(served.url, cookie))
    assert ws_replica == replica
    assert pid == served.replica_pids[replica]  # the page really ran in that process


@pytest.mark.slow
def test_clients_of_a_killed_replica_fail_over_and_play_on():
    """Four tabs play (load fixture, fragment mode) on two replicas; s1 is killed while they
    play. Its tabs reconnect to s2 and every tab plays on: 3 more updates each after the
    kill. Waits on those conditions (90 s deadlines), asserts no duration: how fast the
    balancer fails over is for bench_classroom.py --failover."""
    window = asyncio.Event()  # set on the load window's first check: every tab is playing
    killed_at: dict = {}  # each tab's progress when s1 was killed
    recovered: list[bool] = []

    def until(progress, _statuses) -> bool:
        window.set()
        if "killed" not in killed_at:
            return False
        before = killed_at.setdefault("progress", progress)  # the first check after the kill
        since = [b.updates - a.updates for a, b in zip(before, progress, strict=True)]
        if all(n >= 3 for n in since):
            recovered.append(True)
            return True
        return False

    with serve() as running:
        config = loadclient.LoadConfig(
            url=running.url,
            mode="fragment",
            sessions=4,
            seconds=300,
            until=until,
            click="Play",
            reconnect=True,
            ramp=1,
            warmup=1,
            connect_timeout=90,
        )

        async def load_and_kill() -> tuple[object, float]:
            load = asyncio.create_task(loadclient.run_load(config))
            await wait_until_async(lambda: window.is_set() or load.done(), what="tabs playing")
            assert not load.done(), "the load ended before its window"
            killed_at["killed"] = True  # the next check of until notes the progress
            os.kill(running.replica_pids["s1"], signal.SIGKILL)
            killed = time.monotonic()

            def failed_over() -> bool:  # a reconnecting browser that still carries s1's cookie
                with contextlib.suppress(OSError, urllib.error.URLError, KeyError):
                    replica, cookie = _get(running.url, "SERVERID=s1")
                    return replica == "s2" and cookie == "s2"
                return False

            while not await asyncio.to_thread(failed_over):
                assert time.monotonic() - killed < 90, "HAProxy kept s1's clients for 90 s"
                await asyncio.sleep(0.1)
            return await load, time.monotonic() - killed

        report, failover = asyncio.run(load_and_kill())
        assert running.process.poll() is None  # serve keeps running on one replica
    print(f"\nHAProxy sent s1's clients to s2 {failover:.1f} s after the kill")

    assert recovered, "not every tab got 3 updates after the kill\n" + loadclient.format_report(
        report
    )
    moved = [s for s in report.stats if s.replicas_seen == ["s1", "s2"]]
    assert moved, loadclient.format_report(report)
    for s in moved:
        assert s.reconnects >= 1
        assert s.failover_s, loadclient.format_report(report)  # it got updates again
    assert all(s.replica == "s2" for s in report.stats)


def test_serve_rejects_bad_options():
    result = subprocess.run(
        ["bash", str(SERVE), "--replicas", "0"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert "--replicas must be a positive integer" in result.stderr
    result = subprocess.run(
        ["bash", str(SERVE), "--app", "no/such/app.py"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert "no such app script" in result.stderr
