"""The Playground: press Play and watch a network learn, its decision boundary moving live.

Widgets, session state and layout only. The training, the boundary picture and the
settings' rules live in scratchnet.live and ui.settings.
"""

from __future__ import annotations

import hashlib
import os
import time

import streamlit as st

from livechart import live_chart, pack_points
from scratchnet.datasets import (
    guess_label_column,
    load_csv,
    make_dataset,
    read_csv_columns,
    split,
    standardize,
)
from scratchnet.live import LiveRun
from scratchnet.plots import CLASS_COLORS
from scratchnet.presets import PRESETS
from server import frames
from ui import keys as K
from ui.settings import (
    BY_KEY,
    DATA_KEYS,
    DEFAULTS,
    MAX_SEED,
    MAX_UI_NEURONS,
    MAX_UI_SAMPLES,
    PENALTIES,
    classifier_params,
    from_query,
    preset_values,
    reset_signature,
    to_query,
)

# Widget parameters never change within a session (Streamlit would reset a widget whose
# options or bounds change), so these lists are fixed; a link's value outside them is
# added once, when the session starts.
LEARNING_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 3.0, 10.0)
PENALTY_RATES = (1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
# A boundary update every 50 ms while playing: 20 a second (benchmarks may override it).
FRAME_SECONDS = float(os.environ.get("SCRATCHNET_FRAME_SECONDS", "0.05"))
NO_PRESET = "(your own settings)"
MAX_RESTORE_EPOCHS = 100_000
URL_EPOCH_SECONDS = 1.0  # while playing, the link's epoch is brought up to date this often
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
.stButton button { min-height: 3.4rem !important; }
</style>
"""

state = st.session_state


# -- state ---------------------------------------------------------------------------------
def write_widgets(values: dict) -> None:
    """Put ``values`` into the widgets' keys (before the widgets are drawn)."""
    for key, value in values.items():
        if key == "hidden":
            state[K.widget("layers")] = len(value)
            for i in range(6):
                state[K.widget(f"h{i}")] = value[i] if i < len(value) else 8
        else:
            state[K.widget(key)] = value


def init_state() -> None:
    """On a session's first run: the settings from the URL (bad ones named in warnings)."""
    if K.SETTINGS in state:
        return
    query = st.query_params.to_dict()
    values, notices = from_query(query)
    epoch, play = restore_point(query, notices)
    state[K.RESTORE] = (epoch, play) if epoch or play else None
    preset = st.query_params.get("preset")
    if preset in PRESETS:
        values = preset_values(preset, values)
    elif preset:
        notices.append(f"The link's preset={preset!r} is not one of {', '.join(PRESETS)}.")
    state[K.SETTINGS] = values
    state[K.NOTICES] = notices
    state[K.RUN_ID] = state[K.POINTS_REV] = 0
    state[K.PLAYING] = False
    state[K.PRESET] = preset if preset in PRESETS else NO_PRESET
    state[K.OPTIONS] = {
        "learning_rate": tuple(sorted({*LEARNING_RATES, values["learning_rate"]})),
        "penalty_rate": tuple(sorted({*PENALTY_RATES, values["penalty_rate"]})),
    }
    write_widgets(values)


def restore_point(query: dict, notices: list[str]) -> tuple[int, bool]:
    """The epoch and play state a link carries: where a page was when its server went away
    (or when it was copied). Same settings and seeds: replaying to it gives the same weights."""
    text = query.get("epoch", "0")
    epoch = int(text) if text.isdigit() and int(text) <= MAX_RESTORE_EPOCHS else 0
    if str(epoch) != text:
        notices.append(
            f"The link's epoch={text!r} is not a whole number up to {MAX_RESTORE_EPOCHS}; "
            "starting at epoch 0."
        )
    return epoch, query.get("play") == "1"


def apply_preset() -> None:
    name = state[K.PRESET]
    if name in PRESETS:
        values = preset_values(name, state[K.SETTINGS])  # its rates are in the fixed lists
        state[K.SETTINGS] = values
        write_widgets(values)


def toggle_play() -> None:
    run: LiveRun | None = state.get(K.RUN)
    if state[K.PLAYING] or run is None:
        state[K.PLAYING] = False
    elif run.diverged:
        state[K.NOTICES].append("Training diverged. Lower the learning rate, then press Play.")
    elif run.epoch >= run.epochs:
        state[K.NOTICES].append(f"Reached {run.epochs} epochs. Raise Epochs to train on.")
    else:
        state[K.PLAYING] = True


def step() -> None:
    state[K.PLAYING] = False
    if K.RUN in state:
        with frames.REGISTRY.lock(state.get(K.FRAME_TOKEN)):
            state[K.RUN].step_epoch()


def reset() -> None:
    """Start again with the same seeds: the run replays exactly."""
    state[K.PLAYING] = False
    state[K.RUN_SIGNATURE] = None


def new_init() -> None:
    """Start again from other initial weights (the next init seed)."""
    seed = (state[K.SETTINGS]["init_seed"] + 1) % (MAX_SEED + 1)
    state[K.SETTINGS]["init_seed"] = state[K.widget("init_seed")] = seed
    reset()


# -- sidebar ---------------------------------------------------------------------------------
def ensure(key: str, value: object) -> str:
    """The widget key for setting ``key``, holding ``value`` if the widget has none yet."""
    wkey = K.widget(key)
    if wkey not in state:
        state[wkey] = value
    return wkey


def neurons_widgets(values: dict, lecture: bool) -> tuple[int, ...]:
    hidden = values["hidden"]
    if lecture:  # the headline control only: the first layer's neurons
        if not hidden:
            return hidden
        first = st.slider("Hidden neurons", 1, MAX_UI_NEURONS, key=ensure("h0", hidden[0]))
        return (first, *hidden[1:])
    layers = st.slider("Hidden layers", 0, 6, key=ensure("layers", len(hidden)))
    sizes = []
    for i in range(layers):
        label = "Hidden neurons" if i == 0 else f"Neurons in layer {i + 1}"
        default = hidden[i] if i < len(hidden) else 8
        sizes.append(st.slider(label, 1, MAX_UI_NEURONS, key=ensure(f"h{i}", default)))
    return tuple(sizes)


def learning_rate_widget(values: dict) -> float:
    return st.select_slider(
        "Learning rate",
        options=state[K.OPTIONS]["learning_rate"],
        key=ensure("learning_rate", values["learning_rate"]),
        format_func=lambda v: f"{v:g}",
        help="Applies to the running network at once, as in TensorFlow Playground.",
    )


def data_widgets(values: dict, n_train: int) -> dict:
    dataset = st.selectbox(
        "Dataset", BY_KEY["dataset"].choices, key=ensure("dataset", values["dataset"]),
        format_func=lambda d: "Upload a CSV" if d == "csv" else d,
    )  # fmt: skip
    read = {"dataset": dataset}
    if dataset == "csv":
        csv_widgets()
    else:
        read["n_samples"] = st.slider(
            "Samples", 10, 10_000, step=10, key=ensure("n_samples", values["n_samples"])
        )
        read["noise"] = st.slider(
            "Noise", 0.0, 1.0, step=0.01, key=ensure("noise", values["noise"])
        )
        if dataset == "spiral":
            read["classes"] = st.slider(
                "Classes (spiral arms)", 2, 8, key=ensure("classes", values["classes"])
            )
    read["test_ratio"] = st.slider(
        "Test share", 0.0, 0.9, step=0.05, key=ensure("test_ratio", values["test_ratio"]),
        help="The share of the points held out to measure the test loss and accuracy.",
    )  # fmt: skip
    read["data_seed"] = st.number_input(
        "Data seed", 0, MAX_SEED, key=ensure("data_seed", values["data_seed"])
    )
    read["show_test"] = st.checkbox(
        "Show test points", key=ensure("show_test", values["show_test"])
    )
    return read


def csv_widgets() -> None:
    upload = st.file_uploader(
        "CSV file", type=["csv", "txt"], key=K.widget("upload"),
        help="Numeric feature columns and a label column (named label, class or target, "
        "or the last one). Comma or semicolon, with or without a header.",
    )  # fmt: skip
    if upload is not None:
        data = upload.getvalue()
        digest = hashlib.sha1(data).hexdigest()
        if state.get(K.CSV, {}).get("digest") != digest:
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
        "Label column", columns, index=columns.index(guess_label_column(columns)),
        key=K.widget("csv_label"),
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


def network_widgets(values: dict) -> dict:
    read = {"hidden": neurons_widgets(values, lecture=False)}
    read["activation"] = st.selectbox(
        "Activation", BY_KEY["activation"].choices, key=ensure("activation", values["activation"])
    )
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
    read = {"learning_rate": learning_rate_widget(values)}
    read["batch_size"] = st.number_input(
        "Batch size", 1, MAX_UI_SAMPLES, key=ensure("batch_size", values["batch_size"]),
        help="Samples per step. At or above the training set's size: one full batch.",
    )  # fmt: skip
    if read["batch_size"] >= n_train:
        st.caption(f"Full batch: all {n_train} training points in every step.")
    read["epochs"] = st.number_input(
        "Epochs", 1, 100_000, key=ensure("epochs", values["epochs"]),
        help="Training stops here; raise it and press Play to go on.",
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
        if values["lecture"]:
            values["hidden"] = neurons_widgets(values, lecture=True)
            values["learning_rate"] = learning_rate_widget(values)
            return values
        with st.expander("Data", expanded=True):
            values.update(data_widgets(values, n_train))
        with st.expander("Network", expanded=True):
            values.update(network_widgets(values))
        with st.expander("Training", expanded=True):
            values.update(training_widgets(values, n_train))
    return values


# -- data and run ---------------------------------------------------------------------------
@st.cache_resource(max_entries=32, show_spinner=False)
def toy_data(dataset: str, n: int, noise: float, classes: int, test_ratio: float, seed: int):
    """One copy of each data set for every session (a class on the defaults shares one),
    its arrays read-only so that no session can change another's data."""
    X, y = make_dataset(dataset, n, noise, seed, n_classes=classes if dataset == "spiral" else 2)
    parts = split(X, y, test_ratio, seed)
    for array in parts:
        array.flags.writeable = False
    return (*parts, classes if dataset == "spiral" else 2)


def csv_data(csv: dict, test_ratio: float, seed: int):
    X, y, info = load_csv(csv["bytes"], csv["label"], list(csv["features"]), return_info=True)
    if X.shape[1] != 2:
        raise ValueError("Pick two feature columns to draw and train on.")
    X_train, X_test, y_train, y_test = split(X, y, test_ratio, seed)
    X_train, X_test, _, _ = standardize(X_train, X_test)
    return X_train, X_test, y_train, y_test, len(info.classes)


def load_data(values: dict) -> tuple | None:
    """(signature, X_train, X_test, y_train, y_test, n_classes) for the settings, or the
    previous data with an error shown when the settings give no valid data."""
    if values["dataset"] == "csv":
        csv = state.get(K.CSV)
        if csv is None or "label" not in csv:
            st.info("Upload a CSV file in the sidebar to train on your own data.")
            return state.get(K.DATA)
        signature = (
            "csv",
            csv["digest"],
            csv["label"],
            csv["features"],
            values["test_ratio"],
            values["data_seed"],
        )
    else:
        signature = tuple(values[k] for k in DATA_KEYS)
    current = state.get(K.DATA)
    if current is not None and current[0] == signature:
        return current
    try:
        if values["dataset"] == "csv":
            parts = csv_data(csv, values["test_ratio"], values["data_seed"])
        else:
            parts = toy_data(*signature)
    except (ValueError, TypeError) as error:
        if current is not None:
            st.error(f"{error} The previous data is kept.")
            return current
        st.error(f"{error} Showing the default data instead.")
        signature = tuple(DEFAULTS[k] for k in DATA_KEYS)
        parts = toy_data(*signature)
    state[K.DATA] = (signature, *parts)
    state[K.POINTS_REV] += 1
    return state[K.DATA]


def current_run(values: dict, data: tuple) -> LiveRun | None:
    """The run for these settings: the same one (with a new learning rate or epoch limit
    applied live), or a new one when the data or the network changed."""
    signature = (data[0], reset_signature(values))
    run: LiveRun | None = state.get(K.RUN)
    if run is not None and state.get(K.RUN_SIGNATURE) == signature:
        if run.params["learning_rate"] != values["learning_rate"]:
            run.set_learning_rate(values["learning_rate"])
        if run.epochs != values["epochs"]:
            run.set_epochs(values["epochs"])
        return run
    _, X_train, X_test, y_train, y_test, n_classes = data
    try:
        new = LiveRun(
            X_train, y_train, X_test, y_test, classifier_params(values, len(X_train)), n_classes
        )
    except ValueError as error:
        st.error(f"{error} The previous network is kept.")
        return run
    if run is not None and state.get(K.RUN_SIGNATURE) is not None:
        st.toast(
            "The data or the network changed, so training starts again.", icon=":material/refresh:"
        )
    state[K.RUN], state[K.RUN_SIGNATURE] = new, signature
    state[K.RUN_ID] += 1
    return new


# -- main area ---------------------------------------------------------------------------------
def controls(run: LiveRun, lecture: bool) -> None:
    playing = state[K.PLAYING]
    cols = st.columns([1, 1, 1.2, 2] if lecture else [1, 1, 1.25, 1.25, 2.5])
    cols[0].button(
        "Pause" if playing else "Play", on_click=toggle_play, type="primary",
        icon=":material/pause:" if playing else ":material/play_arrow:",
        shortcut="P", use_container_width=True, help="Play or pause training (P)",
    )  # fmt: skip
    cols[1].button(
        "Step",
        on_click=step,
        shortcut="S",
        icon=":material/skip_next:",
        use_container_width=True,
        help="Train one epoch (S)",
    )
    cols[2].button(
        "Reset", on_click=reset, shortcut="Home", icon=":material/replay:",
        use_container_width=True,
        help="Back to epoch 0 with the same seeds: the run replays exactly (Home)",
    )  # fmt: skip
    if lecture:  # Play, Step and Reset only
        return
    cols[3].button(
        "New init", on_click=new_init, shortcut="N", icon=":material/casino:",
        use_container_width=True,
        help="Back to epoch 0 with other initial weights (N)",
    )  # fmt: skip


def metric_row(run: LiveRun) -> None:
    history = run.history
    now = run.metrics()
    before = history[-2] if len(history) > 1 else None
    cols = st.columns(5)
    cols[0].metric("Epoch", f"{run.epoch}", help=f"Training stops at {run.epochs}.")
    for col, key, label in (
        (cols[1], "train_loss", "Train loss"),
        (cols[2], "test_loss", "Test loss"),
        (cols[3], "train_acc", "Train accuracy"),
        (cols[4], "test_acc", "Test accuracy"),
    ):
        value = now.get(key)
        if value is None:
            col.metric(label, "–")
            continue
        accuracy = key.endswith("acc")
        text = f"{value:.1%}" if accuracy else f"{value:.3f}"
        if before is None or before.get(key) is None:
            col.metric(label, text)
            continue
        delta = value - before[key]
        shown = f"{delta:+.1%}" if accuracy else f"{delta:+.3f}"
        if float(shown.rstrip("%")) == 0:  # no change at the precision shown: grey, no sign
            col.metric(label, text, shown.lstrip("+-"), delta_color="off")
        else:
            col.metric(label, text, shown, delta_color="normal" if accuracy else "inverse")


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
    """One frame: train a slice if playing (fragment mode), then draw."""
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
    _, X_train, X_test, y_train, y_test, n_classes = state[K.DATA]
    colors = [CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(n_classes)]
    live_chart(
        key=K.CHART,
        points=pack_points(X_train, y_train, X_test, y_test),
        points_rev=state[K.POINTS_REV],
        image=run.boundary_png(),
        extent=run.extent,
        curves=run.history,
        run_id=state[K.RUN_ID],
        epoch=run.epoch,
        step=run.trainer.steps,
        lecture=values["lecture"],
        show_test=values["show_test"],
        colors=colors,
        frames_url=f"{frames.FRAME_PATH}/{state[K.FRAME_TOKEN]}" if live else None,
        playing=live,
        status=status if app else None,
        link_epoch="epoch",  # the link's restore point: see restore_point
        link_playing="play",
    )


def restore(run: LiveRun) -> None:
    """Once per session: train up to the link's epoch (a reconnect after a server went away)."""
    point = state.pop(K.RESTORE, None)
    if point is None or run.epoch:
        return
    epoch, play = point
    if epoch:
        with st.spinner(f"Training up to epoch {epoch}, where this link left off..."):
            run.replay_to(min(epoch, run.epochs))
    state[K.PLAYING] = play and not run.finished


def url_query(values: dict, run: LiveRun) -> dict[str, str]:
    """The link for this page: the settings that differ from the defaults, the epoch
    reached, and whether it is playing."""
    query = to_query(values)
    if run.epoch:
        query["epoch"] = str(run.epoch)
    if state[K.PLAYING]:
        query["play"] = "1"
    return query


def sync_url(values: dict, run: LiveRun) -> None:
    query = url_query(values, run)
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
    state[K.URL_SYNCED] = time.monotonic()


def main() -> None:
    init_state()
    data_before = state.get(K.DATA)
    n_train = len(data_before[1]) if data_before else 1000
    values = sidebar(n_train)
    if values["lecture"]:
        st.markdown(LECTURE_CSS, unsafe_allow_html=True)
    st.title("scratchnet Playground")
    if not values["lecture"]:
        st.caption(
            "A neural network written from scratch in NumPy. Press Play and watch it learn: "
            "the background colour is the class it predicts, paler where it is unsure."
        )
    for notice in state[K.NOTICES]:
        st.warning(notice)
    state[K.NOTICES] = []
    data = load_data(values)
    if data is None:
        st.stop()
    with frames.REGISTRY.lock(state.get(K.FRAME_TOKEN)):
        run = current_run(values, data)
        if run is None:
            st.stop()
        restore(run)
    state[K.SETTINGS] = values
    sync_url(values, run)
    if frames_mode():
        token = state.get(K.FRAME_TOKEN)
        state[K.FRAME_TOKEN] = frames.REGISTRY.put(
            token, run, state[K.RUN_ID], state[K.PLAYING], session=frames.current_session()
        )
    controls(run, values["lecture"])
    ticking = state[K.PLAYING] and not frames_mode()
    st.fragment(live_view, run_every=FRAME_SECONDS if ticking else None)()


main()
