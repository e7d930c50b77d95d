"""Helpers for browser tests: a Streamlit server in a subprocess and a headless Chromium.

Use them as context managers, so the server and the browser are always stopped::

    require_browser()
    with streamlit_server("benchmarks/livechart_demo.py") as server, chromium() as browser:
        page = browser.new_page()
        page.goto(server.url)

Only Debian's ``/usr/bin/chromium`` is used (never ``playwright install``). When
it or Playwright is missing the test is skipped, unless the environment sets
``SCRATCHNET_REQUIRE_BROWSER=1`` (CI), where it fails instead.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")
# Browsers and servers open now, for the evidence a failing test leaves (``failure_evidence``).
_OPEN_BROWSERS: list = []
_OPEN_SERVERS: list[Server] = []
# What pages showed when a test closed them while failing (its own ``finally``), for the same.
_LAST_LOOKS: list[str] = []
# Where a failing browser test leaves its pages' screenshots.
EVIDENCE_DIR = Path(os.environ.get("SCRATCHNET_EVIDENCE", tempfile.gettempdir())) / "scratchnet"
# How long a test waits for something that takes a moment when the machine is idle: CI runs
# on a machine with a core busy elsewhere, so generous. Tests wait on conditions, never on
# the clock: what they check does not depend on how fast the machine is.
PATIENCE_S = 90.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_browser() -> None:
    """Skip the calling test without Chromium or Playwright; fail instead in CI.

    CI sets ``SCRATCHNET_REQUIRE_BROWSER=1`` so that a missing browser is an error.
    """
    missing = []
    if not Path(CHROMIUM).is_file():
        missing.append(CHROMIUM)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package")
    if missing:
        message = f"Browser test needs {' and '.join(missing)}."
        if os.environ.get("SCRATCHNET_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " SCRATCHNET_REQUIRE_BROWSER=1 makes this an error.")
        pytest.skip(message)


def benchmark_module(name: str):
    """Import ``benchmarks/<name>.py`` by path (benchmarks/ is not a package), once."""
    import importlib.util

    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def wait_until(
    predicate: Callable[[], T],
    *,
    what: str,
    timeout: float = PATIENCE_S,
    step: float = 0.05,
    pause: Callable[[float], object] = time.sleep,
) -> T:
    """Call ``predicate`` until it returns something true and return that; fail the test
    after ``timeout`` seconds, saying ``what`` did not happen (and the last value seen).

    pause : how to wait between calls. Beside a Playwright page use ``wait_on_page``, which
        pauses with ``page.wait_for_timeout`` so that the page's events are delivered.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:g} s (last value {value!r})")
        pause(step)


def wait_on_page(page, predicate: Callable[[], T], *, what: str,
                 timeout: float = PATIENCE_S, step: float = 0.05) -> T:  # fmt: skip
    """``wait_until`` beside a Playwright page: pauses with ``page.wait_for_timeout``, so that
    the page's events are delivered while the test waits."""
    return wait_until(predicate, what=what, timeout=timeout, step=step,
                      pause=lambda seconds: page.wait_for_timeout(1000 * seconds))  # fmt: skip


async def wait_until_async(
    predicate: Callable[[], T], *, what: str, timeout: float = PATIENCE_S, step: float = 0.01
) -> T:
    """``wait_until`` inside an event loop: polls with ``asyncio.sleep``, so that the loop's
    other tasks (a client, a fake server) run while the test waits."""
    import asyncio

    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:g} s (last value {value!r})")
        await asyncio.sleep(step)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running ``streamlit run``: its URL, process and log file."""

    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        """Everything the server printed so far."""
        return self.log_path.read_text(errors="replace")


def _stop(process: subprocess.Popen) -> None:
    """Stop the server's own process group: SIGTERM, then SIGKILL after 10 s."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _wait_healthy(url: str, process: subprocess.Popen, log_path: Path, timeout: float) -> None:
    """Poll ``/_stcore/health`` until it answers "ok"; raise with the server's log if not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"streamlit exited with code {process.returncode} before it was healthy:\n"
                + log_path.read_text(errors="replace")[-3000:]
            )
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200 and response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"streamlit was not healthy at {url} after {timeout} s:\n"
        + log_path.read_text(errors="replace")[-3000:]
    )


@contextlib.contextmanager
def streamlit_server(
    script: str | Path,
    *,
    port: int | None = None,
    extra_args: Sequence[str] = (),
    env: dict[str, str] | None = None,
    timeout: float = PATIENCE_S,
) -> Iterator[Server]:
    """Run ``streamlit run script`` headless on a free port until the block ends.

    script : path relative to the repository root, or absolute. The repository
        root is the working directory and is put on PYTHONPATH.
    extra_args : more ``streamlit run`` options, e.g. ``["--server.runOnSave", "false"]``.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    path = Path(script) if Path(script).is_absolute() else ROOT / script
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(path),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        *extra_args,
    ]
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), full_env.get("PYTHONPATH", "")) if p
    )
    log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in finally
        prefix="streamlit-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=full_env,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so _stop ends it and only it
    )
    log_path = Path(log_file.name)
    try:
        _wait_healthy(url, process, log_path, timeout)
        running = Server(url=url, process=process, log_path=log_path)
        _OPEN_SERVERS.append(running)
        yield running
    finally:
        _OPEN_SERVERS[:] = [s for s in _OPEN_SERVERS if s.process is not process]
        _stop(process)
        log_file.close()
        with contextlib.suppress(OSError):
            log_path.unlink()


