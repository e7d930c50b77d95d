"""The Playground: press Play and watch a network learn, its decision boundary moving live.

Widgets and layout only. What the session holds and how it changes (the run's lifecycle)
is ui.lifecycle; the settings' rules ui.settings; the training and the boundary picture
scratchnet.live; the frames of a playing page server.frames.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time

import streamlit as st

from livechart import live_chart, pack_points
from netview import BROWSER_PAINT_LIMIT, network_spec, network_view, painter
from scratchnet.datasets import (
    REGRESSION_DATASETS,
    guess_label_column,
    make_dataset,
    read_csv_columns,
    split,
)
from scratchnet.features import LABELS as FEATURE_LABELS
from scratchnet.features import check_features
from scratchnet.live import LiveRun
from scratchnet.plots import PALETTES, confusion_figure, value_scale
from scratchnet.presets import PRESETS
from server import frames
from ui import export, lifecycle
from ui import keys as K
from ui.lifecycle import HIDDEN_DEFAULT, NO_PRESET
from ui.settings import (
    BY_KEY,
    MAX_SEED,
    MAX_UI_LAYERS,
    MAX_UI_NEURONS,
    PENALTIES,
    PROBLEM_DATASETS,
    PROBLEMS,
    speed_label,
)

# A boundary update every 50 ms while playing: 20 a second (benchmarks may override it).
FRAME_SECONDS = float(os.environ.get("SCRATCHNET_FRAME_SECONDS", "0.05"))
URL_EPOCH_SECONDS = 1.0  # while playing, the link's epoch is brought up to date this often
CONFUSION_SECONDS = 1.0  # while playing, the confusion matrices are redrawn this often
# Streamlit's frontend reruns a page when its websocket reconnects (to the other replica, after
# one died) only if its last run was a fragment's or a fragment reruns on a timer: right
# after a whole page run (a setting moved while playing) it would not, and the chart would
# ask the dead replica's token until it reloads the page. A playing page keeps an empty
# fragment on this slow timer, so that a reconnect always reruns it.
RECONNECT_SECONDS = 60.0
# Lecture mode: large type for the back row (the chart adds thick lines and big markers
# from its ``lecture`` argument). Streamlit sizes its layout in pixels, so type is enlarged
# element by element rather than with a page zoom, which would overflow the window.
LECTURE_CSS = """
<style>
h1 { font-size: 3.2rem !important; }
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] p {
  font-size: 1.45rem !important;
}
[data-testid="stWidgetLabel"] p { font-size: 1.45rem !important; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * { font-size: 3.4rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.5rem !important; }
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] * { font-size: 1.2rem !important; }
.stButton button p { font-size: 1.5rem !important; }
.stButton button { min-height: 3.4rem !important; min-width: 9rem !important; }
</style>
"""

# Every screen: on a touch screen the key hints (P, S, Home, N) mean nothing; on a phone
# (Streamlit stacks columns at 640 px) the title shrinks, the introduction goes, the page's
# margins narrow and New init keeps only its icon, so that the boundary shows without
# scrolling and Play, Step and Reset sit in one row.
PAGE_CSS = """
<style>
@media (hover: none) and (pointer: coarse) {
  .st-key-pg_buttons kbd { display: none !important; }
}
@media (max-width: 640px) {
  h1 { font-size: 1.7rem !important; padding: 0 0 0.4rem 0 !important; }
  .st-key-pg_intro { display: none !important; }
  [data-testid="stMainBlockContainer"] {
    padding: 3.25rem 0.6rem 1rem 0.6rem !important;
  }
  .st-key-pg_buttons { gap: 0.4rem !important; flex-wrap: nowrap !important; }
  .st-key-pg_buttons button { padding-left: 0.6rem !important; padding-right: 0.6rem !important; }
  .st-key-pg_new_init [data-testid="stMarkdownContainer"] { display: none !important; }
}
</style>
"""

# The stage: the chart (with the headline sliders) and the network view, in that order in
# the page. From 1500 px (a 1920 px screen or projector, the sidebar open) the network sits
# on the left of the boundary, as in TensorFlow Playground, and the whole network, the
# boundary and the curves show without scrolling; narrower, the two stack, the chart first,
# so that on a laptop or a phone the boundary and the sliders come before the diagram.
STAGE_CSS = """
<style>
@media (min-width: 1500px) {
  .st-key-pg_stage [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"]) {
    flex-direction: row-reverse;
  }
}
@media (max-width: 1499px) {
  .st-key-pg_stage [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"]) {
    flex-direction: column;
  }
  .st-key-pg_stage [data-testid="stColumn"] { width: 100% !important; flex: 1 1 auto !important; }
}
</style>
"""

state = st.session_state


# -- the buttons (ui.lifecycle does the work) -------------------------------------------------
def toggle_play() -> None:
    lifecycle.toggle_play(state)


def step() -> None:
    lifecycle.step(state, frames.REGISTRY.lock(state.get(K.FRAME_TOKEN)))


def reset() -> None:
    lifecycle.reset(state)


def new_init() -> None:
    lifecycle.new_init(state)


def apply_preset() -> None:
    lifecycle.apply_preset(state)


def switch_problem() -> None:
    lifecycle.switch_problem(state)


def view_clicked() -> None:
    lifecycle.apply_view_event(
        state, state.get(K.VIEW), frames.REGISTRY.lock(state.get(K.FRAME_TOKEN))
    )


# -- sidebar ---------------------------------------------------------------------------------
def ensure(key: str, value: object) -> str:
    """The widget key for setting ``key``, holding ``value`` if the widget has none yet."""
    wkey = K.widget(key)
    if wkey not in state:
        state[wkey] = value
    return wkey


def span(key: str) -> tuple:
    """A numeric setting's (low, high), as the settings table and the link have them."""
    return BY_KEY[key].low, BY_KEY[key].high


