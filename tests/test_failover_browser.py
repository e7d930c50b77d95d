"""A replica dies under a playing page: the page comes back on the other replica, live,
with the same settings, at the epoch it had reached, with the weights of a run that was
never interrupted.

deploy/serve runs two replicas of app.py behind HAProxy on loopback; Debian's Chromium
(through Playwright) opens the Playground with a few settings and presses Play. While it
plays, the chart writes the epoch into the page's link about once a second
(livechart/frontend/main.js, syncParentUrl), and reports it every 30 frames into the copy
of the link that Streamlit keeps; when the websocket reconnects to the other replica, the
new session reads that copy (or, after main.js reloads on 404s, the link) and replays to
that epoch (pages/playground.py, restore). So the page resumes at its last report or
later: on a slow machine up to 30 frames before the epoch it had shown. The test waits on
what the page does, never for a while, and asserts no duration (how fast it fails over:
benchmarks/bench_classroom.py --failover). Skipped without Chromium or haproxy, unless
SCRATCHNET_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import signal
import time

import pytest
from browser_support import (
    PATIENCE_S,
    chart_epoch,
    chromium,
    component_frame,
    require_browser,
    wait_until,
)
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
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
PATIENCE_MS = 1000 * PATIENCE_S


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
        context.set_default_timeout(PATIENCE_MS)  # every wait: generous, for a busy machine
        page = context.new_page()
        answers: list[tuple[float, str, int]] = []  # (time, replica, status) of frame requests

        def on_response(response) -> None:
            if FRAME_PATH in response.url:
                answers.append(
                    (time.monotonic(), response.headers.get("x-replica", ""), response.status)
                )

        page.on("response", on_response)
        reruns: list[tuple[float, str]] = []  # (time, query string) of the page's full reruns
        # (time, query string) Streamlit set for the page: its copy, which a reconnect reruns
        # with; the chart's epoch reports (every REPORT_FRAMES frames) bring it up to date.
        kept: list[tuple[float, str]] = []

        def on_websocket(ws) -> None:
            def sent(payload) -> None:
                with contextlib.suppress(Exception):
                    rerun = BackMsg.FromString(payload).rerun_script
                    if (rerun.page_script_hash or rerun.query_string) and not rerun.fragment_id:
                        reruns.append((time.monotonic(), rerun.query_string))

            def received(payload) -> None:
                with contextlib.suppress(Exception):
                    msg = ForwardMsg.FromString(payload)
                    if msg.WhichOneof("type") == "page_info_changed":
                        kept.append((time.monotonic(), msg.page_info_changed.query_string))

            ws.on("framesent", sent)
            ws.on("framereceived", received)

        page.on("websocket", on_websocket)
        query = "&".join(f"{k}={v}" for k, v in SETTINGS.items())
        page.goto(f"{running.url}?{query}")
        play = page.get_by_role("button", name=re.compile("Play"))
        play.wait_for(timeout=PATIENCE_MS)
        frame = component_frame(page, CHART)
        frame.wait_for_function("window.livechartFrames >= 1", timeout=PATIENCE_MS)
        page.wait_for_timeout(SETTLE_SECONDS * 1000)  # a student reads the page, then plays
        play.click()
        frame.wait_for_function("window.livechartFrames >= 3", timeout=PATIENCE_MS)

        def pause(seconds: float) -> None:  # Playwright delivers events while it waits
            page.wait_for_timeout(1000 * seconds)

        # Playing, it writes the epoch into the page's link, and keeps it up to date.
        first_link = wait_until(
            lambda: link_epoch(page.url), what="an epoch in the link", pause=pause
        )
        wait_until(
            lambda: link_epoch(page.url) > first_link,
            what="the link follows the epoch",
            pause=pause,
        )
        wait_until(lambda: len(answers) >= 5, what="5 frame answers", pause=pause)
        wait_until(
            lambda: kept and link_epoch("?" + kept[-1][1]),
            what="an epoch reported to Streamlit's copy of the link",
            pause=pause,
        )
        served_by = {replica for _, replica, status in answers[-5:] if status == 200}
        assert len(served_by) == 1, answers[-5:]
        (victim,) = served_by
        cookie = {c["name"]: c["value"] for c in context.cookies()}.get("SERVERID")
        assert cookie == victim  # HAProxy's affinity cookie names the replica that serves
        survivor = next(name for name in running.replica_pids if name != victim)

        # Streamlit's copy and the link, then the chart: both follow the chart's epoch.
        reported, url_epoch = link_epoch("?" + kept[-1][1]), link_epoch(page.url)
        epoch_now = chart_epoch(frame)
        assert 0 < reported <= epoch_now and 0 < url_epoch <= epoch_now, (
            reported,
            url_epoch,
            epoch_now,
        )
        os.kill(running.replica_pids[victim], signal.SIGKILL)
        killed = time.monotonic()

        def recovered() -> int | None:
            if any(a[0] > killed and a[1] == survivor and a[2] == 200 for a in answers):
                return chart_epoch(component_frame(page, CHART))  # (the same iframe, or a new)
            return None

        try:
            recovered_epoch = wait_until(recovered, what=f"a frame from {survivor}", pause=pause)
        except pytest.fail.Exception:
            lost = sum(a[0] > killed and a[2] == 404 for a in answers)
            after = [q for t, q in reruns if t > killed]
            pytest.fail(
                f"no frame from {survivor} after the kill: the chart got {lost} answers 404 "
                f"(unknown page) for its old token; the page asked for {len(after)} script runs "
                f"since ({after}), so no new token reached the chart"
            )
        took = time.monotonic() - killed  # printed, not asserted: a busy machine is slower
        # Live again: frames keep coming (into the preview while the reloaded page's Plotly
        # still loads, so counted as frames fetched rather than Plotly's pictures).
        frame = component_frame(page, CHART)
        frames_then = frame.evaluate("window.livechartStats.framesFetched")
        frame.wait_for_function(f"window.livechartStats.framesFetched >= {frames_then + 3}")
        print(
            f"\nreplica {victim} killed at epoch ~{epoch_now} (link: {url_epoch}); "
            f"live on {survivor} after {took:.2f} s at epoch {recovered_epoch} "
            "(how fast: benchmarks/bench_classroom.py --failover)"
        )
        # It came back where the page was: its first script run after the kill asked for an
        # epoch no older than its last report to Streamlit (the link's epoch when main.js
        # reloads after 404s; Streamlit's copy when Streamlit's own reconnect reruns first:
        # up to REPORT_FRAMES frames older than the link), and the chart went on from there,
        # not from the start.
        resumed = [link_epoch("?" + q) for t, q in reruns if t > killed and "epoch=" in q]
        assert resumed, [q for t, q in reruns if t > killed]
        assert resumed[0] >= reported, (reported, resumed, url_epoch, epoch_now)
        assert recovered_epoch >= resumed[0], (
            f"resumed at epoch {recovered_epoch} but the link said {resumed[0]}; the page's "
            f"reconnect asked for ?{reruns[-1][1] if reruns else ''} (address bar: {page.url})"
        )

        page.get_by_role("button", name=re.compile("Pause")).click()
        page.get_by_role("button", name=re.compile("Play")).wait_for()
        frame = component_frame(page, CHART)
        frame.wait_for_function(
            "/^Epoch [\\d.]+ · paused/.test((document.getElementById('status') || {}).innerText)"
        )
        # Paused within an epoch (frames train a part of one at the default speed), the
        # curves and the status line show the last whole epoch's row.
        paused = math.floor(chart_epoch(frame))
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
