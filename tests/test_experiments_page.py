"""The Experiments page through Streamlit's AppTest: tiny sweeps, progress, Cancel, errors,
and the server-wide line of sweeps (one at a time, the others queued)."""

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from scratchnet.datasets import DATASETS, DEFAULT_NOISE, REGRESSION_DATASETS, make_dataset, split
from scratchnet.presets import PRESETS
from scratchnet.sweep import repeated_runs, summarize
from ui import keys as K
from ui.settings import BY_KEY as SETTINGS
from ui.settings import MAX_SWEEP_EPOCHS, MAX_UI_NEURONS

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "experiments.py")

TINY = {K.EX_MIN_NEURONS: 3, K.EX_MAX_NEURONS: 5, K.EX_TRIALS: 1, K.EX_EPOCHS: 2,
        K.EX_SAMPLES: 200}  # fmt: skip
# One chunk that trains for many seconds in a worker process: still running when clicked at.
LONG = {**TINY, K.EX_EPOCHS: 1000, K.EX_SAMPLES: 10_000}
TIMEOUT = 180  # seconds to wait for a condition on a busy machine


def page(**values) -> AppTest:
    """The page after its first run, then with ``values`` put in its widgets."""
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    return set_values(at, values)


def set_values(at: AppTest, values: dict) -> AppTest:
    for key, value in values.items():
        at.session_state[key] = value
    return at.run() if values else at


def until(at: AppTest, condition, what: str) -> AppTest:
    """Rerun the page (as its fragment would) until ``condition(at)``; fail after TIMEOUT."""
    deadline = time.monotonic() + TIMEOUT
    while not condition(at):
        assert not at.exception, at.exception
        assert time.monotonic() < deadline, f"waited {TIMEOUT} s for {what}"
        at.run()
    return at


def running(at: AppTest) -> bool:
    return at.session_state[K.EX_RUN] is not None


def queued(at: AppTest) -> bool:
    return any(i.value.startswith("Queued: another sweep is running") for i in at.info)


def run(at: AppTest, wait: bool = True) -> AppTest:
    """Click Run; with ``wait``, rerun until the sweep has finished (or did not start)."""
    (button,) = [b for b in at.button if b.label == "Run"]
    at = button.click().run()
    return until(at, lambda a: not running(a), "the sweep to finish") if wait else at


def charts(at: AppTest) -> list:
    return at.get("plotly_chart")


def test_first_run_shows_the_blog_settings_and_no_results():
    at = page()
    assert not at.error and at.title[0].value == "Experiments"
    assert at.session_state[K.EX_PRESET] == "moons-blog"
    assert at.session_state[K.EX_LR] == PRESETS["moons-blog"]["params"]["learning_rate"]
    assert (at.session_state[K.EX_MIN_NEURONS], at.session_state[K.EX_MAX_NEURONS]) == (3, 39)
    assert (at.session_state[K.EX_TRIALS], at.session_state[K.EX_EPOCHS]) == (3, 100)
    assert at.session_state[K.EX_RUN_EPOCHS] == 10  # the preset's, as the blog's test()
    assert any("press Run" in i.value for i in at.info)
    assert not charts(at)


def test_a_tiny_sweep_shows_the_figure_table_and_download_then_comes_from_the_cache():
    at = run(page(**TINY))
    assert not at.exception and not at.error
    assert len(charts(at)) == 1 and len(at.dataframe) == 1
    assert at.get("download_button")
    df = at.session_state[K.EX_RESULTS]["neurons"]["df"]
    assert sorted(df.hidden_size) == [3, 4, 5] and (df.epochs_run == 2).all()
    at = run(at)
    assert any("stored result" in c.value for c in at.caption)
    assert at.session_state[K.EX_RESULTS]["neurons"]["df"] is df


BAD = [
    ({K.EX_MIN_NEURONS: 9, K.EX_MAX_NEURONS: 3}, "min_neurons (9) is larger than max_neurons (3)"),
    ({K.EX_TRIALS: 0}, "n_trials must be a whole number from 1"),
    ({K.EX_MIN_NEURONS: 1, K.EX_MAX_NEURONS: 128, K.EX_TRIALS: 40}, "at most 5,000"),
    (
        {
            K.EX_MIN_NEURONS: 1,
            K.EX_MAX_NEURONS: 128,
            K.EX_TRIALS: 20,
            K.EX_EPOCHS: 1000,
            K.EX_SAMPLES: 5000,
        },
        "would take about",
    ),
]