def neurons_widgets(values: dict) -> tuple[int, ...]:
    """The number of hidden layers and the sizes of layers 2 and up; the first layer's
    size is a headline control under the plot (``headline``), read here from its key."""
    hidden = values["hidden"]
    layers = st.slider("Hidden layers", 0, MAX_UI_LAYERS, key=ensure("layers", len(hidden)))
    sizes = [state[ensure("h0", hidden[0] if hidden else HIDDEN_DEFAULT)]] if layers else []
    for i in range(1, layers):
        default = hidden[i] if i < len(hidden) else HIDDEN_DEFAULT
        label = f"Neurons in layer {i + 1}"
        sizes.append(st.slider(label, 1, MAX_UI_NEURONS, key=ensure(f"h{i}", default)))
    return tuple(sizes)


def headline_values(values: dict) -> dict:
    """The headline controls' values (drawn under the plot by ``headline``, read first):
    the first hidden layer's neurons and the learning rate."""
    hidden = values["hidden"]
    read = {"learning_rate": state[ensure("learning_rate", values["learning_rate"])]}
    if hidden:
        read["hidden"] = (state[ensure("h0", hidden[0])], *hidden[1:])
    return read


def headline(values: dict) -> None:
    """Hidden neurons and learning rate under the plot, where a student on a phone (or at
    a projector) finds them without opening the sidebar."""
    with st.container(key="pg_headline", horizontal=True, gap="large"):
        if values["hidden"]:
            st.slider(
                "Hidden neurons", 1, MAX_UI_NEURONS, key=K.widget("h0"),
                help="Neurons in the first hidden layer (more layers: Network, in the sidebar).",
            )  # fmt: skip
        learning_rate_widget(values)


def learning_rate_widget(values: dict) -> float:  # a headline control (see headline)
    return st.select_slider(
        "Learning rate",
        options=state[K.OPTIONS]["learning_rate"],
        key=ensure("learning_rate", values["learning_rate"]),
        format_func=lambda v: f"{v:g}",
        help="Applies to the running network at once, as in TensorFlow Playground.",
    )


