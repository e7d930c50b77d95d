"""Tests for livechart: the wire format, what each tick sends, and the chart in Chromium.

The browser tests drive ``benchmarks/livechart_demo.py`` (a boundary that turns
over 1,250 two-moons points) in Debian's Chromium. They wait for what the chart does
(so many more pictures, a report), never for a while, and assert no rate:
benchmarks/bench_playground.py measures how fast it updates.
"""

from __future__ import annotations

import io
import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import livechart
from livechart import CURVE_OVERLAP, pack_points, plan_tick

ROOT = Path(__file__).resolve().parents[1]
DEMO = "benchmarks/livechart_demo.py"
IFRAME_TITLE = "livechart.livechart"
ARTIFACTS = ROOT / "artifacts"
PATIENCE_MS = 90_000  # browser_support.PATIENCE_S: what the chart does may take a while
STATS_JS = "({...window.livechartStats, frames: window.livechartFrames})"


def history(first: int, last: int) -> list[dict]:
    return [
        {"epoch": e, "train_loss": 1 / e, "test_loss": 1.5 / e, "train_acc": 0.5, "test_acc": 0.4}
        for e in range(first, last + 1)
    ]


def epochs(rows: list[list]) -> list[int]:
    return [r[0] for r in rows]


# ---------------------------------------------------------------------- wire format


def test_pack_points_layout():
    X_train = np.array([[0.5, -1.0], [2.0, 3.25]])
    X_test = np.array([[-4.0, 8.0]])
    packed = pack_points(X_train, [1, 0], X_test, [2])
    assert len(packed) == 3 * 10
    xy = np.frombuffer(packed[:24], dtype="<f4").reshape(3, 2)
    np.testing.assert_array_equal(xy, np.vstack([X_train, X_test]))
    assert list(packed[24:27]) == [1, 0, 2]  # labels
    assert list(packed[27:30]) == [0, 0, 1]  # 0 train, 1 test


def test_pack_points_with_values_carries_numbers():
    X_train, X_test = np.array([[0.5, -1.0], [2.0, 3.25]]), np.array([[-4.0, 8.0]])
    packed = pack_points(X_train, [-0.75, 1.5], X_test, [12.25], values=True)
    assert len(packed) == 3 * 13
    np.testing.assert_array_equal(np.frombuffer(packed[24:36], "<f4"), [-0.75, 1.5, 12.25])
    assert list(packed[36:39]) == [0, 0, 1]
    with pytest.raises(ValueError, match="finite"):
        pack_points(X_train, [0.0, np.nan], values=True)
    sent = plan_tick({}, None, points=(X_train, [0.1, 0.2], X_test, [0.3]), points_rev=1,
                     image=None, curves=[], run_id=0, epoch=0, values=True)  # fmt: skip
    assert sent["points_n"] == 3 and len(sent["points"]) == 39


def test_the_curves_take_the_columns_they_are_given():
    rows = [{"epoch": 1, "train_loss": 0.5, "test_loss": 0.6, "train_r2": -0.25, "test_r2": 0.1}]
    columns = ("train_loss", "test_loss", "train_r2", "test_r2")
    sent = plan_tick({}, None, points=None, points_rev=0, image=None, curves=rows, run_id=0,
                     epoch=1, curve_columns=columns)  # fmt: skip
    assert sent["curves"] == [[1, 0.5, 0.6, -0.25, 0.1]]
    assert livechart.wire_row(rows[0]) == [1, 0.5, 0.6, None, None]  # the default: accuracy


def test_pack_points_without_test_points():
    assert len(pack_points(np.zeros((4, 2)), np.zeros(4))) == 40


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (np.zeros((3, 2)), [0, 1], "shape"),
        (np.zeros((2, 3)), [0, 1], "shape"),
        (np.zeros((1, 2)), [256], "0 to 255"),
    ],
)
def test_pack_points_rejects_bad_points(X, y, match):
    with pytest.raises(ValueError, match=match):
        pack_points(X, y)


# ------------------------------------------------------------------- what a tick sends


