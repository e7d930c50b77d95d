"""Experiments: many networks trained at once, as the blog post wished it could.

Three experiments on one data set and one set of training settings: accuracy against
the number of hidden neurons (the blog's ``test_class``), one configuration trained
many times (its ``test``), and a learning-rate x neurons grid. The problem may be a
regression too (TF Playground's "plane" and "multi-gaussian"): the same experiments then
score the networks by their test R² (and test MSE) instead of accuracy.

Widgets, session state and layout only. The training is scratchnet.sweep, the figures
scratchnet.sweep_plots. A sweep's chunks train in a few worker processes of this machine
(ui.settings.MAX_SWEEP_WORKERS), one sweep at a time for the whole server, the others
queued; or, when the server is started with SCRATCHNET_DASK_SCHEDULER=tcp://host:8786, on
that Dask cluster. A fragment collects the finished chunks a second at a time, so the page
stays live and Cancel can be clicked; what finished is kept.
"""

from __future__ import annotations

import logging
import os
import time

import streamlit as st

from scratchnet.activations import ACTIVATIONS
from scratchnet.datasets import (
    DATASETS,
    DEFAULT_NOISE,
    REGRESSION_DATASETS,
    make_dataset,
    split,
)
from scratchnet.presets import BLOG_ACCURACY, PRESETS
from scratchnet.sweep import (
    Sweep,
    SweepRunner,
    default_workers,
    neuron_range,
    plan_sweep,
    score_name,
    summarize,
)
from scratchnet.sweep_plots import grid_heatmap, neurons_figure, repeated_runs_figure
from ui import keys as K
from ui.links import LinkParam, link_query, read_link
from ui.settings import (
    BY_KEY,
    DASK_CONNECT_SECONDS,
    DASK_SCHEDULER_ENV,
    MAX_SWEEP_EPOCHS,
    MAX_SWEEP_RUNS,
    MAX_SWEEP_SECONDS,
    MAX_SWEEP_TRIALS,
    MAX_SWEEP_WORKERS,
    MAX_UI_NEURONS,
    SWEEP_CHUNK_SIZE,
)

KINDS = {
    "neurons": "Accuracy vs neurons",
    "repeats": "Repeated runs",
    "grid": "Learning rate × neurons",
}
TASKS = {"classification": "Classification", "regression": "Regression"}
TASK_DATASETS = {"classification": DATASETS, "regression": REGRESSION_DATASETS}
SCORE_NAMES = {"acc": "accuracy", "r2": "R²"}  # sweep.score_name -> how the page says it
LEARNING_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
GRID_RATES = (1e-4, 1e-3, 0.01, 0.1)  # the grid's rates at the start
DEFAULT_PRESET = "moons-blog"
SAMPLES, NOISE, BATCH = BY_KEY["n_samples"], BY_KEY["noise"], BY_KEY["batch_size"]
STEP_SECONDS = 1.0  # the longest wait for a chunk per rerun of the progress fragment
REFRESH_SECONDS = 0.1  # the fragment's run_every while a sweep runs: soon after the last
CACHE_ENTRIES = 20
# The page's settings in its link (ui.links): name in the link, widget key, what it may be.
EX_LINK = (
    LinkParam("task", K.EX_TASK, choices=tuple(TASKS)),
    LinkParam("exp", K.EX_KIND, choices=tuple(KINDS)),
    LinkParam("preset", K.EX_PRESET, choices=tuple(PRESETS)),
    LinkParam("data", K.EX_DATASET, choices=(*DATASETS, *REGRESSION_DATASETS)),
    LinkParam("n", K.EX_SAMPLES, int, SAMPLES.low, SAMPLES.high),
    LinkParam("noise", K.EX_NOISE, float, NOISE.low, NOISE.high),
    LinkParam("act", K.EX_ACTIVATION, choices=tuple(ACTIVATIONS)),
    LinkParam("batch", K.EX_BATCH, int, BATCH.low, BATCH.high),
    LinkParam("lr", K.EX_LR, choices=LEARNING_RATES),
    LinkParam("h", K.EX_HIDDEN, int, 1, MAX_UI_NEURONS),
    LinkParam("runs", K.EX_RUNS, int, 0, MAX_SWEEP_RUNS),
    LinkParam("run_epochs", K.EX_RUN_EPOCHS, int, 1, MAX_SWEEP_EPOCHS),
    LinkParam("min", K.EX_MIN_NEURONS, int, 1, MAX_UI_NEURONS),
    LinkParam("max", K.EX_MAX_NEURONS, int, 1, MAX_UI_NEURONS),
    LinkParam("trials", K.EX_TRIALS, int, 0, MAX_SWEEP_TRIALS),
    LinkParam("epochs", K.EX_EPOCHS, int, 1, MAX_SWEEP_EPOCHS),
    LinkParam("rates", K.EX_RATES, choices=LEARNING_RATES, many=True),
)
# Every widget here has persist_state="session": it keeps its value while it is not drawn
# (the inputs of another experiment, or this whole page while another one is shown).