def data_widgets(values: dict, n_train: int) -> dict:
    problem = st.radio(
        "Problem type", PROBLEMS, key=ensure("problem", values["problem"]), horizontal=True,
        format_func=str.capitalize, on_change=switch_problem,
        help="Classification: the network predicts each point's class. Regression: it "
        "predicts a number, shown on a colour scale (orange below 0, blue above).",
    )  # fmt: skip
    dataset = st.selectbox(
        "Dataset", (*PROBLEM_DATASETS[problem], "csv"), key=ensure("dataset", values["dataset"]),
        format_func=lambda d: "Upload a CSV" if d == "csv" else d,
    )  # fmt: skip
    read = {"problem": problem, "dataset": dataset}
    if dataset == "csv":
        csv_widgets(problem == "regression")
    else:
        read["n_samples"] = st.slider(
            "Samples", *span("n_samples"), step=10, key=ensure("n_samples", values["n_samples"])
        )
        read["noise"] = st.slider(
            "Noise", *span("noise"), step=0.01, key=ensure("noise", values["noise"])
        )
        if dataset == "spiral":
            read["classes"] = st.slider(
                "Classes (spiral arms)", *span("classes"), key=ensure("classes", values["classes"])
            )
    read["test_ratio"] = st.slider(
        "Test share", *span("test_ratio"), step=0.05,
        key=ensure("test_ratio", values["test_ratio"]),
        help="The share of the points held out to measure the test loss and its score "
        "(accuracy, or R² for a regression).",
    )  # fmt: skip
    read["data_seed"] = st.number_input(
        "Data seed", 0, MAX_SEED, key=ensure("data_seed", values["data_seed"])
    )
    read["show_test"] = st.checkbox(
        "Show test points", key=ensure("show_test", values["show_test"])
    )
    read["discrete"] = st.checkbox(
        "Discretize output", key=ensure("discrete", values["discrete"]),
        help="Paint each region in its class's full colour, however unsure the network is "
        "(a regression: only the sign of the value, orange below 0 and blue above).",
    )  # fmt: skip
    read["palette"] = st.selectbox(
        "Colours", BY_KEY["palette"].choices, key=ensure("palette", values["palette"]),
        format_func={"playground": "TensorFlow Playground",
                     "okabe-ito": "Okabe–Ito (colour-blind safe)"}.get,
    )  # fmt: skip
    return read


def csv_widgets(regression: bool) -> None:
    kind = "a numeric target column (the number to predict" if regression else "a label column ("
    upload = st.file_uploader(
        "CSV file", type=["csv", "txt"], key=K.widget("upload"),
        help=f"Numeric feature columns and {kind}, named label, class or target, or the "
        "last one). Comma or semicolon, with or without a header.",
    )  # fmt: skip
    if upload is not None:
        data = upload.getvalue()
        digest = hashlib.sha1(data).hexdigest()
        if digest == state.get(K.CSV_REFUSED):
            pass  # this file broke the page once (see main): its error is shown, not retried
        elif state.get(K.CSV, {}).get("digest") != digest:
            try:
                columns = read_csv_columns(data)
            except (ValueError, TypeError) as error:
                state[K.CSV_ERROR] = f"{upload.name}: {error}"
            else:
                state[K.CSV] = {
                    "name": upload.name,
                    "bytes": data,
                    "digest": digest,
                    "columns": columns,
                }
                state[K.CSV_ERROR] = None
    if state.get(K.CSV_ERROR):
        st.error(state[K.CSV_ERROR] + " The previous data is kept.")
    csv = state.get(K.CSV)
    if csv is None:
        return
    columns = csv["columns"]
    label = st.selectbox(
        "Target column" if regression else "Label column", columns,
        index=columns.index(guess_label_column(columns)), key=K.widget("csv_label"),
    )  # fmt: skip
    rest = [c for c in columns if c != label]
    if len(rest) > 2:
        st.caption("The network trains on the two features you draw.")
        csv["features"] = (
            st.selectbox("x feature", rest, index=0, key=K.widget("csv_x")),
            st.selectbox("y feature", rest, index=1, key=K.widget("csv_y")),
        )
    else:
        csv["features"] = tuple(rest)
    csv["label"] = label


def features_widget(values: dict) -> tuple[str, ...]:
    """TensorFlow Playground's input features, switched on and off; at least one stays."""
    chosen = st.pills(
        "Input features", list(FEATURE_LABELS), selection_mode="multi",
        format_func=FEATURE_LABELS.get, key=ensure("features", list(values["features"])),
        help="What the network is given: the coordinates, their squares, their product, "
        "their sines. The pictures stay in the (X₁, X₂) plane.",
    )  # fmt: skip
    if not chosen:
        st.warning("Choose at least one input feature: the network keeps the ones it had.")
        return values["features"]
    return check_features(chosen)


def network_widgets(values: dict) -> dict:
    read = {"features": features_widget(values)}
    read["hidden"] = neurons_widgets(values)
    read["activation"] = st.selectbox(
        "Activation", BY_KEY["activation"].choices, key=ensure("activation", values["activation"])
    )
    if values["problem"] == "regression":
        st.caption("Output: one unit, the value itself (identity); its loss is half the "
                   "squared error (½ MSE).")  # fmt: skip
    else:
        read["output"] = st.selectbox(
            "Output", BY_KEY["output"].choices, key=ensure("output", values["output"]),
            help="softmax: one unit a class, cross-entropy. sigmoid: one unit, binary "
            "cross-entropy (two classes only).",
        )  # fmt: skip
    read["init"] = st.selectbox(
        "Initial weights", BY_KEY["init"].choices, key=ensure("init", values["init"])
    )
    read["init_seed"] = st.number_input(
        "Init seed", 0, MAX_SEED, key=ensure("init_seed", values["init_seed"])
    )
    return read