def tick(state, reported, *, rows, epoch=None, image=b"png-1", points_rev=1, run_id=0):
    points = (np.zeros((2, 2)), [0, 1], None, None)
    return plan_tick(
        state,
        reported,
        points=points,
        points_rev=points_rev,
        image=image,
        curves=rows,
        run_id=run_id,
        epoch=epoch if epoch is not None else (rows[-1]["epoch"] if rows else 0),
    )


# What the chart reports: whole, or asking for everything (new iframe, or a gap).
WHOLE = {"points_rev": 1, "synced": True, "session": "a"}
ASKING = {"points_rev": 1, "synced": False, "session": "a"}


def test_points_are_sent_until_the_chart_reports_their_revision():
    state = {}
    first = tick(state, None, rows=history(1, 1))
    assert first["points"] == pack_points(np.zeros((2, 2)), [0, 1]) and first["points_n"] == 2
    # No report yet (it is on its way): send them again, the chart ignores a repeat.
    assert tick(state, None, rows=history(1, 2))["points"] is not None
    assert tick(state, WHOLE, rows=history(1, 3))["points"] is None
    assert tick(state, WHOLE, rows=history(1, 4))["points"] is None
    # New data: revision 2 goes out until the chart holds it.
    assert tick(state, WHOLE, rows=history(1, 5), points_rev=2)["points"] is not None
    assert tick(state, WHOLE, rows=history(1, 6), points_rev=2)["points"] is not None
    held = {**WHOLE, "points_rev": 2}
    assert tick(state, held, rows=history(1, 7), points_rev=2)["points"] is None


def test_an_image_is_sent_once_and_numbered_on_every_tick():
    state = {}
    sent = [tick(state, WHOLE, rows=[], image=png) for png in (b"png-1", b"png-1", b"png-2")]
    assert [s["image"] for s in sent] == [b"png-1", None, b"png-2"]
    assert [s["image_id"] for s in sent] == [1, 1, 2]  # the chart can tell it missed one
    assert tick(state, WHOLE, rows=[], image=None)["image"] is None
    assert tick(state, WHOLE, rows=[], image=None)["image_id"] == 2


def test_each_tick_sends_the_new_rows_and_the_last_few_again():
    state = {}
    assert epochs(tick(state, None, rows=history(1, 1))["curves"]) == [1]
    sent = tick(state, WHOLE, rows=history(1, 2))
    assert epochs(sent["curves"]) == [1, 2]
    assert sent["curves_full"] is False
    for last in range(3, 30):
        sent = tick(state, WHOLE, rows=history(1, last))
    # The rows sent last time (the overlap), then the new one.
    assert epochs(sent["curves"]) == list(range(29 - CURVE_OVERLAP, 30))
    # No new row: the overlap alone.
    assert epochs(tick(state, WHOLE, rows=history(1, 29))["curves"]) == list(range(22, 30))


def test_rows_are_compact_json_safe_lists():
    state = {}
    rows = [
        {"epoch": np.int64(1), "train_loss": np.float32(0.123456789), "test_loss": float("nan")},
    ]
    (row,) = tick(state, None, rows=rows)["curves"]
    assert row == [1, 0.123457, None, None, None]
    json.loads(json.dumps(row, allow_nan=False))


def test_a_chart_that_asks_gets_the_full_history_and_the_image_until_it_is_whole():
    state = {}
    for last in range(1, 21):
        steady = tick(state, WHOLE, rows=history(1, last))
    assert steady["curves_full"] is False and steady["image"] is None
    # The page was left and came back: a new iframe, with no points yet. Asking
    # again on the next tick means the full update did not arrive: send it again.
    for last in (21, 22):
        sent = tick(state, {**ASKING, "points_rev": 0, "session": "b"}, rows=history(1, last))
        assert sent["curves_full"] is True
        assert epochs(sent["curves"]) == list(range(1, last + 1))
        assert sent["image"] == b"png-1" and sent["image_id"] == 1
        assert sent["points"] is not None
    back = tick(state, {**WHOLE, "session": "b"}, rows=history(1, 23))
    assert back["curves_full"] is False and back["image"] is None and back["points"] is None
    assert epochs(back["curves"]) == list(range(23 - CURVE_OVERLAP, 24))