def test_bad_settings_show_an_error_and_keep_the_previous_results():
    at = run(page(**TINY))
    before = at.session_state[K.EX_RESULTS]["neurons"]["df"]
    for values, message in BAD:
        at = run(set_values(at, {**TINY, **values}))
        assert not at.exception
        assert len(at.error) == 1 and message in at.error[0].value, values
        assert at.session_state[K.EX_RUN] is None
        assert at.session_state[K.EX_RESULTS]["neurons"]["df"] is before
        assert len(charts(at)) == 1
        at = set_values(at, TINY)  # the next rerun clears the error
        assert not at.error


def test_a_long_sweep_shows_progress_and_cancel_keeps_what_finished():
    at = run(page(**LONG), wait=False)
    assert not at.exception and not at.error
    assert running(at)
    until(at, lambda a: not queued(a), "the sweeps of earlier tests to end")
    (bar,) = at.get("progress")
    assert "of 3 networks trained" in bar.proto.text and "left" in bar.proto.text
    (cancel,) = [b for b in at.button if b.label == "Cancel"]
    assert next(b for b in at.button if b.label == "Run").disabled
    at = cancel.click().run()
    assert not at.exception and not at.error
    assert at.session_state[K.EX_RUN] is None and not at.get("progress")
    assert any("Cancelled" in i.value for i in at.info)  # the one chunk had not finished
    assert "neurons" not in at.session_state[K.EX_RESULTS]


def test_repeated_runs_compare_with_the_blog():
    at = page(**{K.EX_KIND: "repeats", K.EX_HIDDEN: 5, K.EX_RUNS: 3, K.EX_RUN_EPOCHS: 1,
                 K.EX_SAMPLES: 200})  # fmt: skip
    at = run(at)
    assert not at.exception and not at.error
    labels = [m.label for m in at.metric]
    assert labels[0] == "Test accuracy, 3 runs" and "The blog" in labels[1]
    assert at.metric[1].value == "0.94541 ± 0.0196"
    assert len(charts(at)) == 1
    assert list(at.session_state[K.EX_RESULTS]["repeats"]["df"].seed) == [0, 1, 2]
    at = run(set_values(at, {K.EX_RUNS: 0}))
    assert "Runs must be at least 1" in at.error[0].value


def test_learning_rate_grid_shows_a_heatmap():
    at = page(**{**TINY, K.EX_KIND: "grid", K.EX_RATES: [0.01, 0.1]})
    at = run(at)
    assert not at.exception and not at.error
    df = at.session_state[K.EX_RESULTS]["grid"]["df"]
    assert sorted(set(df.learning_rate)) == [0.01, 0.1] and len(df) == 6
    assert len(charts(at)) == 1 and len(at.dataframe) == 1
    at = run(set_values(at, {K.EX_RATES: []}))
    assert "learning_rates is empty" in at.error[0].value


def test_a_preset_fills_in_the_settings():
    at = page()
    at.selectbox(key=K.EX_PRESET).set_value("good-default").run()
    assert not at.exception
    assert at.session_state[K.EX_LR] == 0.1
    assert at.session_state[K.EX_BATCH] == 10


def test_one_sweep_at_a_time_the_next_is_queued_and_starts_when_it_ends():
    first = run(page(**LONG), wait=False)
    until(first, lambda a: not queued(a), "the sweeps of earlier tests to end")
    assert first.get("progress")
    second = run(page(**TINY), wait=False)  # another student, on the same server
    assert not second.exception and running(second) and queued(second)
    assert not second.get("progress")
    (cancel,) = [b for b in first.button if b.label == "Cancel"]
    cancel.click().run()
    assert not running(first)
    # the first one's chunk ends in its worker; then the second starts by itself
    until(second, lambda a: not running(a), "the queued sweep to run")
    assert not second.error
    df = second.session_state[K.EX_RESULTS]["neurons"]["df"]
    assert sorted(df.hidden_size) == [3, 4, 5] and (df.epochs_run == 2).all()


def test_the_widgets_take_their_bounds_from_the_settings_table():
    at = page()
    bounds = {n.label: (n.min, n.max) for n in at.number_input}
    assert bounds["Samples"] == (SETTINGS["n_samples"].low, SETTINGS["n_samples"].high)
    assert bounds["Batch size"] == (SETTINGS["batch_size"].low, SETTINGS["batch_size"].high)
    assert bounds["Noise"] == (SETTINGS["noise"].low, SETTINGS["noise"].high)
    assert bounds["Max neurons"] == (1, MAX_UI_NEURONS) == bounds["Min neurons"]
    assert bounds["Epochs"] == (1, MAX_SWEEP_EPOCHS)


