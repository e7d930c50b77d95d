"""A stand-in for the Playground's live chart: a boundary that turns, no network.

Run it with::

    streamlit run benchmarks/livechart_demo.py --server.headless true --server.port 8501

A fragment reruns every ``run_every`` seconds; while playing, each run turns a
linear-ish boundary over 1,250 two-moons points a little, encodes it as a PNG and
hands it to ``live_chart`` with one new row of made-up loss and accuracy. The
browser tests (tests/test_livechart.py) and the benchmarks drive this page.

Query parameters tune it without editing the file:

- ``run_every``: the fragment's ``run_every`` in seconds (0.05).
- ``lecture=1``: projector mode.
"""

import math
import sys
from pathlib import Path

import numpy as np
import streamlit as st

# `streamlit run benchmarks/...` puts benchmarks/ on sys.path, not the repository.
ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from livechart import live_chart  # noqa: E402
from scratchnet.plots import boundary_rgba, data_extent, encode_png, grid  # noqa: E402

GRID = 100
N_POINTS = 1250


@st.cache_resource
def moons():
    """Two moons, 80 % train / 20 % test, their extent and the boundary grid."""
    from sklearn.datasets import make_moons

    X, y = make_moons(N_POINTS, noise=0.2, random_state=0)
    test = np.random.default_rng(0).random(N_POINTS) < 0.2
    extent = data_extent(X)
    _, _, points = grid(extent, GRID)
    return X[~test], y[~test], X[test], y[test], extent, points


def boundary_png(points: np.ndarray, centre: np.ndarray, angle: float) -> bytes:
    """A soft, slightly wavy boundary through ``centre`` at ``angle``, as a PNG."""
    d = points - centre
    logit = 3.0 * (math.cos(angle) * d[:, 0] + math.sin(angle) * d[:, 1])
    logit += 0.6 * np.sin(3.0 * d[:, 0] + angle)
    p1 = 1.0 / (1.0 + np.exp(-logit))
    return encode_png(boundary_rgba(p1, GRID))


st.set_page_config(page_title="livechart demo", layout="wide")
params = st.query_params
run_every = float(params.get("run_every", "0.05"))
lecture = params.get("lecture", "0") == "1"

X_train, y_train, X_test, y_test, extent, grid_points = moons()
centre = np.array([(extent[0] + extent[1]) / 2, (extent[2] + extent[3]) / 2])

state = st.session_state
state.setdefault("run_id", 0)
state.setdefault("epoch", 0)
state.setdefault("history", [])

# Play and Reset rerun the whole script, as the Playground's controls do; the
# "Test points" toggle lives in the fragment and reruns only the fragment.
left, right = st.columns([1, 5])
playing = left.toggle("Play", value=True)
if right.button("Reset"):
    state.run_id += 1
    state.epoch = 0
    state.history = []


@st.fragment(run_every=run_every)
def live() -> None:
    show_test = st.toggle("Test points", value=True, key="show_test")
    if playing:
        state.epoch += 1
        e = state.epoch
        noise = 0.02 * math.sin(e * 1.7)
        state.history.append(
            {
                "epoch": e,
                "train_loss": 0.7 * math.exp(-e / 60) + 0.05 + noise,
                "test_loss": 0.7 * math.exp(-e / 70) + 0.09 + noise,
                "train_acc": 1.0 - 0.5 * math.exp(-e / 40),
                "test_acc": 0.97 - 0.47 * math.exp(-e / 45),
            }
        )
    st.markdown(f"**Epoch {state.epoch}**")
    live_chart(
        key="demo",
        points=(X_train, y_train, X_test, y_test),
        points_rev=1,
        image=boundary_png(grid_points, centre, 0.03 * state.epoch),
        extent=extent,
        curves=state.history,
        run_id=state.run_id,
        epoch=state.epoch,
        lecture=lecture,
        show_test=show_test,
        height=440,
    )


live()