state = st.session_state


# -- state ---------------------------------------------------------------------------------
def preset_widgets(name: str) -> dict:
    """Widget values of preset ``name``: its data and training settings. Its epochs go to
    the repeated runs (a preset is one configuration); a sweep keeps its own."""
    data, params = PRESETS[name]["data"], PRESETS[name]["params"]
    batch = params["batch_size"]
    return {
        K.EX_DATASET: data["dataset"],
        K.EX_SAMPLES: min(data["n_samples"], SAMPLES.high),
        K.EX_NOISE: float(data["noise"]),
        K.EX_ACTIVATION: params["activation"],
        K.EX_RUN_EPOCHS: min(params["epochs"], MAX_SWEEP_EPOCHS),
        K.EX_BATCH: min(data["n_samples"], BATCH.high) if batch == "full" else batch,
        K.EX_LR: min(LEARNING_RATES, key=lambda r: abs(r - params["learning_rate"])),
        K.EX_HIDDEN: min(params["hidden_layer_sizes"][0], MAX_UI_NEURONS),
    }


def default_widgets() -> dict:
    """A session's first settings: the moons-blog preset and the blog's own experiments,
    ``test_class(3, 40, 3)`` at 100 epochs and ``test()``: 100 runs at 10."""
    return {
        **preset_widgets(DEFAULT_PRESET),
        K.EX_PRESET: DEFAULT_PRESET, K.EX_TASK: "classification", K.EX_KIND: "neurons",
        K.EX_MIN_NEURONS: 3, K.EX_MAX_NEURONS: 39, K.EX_TRIALS: 3, K.EX_EPOCHS: 100,
        K.EX_RUNS: 100, K.EX_RATES: list(GRID_RATES),
    }  # fmt: skip


def init_state() -> None:
    """On a session's first run: the default settings, and over them the link's."""
    if K.EX_RESULTS in state:
        return
    state.update(default_widgets())
    values, notices = read_link(st.query_params.to_dict(), EX_LINK)
    if values.get(K.EX_DATASET) in REGRESSION_DATASETS and K.EX_TASK not in values:
        values[K.EX_TASK] = "regression"  # the data set says which problem
    state.update(values)
    state[K.EX_RUN] = None
    state[K.EX_RESULTS] = {}
    state[K.EX_CACHE] = {}
    state[K.EX_NOTICE] = " ".join(notices) or None
    state[K.EX_ERROR] = None


def sync_link() -> None:
    """The settings that differ from the defaults, in the address bar: a copied link opens
    the same experiment."""
    query = link_query(state, EX_LINK, default_widgets())
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)


def apply_preset() -> None:
    values = preset_widgets(state[K.EX_PRESET])
    if state[K.EX_TASK] == "regression":  # a preset's data set is a classification one
        del values[K.EX_DATASET], values[K.EX_NOISE]
    state.update(values)