def test_the_runner_lets_one_sweep_run_at_a_time_in_plain_python():
    """The page's line without a page: a second sweep waits for the first to settle, then
    runs by itself; a cancelled queued sweep leaves the line; results as in one process."""
    from scratchnet.presets import preset_data
    from scratchnet.sweep import SweepRunner, plan_sweep, run_sweep

    X_train, X_test, y_train, y_test = preset_data("moons-blog")
    params = {k: v for k, v in PRESETS["moons-blog"]["params"].items()
              if k != "hidden_layer_sizes"}  # fmt: skip
    long = plan_sweep(X_train, y_train, X_test, y_test, [3, 4], 1, chunk_size=1,
                      **{**params, "epochs": 200})  # fmt: skip
    short_args = (X_train, y_train, X_test, y_test, [5, 6], 1)
    runner = SweepRunner(None, workers=1)
    try:
        first, second = runner.sweep(long), runner.sweep(plan_sweep(*short_args, **params))
        third = runner.sweep(plan_sweep(*short_args, **params))
        assert not first.queued and second.queued and third.queued
        assert runner.turnstile.ahead(third) == 2
        first.advance(max_seconds=0.1)  # submitted: the worker has it
        third.cancel()
        assert not third.queued and second.queued
        deadline = time.monotonic() + TIMEOUT
        while second.queued:  # until the first one's chunks are done, by themselves
            assert time.monotonic() < deadline and first.error is None
            second.advance(max_seconds=0.5)
        assert first.settled
        while not second.done:
            assert time.monotonic() < deadline and second.error is None
            second.advance(max_seconds=0.5)
        assert second.results().equals(run_sweep(*short_args, **params))
    finally:
        runner.close()


def test_a_failure_while_drawing_shows_an_error_and_keeps_the_results(monkeypatch):
    import scratchnet.sweep_plots

    at = run(page(**TINY))
    df = at.session_state[K.EX_RESULTS]["neurons"]["df"]

    def broken(*args, **kwargs):
        raise RuntimeError("the figure broke")

    monkeypatch.setattr(scratchnet.sweep_plots, "neurons_figure", broken)
    at.run()
    assert not at.exception  # no traceback reaches the student
    assert any("the figure broke" in e.value and "earlier results are kept" in e.value
               for e in at.error)  # fmt: skip
    assert at.session_state[K.EX_RESULTS]["neurons"]["df"] is df


# -- regression ------------------------------------------------------------------------------
REGRESSION_REPEATS = {K.EX_KIND: "repeats", K.EX_HIDDEN: 5, K.EX_RUNS: 3, K.EX_RUN_EPOCHS: 2,
                      K.EX_SAMPLES: 200}  # fmt: skip


def regression(at: AppTest, dataset: str = "plane") -> AppTest:
    """Switch the page's problem type to regression (with its widget), then pick ``dataset``."""
    at = at.segmented_control(key=K.EX_TASK).set_value("regression").run()
    assert not at.exception
    return at.selectbox(key=K.EX_DATASET).set_value(dataset).run()


def layout(chart) -> dict:
    """The Plotly layout of a chart element of the page."""
    return json.loads(chart.proto.spec)["layout"]


def test_the_problem_switch_offers_each_problems_data_sets():
    at = page()
    assert list(at.selectbox(key=K.EX_DATASET).options) == list(DATASETS)
    at = at.segmented_control(key=K.EX_TASK).set_value("regression").run()
    assert not at.exception and not at.error
    assert list(at.selectbox(key=K.EX_DATASET).options) == list(REGRESSION_DATASETS)
    assert at.session_state[K.EX_DATASET] == REGRESSION_DATASETS[0]
    assert at.session_state[K.EX_NOISE] == DEFAULT_NOISE[REGRESSION_DATASETS[0]]
    assert "R² vs neurons" in at.segmented_control(key=K.EX_KIND).options
    at = at.segmented_control(key=K.EX_TASK).set_value("classification").run()
    assert at.session_state[K.EX_DATASET] == PRESETS["moons-blog"]["data"]["dataset"]
    # a classification data set left in the state with a regression problem is replaced
    at = set_values(at, {K.EX_TASK: "regression", K.EX_DATASET: "moons"})
    assert not at.exception and at.session_state[K.EX_DATASET] in REGRESSION_DATASETS