def test_a_full_update_keeps_the_overlap_when_the_page_passes_only_new_rows():
    state = {}
    for e in range(1, 12):
        tick(state, WHOLE, rows=history(e, e))
    sent = tick(state, ASKING, rows=history(12, 12))
    assert sent["curves_full"] is True
    assert epochs(sent["curves"]) == list(range(12 - CURVE_OVERLAP, 13))


@pytest.mark.parametrize("how", ["run_id", "epoch"])
def test_reset_forgets_the_old_run(how):
    state = {}
    run_id = int(how == "run_id")
    tick(state, None, rows=history(1, 10))
    tick(state, WHOLE, rows=history(1, 11))
    sent = tick(state, WHOLE, rows=[], epoch=0, run_id=run_id)
    assert sent["curves"] == []
    assert epochs(tick(state, WHOLE, rows=history(1, 1), run_id=run_id)["curves"]) == [1]


def test_curves_may_be_a_dataframe():
    pd = pytest.importorskip("pandas")
    state = {}
    tick(state, None, rows=pd.DataFrame(history(1, 5)), epoch=5)
    sent = tick(state, ASKING, rows=pd.DataFrame(history(1, 20)), epoch=20)
    assert epochs(sent["curves"]) == list(range(1, 21))
    sent = tick(state, WHOLE, rows=pd.DataFrame(history(1, 21)), epoch=21)
    assert epochs(sent["curves"]) == list(range(21 - CURVE_OVERLAP, 22))
    assert sent["curves"][-1][1] == pytest.approx(1 / 21, rel=1e-5)


def test_packed_points_must_be_whole_points():
    with pytest.raises(ValueError, match="10 bytes"):
        plan_tick(
            {},
            None,
            points=b"123",
            points_rev=1,
            image=None,
            curves=[],
            run_id=0,
            epoch=0,
        )


def test_live_chart_checks_its_arguments():
    common = {"key": "c", "extent": (0, 1, 0, 1), "run_id": 0, "epoch": 0}
    with pytest.raises(ValueError, match="points_rev"):
        livechart.live_chart(points=(np.zeros((1, 2)), [0], None, None), points_rev=0, **common)
    with pytest.raises(ValueError, match="extent"):
        livechart.live_chart(**{**common, "extent": (1, 0, 0, 1)})
    with pytest.raises(ValueError, match="height"):
        livechart.live_chart(height=10, **common)
    for bad in ({}, {"scripts": [], "function": "f"}, {"scripts": ["/p.js"], "function": "a b"}):
        with pytest.raises(ValueError, match="painter"):
            livechart.live_chart(painter=bad, **common)
    with pytest.raises(ValueError, match="curve_columns"):
        livechart.live_chart(curve_columns=("train_loss",), **common)
    with pytest.raises(ValueError, match="score_range"):
        livechart.live_chart(score_range=(1, -1), **common)


def test_live_chart_in_a_script_run():
    """Through Streamlit's AppTest: the arguments that reach the frontend."""
    from streamlit.testing.v1 import AppTest

    def page():
        import numpy as np
        import streamlit as st

        from livechart import live_chart
        from scratchnet.plots import encode_png

        st.session_state.setdefault("epoch", 0)
        st.session_state.epoch += 1
        e = st.session_state.epoch
        live_chart(
            key="chart",
            points=(np.zeros((3, 2)), [0, 1, 0], np.ones((1, 2)), [1]),
            points_rev=1,
            image=encode_png(np.zeros((2, 2, 4), np.uint8)),
            extent=(0, 1, 0, 1),
            curves=[{"epoch": i, "train_loss": 1 / i} for i in range(1, e + 1)],
            run_id="run",
            epoch=e,
        )

    app = AppTest.from_function(page).run()
    assert not app.exception
    element = app.get("component_instance")[0].proto
    args = json.loads(element.json_args)
    assert element.component_name == IFRAME_TITLE
    assert sorted(a.key for a in element.special_args) == ["image", "points"]
    assert (
        args["points_n"] == 4
        and args["epoch"] == 1
        and args["curves"] == [[1, 1.0, None, None, None]]
    )
    app.run()  # a second tick, the chart has not reported: points again, image not
    element = app.get("component_instance")[0].proto
    assert sorted(a.key for a in element.special_args) == ["points"]
    assert epochs(json.loads(element.json_args)["curves"]) == [1, 2]