def fit_data_to_task() -> None:
    """Keep the data set one of the problem type's: after a switch, its default set (the
    preset's for classification, the first regression set) with that set's noise."""
    task = state[K.EX_TASK]
    if state[K.EX_DATASET] in TASK_DATASETS[task]:
        return
    if task == "classification":
        data = preset_widgets(state[K.EX_PRESET])
        state[K.EX_DATASET], state[K.EX_NOISE] = data[K.EX_DATASET], data[K.EX_NOISE]
    else:
        dataset = REGRESSION_DATASETS[0]
        state[K.EX_DATASET], state[K.EX_NOISE] = dataset, float(DEFAULT_NOISE[dataset])


def result_key(task: str, kind: str) -> str:
    """Where experiment ``kind``'s last result of a ``task`` problem is kept in EX_RESULTS."""
    return kind if task == "classification" else f"regression {kind}"


def kind_label(kind: str, task: str) -> str:
    """How experiment ``kind`` is named for a ``task`` problem."""
    return "R² vs neurons" if kind == "neurons" and task == "regression" else KINDS[kind]


# -- inputs --------------------------------------------------------------------------------
def sidebar() -> None:
    """The data and the training settings shared by every experiment."""
    keep = "session"
    with st.sidebar:
        st.segmented_control(
            "Problem", list(TASKS), key=K.EX_TASK, persist_state=keep, format_func=TASKS.get,
            required=True, on_change=fit_data_to_task,
            help="Classification: the networks predict a class, scored by accuracy. "
            "Regression: they predict a number, scored by R².",
        )  # fmt: skip
        fit_data_to_task()  # also when the problem was set some other way
        task = state[K.EX_TASK]
        st.selectbox(
            "Preset",
            list(PRESETS),
            key=K.EX_PRESET,
            persist_state=keep,
            on_change=apply_preset,
            help="Fills in the data and training settings.",
        )
        st.caption(PRESETS[state[K.EX_PRESET]]["description"])
        with st.expander("Data", expanded=True):
            dataset = st.selectbox(
                "Dataset", TASK_DATASETS[task], key=K.EX_DATASET, persist_state=keep
            )
            st.number_input(
                "Samples", int(SAMPLES.low), int(SAMPLES.high), step=100, key=K.EX_SAMPLES,
                persist_state=keep,
            )  # fmt: skip
            st.number_input(
                "Noise",
                float(NOISE.low),
                float(NOISE.high),
                step=0.05,
                key=K.EX_NOISE,
                persist_state=keep,
                help=f"Default for {dataset}: {DEFAULT_NOISE[dataset]}",
            )
        with st.expander("Training", expanded=True):
            st.selectbox("Activation", list(ACTIVATIONS), key=K.EX_ACTIVATION, persist_state=keep)
            st.number_input(
                "Batch size",
                int(BATCH.low),
                int(BATCH.high),
                key=K.EX_BATCH,
                persist_state=keep,
                help="The training set's size or more: full batch.",
            )
            st.select_slider(
                "Learning rate",
                LEARNING_RATES,
                key=K.EX_LR,
                persist_state=keep,
                format_func=lambda r: f"{r:g}",
            )
        output = "an identity output, " if task == "regression" else "output, "
        st.caption(
            f"Every network here has one hidden layer; the rest of its settings ({output}"
            "initialisation, optimiser) come from the preset."
        )