def training_widgets(values: dict, n_train: int) -> dict:
    read = {}
    read["batch_size"] = st.number_input(
        "Batch size", *span("batch_size"), key=ensure("batch_size", values["batch_size"]),
        help="Samples per step. At or above the training set's size: one full batch.",
    )  # fmt: skip
    if read["batch_size"] >= n_train:
        st.caption(f"Full batch: all {n_train} training points in every step.")
    read["speed"] = st.select_slider(
        "Speed", BY_KEY["speed"].choices, key=ensure("speed", values["speed"]),
        format_func=speed_label,
        help="What each picture shows more of: one minibatch step (watch SGD move the "
        "boundary step by step) up to several epochs.",
    )  # fmt: skip
    read["epochs"] = st.number_input(
        "Stop at epoch", *span("epochs"), key=ensure("epochs", values["epochs"]),
        help="0: never stop; Play runs until Pause. Otherwise training stops at this epoch; "
        "raise it and press Play to go on.",
    )  # fmt: skip
    read["optimizer"] = st.selectbox(
        "Optimizer", BY_KEY["optimizer"].choices, key=ensure("optimizer", values["optimizer"])
    )
    read["penalty"] = st.selectbox(
        "Regularization", PENALTIES, key=ensure("penalty", values["penalty"]),
        format_func=lambda p: {"none": "none", "l1": "L1", "l2": "L2"}[p],
    )  # fmt: skip
    if read["penalty"] != "none":
        read["penalty_rate"] = st.select_slider(
            "Regularization rate",
            options=state[K.OPTIONS]["penalty_rate"],
            key=ensure("penalty_rate", values["penalty_rate"]),
            format_func=lambda v: f"{v:g}",
        )
    read["shuffle_seed"] = st.number_input(
        "Shuffle seed", 0, MAX_SEED, key=ensure("shuffle_seed", values["shuffle_seed"])
    )
    return read


def sidebar(n_train: int) -> dict:
    """Draw the controls; return the settings they hold."""
    values = dict(state[K.SETTINGS])
    with st.sidebar:
        st.selectbox(
            "Preset", [NO_PRESET, *PRESETS], key=K.PRESET, on_change=apply_preset,
            help="Fills the controls with a ready set-up.",
        )  # fmt: skip
        if state[K.PRESET] in PRESETS:
            st.caption(PRESETS[state[K.PRESET]]["description"])
        values["lecture"] = st.toggle(
            "Lecture mode", key=ensure("lecture", values["lecture"]),
            help="Large type for a projector; only the headline controls stay.",
        )  # fmt: skip
        if values["lecture"]:  # the headline controls only, under the plot
            return values | headline_values(values)
        with st.expander("Data", expanded=True):
            values.update(data_widgets(values, n_train))
        with st.expander("Network", expanded=True):
            values.update(network_widgets(values))
        with st.expander("Training", expanded=True):
            values.update(training_widgets(values, n_train))
    return values | headline_values(values)


# -- data and run ---------------------------------------------------------------------------
@st.cache_resource(max_entries=32, show_spinner=False)
def toy_data(dataset: str, n: int, noise: float, classes: int, test_ratio: float, seed: int):
    """One copy of each data set for every session (a class on the defaults shares one),
    its arrays read-only so that no session can change another's data."""
    X, y = make_dataset(dataset, n, noise, seed, n_classes=classes if dataset == "spiral" else 2)
    parts = split(X, y, test_ratio, seed)
    for array in parts:
        array.flags.writeable = False
    if dataset in REGRESSION_DATASETS:  # numbers to predict: no classes
        return (*parts, None, None)
    return (*parts, classes if dataset == "spiral" else 2, None)


# -- main area ---------------------------------------------------------------------------------
def controls(run: LiveRun, lecture: bool) -> None:
    """Play, Step, Reset (and New init): one row on every screen, a phone's too."""
    playing = state[K.PLAYING]
    row = st.container(key="pg_buttons", horizontal=True, gap="small")
    row.button(
        "Pause" if playing else "Play", on_click=toggle_play, type="primary",
        icon=":material/pause:" if playing else ":material/play_arrow:",
        shortcut="P", help="Play or pause training (P)", key="pg_play",
    )  # fmt: skip
    row.button(
        "Step", on_click=step, shortcut="S", icon=":material/skip_next:",
        help="Train one epoch (S)",
    )  # fmt: skip
    row.button(
        "Reset", on_click=reset, shortcut="Home", icon=":material/replay:",
        help="Back to epoch 0 with the same seeds: the run replays exactly (Home)",
    )  # fmt: skip
    if lecture:  # Play, Step and Reset only
        return
    row.button(
        "New init", on_click=new_init, shortcut="N", icon=":material/casino:",
        help="Back to epoch 0 with other initial weights (N)", key="pg_new_init",
    )  # fmt: skip