# --------------------------------------------------------------------------- frontend


def test_plotly_js_is_copied_from_the_plotly_package(tmp_path, monkeypatch):
    import plotly

    shipped = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert livechart.PLOTLY_JS.stat().st_size == shipped.stat().st_size
    target = tmp_path / "plotly.min.js"
    monkeypatch.setattr(livechart, "PLOTLY_JS", target)
    target.write_text("stale")
    livechart.ensure_plotly_js()
    assert target.read_bytes() == shipped.read_bytes()
    monkeypatch.setattr(livechart, "PLOTLY_JS", tmp_path / "missing-folder" / "plotly.min.js")
    with pytest.raises(ImportError, match="could not copy"):
        livechart.ensure_plotly_js()


def test_frontend_loads_nothing_from_the_network():
    html = (livechart.FRONTEND / "index.html").read_text()
    script = (livechart.FRONTEND / "main.js").read_text()
    assert '<script src="main.js">' in html and 'script.src = "plotly.min.js"' in script
    assert "http" not in html
    assert "apiVersion: 1" in script and "isStreamlitMessage: true" in script


# ---------------------------------------------------------------------------- browser


def test_a_missing_browser_skips_unless_ci_requires_it(monkeypatch, tmp_path):
    import browser_support

    monkeypatch.setattr(browser_support, "CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.delenv("SCRATCHNET_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no-chromium"):
        browser_support.require_browser()
    monkeypatch.setenv("SCRATCHNET_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="SCRATCHNET_REQUIRE_BROWSER=1"):
        browser_support.require_browser()


@pytest.fixture(scope="module")
def demo():
    """The demo page served by a real Streamlit, and a Chromium to look at it."""
    from browser_support import chromium, require_browser, streamlit_server

    require_browser()
    with streamlit_server(DEMO) as server, chromium() as browser:
        yield server, browser


def open_demo(demo, run_every: float):
    """A new tab on the demo; returns (page, frame, websocket frame log)."""
    from browser_support import component_frame

    server, browser = demo
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(PATIENCE_MS)
    received: list[tuple[float, int]] = []
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived", lambda payload: received.append((time.monotonic(), len(payload)))
        ),
    )
    page.goto(f"{server.url}/?run_every={run_every}")
    frame = component_frame(page, IFRAME_TITLE, timeout=PATIENCE_MS)
    frame.wait_for_selector("#boundary .main-svg", timeout=PATIENCE_MS)
    frame.wait_for_function("window.livechartFrames >= 3", timeout=PATIENCE_MS)
    return page, frame, received


def more_pictures(frame, pictures: int) -> None:
    """Wait until the chart has applied ``pictures`` more boundary images than now."""
    target = frame.evaluate("window.livechartFrames") + pictures
    frame.wait_for_function(f"window.livechartFrames >= {target}", timeout=PATIENCE_MS)


def watch(frame, received, pictures: int) -> dict:
    """Wait for ``pictures`` more boundary images; what the page received meanwhile:
    renders, bytes per render, the largest websocket message."""
    stats0 = frame.evaluate(STATS_JS)
    t0 = time.monotonic()
    more_pictures(frame, pictures)
    stats1 = frame.evaluate(STATS_JS)
    t1 = time.monotonic()
    sizes = [n for t, n in received if t0 <= t <= t1]
    renders = stats1["renders"] - stats0["renders"]
    return {
        "renders": renders,
        "bytes_per_render": sum(sizes) / renders if renders else math.nan,
        "largest_message": max(sizes, default=0),
    }