def experiment_inputs(kind: str) -> None:
    """The inputs of one experiment, and Run."""
    keep = "session"
    cols = st.columns([1, 1, 1, 1, 1.2], vertical_alignment="bottom")
    if kind == "repeats":
        cols[0].number_input(
            "Hidden neurons", 1, MAX_UI_NEURONS, key=K.EX_HIDDEN, persist_state=keep
        )
        cols[1].number_input(
            "Runs", 0, MAX_SWEEP_RUNS, key=K.EX_RUNS, persist_state=keep,
            help="Seeds 0, 1, ...: one network each.",
        )  # fmt: skip
        cols[2].number_input("Epochs", 1, MAX_SWEEP_EPOCHS, key=K.EX_RUN_EPOCHS, persist_state=keep)
    else:
        neurons = {"min_value": 1, "max_value": MAX_UI_NEURONS, "persist_state": keep}
        cols[0].number_input("Min neurons", key=K.EX_MIN_NEURONS, **neurons)
        cols[1].number_input("Max neurons", key=K.EX_MAX_NEURONS, **neurons)
        cols[2].number_input(
            "Trials", 0, MAX_SWEEP_TRIALS, key=K.EX_TRIALS, persist_state=keep,
            help="Networks per hidden size, seeds 0, 1, ...",
        )  # fmt: skip
        cols[3].number_input("Epochs", 1, MAX_SWEEP_EPOCHS, key=K.EX_EPOCHS, persist_state=keep)
        if kind == "grid":
            st.multiselect(
                "Learning rates", LEARNING_RATES, key=K.EX_RATES, persist_state=keep,
                format_func=lambda r: f"{r:g}",
            )  # fmt: skip
    cols[4].button(
        "Run", type="primary", disabled=state[K.EX_RUN] is not None, on_click=start,
        args=(kind,), width="stretch",
    )  # fmt: skip


def read_settings(kind: str) -> dict:
    """The problem type, data and training settings that the widgets hold, for experiment
    ``kind``. A regression takes the preset's settings but its output (identity)."""
    preset = PRESETS[state[K.EX_PRESET]]
    task = state[K.EX_TASK]
    epochs = state[K.EX_RUN_EPOCHS] if kind == "repeats" else state[K.EX_EPOCHS]
    not_shared = {"hidden_layer_sizes"} | ({"output"} if task == "regression" else set())
    params = {
        **{k: v for k, v in preset["params"].items() if k not in not_shared},
        "activation": state[K.EX_ACTIVATION],
        "epochs": int(epochs),
        "batch_size": int(state[K.EX_BATCH]),
        "learning_rate": float(state[K.EX_LR]),
    }
    data = {
        **preset["data"],
        "dataset": state[K.EX_DATASET],
        "n_samples": int(state[K.EX_SAMPLES]),
        "noise": float(state[K.EX_NOISE]),
    }
    return {"task": task, "data": data, "params": params}


def read_inputs(kind: str) -> dict:
    """The inputs of experiment ``kind`` that the widgets hold."""
    if kind == "repeats":
        return {"hidden": int(state[K.EX_HIDDEN]), "runs": int(state[K.EX_RUNS])}
    inputs = {
        "min": int(state[K.EX_MIN_NEURONS]),
        "max": int(state[K.EX_MAX_NEURONS]),
        "trials": int(state[K.EX_TRIALS]),
    }
    if kind == "grid":
        inputs["rates"] = sorted(state[K.EX_RATES])
    return inputs


# -- running -------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _runner(address: str | None) -> SweepRunner:
    runner = SweepRunner(
        address, workers=default_workers(MAX_SWEEP_WORKERS), connect_seconds=DASK_CONNECT_SECONDS
    )
    if not runner.on_cluster:
        runner.pool()  # its processes start now, in the background, not with the first sweep
    return runner


def sweep_runner() -> SweepRunner:
    """Where this server trains sweeps, one for every session: the Dask cluster named by the
    server's environment (never by a student), else this machine's worker processes."""
    address = os.environ.get(DASK_SCHEDULER_ENV, "").strip() or None
    runner = state[K.EX_RUNNER] = _runner(address)
    return runner