# What the metrics and the chart call a run's loss and score: a classifier's cross-entropy
# and accuracy (a percentage), a regression's half mean squared error (the loss it
# minimises: MSE / 2, plus the penalty when there is one) and R² (1 is perfect, 0 is as good
# as predicting the mean, below 0 worse).
LOSS_NAMES = {False: "loss", True: "loss (½ MSE)"}
SCORE_NAMES = {False: "accuracy", True: "R²"}
SCORE_RANGES = {False: (0.0, 1.02), True: (-1.0, 1.02)}  # R² below -1: off the plot


def metric_row(run: LiveRun) -> None:
    history = run.history
    now = run.metrics()
    before = history[-2] if len(history) > 1 else None
    cols = st.columns(5)
    limit = state[K.SETTINGS]["epochs"]
    cols[0].metric(
        "Epoch", f"{run.epoch}", help=f"Training stops at {limit}." if limit else "No limit."
    )
    loss, score = LOSS_NAMES[run.regression], SCORE_NAMES[run.regression]
    train_loss, test_loss, train_score, test_score = run.curve_columns
    percent = not run.regression  # accuracy as a percentage, R² as a number
    for col, key, label in (
        (cols[1], train_loss, f"Train {loss}"),
        (cols[2], test_loss, f"Test {loss}"),
        (cols[3], train_score, f"Train {score}"),
        (cols[4], test_score, f"Test {score}"),
    ):
        value = now.get(key)
        if value is None:
            col.metric(label, "–")
            continue
        is_score = key in (train_score, test_score)
        number = ".1%" if is_score and percent else ".3f"
        text = f"{value:{number}}"
        if before is None or before.get(key) is None:
            col.metric(label, text)
            continue
        delta = value - before[key]
        shown = f"{delta:+{number}}"
        if float(shown.rstrip("%")) == 0:  # no change at the precision shown: grey, no sign
            col.metric(label, text, shown.lstrip("+-"), delta_color="off")
        else:
            col.metric(label, text, shown, delta_color="normal" if is_score else "inverse")


def frames_mode() -> bool:
    """True when the chart fetches its own frames while playing (app.py serves the route);
    False when the fragment ticks instead (the page run on its own, or under AppTest)."""
    return frames.serving()


def stop_if_the_chart_says_so() -> None:
    """The chart reports when the frame route said training stopped (epoch limit or
    divergence): then the page stops playing and draws afresh."""
    value = state.get(K.CHART) or {}
    seen = (value.get("session"), value.get("stopped", 0))
    if state[K.PLAYING] and seen[1] and seen != state.get(K.STOPPED_SEEN):
        state[K.STOPPED_SEEN] = seen
        state[K.PLAYING] = False
        st.rerun()


def live_view() -> None:
    """One frame: train a slice if playing (fragment mode), then draw. A fragment rerun
    does not pass through ``main``: it has the page's edge of its own."""
    try:
        frame()
    except Exception as error:
        failed(error)


def frame() -> None:
    lifecycle.keep_set_widgets(state)  # a report sent before the browser got the last page run
    if lifecycle.page_is_behind(state):
        st.rerun(scope="app")  # a click came with the chart's report: see page_is_behind
    if frames_mode():
        stop_if_the_chart_says_so()
        with frames.REGISTRY.lock(state.get(K.FRAME_TOKEN)):
            run = state[K.RUN]
            if state[K.PLAYING]:  # the chart reports every 30 frames while playing
                sync_url(state[K.SETTINGS], run)  # so that a reconnect replays to here
            draw(run)
        return
    run: LiveRun = state[K.RUN]
    if state[K.PLAYING]:
        started = time.perf_counter()
        run.tick()
        state[K.TICK_COST] = time.perf_counter() - started
        if run.finished:
            state[K.PLAYING] = False
            st.rerun()  # a full run, to stop the timer and relabel Play
        if time.monotonic() - state.get(K.URL_SYNCED, 0.0) > URL_EPOCH_SECONDS:
            sync_url(state[K.SETTINGS], run)
    draw(run)