@pytest.mark.browser
def test_live_chart_renders_updates_and_keeps_the_zoom(demo):
    from browser_support import drag_zoom, plot_ranges

    page, frame, received = open_demo(demo, 0.05)

    # The points came once and the chart said so; a new chart asks for a full
    # update, so the curves start at epoch 1 however late the iframe loaded.
    assert frame.evaluate("window.livechartStats.pointsRev") == 1
    frame.wait_for_function("window.livechartStats.resyncs >= 1", timeout=PATIENCE_MS)
    assert frame.evaluate("document.getElementById('curves-plot').data[0].x[0]") == 1

    # It updates without flicker: the boundary <image> is never removed or
    # emptied while new pictures are swapped in. And a tick costs a few KB: the
    # points are not sent again.
    frame.evaluate(
        """() => {
          window.imageRemovals = 0;
          window.emptyHrefs = 0;
          new MutationObserver((records) => {
            for (const r of records) {
              for (const node of r.removedNodes) {
                if (node.nodeName === "image") window.imageRemovals++;
              }
              if (r.type === "attributes" && !r.target.getAttribute("href")) {
                window.emptyHrefs++;
              }
            }
          }).observe(document.getElementById("boundary"),
                     {subtree: true, childList: true, attributes: true, attributeFilter: ["href"]});
        }"""
    )
    m = watch(frame, received, pictures=10)
    assert frame.evaluate("[window.imageRemovals, window.emptyHrefs]") == [0, 0]
    print(
        f"\nlivechart at run_every=0.05: {m['bytes_per_render']:.0f} B per tick, "
        f"largest message {m['largest_message']} B"
    )
    assert m["renders"] >= 1
    assert frame.evaluate("+document.getElementById('boundary').dataset.frame") > 3
    assert m["largest_message"] < 12_000

    # It renders: a Plotly chart whose picture is not one flat colour.
    # (Taken after a few seconds of curves; kept in artifacts/ for a human to look at.)
    shot = page.locator(f'iframe[title="{IFRAME_TITLE}"]').screenshot()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "livechart.png").write_bytes(shot)
    pixels = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")).reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 50
    r, b = pixels[:, 0].astype(int), pixels[:, 2].astype(int)
    assert (r > b + 60).mean() > 0.05  # orange: class 0's half of the boundary
    assert (b > r + 60).mean() > 0.05  # blue: class 1's
    href = frame.evaluate("document.querySelector('#boundary image').getAttribute('href')")
    assert href.startswith("data:image/png;base64,")

    # A zoom (the user's drag) survives image updates (relayout) and a restyle
    # (Plotly.react, which keeps it through uirevision).
    before = plot_ranges(frame)
    zoomed = drag_zoom(page, frame)
    assert zoomed[1] - zoomed[0] < 0.5 * (before[1] - before[0])
    more_pictures(frame, 5)
    assert plot_ranges(frame) == pytest.approx(zoomed)
    page.get_by_text("Test points").click()  # show_test=False: Plotly.react
    frame.wait_for_function(
        "document.getElementById('boundary').data[1].visible === false", timeout=PATIENCE_MS
    )
    more_pictures(frame, 5)  # pictures applied after the restyle
    assert plot_ranges(frame) == pytest.approx(zoomed)

    # Reset (a new run_id, through a rerun of the whole script) clears the curves.
    # Streamlit 1.67 now and then remounts a fragment's component when the whole
    # script reruns during a fast fragment: look the iframe up again.
    longest = frame.evaluate("document.getElementById('curves-plot').data[0].x.length")
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function(
        """(limit) => {
          const f = document.querySelector('iframe[title="livechart.livechart"]');
          const d = f && f.contentDocument && f.contentDocument.getElementById('curves-plot');
          return d && d.data && d.data[0].x.length < limit;
        }""",
        arg=min(longest, 20),
        timeout=PATIENCE_MS,
    )
    page.close()


