"""A replica dies under a playing page: the page comes back on the other replica, live,
with the same settings, at the epoch it had reached, with the weights of a run that was
never interrupted.

deploy/serve runs two replicas of app.py behind HAProxy on loopback; Debian's Chromium
(through Playwright) opens the Playground with a few settings and presses Play. While it
plays, the chart writes the epoch into the page's link about once a second
(livechart/frontend/main.js, syncParentUrl); when the websocket reconnects to the other
replica, the new session reads the link and replays to that epoch (pages/playground.py,
restore). Skipped without Chromium or haproxy, unless SCRATCHNET_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import signal
import time

import pytest
from browser_support import chromium, component_frame, require_browser
from streamlit.proto.BackMsg_pb2 import BackMsg
from test_deploy import serve

from livechart import wire_row
from scratchnet.datasets import make_dataset, split
from scratchnet.live import LiveRun
from ui.settings import classifier_params, from_query

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHART = "livechart.livechart"
SETTINGS = {"h": "12", "lr": "0.3", "epochs": "3000"}
FRAME_PATH = "/scratchnet/frame/"
SETTLE_SECONDS = 1.5
PLAY_SECONDS = 3.0
RECOVER_SECONDS = 5.0


def chart_epoch(frame) -> int | None:
    """The epoch the playing chart shows ("Epoch N" in its status line), None if none."""
    text = frame.evaluate("(document.querySelector('#status strong') || {}).innerText || ''")
    found = re.fullmatch(r"Epoch (\d+)", text.strip())
    return int(found[1]) if found else None


def link_epoch(url: str) -> int:
    found = re.search(r"[?&]epoch=(\d+)", url)
    return int(found[1]) if found else 0


def uninterrupted_row(epoch: int) -> dict:
    """The history row at ``epoch`` of a run with SETTINGS trained tick by tick from 0,
    built the way pages/playground.py builds it (toy_data, classifier_params)."""
    values, notices = from_query(SETTINGS)
    assert not notices
    X, y = make_dataset(
        values["dataset"], values["n_samples"], values["noise"], values["data_seed"], n_classes=2
    )
    X_train, X_test, y_train, y_test = split(X, y, values["test_ratio"], values["data_seed"])
    run = LiveRun(
        X_train, y_train, X_test, y_test, classifier_params(values, len(X_train)), n_classes=2
    )
    while run.epoch < epoch:
        run.tick(max_seconds=math.inf)
    return run.history[epoch - 1]


def test_a_killed_replica_resumes_on_the_other_at_the_same_epoch_and_weights():
    require_browser()
    with serve(replicas=2, app="app.py") as running, chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        answers: list[tuple[float, str, int]] = []  # (time, replica, status) of frame requests

        def on_response(response) -> None:
            if FRAME_PATH in response.url:
                answers.append(
                    (time.monotonic(), response.headers.get("x-replica", ""), response.status)
                )

        page.on("response", on_response)
        reruns: list[tuple[float, str]] = []  # (time, query string) of the page's full reruns

        def on_websocket(ws) -> None:
            def sent(payload) -> None:
                with contextlib.suppress(Exception):
                    rerun = BackMsg.FromString(payload).rerun_script
                    if (rerun.page_script_hash or rerun.query_string) and not rerun.fragment_id:
                        reruns.append((time.monotonic(), rerun.query_string))

            ws.on("framesent", sent)

        page.on("websocket", on_websocket)
        query = "&".join(f"{k}={v}" for k, v in SETTINGS.items())
        page.goto(f"{running.url}?{query}")
        play = page.get_by_role("button", name=re.compile("Play"))
        play.wait_for(timeout=60_000)
        frame = component_frame(page, CHART)
        frame.wait_for_function("window.livechartFrames >= 1", timeout=30_000)
        page.wait_for_timeout(SETTLE_SECONDS * 1000)  # a student reads the page, then plays
        play.click()
        frame.wait_for_function("window.livechartFrames >= 3", timeout=30_000)
        page.wait_for_timeout(1000 * PLAY_SECONDS)  # (Playwright delivers events while it waits)

        served_by = {replica for _, replica, status in answers[-5:] if status == 200}
        assert len(served_by) == 1, answers[-5:]
        (victim,) = served_by
        cookie = {c["name"]: c["value"] for c in context.cookies()}.get("SERVERID")
        assert cookie == victim  # HAProxy's affinity cookie names the replica that serves
        survivor = next(name for name in running.replica_pids if name != victim)

        epoch_then, t_then = chart_epoch(frame), time.monotonic()
        page.wait_for_timeout(1000)
        epoch_now = chart_epoch(frame)
        rate = (epoch_now - epoch_then) / (time.monotonic() - t_then)  # epochs per second
        url_epoch = link_epoch(page.url)
        assert url_epoch > 0 and epoch_now - url_epoch <= 1.5 * rate + 2, (url_epoch, epoch_now)

        os.kill(running.replica_pids[victim], signal.SIGKILL)
        killed = time.monotonic()
        recovered_at = recovered_epoch = None
        while recovered_at is None and time.monotonic() - killed < RECOVER_SECONDS + 5:
            page.wait_for_timeout(50)
            if any(a[0] > killed and a[1] == survivor and a[2] == 200 for a in answers):
                frame = component_frame(page, CHART)  # (the same iframe, or a new one)
                recovered_epoch = chart_epoch(frame)
                if recovered_epoch is not None:
                    recovered_at = time.monotonic()
        if recovered_at is None:
            lost = sum(a[0] > killed and a[2] == 404 for a in answers)
            after = [q for t, q in reruns if t > killed]
            pytest.fail(
                f"no frame from {survivor} within {RECOVER_SECONDS + 5:g} s of the kill: the chart "
                f"got {lost} answers 404 (unknown page) for its old token; the page asked for "
                f"{len(after)} script runs since ({after}), so no new token reached the chart"
            )
        took = recovered_at - killed
        # Live again: frames keep coming (into the preview while the reloaded page's Plotly
        # still loads, so counted as frames applied rather than Plotly's pictures).
        frames_then = frame.evaluate("window.livechartStats.framesFetched")
        page.wait_for_timeout(600)
        assert frame.evaluate("window.livechartStats.framesFetched") > frames_then
        print(
            f"\nreplica {victim} killed at epoch ~{epoch_now} (link: {url_epoch}); "
            f"live on {survivor} after {took:.2f} s at epoch {recovered_epoch}; "
            f"{rate:.0f} epochs/s"
        )
        assert took < RECOVER_SECONDS
        # It came back where the link said, plus at most what ~2 s of training adds.
        assert url_epoch <= recovered_epoch <= url_epoch + rate * (took + 2.0) + 2, (
            f"resumed at epoch {recovered_epoch} but the link said {url_epoch}; the page's "
            f"reconnect asked for ?{reruns[-1][1] if reruns else ''} (address bar: {page.url})"
        )

        page.get_by_role("button", name=re.compile("Pause")).click()
        page.get_by_role("button", name=re.compile("Play")).wait_for()
        frame = component_frame(page, CHART)
        frame.wait_for_function(
            "/^Epoch \\d+ · paused/.test((document.getElementById('status') || {}).innerText)"
        )
        paused = chart_epoch(frame)
        # The same settings: the link and the controls.
        for key, value in SETTINGS.items():
            assert f"{key}={value}" in page.url
        neurons = page.locator('[data-testid="stSlider"]', has_text="Hidden neurons").first
        assert neurons.locator('input[type="range"]').input_value() == SETTINGS["h"]
        # The weights of a run never interrupted: its losses and accuracies at that epoch,
        # to the 6 digits the chart's curves carry, and as its status line shows them.
        expected = wire_row(uninterrupted_row(paused))[1:]
        curves = frame.evaluate(
            "document.getElementById('curves-plot').data"
            ".map(t => [Array.from(t.x), Array.from(t.y)])"
        )
        shown = [ys[xs.index(paused)] if paused in xs else None for xs, ys in curves[:4]]
        assert shown == expected, (paused, shown, expected)
        numbers = frame.locator("#status .metric b").all_inner_texts()
        assert numbers == [
            f"{expected[0]:.3f}",
            f"{expected[1]:.3f}",
            f"{100 * expected[2]:.1f}%",
            f"{100 * expected[3]:.1f}%",
        ]
        context.close()