def where_view(runner: SweepRunner) -> None:
    """One line on where sweeps train, or why the configured cluster is not used."""
    if runner.on_cluster:
        st.caption(f"Running on a Dask cluster of {runner.cluster_workers()} workers.")
    elif runner.problem:
        st.warning(runner.problem)
    elif runner.client is not None:
        st.warning("The Dask cluster is not answering now; sweeps run on this machine.")
    else:
        st.caption(
            f"Sweeps train in {runner.workers} worker process{'es' if runner.workers > 1 else ''}"
            f" of this machine, one sweep at a time for everyone on this server."
        )


@st.cache_data(max_entries=16, show_spinner=False)
def toy_data(dataset: str, n: int, noise: float, test_ratio: float, seed: int):
    X, y = make_dataset(dataset, n, noise, seed)
    return split(X, y, test_ratio, seed)


def sweep_arguments(kind: str, settings: dict, inputs: dict) -> tuple[tuple, dict]:
    """run_sweep's (hidden_sizes, n_trials) and keyword arguments for these inputs."""
    params = dict(settings["params"])
    if kind == "repeats":
        if inputs["runs"] < 1:
            raise ValueError(f"Runs must be at least 1 (one network each). Got {inputs['runs']}.")
        return ([inputs["hidden"]], inputs["runs"]), params
    sizes = neuron_range(inputs["min"], inputs["max"])
    if kind == "grid":
        del params["learning_rate"]
        params["learning_rates"] = sorted(inputs["rates"])
    return (sizes, inputs["trials"]), params


def start(kind: str) -> None:
    """Run's callback: check the settings and start the sweep, or say why not (the results
    stay as they were)."""
    settings, inputs = read_settings(kind), read_inputs(kind)
    d = settings["data"]
    task = settings["task"]
    key = repr(
        (kind, task, sorted(d.items()), sorted(settings["params"].items()),
         sorted(inputs.items()))
    )  # fmt: skip
    cached = state[K.EX_CACHE].get(key)
    if cached is not None:
        result = {"df": cached, "settings": settings, "note": "cached"}
        state[K.EX_RESULTS][result_key(task, kind)] = result
        return
    try:
        (sizes, trials), params = sweep_arguments(kind, settings, inputs)
        if d["dataset"] not in TASK_DATASETS[task]:
            raise ValueError(
                f"The data set {d['dataset']!r} is not a {task} problem; choose one of "
                f"{', '.join(TASK_DATASETS[task])}."
            )
        data = toy_data(d["dataset"], d["n_samples"], d["noise"], d["test_ratio"], d["data_seed"])
        X_train, X_test, y_train, y_test = data
        plan = plan_sweep(
            X_train, y_train, X_test, y_test, sizes, trials, chunk_size=SWEEP_CHUNK_SIZE,
            task=task, **params,
        )  # fmt: skip
    except (ValueError, TypeError) as error:
        state[K.EX_ERROR] = str(error)
        return
    runner = sweep_runner()
    workers = runner.cluster_workers() if runner.on_cluster else runner.workers
    seconds = plan.estimated_seconds() / max(1, min(workers, len(plan.chunks)))
    if seconds > MAX_SWEEP_SECONDS:
        state[K.EX_ERROR] = (
            f"This sweep of {len(plan.specs):,} networks would take about "
            f"{seconds / 60:,.0f} minutes here; this page runs sweeps of up to "
            f"{MAX_SWEEP_SECONDS // 60} minutes. Use fewer neurons, trials, epochs or samples, "
            f"a larger batch, or run it from Python with run_sweep(..., n_jobs=-1)."
        )
        return
    state[K.EX_RUN] = {
        "kind": kind,
        "key": key,
        "settings": settings,
        "sweep": runner.sweep(plan),
        "started": None,  # when its turn came
        "estimate": seconds,
    }