def network_panel(run: LiveRun, values: dict) -> None:
    """The network as TensorFlow Playground draws it, live (netview): the page sends the
    weights on each run, and while playing the view fetches newer ones itself."""
    net = run.trainer.net
    live = frames_mode() and state[K.PLAYING]
    token = state.get(K.FRAME_TOKEN)
    back = rewind_epoch(run)
    with frames.REGISTRY.lock(token):
        weights, steps = net.flat_params.copy(), run.trainer.steps
        if back is not None:  # the timeline's past epoch
            weights = run.weights_at(back)
            steps = 0 if back == 0 else int(run.history[back - 1]["steps"])
    labels = [FEATURE_LABELS[f] for f in run.features]
    colors = PALETTES[values["palette"]]
    spec = network_spec(
        net, run.features, labels, weights, value_range=run.value_range, colors=colors[:2]
    )
    network_view(
        key=K.VIEW, net=spec, extent=run.extent,
        run_id=state[K.RUN_ID], steps=steps, playing=live,
        weights_url=f"{frames.WEIGHTS_PATH}/{token}" if live and token else None,
        lecture=values["lecture"], rewound=back is not None, on_change=view_clicked,
    )  # fmt: skip


def pinned_runs(run: LiveRun) -> list[tuple[int, dict, LiveRun]]:
    """The pinned runs, each caught up to the live run's epoch (index, pin, its run)."""
    found = []
    for i, pin in enumerate(state.get(K.PINS, [])):
        pinned = lifecycle.pin_at(pin, run.epoch, toy_data, state.get(K.DATA))
        if pinned is not None:
            found.append((i, pin, pinned))
    return found


def pinned_curves(run: LiveRun, values: dict) -> list[dict]:
    """The pinned runs' history up to the live epoch, for the chart's dashed curves."""
    return [
        {"label": lifecycle.pin_label(pin["settings"], values),
         "curves": pinned.history[: run.epoch]}
        for _, pin, pinned in pinned_runs(run)
    ]  # fmt: skip


def pins_row(run: LiveRun, values: dict) -> None:
    """Pin this run; each pinned run's boundary at the live run's epoch, and its Remove."""
    pins = state.get(K.PINS, [])
    with st.container(horizontal=True, key="pg_pin_row"):
        st.button(
            "Pin this run", icon=":material/push_pin:", disabled=len(pins) >= lifecycle.MAX_PINS,
            on_click=lifecycle.pin, args=(state, frames.REGISTRY.lock(state.get(K.FRAME_TOKEN))),
            help="Keep this run to compare with: change settings and play again; its curves "
            "stay on the plots, dashed, and its boundary beside the live one.",
        )  # fmt: skip
        for i, pin, pinned in pinned_runs(run):
            pinned.browser_paints, pinned.colors = False, run.colors
            epoch = min(run.epoch, pinned.epoch)
            picture, _ = pinned.picture_at(epoch)
            label = lifecycle.pin_label(pin["settings"], values)
            with st.container(width=150):
                st.image(picture, caption=f"{label} (epoch {epoch})", width=140)
                st.button("Remove", key=f"{K.PINS}_remove_{i}", on_click=lifecycle.unpin,
                          args=(state, i))  # fmt: skip


def rewind_epoch(run: LiveRun) -> int | None:
    """The past epoch the timeline shows, or None for the newest (always while playing)."""
    back = state.get(K.REWIND)
    if state[K.PLAYING] or back is None or not 0 <= back < run.epoch:
        return None
    return back


def timeline(run: LiveRun) -> None:
    """Go back over the epochs played: the boundary, the diagram and the metrics show the
    epoch picked; Play (or the slider back at the end) goes on from the newest."""
    if state[K.PLAYING] or run.epoch < 1:
        return
    back = rewind_epoch(run)
    st.slider(
        "Timeline: look back to epoch", 0, run.epoch, run.epoch if back is None else back,
        key=f"{K.TIMELINE}_{state[K.RUN_ID]}_{run.epoch}", on_change=timeline_moved,
        args=(f"{K.TIMELINE}_{state[K.RUN_ID]}_{run.epoch}", run.epoch),
        help="Every epoch's weights are rebuilt exactly from checkpoints. Training goes on "
        "from the newest epoch, not from the one shown.",
    )  # fmt: skip


def timeline_moved(key: str, newest: int) -> None:
    state[K.REWIND] = None if state[key] >= newest else int(state[key])


def reconnect_anchor() -> None:
    """Draws nothing: its timer (RECONNECT_SECONDS) makes a reconnect rerun the page."""


