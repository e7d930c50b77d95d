"""A replica dies under a playing page whose learning rate changed twice: the page comes
back on the other replica, live, with the same settings, where its chart was (nothing
shown is drawn or trained again), with the weights of a run that was never interrupted.

deploy/serve runs two replicas of app.py behind HAProxy on loopback; Debian's Chromium
(through Playwright) opens the Playground with a few settings, presses Play and moves the
learning rate twice. While it plays, the chart writes the epoch into the page's link about
once a second (livechart/frontend/main.js, syncParentUrl), and reports it every 30 frames
into the copy of the link that Streamlit keeps, which also records the rate changes with
their steps (``ch``). When the websocket reconnects to the other replica, the new session
replays that copy (pages/playground.py, ui/lifecycle.restore) and the chart, seeing a replay
of the run it shows (livechart ``replayed``, ``lineage``), keeps its curves and picture; its
frames ask from its own step, and the frame route trains the replay up to it
(server/frames.py, ``catch_up_to``). The test waits on what the page does, never for a
while, and asserts no duration (how fast it fails over: benchmarks/bench_classroom.py
--failover). Skipped without Chromium or haproxy, unless SCRATCHNET_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import signal
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import (
    PATIENCE_S,
    chart_epoch,
    chromium,
    component_frame,
    link_changes,
    link_epoch,
    nudge_learning_rate,
    require_browser,
    wait_until,
)
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from test_deploy import serve

from livechart import wire_row
from scratchnet.datasets import make_dataset, split
from scratchnet.live import LiveRun
from ui.lifecycle import changes_from_text
from ui.settings import classifier_params, from_query

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHART = "livechart.livechart"
SETTINGS = {"h": "12", "lr": "0.3", "epochs": "3000"}
FRAME_PATH = "/scratchnet/frame/"
SETTLE_SECONDS = 1.5
PATIENCE_MS = 1000 * PATIENCE_S


def uninterrupted_row(epoch: int, changes: str) -> dict:
    """The history row at ``epoch`` of a run with SETTINGS (and the link's recorded
    ``changes``) trained tick by tick from 0, built the way pages/playground.py builds it
    (toy_data, classifier_params)."""
    values, notices = from_query(SETTINGS)
    assert not notices
    X, y = make_dataset(
        values["dataset"], values["n_samples"], values["noise"], values["data_seed"], n_classes=2
    )
    X_train, X_test, y_train, y_test = split(X, y, values["test_ratio"], values["data_seed"])
    run = LiveRun(
        X_train, y_train, X_test, y_test, classifier_params(values, len(X_train)), n_classes=2
    )
    for change in changes_from_text(changes):  # each at its step, as the live run had it
        while run.trainer.steps < change.step:
            run.catch_up(change.step, max_seconds=math.inf)
        run.set_learning_rate(change.values[0])
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
        # The rate, moved twice while playing (0.3 -> 1 -> 0.3): recorded with its steps in
        # the link and in Streamlit's copy of it, which the replay follows.
        for changes, key in ((2, "ArrowRight"), (3, "ArrowLeft")):
            epoch = chart_epoch(frame) or 0
            wait_until(lambda e=epoch: (chart_epoch(frame) or 0) > e + 2,
                       what="two more epochs", pause=pause)  # fmt: skip
            nudge_learning_rate(page, key)
            wait_until(lambda n=changes: len(link_changes(page.url)) == n,
                       what=f"{changes} changes in the link", pause=pause)  # fmt: skip
        wait_until(lambda: len(answers) >= 5, what="5 frame answers", pause=pause)
        wait_until(
            lambda: (
                kept
                and len(link_changes("?" + kept[-1][1])) == 3
                and link_epoch("?" + kept[-1][1]) > link_epoch(page.url) - 30
            ),
            what="the changes and a recent epoch in Streamlit's copy of the link",
            pause=pause,
        )
        recorded = parse_qs(kept[-1][1])["ch"][0]
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
        page.evaluate("window.beforeTheKill = true")  # gone if the page reloads
        path = urlsplit(page.url).path
        os.kill(running.replica_pids[victim], signal.SIGKILL)
        killed = time.monotonic()
        epoch_shown = chart_epoch(frame)  # what the chart showed as the replica died

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
        frame = component_frame(page, CHART)
        print(
            f"\nreplica {victim} killed at epoch ~{epoch_shown} (link: {url_epoch}, "
            f"Streamlit's copy: {reported}); live on {survivor} after {took:.2f} s at epoch "
            f"{recovered_epoch} (how fast: benchmarks/bench_classroom.py --failover)"
        )
        # The same page (Streamlit's reconnect brought the new session's token before main.js
        # gave up on the old one and reloaded), whose new session replayed Streamlit's copy of
        # the link: its first script run after the kill asked for that epoch or a later one.
        assert page.evaluate("window.beforeTheKill === true"), "the page reloaded"
        resumed = [link_epoch("?" + q) for t, q in reruns if t > killed and "epoch=" in q]
        assert resumed, [q for t, q in reruns if t > killed]
        assert resumed[0] >= reported, (reported, resumed, url_epoch, epoch_shown)
        # The chart took that replay for the run it shows (the same lineage: settings and
        # changes) and kept its curves and picture; the replay was trained up to the chart's
        # step, and the chart goes on from the epoch it showed, never back.
        assert frame.evaluate("window.livechartStats.continued") >= 1
        wait_until(lambda: (chart_epoch(frame) or 0) > epoch_shown,
                   what=f"the chart beyond epoch {epoch_shown}", pause=pause)  # fmt: skip
        assert urlsplit(page.url).path == path, (path, page.url)  # one form of the link

        page.get_by_role("button", name=re.compile("Pause")).click()
        page.get_by_role("button", name=re.compile("Play")).wait_for()
        frame = component_frame(page, CHART)
        frame.wait_for_function(
            "/^Epoch [\\d.]+ · paused/.test((document.getElementById('status') || {}).innerText)"
        )
        # Paused within an epoch (frames train a part of one at the default speed), the
        # curves and the status line show the last whole epoch's row.
        paused = math.floor(chart_epoch(frame))
        # The same settings (the rate as it was moved back), and the changes: the link and
        # the controls.
        for key, value in SETTINGS.items():
            assert f"{key}={value}" in page.url
        assert parse_qs(urlsplit(page.url).query)["ch"][0] == recorded
        assert urlsplit(page.url).path == path
        neurons = page.locator('[data-testid="stSlider"]', has_text="Hidden neurons").first
        assert neurons.locator('input[type="range"]').input_value() == SETTINGS["h"]
        # The weights of a run never interrupted: its losses and accuracies at that epoch,
        # to the 6 digits the chart's curves carry, and as its status line shows them.
        expected = wire_row(uninterrupted_row(paused, recorded))[1:]
        curves = frame.evaluate(
            "document.getElementById('curves-plot').data"
            ".map(t => [Array.from(t.x), Array.from(t.y)])"
        )
        shown = [ys[xs.index(paused)] if paused in xs else None for xs, ys in curves[:4]]
        assert curves[0][0] == list(range(1, len(curves[0][0]) + 1))  # each epoch once
        assert shown == expected, (paused, shown, expected)
        numbers = frame.locator("#status .metric b").all_inner_texts()
        assert numbers == [
            f"{expected[0]:.3f}",
            f"{expected[1]:.3f}",
            f"{100 * expected[2]:.1f}%",
            f"{100 * expected[3]:.1f}%",
        ]
        context.close()