def test_regression_repeated_runs_show_test_r2_and_mse_mean_and_std():
    at = run(regression(page(**REGRESSION_REPEATS)))
    assert not at.exception and not at.error
    df = at.session_state[K.EX_RESULTS]["regression repeats"]["df"]
    # the page trained the ScratchNetRegressor of its settings: the preset's, output identity
    data = PRESETS["moons-blog"]["data"]
    X, y = make_dataset("plane", 200, DEFAULT_NOISE["plane"], data["data_seed"])
    X_train, X_test, y_train, y_test = split(X, y, data["test_ratio"], data["data_seed"])
    params = {k: v for k, v in PRESETS["moons-blog"]["params"].items() if k != "output"}
    expected = repeated_runs(X_train, y_train, X_test, y_test, 3, task="regression",
                             **{**params, "hidden_layer_sizes": (5,), "epochs": 2})  # fmt: skip
    pd.testing.assert_frame_equal(df, expected)
    shown = {m.label: m.value for m in at.metric}
    r2, mse = df.test_r2, df.test_mse
    assert shown == {
        "Test R², 3 runs": f"{r2.mean():.4f} ± {r2.std(ddof=0):.4f}",
        "Test MSE, 3 runs": f"{mse.mean():.4f} ± {mse.std(ddof=0):.4f}",
    }
    (chart,) = charts(at)
    assert layout(chart)["xaxis"]["title"]["text"] == "test R²"
    assert "repeats" not in at.session_state[K.EX_RESULTS]  # not in the classification slot
    at = run(set_values(at, {K.EX_RUNS: 0}))
    assert "Runs must be at least 1" in at.error[0].value


def test_regression_neurons_sweep_plots_test_r2_and_keeps_the_classification_result():
    at = run(page(**TINY))
    classified = at.session_state[K.EX_RESULTS]["neurons"]["df"]
    at = run(regression(at))
    assert not at.exception and not at.error
    df = at.session_state[K.EX_RESULTS]["regression neurons"]["df"]
    assert sorted(df.hidden_size) == [3, 4, 5] and (df.epochs_run == 2).all()
    assert {"test_r2", "train_r2", "test_mse"} <= set(df.columns)
    (chart,) = charts(at)
    assert layout(chart)["yaxis"]["title"]["text"] == "R²"
    (table,) = at.dataframe
    np.testing.assert_allclose(table.value.test_r2_mean, summarize(df).test_r2_mean)
    # the classification sweep's result is kept, and shown again with its problem type
    assert at.session_state[K.EX_RESULTS]["neurons"]["df"] is classified
    at = at.segmented_control(key=K.EX_TASK).set_value("classification").run()
    (chart,) = charts(at)
    assert layout(chart)["yaxis"]["title"]["text"] == "accuracy"


def link_of(at: AppTest) -> dict[str, str]:
    """The page's query parameters (older Streamlit's AppTest gives each as a list)."""
    return {k: v[-1] if isinstance(v, list) else v for k, v in dict(at.query_params).items()}


def linked(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


def test_a_link_opens_the_same_experiment():
    at = linked(task="regression", data="plane", exp="repeats", h="12", runs="7", lr="0.03",
                rates="0.001,0.1")  # fmt: skip
    assert not at.exception and not at.error
    state = at.session_state
    assert state[K.EX_TASK] == "regression" and state[K.EX_DATASET] == "plane"
    assert state[K.EX_KIND] == "repeats" and state[K.EX_HIDDEN] == 12 and state[K.EX_RUNS] == 7
    assert state[K.EX_LR] == 0.03 and state[K.EX_RATES] == [0.001, 0.1]
    # and the page writes its settings back into the link, the defaults left out
    query = link_of(at)
    assert query["task"] == "regression" and query["h"] == "12"
    assert query["rates"] == "0.001,0.1" and "trials" not in query


def test_a_changed_setting_goes_into_the_link():
    at = linked()
    assert not link_of(at)  # the defaults: a bare link
    set_values(at, {K.EX_HIDDEN: 21, K.EX_NOISE: 0.25})
    assert link_of(at)["h"] == "21" and link_of(at)["noise"] == "0.25"


def test_a_bad_link_parameter_is_named_and_left_out():
    at = linked(h="999", lr="0.5", data="plane")
    notice = at.info[0].value
    assert "h=999 is not from 1 to" in notice and "lr='0.5' is not one of" in notice
    assert at.session_state[K.EX_HIDDEN] == PRESETS["moons-blog"]["params"]["hidden_layer_sizes"][0]
    assert at.session_state[K.EX_DATASET] == "plane"  # the good ones are kept, and say
    assert at.session_state[K.EX_TASK] == "regression"  # which problem they are