@pytest.mark.browser
def test_a_reloaded_chart_asks_for_everything_and_gets_it(demo):
    page, frame, _ = open_demo(demo, 0.05)
    # The old chart has told Streamlit its value (its session), and runs went on after it.
    frame.wait_for_function("window.livechartStats.reports >= 1", timeout=PATIENCE_MS)
    more_pictures(frame, 3)
    old = frame.evaluate("window.livechartStats.session")
    # A new iframe, while Streamlit still holds the old one's value: the chart must
    # not trust that value; it reports itself incomplete and gets everything again.
    frame.evaluate("location.reload()")
    content = page.locator(f'iframe[title="{IFRAME_TITLE}"]').element_handle().content_frame()
    content.wait_for_function(
        "(old) => window.livechartStats && window.livechartStats.session !== old"
        " && window.livechartStats.resyncs >= 1 && window.livechartFrames >= 1",
        arg=old,
        timeout=PATIENCE_MS,
    )
    assert content.evaluate("window.livechartStats.pointsRev") == 1
    assert content.evaluate("document.getElementById('boundary').data[0].x.length") > 900
    assert content.evaluate("document.getElementById('curves-plot').data[0].x[0]") == 1
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("run_every", [0.05, 0.03])
def test_live_chart_keeps_updating(demo, run_every):
    """At both fragment periods the chart keeps applying new pictures, each tick a small
    message. (How many a second: benchmarks/bench_playground.py.)"""
    page, frame, received = open_demo(demo, run_every)
    m = watch(frame, received, pictures=20)
    assert m["renders"] >= 1, m
    assert not math.isnan(m["bytes_per_render"])
    page.close()


# ------------------------------------------------------------ a component of its own


def test_livechart_imports_nothing_of_the_app():
    """livechart is generic: the app depends on it, never the other way round."""
    import subprocess
    import sys

    code = (
        "import sys, livechart; "
        "print(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'scratchnet', 'server', 'ui', 'pages', 'app'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_the_step_and_the_link_names_reach_the_frontend():
    """The step orders pictures (main.js ignores older ones); the names of the link's
    parameters come from the caller, and no names are written when none are given."""
    from streamlit.testing.v1 import AppTest

    def page():
        import streamlit as st

        from livechart import live_chart

        named = st.session_state.setdefault("named", True)
        live_chart(
            key="chart",
            extent=(0, 1, 0, 1),
            run_id=1,
            epoch=3,
            step=37 if named else None,
            frames_url="/frames/x",
            playing=True,
            link_epoch="e" if named else None,
            link_playing="p" if named else None,
        )

    app = AppTest.from_function(page).run()
    args = json.loads(app.get("component_instance")[0].proto.json_args)
    assert (args["step"], args["link_epoch"], args["link_playing"]) == (37, "e", "p")
    assert args["frames_url"] == "/frames/x" and args["playing"] is True
    assert args["painter"] is None
    app.session_state["named"] = False
    args = json.loads(app.run().get("component_instance")[0].proto.json_args)
    assert (args["step"], args["link_epoch"], args["link_playing"]) == (3, None, None)


def test_a_painter_reaches_the_frontend_as_given():
    from streamlit.testing.v1 import AppTest

    def page():
        from livechart import live_chart

        live_chart(
            key="chart", extent=(0, 1, 0, 1), run_id=1, epoch=0,
            painter={"scripts": ("/js/p.js",), "function": "paint", "options": {"n": 3}},
        )  # fmt: skip

    element = AppTest.from_function(page).run().get("component_instance")[0]
    args = json.loads(element.proto.json_args)
    assert args["painter"] == {"scripts": ["/js/p.js"], "function": "paint", "options": {"n": 3}}


def test_frames_round_trip_through_the_charts_wire_format():
    header = {"run_id": 1, "epoch": 3, "steps": 90, "rows": [[3, 0.5, None, 0.9, None]]}
    body = livechart.encode_frame(header, b"\x89PNGxyz")
    assert int.from_bytes(body[:4], "big") == len(body) - 4 - 7
    assert livechart.decode_frame(body) == (header, b"\x89PNGxyz")