def confusion_view() -> None:
    """With more than two classes: which classes the network confuses, train and test."""
    with frames.REGISTRY.lock(state.get(K.FRAME_TOKEN)):  # the frame route may be training
        run: LiveRun = state[K.RUN]
        matrices, epoch = run.confusion(), run.epoch
    lecture = state[K.SETTINGS]["lecture"]
    with st.expander(f"Which classes it confuses (epoch {epoch})", expanded=True):
        for col, (name, matrix) in zip(st.columns(len(matrices)), matrices.items(), strict=True):
            figure = confusion_figure(matrix, name, lecture=lecture)
            col.plotly_chart(figure, key=f"confusion_{name}", config={"displayModeBar": False})


def draw(run: LiveRun) -> None:
    """The status line, the metrics and the chart. Where the chart fetches its own frames
    (the app), it shows the epoch and the metrics itself, playing or paused, so nothing on
    the page moves when Play is pressed; elsewhere the page shows them."""
    app = frames_mode()
    live = app and state[K.PLAYING]
    status = "training" if state[K.PLAYING] else "paused"
    if run.diverged:
        status = "stopped"
        st.error(run.diverged)
    elif run.epoch >= run.epochs:
        status = "done"
    if not app:
        st.markdown(f"**Epoch {run.epoch}** · {status}")
        metric_row(run)
    values = state[K.SETTINGS]
    _, X_train, X_test, y_train, y_test, n_classes, class_names = state[K.DATA]
    regression = run.regression
    # A regression's points carry their values, coloured on the picture's scale (the
    # palette's first two colours, full strength) with a colour bar; a classifier's classes.
    colors = list(PALETTES[values["palette"]][: n_classes or 2])
    scale = value_scale(run.value_range, colors) if regression else None
    # Where the app serves the script, the browser paints the boundary from the weights
    # (the frames carry 322 numbers, the server makes no picture), unless the network is
    # too large for a browser to paint in time: then the server's PNG.
    run.browser_paints = app and run.paint_cost() <= BROWSER_PAINT_LIMIT
    back = rewind_epoch(run)
    if back is None:
        image, step = run.picture(), run.trainer.steps
    else:  # the timeline shows a past epoch (frame() holds the run's lock)
        image, step = run.picture_at(back)
        status = f"looking back · the newest is epoch {run.epoch}"
    live_chart(
        key=K.CHART,
        points=pack_points(X_train, y_train, X_test, y_test, values=regression),
        points_rev=state[K.POINTS_REV],
        image=image,
        extent=run.extent,
        curves=run.history,
        run_id=state[K.RUN_ID],
        lineage=lifecycle.lineage(state, run),
        replayed=lifecycle.replayed(state),
        epoch=run.epoch,
        step=step,
        rewind=back,
        pins=pinned_curves(run, values),
        progress=run.progress,
        lecture=values["lecture"],
        show_test=values["show_test"],
        colors=colors,
        class_names=class_names,
        color_scale=scale,
        value_name=value_name(values) if regression else "value",
        curve_columns=run.curve_columns,
        loss_name=LOSS_NAMES[regression],
        score_name=SCORE_NAMES[regression],
        score_percent=not regression,
        score_range=SCORE_RANGES[regression],
        frames_url=f"{frames.FRAME_PATH}/{state[K.FRAME_TOKEN]}" if live else None,
        playing=live,
        status=status if app else None,
        link_epoch="epoch",  # the link's restore point: see restore_point
        link_playing="play",
        painter=painter(
            run.trainer.net, run.features, run.extent, run.grid_size, colors,
            script_url=f"{frames.SCRIPTS_PATH}/forward.js", discrete=run.discrete,
            value_range=run.value_range, target=run.target,
        ) if run.browser_paints else None,
    )  # fmt: skip


def value_name(values: dict) -> str:
    """What hovering a regression's point calls its number: the CSV's target column."""
    csv = state.get(K.CSV) if values["dataset"] == "csv" else None
    return csv["label"] if csv and "label" in csv else "value"


def sync_url(values: dict, run: LiveRun) -> None:
    query = lifecycle.url_query(state, values, run)
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
    state[K.URL_SYNCED] = time.monotonic()


def show_messages() -> None:
    """The warnings and errors kept for this run (bad link parameters, a failed run)."""
    for notice in state[K.NOTICES]:
        st.warning(notice)
    for error in state[K.ERRORS]:
        st.error(error)
    state[K.NOTICES], state[K.ERRORS] = [], []


