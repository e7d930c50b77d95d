"""A stand-in for a live-training page in the old design, small enough to load-test the server.

The Playground no longer reruns a fragment per frame (its chart fetches frames from
server/frames.py's route); this page still does, so it serves the load client's ``fragment``
mode and the deploy/serve tests, which need a cheap app that shows its replica's pid.

Run it with::

    streamlit run benchmarks/load_fixture.py --server.headless true --server.port 8501

A "Play" button sets ``st.session_state.playing``. A fragment reruns every
``run_every`` seconds; while playing, each run spends about ``work_ms`` of CPU
on NumPy (a stand-in for one training epoch) and redraws a text element whose
content changes on every run, exactly what the load client (``--mode fragment``) counts
as an update.

Environment variables tune it without editing the file:

- ``LOAD_FIXTURE_RUN_EVERY``: the fragment's ``run_every`` in seconds (0.05).
- ``LOAD_FIXTURE_WORK_MS``: CPU milliseconds of NumPy work per run (3).
- ``LOAD_FIXTURE_PAYLOAD_BYTES``: extra bytes of changing text per run (0), to
  mimic a chart's JSON.

The page also shows the server's process id, so a test behind a load balancer
can tell which replica served it.
"""

import os
import time

import numpy as np
import streamlit as st

RUN_EVERY = float(os.environ.get("LOAD_FIXTURE_RUN_EVERY", "0.05"))
WORK_S = float(os.environ.get("LOAD_FIXTURE_WORK_MS", "3")) / 1000.0
PAYLOAD_BYTES = int(os.environ.get("LOAD_FIXTURE_PAYLOAD_BYTES", "0"))

PLAYING = "playing"
STEP = "step"
WEIGHTS = "weights"


def _one_epoch(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Burn about WORK_S of this thread's CPU on matrix products, like a training step."""
    start = time.thread_time()
    x = rng.standard_normal((64, 64))
    while time.thread_time() - start < WORK_S:
        x = np.tanh(x @ weights)
    return weights + 1e-3 * x.mean(axis=0, keepdims=True).T


st.session_state.setdefault(PLAYING, False)
st.session_state.setdefault(STEP, 0)
if WEIGHTS not in st.session_state:
    st.session_state[WEIGHTS] = np.random.default_rng(0).standard_normal((64, 64)) / 8

st.title("Load fixture")
st.caption(f"replica pid {os.getpid()}")
if st.button("Play"):
    st.session_state[PLAYING] = True
if st.button("Pause"):
    st.session_state[PLAYING] = False


@st.fragment(run_every=RUN_EVERY)
def live_view() -> None:
    """Advance one step while playing and redraw the changing element."""
    if st.session_state[PLAYING]:
        rng = np.random.default_rng(st.session_state[STEP])
        st.session_state[WEIGHTS] = _one_epoch(st.session_state[WEIGHTS], rng)
        st.session_state[STEP] += 1
    padding = os.urandom(PAYLOAD_BYTES // 2).hex() if PAYLOAD_BYTES else ""
    st.text(f"step {st.session_state[STEP]} {padding}")


live_view()