def finish(run: dict, cancelled: bool) -> None:
    """Keep what the sweep finished; cache it when it is complete."""
    sweep: Sweep = run["sweep"]
    if cancelled:
        sweep.cancel()  # the chunks not started never start
    df = sweep.results()
    state[K.EX_RUN] = None
    where = result_key(run["settings"]["task"], run["kind"])
    if not cancelled:
        cache = state[K.EX_CACHE]
        cache[run["key"]] = df
        while len(cache) > CACHE_ENTRIES:
            del cache[next(iter(cache))]
        state[K.EX_RESULTS][where] = {"df": df, "settings": run["settings"], "note": ""}
    elif len(df):
        note = f"Cancelled: {len(df)} of {sweep.n_networks} networks had finished."
        state[K.EX_RESULTS][where] = {"df": df, "settings": run["settings"], "note": note}
    else:
        state[K.EX_NOTICE] = "Cancelled before any network finished; the results are as before."


def progress_view() -> None:
    """While a sweep runs: collect its finished chunks, then show how far it got (a fragment)."""
    run = state[K.EX_RUN]
    if run is None:
        return
    sweep: Sweep = run["sweep"]
    if st.button("Cancel", key=K.EX_CANCEL, help="Stop; keep the networks that finished."):
        finish(run, cancelled=True)
        st.rerun()
    if sweep.error is not None:
        failed_view(run)
        return
    try:
        sweep.advance(max_seconds=STEP_SECONDS)
    except Exception as error:  # the page's edge: a message, never a traceback
        state[K.EX_RUN] = None
        state[K.EX_ERROR] = f"The sweep stopped: {type(error).__name__}: {error}"
        st.rerun()
    if sweep.done:
        finish(run, cancelled=False)
        st.rerun()
    if sweep.error is not None:
        failed_view(run)
        return
    if sweep.queued:
        ahead = sweep.turnstile.ahead(sweep)
        st.info(
            "Queued: another sweep is running, yours starts when it ends."
            + (f" {ahead} sweeps are before yours." if ahead > 1 else "")
        )
        return
    if run["started"] is None:
        run["started"] = time.perf_counter()
    elapsed = time.perf_counter() - run["started"]
    p = sweep.progress
    left = max(0.0, run["estimate"] - elapsed) if p == 0 else elapsed * (1 - p) / p
    st.progress(
        p,
        text=f"{kind_label(run['kind'], run['settings']['task'])}: "
        f"{sweep.networks_done:.0f} of {sweep.n_networks} networks "
        f"trained · about {left:.0f} s left",
    )


def failed_view(run: dict) -> None:
    """The sweep's cluster failed: say so, and offer to finish here or keep what finished."""
    sweep: Sweep = run["sweep"]
    st.error(sweep.error)
    cols = st.columns(2)
    if cols[0].button("Finish on this machine", key=K.EX_RESUME, type="primary"):
        state[K.EX_RUNNER].resume_here(sweep)
        st.rerun()
    if cols[1].button("Keep what finished", key=K.EX_KEEP):
        finish(run, cancelled=True)
        st.rerun()


# -- results -------------------------------------------------------------------------------
def download(df, kind: str) -> None:
    data = df.to_csv(index=False).encode()
    st.download_button("Download CSV", data, f"scratchnet-{kind}.csv", mime="text/csv")


def show_neurons(df) -> None:
    st.plotly_chart(neurons_figure(df), width="stretch")
    score = SCORE_NAMES[score_name(df)]
    st.caption(
        f"The line is the mean test {score} of each hidden size, the band one standard "
        f"deviation, each dot a network; the dashed line the mean training {score}. Test "
        "well below train would mean overfitting."
    )
    st.dataframe(summarize(df), hide_index=True, width="stretch")


def show_regression_repeats(df) -> None:
    """Test R² and test MSE of the runs, mean ± std, their histogram and every run."""
    cols = st.columns(2)
    for col, name, column, train in (
        (cols[0], "Test R²", "test_r2", f"Training R²: {df.train_r2.mean():.4f}."),
        (cols[1], "Test MSE", "test_mse", "Mean squared error on the test set."),
    ):
        mean, std = df[column].mean(), df[column].std(ddof=0)
        col.metric(
            f"{name}, {len(df)} runs", f"{mean:.4f} ± {std:.4f}",
            help=f"Mean ± standard deviation (ddof=0). {train}",
        )  # fmt: skip
    st.plotly_chart(repeated_runs_figure(df), width="stretch")
    st.dataframe(df, hide_index=True, width="stretch")