def page() -> None:
    lifecycle.start(state, st.query_params.to_dict())
    lifecycle.after_roll_back(state)
    lifecycle.page_draws_widgets(state)
    data_before = state.get(K.DATA)
    n_train = len(data_before[1]) if data_before else 1000
    values = sidebar(n_train)
    if values["lecture"]:
        st.markdown(LECTURE_CSS, unsafe_allow_html=True)
    st.markdown(PAGE_CSS + STAGE_CSS, unsafe_allow_html=True)
    st.title("scratchnet Playground")
    if not values["lecture"]:
        st.container(key="pg_intro").caption(
            "A neural network written from scratch in NumPy. Press Play and watch it learn: "
            + (
                "the background colour is the number it predicts, orange below 0, white at 0, "
                "blue above (the colour bar); each point is coloured by its own value."
                if values["problem"] == "regression"
                else "the background colour is the class it predicts, paler where it is unsure."
            )
        )
    show_messages()
    data, message = lifecycle.load_data(state, values, toy_data)
    if message:
        (st.info if data is None else st.error)(message)
    if data is None:
        st.stop()
    with frames.REGISTRY.lock(state.get(K.FRAME_TOKEN)):
        run, error, restarted = lifecycle.current_run(state, values, data)
        if error:
            st.error(error)
        if run is None:
            st.stop()
        if restarted:
            st.toast(
                "The data or the network changed, so training starts again.",
                icon=":material/refresh:",
            )
        lifecycle.restore(
            state,
            run,
            lambda epoch: st.spinner(f"Training up to epoch {epoch}, where this link left off..."),
        )
    state[K.SETTINGS] = values
    sync_url(values, run)
    if frames_mode():
        token = state.get(K.FRAME_TOKEN)
        state[K.FRAME_TOKEN] = frames.REGISTRY.put(
            token, run, state[K.RUN_ID], state[K.PLAYING], session=frames.current_session(),
            replayed=lifecycle.replayed(state),
        )  # fmt: skip
    controls(run, values["lecture"])
    ticking = state[K.PLAYING] and not frames_mode()
    # The stage (see STAGE_CSS): the network beside the boundary on a wide screen, under
    # it otherwise; the headline sliders always right under the plot.
    with st.container(key="pg_stage"):
        chart_column, network_column = st.columns([3, 2], gap="medium")
        with chart_column:
            st.fragment(live_view, run_every=FRAME_SECONDS if ticking else None)()
            headline(values)
            timeline(run)
        with network_column:
            network_panel(run, values)
            if not values["lecture"]:
                pins_row(run, values)
    if run.n_classes is not None and run.n_classes > 2:  # a regression has no classes
        every = CONFUSION_SECONDS if state[K.PLAYING] else None
        st.fragment(confusion_view, run_every=every)()
    if not values["lecture"]:
        export_panel(run, values)
    if state[K.PLAYING] and frames_mode():  # last: no element above it moves when it comes
        st.fragment(reconnect_anchor, run_every=RECONNECT_SECONDS)()
    lifecycle.remember_good(state)
    state[K.PAGE_INPUTS] = lifecycle.page_inputs(state)


def export_panel(run: LiveRun, values: dict) -> None:
    """Take the run home: each file is made when its button is pressed (see ui.export)."""
    lock = frames.REGISTRY.lock(state.get(K.FRAME_TOKEN))
    names = state[K.DATA][6] if state.get(K.DATA) else None
    files = export.downloads(values, run, lock, state.get(K.CSV), names)
    with st.expander("Take this run home", icon=":material/download:"):
        for column, file in zip(st.columns(4) * 2, files, strict=False):
            column.download_button(file.label, file.make, file_name=file.file_name,
                                   mime=file.mime, help=file.help, on_click="ignore")  # fmt: skip


def failed(error: Exception) -> None:
    """The page's edge: a run that raised shows what to do instead of a traceback, and the
    last state that drew is put back (then the page runs again to draw it)."""
    logging.getLogger(__name__).exception("The Playground failed to draw")
    message = (
        f"Something went wrong while drawing the page ({type(error).__name__}: {error}). "
        "The last settings that worked are back; change a setting, or press Reset."
    )
    if lifecycle.roll_back(state, message):
        st.rerun()
    show_messages()
    st.info("Reload the page to start again with the default settings.")


def main() -> None:
    state[K.PAGE_RUNNING] = True
    try:
        page()
    except Exception as error:  # st.stop and st.rerun are not Exceptions: they pass
        failed(error)
    finally:
        state[K.PAGE_RUNNING] = False


main()