@contextlib.contextmanager
def chromium(**launch_options) -> Iterator:
    """A headless Debian Chromium driven by Playwright; closed when the block ends."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, **launch_options
        )
        _look_before_closing(browser)
        _OPEN_BROWSERS.append(browser)
        try:
            yield browser
        finally:
            _OPEN_BROWSERS.remove(browser)
            browser.close()


def _look_before_closing(browser) -> None:
    """Make the contexts and pages ``browser`` opens take a last look at themselves when a
    failing test closes them: a test that closes its pages in its own ``finally`` does so
    before the report hook runs, and the exception on its way out is ``sys.exc_info()``."""

    def looking(opened, new_context: bool):
        close = opened.close

        def close_after_a_look(*args, **kwargs):
            if sys.exc_info()[0] is not None:
                pages = opened.pages if new_context else [opened]
                test = os.environ.get("PYTEST_CURRENT_TEST", "test").split(" ")[0]
                _LAST_LOOKS.append(_pages_evidence(pages, f"{test}-closed{len(_LAST_LOOKS)}"))
            return close(*args, **kwargs)

        opened.close = close_after_a_look
        return opened

    new_context, new_page = browser.new_context, browser.new_page
    browser.new_context = lambda *a, **k: looking(new_context(*a, **k), new_context=True)
    browser.new_page = lambda *a, **k: looking(new_page(*a, **k), new_context=False)


def forget_last_looks() -> None:
    """Start a test with no last looks left by an earlier one."""
    _LAST_LOOKS.clear()


def failure_evidence(name: str, log_chars: int = 3000) -> str:
    """What the browsers' pages show and the open servers said, for a failed test's report:
    the pages the test closed while failing (``_look_before_closing``) and those still open,
    each with its address, the end of its text, the status line of its live chart and a
    screenshot saved under ``EVIDENCE_DIR`` (named after the test); then the end of each
    server's log. CI runs far from anyone who could look at the page when a wait times out.
    """
    lines = list(_LAST_LOOKS)
    open_pages = [
        page for browser in _OPEN_BROWSERS for context in browser.contexts
        for page in context.pages
    ]  # fmt: skip
    lines.append(_pages_evidence(open_pages, name))
    for server in list(_OPEN_SERVERS):
        lines.append(f"--- server {server.url}, the end of its log:")
        lines.append(server.log()[-log_chars:])
    return "\n".join(line for line in lines if line)


def _pages_evidence(pages, name: str, text_chars: int = 1500) -> str:
    """Each page's address, the end of its text, its charts' status lines and a screenshot."""
    lines = []
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[-120:]
    for p, page in enumerate(pages):
        where = f"page {p}"
        try:
            lines.append(f"--- {where}: {page.url}")
            lines.append(page.inner_text("body", timeout=5000)[-text_chars:])
            for frame in page.frames:
                status = frame.evaluate("(document.getElementById('status') || {}).innerText || ''")
                if status:
                    lines.append(f"[chart status] {status.strip()[:300]}")
            EVIDENCE_DIR.mkdir(parents=True, exist_ok=True)
            shot = EVIDENCE_DIR / f"{slug}-{p}.png"
            page.screenshot(path=str(shot), timeout=10_000)
            lines.append(f"[screenshot] {shot}")
        except Exception as error:  # evidence is best effort: a page may be gone
            lines.append(f"[{where} could not be read: {error}]")
    return "\n".join(lines)


def component_frame(page, title: str, timeout: float = 1000 * PATIENCE_S) -> ComponentFrame:
    """The first Streamlit component iframe with this title, as a ``ComponentFrame``:
    a Playwright Frame that follows the iframe when a rerun replaces it.

    Components v1 iframes are titled with the component's name, for example
    ``"livechart.livechart"``. ``timeout`` in ms, as Playwright's.
    """
    return ComponentFrame(page, title, timeout / 1000)


def _attached_frame(page, title: str, timeout_ms: float):
    """The Frame of the iframe ``title`` now, once it has a content frame."""

    def attached_frame():  # None for an iframe on its way out (a rerun replacing it)
        selector = f'iframe[title="{title}"]'
        return page.wait_for_selector(
            selector, state="attached", timeout=timeout_ms
        ).content_frame()

    return wait_on_page(
        page, attached_frame, what=f"the iframe {title!r} with a content frame",
        timeout=timeout_ms / 1000,
    )  # fmt: skip


class ComponentFrame:
    """A component's iframe, looked up again whenever a rerun has replaced it.

    A click reruns the page, and a rerun may replace a component's iframe (an element
    inserted above it, a changed key): a Playwright Frame held across it is "detached"
    (ci15, ci37). ``evaluate`` and ``wait_for_function`` here find the iframe again and
    repeat the call in the new one, until ``timeout`` seconds from the call; anything else
    is the current Frame's. A counter read in the old iframe starts again in the new one,
    so wait for "at least" rather than "exactly".
    """

    def __init__(self, page, title: str, timeout: float = PATIENCE_S) -> None:
        self.page, self.title, self.timeout = page, title, timeout
        self.frame = _attached_frame(page, title, 1000 * timeout)

    def __getattr__(self, name: str):
        return getattr(self.frame, name)

    def _again(self, call: Callable[..., T], timeout: float | None = None) -> T:
        """``call(frame, ms_left)``, repeated in the new iframe if a rerun replaced it."""
        from playwright.sync_api import Error

        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            try:
                return call(self.frame, max(1.0, 1000 * (deadline - time.monotonic())))
            except Error as error:
                replaced = "detached" in str(error) or "context was destroyed" in str(error)
                if not replaced or time.monotonic() > deadline:
                    raise
            left_ms = max(1.0, 1000 * (deadline - time.monotonic()))
            self.frame = _attached_frame(self.page, self.title, left_ms)

    def evaluate(self, expression: str, arg=None):
        return self._again(lambda frame, _: frame.evaluate(expression, arg))

    def wait_for_function(self, expression: str, *, arg=None, timeout: float | None = None):
        """Like Frame.wait_for_function (``timeout`` in ms; by default this frame's)."""
        return self._again(
            lambda frame, left: frame.wait_for_function(expression, arg=arg, timeout=left),
            None if timeout is None else timeout / 1000,
        )


def wait_in_component(page, title: str, expression: str, *, arg=None,
                      timeout: float = PATIENCE_S):  # fmt: skip
    """Wait until the JavaScript ``expression`` is true in the component iframe ``title``,
    in the iframe that replaces it if a rerun does (``ComponentFrame``)."""
    return ComponentFrame(page, title, timeout).wait_for_function(expression, arg=arg)


def chart_epoch(frame) -> float | None:
    """The epoch the live chart's status line shows, None before it shows one.

    "Epoch 4" after whole epochs, "Epoch 4.11" when frames train a part of an epoch (the
    speed control's minibatch steps): the number of epochs trained, fractions included.
    """
    text = frame.evaluate("(document.querySelector('#status strong') || {}).innerText || ''")
    found = re.fullmatch(r"Epoch (\d+(?:\.\d+)?)", text.strip())
    return float(found[1]) if found else None


def link_changes(url: str) -> list[str]:
    """The changes a Playground link records (its ``ch``)."""
    text = parse_qs(urlsplit(url).query).get("ch", [""])[0]
    return [c for c in text.split(",") if c]


def link_epoch(url: str) -> int:
    """The epoch a Playground link records (0 without one)."""
    text = parse_qs(urlsplit(url).query).get("epoch", ["0"])[0]
    return int(text) if text.isdigit() else 0


def nudge_learning_rate(page, key: str) -> None:
    """Move the learning-rate slider under the plot one notch with the keyboard (``key``:
    "ArrowRight" or "ArrowLeft")."""
    rate = (
        page.get_by_test_id("stMain")
        .locator("[data-testid='stSlider']")
        .filter(has_text="Learning rate")
    )
    rate.get_by_role("slider").focus()
    page.keyboard.press(key)


def plot_ranges(frame) -> list[float]:
    """[xmin, xmax, ymin, ymax] that the live chart's boundary plot shows now."""
    return frame.evaluate(
        "(() => { const l = document.getElementById('boundary')._fullLayout;"
        " return [...l.xaxis.range, ...l.yaxis.range]; })()"
    )


def drag_zoom(page, frame) -> list[float]:
    """Zoom the boundary plot as a user does, with a mouse drag; return the new ranges."""
    box = frame.locator("#boundary .nsewdrag").bounding_box()
    page.mouse.move(box["x"] + 0.3 * box["width"], box["y"] + 0.3 * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + 0.45 * box["width"], box["y"] + 0.45 * box["height"], steps=8)
    page.mouse.move(box["x"] + 0.6 * box["width"], box["y"] + 0.6 * box["height"], steps=8)
    page.mouse.up()
    return plot_ranges(frame)