def show_repeats(df, settings: dict) -> None:
    if settings.get("task") == "regression":
        show_regression_repeats(df)
        return
    mean, std = df.test_acc.mean(), df.test_acc.std(ddof=0)
    blog_mean, blog_std = BLOG_ACCURACY
    cols = st.columns(2)
    cols[0].metric(
        f"Test accuracy, {len(df)} runs", f"{mean:.5f} ± {std:.4f}",
        help=f"Mean ± standard deviation (ddof=0, as the blog). Training accuracy: "
        f"{df.train_acc.mean():.5f}.",
    )  # fmt: skip
    cols[1].metric("The blog (moons-blog, 100 runs)", f"{blog_mean:.5f} ± {blog_std:.4f}")
    blog = PRESETS["moons-blog"]
    blog_params = {k: v for k, v in blog["params"].items() if k != "hidden_layer_sizes"}
    same = (
        settings["data"] == blog["data"]
        and settings["params"] == blog_params
        and set(df.hidden_size) == set(blog["params"]["hidden_layer_sizes"])
    )
    if not same:
        st.caption("These settings differ from the blog's, so its numbers are only a landmark.")
    st.plotly_chart(repeated_runs_figure(df, BLOG_ACCURACY, "the blog"), width="stretch")
    st.dataframe(df, hide_index=True, width="stretch")


def show_grid(df) -> None:
    st.plotly_chart(grid_heatmap(df), width="stretch")
    summary = summarize(df)
    mean = f"test_{score_name(df)}_mean"
    table = summary.pivot(index="learning_rate", columns="hidden_size", values=mean)
    st.dataframe(table, width="stretch")


def results(kind: str) -> None:
    result = state[K.EX_RESULTS].get(result_key(state[K.EX_TASK], kind))
    if result is None:
        if state[K.EX_RUN] is None:
            st.info("Choose the settings and press Run.")
        return
    df = result["df"]
    if result["note"] == "cached":
        st.caption("Same settings as before: the stored result, at once.")
    elif result["note"]:
        st.warning(result["note"])
    if kind == "neurons":
        show_neurons(df)
    elif kind == "repeats":
        show_repeats(df, result["settings"])
    else:
        show_grid(df)
    download(df, kind)


def page() -> None:
    init_state()
    sidebar()
    st.title("Experiments")
    st.caption(
        "Many networks trained at once, in lock-step: the blog's accuracy-vs-neurons sweep, "
        "111 networks of 100 epochs that it gave up on as too slow, takes seconds here."
    )
    task = state[K.EX_TASK]
    kind = st.segmented_control(
        "Experiment", list(KINDS), key=K.EX_KIND, persist_state="session",
        format_func=lambda k: kind_label(k, task), required=True,
    )  # fmt: skip
    experiment_inputs(kind)
    where_view(sweep_runner())
    for name, show in ((K.EX_ERROR, st.error), (K.EX_NOTICE, st.info)):
        if state[name]:
            show(state[name])
            state[name] = None
    running = state[K.EX_RUN] is not None
    st.fragment(progress_view, run_every=REFRESH_SECONDS if running else None)()
    results(kind)
    sync_link()


def main() -> None:
    """The page's edge: whatever raises while the page draws is shown with what to do, and
    the results already in the session stay (a sweep under way is stopped)."""
    try:
        page()
    except Exception as error:  # st.stop and st.rerun are not Exceptions: they pass
        logging.getLogger(__name__).exception("The Experiments page failed to draw")
        st.error(
            f"Something went wrong while drawing the page ({type(error).__name__}: {error}). "
            "Your settings and earlier results are kept; change a setting or run again."
        )


main()
