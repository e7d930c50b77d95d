"""Tests for scratchnet.sweep: lock-step training of many networks at once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import mean_squared_error

from scratchnet.activations import ACTIVATIONS
from scratchnet.datasets import make_dataset, split
from scratchnet.estimator import DivergenceWarning, ScratchNetClassifier, ScratchNetRegressor
from scratchnet.metrics import r2_score
from scratchnet.network import MLP
from scratchnet.presets import PRESETS
from scratchnet.sweep import (
    MAX_NETWORKS,
    REGRESSION_RESULT_COLUMNS,
    RESULT_COLUMNS,
    Sweep,
    _Lockstep,
    neuron_range,
    plan_sweep,
    repeated_runs,
    run_sweep,
    summarize,
)
from scratchnet.sweep_plots import grid_heatmap, neurons_figure, repeated_runs_figure

BLOG = {k: v for k, v in PRESETS["moons-blog"]["params"].items() if k != "hidden_layer_sizes"}


@pytest.fixture(scope="module")
def moons():
    # 403 samples: 302 to train, so the last batch of 10 holds only 2
    X, y = make_dataset("moons", 403, noise=0.2, seed=1)
    return split(X, y, 0.25, seed=1)


def lone(params, hidden, seed, X, y):
    """The network a ScratchNetClassifier trains alone with these arguments."""
    return ScratchNetClassifier(**params, hidden_layer_sizes=(hidden,), random_state=seed).fit(X, y)


def stack_after(plan, epochs):
    stack = _Lockstep(plan.specs, plan.params, plan.X_train, plan.y_train, plan.n_classes)
    for _ in range(epochs):
        stack.run_epoch()
    return stack


# -------------------------------------------------------------------------- exactness

CASES = {
    "blog relu": {**BLOG, "epochs": 3},
    "blog tanh": {**BLOG, "epochs": 3, "activation": "tanh"},
    "sigmoid, momentum, l2": {
        **BLOG,
        "epochs": 2,
        "activation": "sigmoid",
        "optimizer": "momentum",
        "learning_rate": 0.05,
        "l2": 1e-3,
    },
    "leaky_relu, nesterov, l1, decay": {
        "epochs": 2,
        "activation": "leaky_relu",
        "optimizer": "momentum",
        "nesterov": True,
        "l1": 1e-4,
        "lr_schedule": "exponential",
        "lr_decay": 0.5,
        "batch_size": 16,
    },
    "linear, adam, sigmoid output": {
        "epochs": 2,
        "activation": "linear",
        "optimizer": "adam",
        "learning_rate": 0.01,
        "output": "sigmoid",
        "init": "glorot",
    },
    "full batch, shuffle_seed": {"epochs": 3, "batch_size": "full", "shuffle_seed": 7},
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_network_matches_a_lone_classifier(moons, case):
    X_train, X_test, y_train, y_test = moons
    params = CASES[case]
    hidden = [3, 5, 8]
    plan = plan_sweep(X_train, y_train, X_test, y_test, hidden, 2, **params)
    stack = stack_after(plan, params["epochs"])
    df = run_sweep(X_train, y_train, X_test, y_test, hidden, 2, **params)
    assert len(df) == 6
    for i, spec in enumerate(stack.specs):
        clf = lone(params, spec.hidden_size, spec.seed, X_train, y_train)
        for mine, theirs in zip(stack.network_params(i), clf._trainer.net.params, strict=True):
            assert mine.shape == theirs.shape
            np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-12)
        row = df[(df.hidden_size == spec.hidden_size) & (df.trial == spec.trial)].iloc[0]
        assert row.seed == spec.seed == spec.trial
        assert row.test_acc == clf.score(X_test, y_test)
        assert row.train_acc == clf.score(X_train, y_train)
        assert row.final_loss == pytest.approx(clf.loss_curve_[-1], abs=1e-12)
        assert row.epochs_run == params["epochs"] and not row.diverged


def test_three_classes_and_a_learning_rate_grid_match_lone_classifiers():
    X, y = make_dataset("spiral", 240, seed=3, n_classes=3)
    X_train, X_test, y_train, y_test = split(X, y, 0.25, seed=0)
    y_train, y_test = y_train + 10, y_test + 10  # labels need not be 0..k-1
    params = {"epochs": 2, "batch_size": 8, "activation": "tanh"}
    rates = [0.3, 0.03]
    df = run_sweep(X_train, y_train, X_test, y_test, [4, 6], 2, learning_rates=rates, **params)
    assert sorted(set(df.learning_rate)) == sorted(rates) and len(df) == 8
    for row in df.itertuples():
        clf = lone({**params, "learning_rate": row.learning_rate}, row.hidden_size, row.seed,
                   X_train, y_train)  # fmt: skip
        assert row.test_acc == clf.score(X_test, y_test)
        assert row.final_loss == pytest.approx(clf.loss_curve_[-1], abs=1e-12)


GRIDS = {
    "sgd, l1 and l2, a rate grid": (
        {"epochs": 2, "l1": 1e-3, "l2": 1e-2, "batch_size": 16},
        {"learning_rates": [0.3, 0.05]},
    ),
    "momentum, l1 and l2, a rate grid": (
        {"epochs": 2, "optimizer": "momentum", "l1": 1e-4, "l2": 1e-3, "batch_size": 16},
        {"learning_rates": [0.05, 0.01]},
    ),
    "adam, sigmoid units, a rate grid": (
        {"epochs": 2, "optimizer": "adam", "l2": 1e-3, "activation": "sigmoid"},
        {"learning_rates": [0.01, 0.003]},
    ),
    "nesterov, a rate grid, exponential decay": (
        {
            "epochs": 3,
            "optimizer": "momentum",
            "nesterov": True,
            "lr_schedule": "exponential",
            "lr_decay": 0.5,
            "batch_size": 16,
        },
        {"learning_rates": [0.05, 0.01]},
    ),
    "sgd, sigmoid output, a rate grid, exponential decay": (
        {
            "epochs": 3,
            "output": "sigmoid",
            "lr_schedule": "exponential",
            "lr_decay": 0.7,
            "l2": 1e-3,
            "batch_size": 16,
        },
        {"learning_rates": [0.3, 0.05]},
    ),
    "a seed given twice": ({**BLOG, "epochs": 2, "learning_rate": 0.3}, {"seeds": [5, 5, 9]}),
}


@pytest.mark.parametrize("case", list(GRIDS))
def test_each_network_keeps_its_own_rate_and_shuffle(moons, case):
    """Rates differ per network in the optimiser and the penalties; trials that share a seed
    share a shuffle order while the others keep theirs."""
    X_train, X_test, y_train, y_test = moons
    params, grid = GRIDS[case]
    trials = len(grid.get("seeds", [0, 1]))
    plan = plan_sweep(X_train, y_train, X_test, y_test, [3, 6], trials, **grid, **params)
    stack = stack_after(plan, params["epochs"])
    df = stack.results(plan.X_train, plan.y_train, plan.X_test, plan.y_test)
    for i, spec in enumerate(stack.specs):
        clf = lone({**params, "learning_rate": spec.learning_rate}, spec.hidden_size, spec.seed,
                   X_train, y_train)  # fmt: skip
        for mine, theirs in zip(stack.network_params(i), clf._trainer.net.params, strict=True):
            np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-12)
        assert df.test_acc.iloc[i] == clf.score(X_test, y_test)
        assert df.final_loss.iloc[i] == pytest.approx(clf.loss_curve_[-1], abs=1e-12)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_padded_units_stay_exactly_zero(moons, activation):
    X_train, X_test, y_train, y_test = moons
    params = {**BLOG, "epochs": 2, "activation": activation, "learning_rate": 0.1}
    plan = plan_sweep(X_train, y_train, X_test, y_test, [2, 6], 1, **params)
    stack = stack_after(plan, 2)
    narrow = next(i for i, s in enumerate(stack.specs) if s.hidden_size == 2)
    assert stack.H == 6
    assert np.all(stack.W1[narrow, 2:] == 0.0)  # weights in and bias of the padded units
    assert np.all(stack.W2[narrow, :, 2:6] == 0.0)  # their weights out
    assert np.any(stack.W1[narrow, :2] != 0.0)  # ... while the real units learned


def test_chunking_and_n_jobs_do_not_change_the_numbers(moons):
    X_train, X_test, y_train, y_test = moons
    args = (X_train, y_train, X_test, y_test, [3, 4, 9], 2)
    one = run_sweep(*args, n_jobs=1, chunk_size=2, **{**BLOG, "epochs": 2})
    two = run_sweep(*args, n_jobs=2, chunk_size=2, **{**BLOG, "epochs": 2})
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    whole = run_sweep(*args, chunk_size=6, **{**BLOG, "epochs": 2})
    pd.testing.assert_frame_equal(one.drop(columns="final_loss"),
                                  whole.drop(columns="final_loss"), check_exact=True)  # fmt: skip
    np.testing.assert_allclose(one.final_loss, whole.final_loss, rtol=0, atol=1e-12)


def test_a_diverging_network_stops_like_a_lone_one(moons):
    X_train, X_test, y_train, y_test = moons
    params = {"epochs": 4, "init": "normal", "batch_size": 10}
    rates = [1e-3, 1e12]
    df = run_sweep(X_train, y_train, X_test, y_test, [5], 1, learning_rates=rates, **params)
    calm, wild = df.iloc[0], df.iloc[1]
    with pytest.warns(DivergenceWarning):
        clf = lone({**params, "learning_rate": 1e12}, 5, 0, X_train, y_train)
    assert wild.diverged and wild.epochs_run == clf.n_iter_ < 4
    assert wild.test_acc == clf.score(X_test, y_test)
    good = lone({**params, "learning_rate": 1e-3}, 5, 0, X_train, y_train)
    assert not calm.diverged and calm.test_acc == good.score(X_test, y_test)


def test_a_finite_blow_up_stops_like_a_lone_one(moons):
    """Weights past MAX_WEIGHT (still finite) count as diverged, as in the lone trainer."""
    X_train, X_test, y_train, y_test = moons
    params = {"epochs": 4, "batch_size": 10, "learning_rate": 10.0, "l2": 0.3}
    df = run_sweep(X_train, y_train, X_test, y_test, [16], 1, **params)
    with pytest.warns(DivergenceWarning):
        clf = lone(params, 16, 0, X_train, y_train)
    assert np.isfinite(max(np.abs(c).max() for c in clf.coefs_))
    row = df.iloc[0]
    assert row.diverged and row.epochs_run == clf.n_iter_ < 4
    assert row.test_acc == clf.score(X_test, y_test)


# -------------------------------------------------------------------------- regression


@pytest.fixture(scope="module")
def plane():
    # TF Playground's regression plane; 302 samples to train, a last batch of 2 again
    X, y = make_dataset("plane", 403, noise=0.2, seed=1)
    return split(X, y, 0.25, seed=1)


def lone_regressor(params, hidden, seed, X, y):
    """The network a ScratchNetRegressor trains alone with these arguments."""
    return ScratchNetRegressor(**params, hidden_layer_sizes=(hidden,), random_state=seed).fit(X, y)


def predictions(stack, i, X):
    """What network i of the stack predicts for X, through a core MLP holding its weights."""
    W1, W2 = stack.network_params(i)
    net = MLP([X.shape[1], W1.shape[1], W2.shape[1]], stack.p["activation"], "identity")
    for mine, theirs in zip(net.params, (W1, W2), strict=True):
        mine[...] = theirs
    return net.predict_output(X)


REGRESSION_CASES = {
    "relu, sgd": {"epochs": 3, "batch_size": 10, "learning_rate": 0.01},
    "tanh, adam, l1": {
        "epochs": 2,
        "activation": "tanh",
        "optimizer": "adam",
        "learning_rate": 0.01,
        "l1": 1e-4,
    },
    "sigmoid, momentum, l2": {
        "epochs": 2,
        "activation": "sigmoid",
        "optimizer": "momentum",
        "learning_rate": 0.01,
        "l2": 1e-3,
        "batch_size": 16,
    },
    "leaky_relu, nesterov, l1 and l2, decay": {
        "epochs": 3,
        "activation": "leaky_relu",
        "optimizer": "momentum",
        "nesterov": True,
        "learning_rate": 0.01,
        "l1": 1e-4,
        "l2": 1e-3,
        "lr_schedule": "exponential",
        "lr_decay": 0.5,
    },
    "normal init, full batch, shuffle_seed": {
        "epochs": 3,
        "init": "normal",
        "batch_size": "full",
        "learning_rate": 0.05,
        "shuffle_seed": 7,
    },
}


@pytest.mark.parametrize("case", list(REGRESSION_CASES))
def test_each_regression_network_matches_a_lone_regressor(plane, case):
    X_train, X_test, y_train, y_test = plane
    params = REGRESSION_CASES[case]
    hidden = [3, 5, 8]
    plan = plan_sweep(X_train, y_train, X_test, y_test, hidden, 2, task="regression", **params)
    assert plan.task == "regression"
    stack = stack_after(plan, params["epochs"])
    df = stack.results(plan.X_train, plan.y_train, plan.X_test, plan.y_test)
    assert list(df.columns) == list(REGRESSION_RESULT_COLUMNS)
    for i, spec in enumerate(stack.specs):
        reg = lone_regressor(params, spec.hidden_size, spec.seed, X_train, y_train)
        for mine, theirs in zip(stack.network_params(i), reg._trainer.net.params, strict=True):
            assert mine.shape == theirs.shape
            np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-12)
        row = df.iloc[i]
        assert (row.hidden_size, row.seed) == (spec.hidden_size, spec.seed)
        # R² is metrics.r2_score of the network's own predictions, on each set
        for mine, X, y in ((row.test_r2, X_test, y_test), (row.train_r2, X_train, y_train)):
            assert mine == pytest.approx(r2_score(y, predictions(stack, i, X)[:, 0]), abs=1e-12)
        assert row.test_r2 == pytest.approx(reg.score(X_test, y_test), abs=1e-12)
        assert row.test_mse == pytest.approx(mean_squared_error(y_test, reg.predict(X_test)),
                                             abs=1e-12)  # fmt: skip
        assert row.final_loss == pytest.approx(reg.loss_curve_[-1], abs=1e-12)
        assert row.epochs_run == params["epochs"] and not row.diverged


def test_a_regression_grid_with_two_targets_matches_lone_regressors(plane):
    """Several targets (K = 2 outputs) and a learning-rate grid, through run_sweep."""
    X_train, X_test, y_train, y_test = plane
    Y_train = np.column_stack([y_train, X_train[:, 0] * X_train[:, 1]])
    Y_test = np.column_stack([y_test, X_test[:, 0] * X_test[:, 1]])
    params = {"epochs": 2, "batch_size": 8, "activation": "tanh", "l2": 1e-3}
    rates = [0.03, 0.01]
    df = run_sweep(X_train, Y_train, X_test, Y_test, [4, 6], 2, learning_rates=rates,
                   task="regression", **params)  # fmt: skip
    assert sorted(set(df.learning_rate)) == sorted(rates) and len(df) == 8
    for row in df.itertuples():
        reg = lone_regressor({**params, "learning_rate": row.learning_rate}, row.hidden_size,
                             row.seed, X_train, Y_train)  # fmt: skip
        assert reg.n_outputs_ == 2
        assert row.test_r2 == pytest.approx(r2_score(Y_test, reg.predict(X_test)), abs=1e-12)
        assert row.test_mse == pytest.approx(mean_squared_error(Y_test, reg.predict(X_test)),
                                             abs=1e-12)  # fmt: skip
        assert row.final_loss == pytest.approx(reg.loss_curve_[-1], abs=1e-12)


def test_a_diverging_regression_network_stops_like_a_lone_one(plane):
    X_train, X_test, y_train, y_test = plane
    params = {"epochs": 4, "init": "normal", "batch_size": 10}
    rates = [1e-3, 1e6]
    df = run_sweep(X_train, y_train, X_test, y_test, [5], 1, learning_rates=rates,
                   task="regression", **params)  # fmt: skip
    calm, wild = df.iloc[0], df.iloc[1]
    with pytest.warns(DivergenceWarning):
        reg = lone_regressor({**params, "learning_rate": 1e6}, 5, 0, X_train, y_train)
    assert wild.diverged and wild.epochs_run == reg.n_iter_ < 4
    assert wild.test_r2 == pytest.approx(reg.score(X_test, y_test), abs=1e-12)
    good = lone_regressor({**params, "learning_rate": 1e-3}, 5, 0, X_train, y_train)
    assert not calm.diverged
    assert calm.test_r2 == pytest.approx(good.score(X_test, y_test), abs=1e-12)


def test_repeated_runs_and_summarize_of_a_regression(plane):
    X_train, X_test, y_train, y_test = plane
    params = {"epochs": 2, "learning_rate": 0.01, "hidden_layer_sizes": (6,)}
    df = repeated_runs(X_train, y_train, X_test, y_test, 4, task="regression", **params)
    assert list(df.seed) == [0, 1, 2, 3] and list(df.columns) == list(REGRESSION_RESULT_COLUMNS)
    reg = ScratchNetRegressor(**params, random_state=3).fit(X_train, y_train)
    assert df.test_r2.iloc[3] == pytest.approx(reg.score(X_test, y_test), abs=1e-12)
    (row,) = summarize(df).itertuples()
    assert row.n_trials == 4
    assert row.test_r2_mean == pytest.approx(df.test_r2.mean())
    assert row.test_r2_std == pytest.approx(np.std(df.test_r2))  # ddof=0, as for accuracy
    assert row.train_r2_mean == pytest.approx(df.train_r2.mean())
    assert row.test_mse_mean == pytest.approx(df.test_mse.mean())
    assert row.test_mse_std == pytest.approx(np.std(df.test_mse))
    assert not {"test_acc_mean", "train_acc_mean"} & set(summarize(df).columns)


def test_a_regression_without_a_test_set_or_rows_keeps_its_columns(plane):
    X_train, _, y_train, _ = plane
    df = run_sweep(X_train, y_train, None, None, [3], 1, epochs=1, task="regression")
    assert np.isnan(df.test_r2.iloc[0]) and np.isnan(df.test_mse.iloc[0])
    assert np.isfinite(df.train_r2.iloc[0])
    empty = run_sweep(X_train, y_train, None, None, [3], 1, epochs=1, task="regression",
                      should_stop=lambda: True)  # fmt: skip
    assert empty.empty and list(empty.columns) == list(REGRESSION_RESULT_COLUMNS)


def test_a_classification_sweep_keeps_its_columns(moons):
    """Regression adds columns to its own results only: a classifier's rows are as before."""
    X_train, X_test, y_train, y_test = moons
    df = run_sweep(X_train, y_train, X_test, y_test, [3], 1, epochs=1)
    assert list(df.columns) == list(RESULT_COLUMNS)
    assert list(summarize(df).columns) == [
        "learning_rate", "hidden_size", "n_trials", "test_acc_mean", "test_acc_std",
        "train_acc_mean", "train_acc_std",
    ]  # fmt: skip


REGRESSION_BAD = [
    ({"y_train": "nan"}, "y_train contains NaN or infinite values"),
    ({"y_train": "text"}, "y_train must hold the numbers to predict"),
    ({"y_train": "short"}, r"y_train must have one row of targets per row of X_train"),
    ({"y_test": "two columns"}, r"y_test has 2 target column\(s\) and y_train 1"),
    ({"output": "softmax"}, "The output 'softmax' is for classification"),
    ({"task": "classification", "output": "identity"}, "The output 'identity' is for regression"),
    ({"task": "clustering"}, "task must be one of"),
]


@pytest.mark.parametrize(
    ("change", "message"), REGRESSION_BAD, ids=[m[:30] for _, m in REGRESSION_BAD]
)
def test_bad_regression_input_raises_a_clear_value_error(plane, change, message):
    X_train, X_test, y_train, y_test = plane
    change = dict(change)
    bad_y = {
        "nan": np.where(np.arange(len(y_train)) == 3, np.nan, y_train),
        "text": y_train.astype(str),
        "short": y_train[:-1],
        "two columns": np.column_stack([y_test, y_test]),
    }
    if "y_train" in change:
        y_train = bad_y[change.pop("y_train")]
    if "y_test" in change:
        y_test = bad_y[change.pop("y_test")]
    kwargs = {"task": "regression", **change}
    with pytest.raises(ValueError, match=message):
        run_sweep(X_train, y_train, X_test, y_test, [3], 1, epochs=1, **kwargs)


# -------------------------------------------------------------------------- progress, cancel


def test_callback_reports_every_epoch_then_the_finished_networks(moons):
    X_train, X_test, y_train, y_test = moons
    calls = []
    df = run_sweep(X_train, y_train, X_test, y_test, [3, 4, 5], 2, chunk_size=2,
                   callback=lambda d, t, part: calls.append((d, t, len(part))),
                   **{**BLOG, "epochs": 2})  # fmt: skip
    assert len(calls) == 3 * 2  # 3 chunks of 2 networks, 2 epochs each
    assert [c[0] for c in calls] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert {c[1] for c in calls} == {6}
    assert [c[2] for c in calls] == [0, 2, 2, 4, 4, 6]  # rows appear as chunks finish
    assert len(df) == 6


def test_callback_per_chunk_in_parallel(moons):
    X_train, X_test, y_train, y_test = moons
    calls = []
    run_sweep(X_train, y_train, X_test, y_test, [3, 4], 2, n_jobs=2, chunk_size=2,
              callback=lambda d, t, part: calls.append((d, t, len(part))),
              **{**BLOG, "epochs": 1})  # fmt: skip
    assert calls == [(2.0, 4, 2), (4.0, 4, 4)]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_should_stop_keeps_the_finished_networks(moons, n_jobs):
    X_train, X_test, y_train, y_test = moons
    seen = []
    df = run_sweep(X_train, y_train, X_test, y_test, [3, 4, 5, 6], 1, chunk_size=1,
                   n_jobs=n_jobs, callback=lambda d, t, part: seen.append(len(part)),
                   should_stop=lambda: bool(seen) and seen[-1] >= 2,
                   **{**BLOG, "epochs": 2})  # fmt: skip
    assert 2 <= len(df) < 4
    assert list(df.columns) == list(RESULT_COLUMNS)
    assert (df.epochs_run == 2).all()  # only whole networks: none cut short
    full = run_sweep(X_train, y_train, X_test, y_test, [3, 4, 5, 6], 1, chunk_size=1,
                     **{**BLOG, "epochs": 2})  # fmt: skip
    pd.testing.assert_frame_equal(df, full[full.hidden_size.isin(df.hidden_size)]
                                  .reset_index(drop=True))  # fmt: skip


def test_should_stop_at_once_returns_no_rows(moons):
    X_train, X_test, y_train, y_test = moons
    df = run_sweep(X_train, y_train, X_test, y_test, [3], 1, should_stop=lambda: True,
                   **{**BLOG, "epochs": 1})  # fmt: skip
    assert df.empty and list(df.columns) == list(RESULT_COLUMNS)


def test_sweep_advances_a_little_at_a_time(moons):
    X_train, X_test, y_train, y_test = moons
    args = (X_train, y_train, X_test, y_test, [3, 4, 5], 1)
    sweep = Sweep(plan_sweep(*args, chunk_size=2, **{**BLOG, "epochs": 2}))
    progress = []
    while not sweep.done:
        sweep.advance(max_epochs=1)
        progress.append(sweep.progress)
    assert progress == pytest.approx([1 / 3, 2 / 3, 5 / 6, 1.0])
    whole = run_sweep(*args, chunk_size=2, **{**BLOG, "epochs": 2})
    pd.testing.assert_frame_equal(sweep.results(), whole)
    assert sweep.n_networks == 3 and sweep.networks_done == 3


def test_chunks_keep_trials_together_and_respect_chunk_size(moons):
    X_train, X_test, y_train, y_test = moons
    plan = plan_sweep(X_train, y_train, X_test, y_test, range(3, 40), 3, chunk_size=16, **BLOG)
    assert sorted(plan.specs, key=str) == sorted([s for c in plan.chunks for s in c], key=str)
    assert all(len(c) <= 16 for c in plan.chunks)
    for chunk in plan.chunks:
        assert all(sum(s.hidden_size == x.hidden_size for x in chunk) == 3 for s in chunk)
    plan = plan_sweep(X_train, y_train, X_test, y_test, [64], 100, **BLOG)
    assert [len(c) for c in plan.chunks] == [50, 50]


# -------------------------------------------------------------------------- helpers


def test_repeated_runs_trains_one_configuration_with_seeds_0_to_n(moons):
    X_train, X_test, y_train, y_test = moons
    params = {**BLOG, "epochs": 1, "hidden_layer_sizes": (6,)}
    df = repeated_runs(X_train, y_train, X_test, y_test, 4, **params)
    assert list(df.seed) == [0, 1, 2, 3] and set(df.hidden_size) == {6}
    clf = ScratchNetClassifier(**params, random_state=3).fit(X_train, y_train)
    assert df.test_acc.iloc[3] == clf.score(X_test, y_test)


def test_summarize_gives_population_mean_and_std_per_configuration():
    df = pd.DataFrame({
        "learning_rate": [0.1, 0.1, 0.1, 0.1],
        "hidden_size": [3, 3, 5, 5],
        "test_acc": [0.8, 0.9, 1.0, 1.0],
        "train_acc": [0.7, 0.9, 0.5, 1.0],
    })  # fmt: skip
    out = summarize(df)
    assert list(out.hidden_size) == [3, 5] and list(out.n_trials) == [2, 2]
    assert out.test_acc_mean.tolist() == pytest.approx([0.85, 1.0])
    assert out.test_acc_std.tolist() == pytest.approx([0.05, 0.0])  # ddof=0, as the blog
    assert out.train_acc_std.tolist() == pytest.approx([0.1, 0.25])
    with pytest.raises(ValueError, match="missing columns"):
        summarize(df.drop(columns="test_acc"))


def test_neuron_range_is_inclusive():
    assert neuron_range(3, 39) == list(range(3, 40))
    assert neuron_range(5, 5) == [5]
    assert neuron_range(4, 20, 8) == [4, 12, 20]


# -------------------------------------------------------------------------- bad input


def test_neuron_range_rejects_min_above_max():
    with pytest.raises(ValueError, match=r"min_neurons \(40\) is larger than max_neurons \(3\)"):
        neuron_range(40, 3)
    with pytest.raises(ValueError, match="min_neurons must be a whole number from 1"):
        neuron_range(0, 3)


BAD = [
    ({"n_trials": 0}, "n_trials must be a whole number from 1"),
    ({"hidden_sizes": []}, "hidden_sizes is empty"),
    ({"hidden_sizes": [3, 0]}, "Every hidden size must be a whole number from 1 to 256"),
    ({"hidden_sizes": [3, 257]}, "from 1 to 256"),
    ({"hidden_sizes": [3, 4, 3]}, r"lists \[3\] more than once"),
    ({"hidden_sizes": None}, "hidden_sizes must be a list"),
    ({"n_trials": 2, "seeds": [1]}, "one random_state per trial"),
    ({"seeds": [-1]}, "Every seed must be a whole number"),
    ({"learning_rates": []}, "learning_rates is empty"),
    ({"learning_rates": [0.1, 0.0]}, "Every learning rate must be a number > 0"),
    ({"learning_rates": [0.1, 0.1]}, "more than once"),
    ({"learning_rates": [0.1], "learning_rate": 0.1}, "either learning_rate"),
    ({"hidden_layer_sizes": (5,)}, "give 'hidden_sizes' instead"),
    ({"random_state": 0}, "give 'seeds' instead"),
    ({"learning_rate": -1.0}, "'learning_rate' parameter must be a number > 0"),
    ({"activation": "swish"}, "activation must be one of"),
    ({"colour": "red"}, r"Unknown parameter\(s\) \['colour'\]"),
    ({"n_jobs": 0}, "n_jobs must be a whole number other than 0"),
    ({"chunk_size": 0}, "chunk_size must be a whole number from 1"),
    (
        {"hidden_sizes": range(1, 101), "n_trials": 51},
        f"5,100 networks .* at most {MAX_NETWORKS:,}.* Use fewer hidden sizes",
    ),
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[m[:30] for _, m in BAD])
def test_bad_arguments_raise_a_clear_value_error(moons, change, message):
    X_train, X_test, y_train, y_test = moons
    args = {"hidden_sizes": [3, 4], "n_trials": 1, **change}
    hidden, trials = args.pop("hidden_sizes"), args.pop("n_trials")
    with pytest.raises(ValueError, match=message):
        run_sweep(X_train, y_train, X_test, y_test, hidden, trials, **args)


def test_bad_data_raises_a_clear_value_error(moons):
    X_train, X_test, y_train, y_test = moons
    with pytest.raises(ValueError, match=r"y_test holds labels \[7\] that are not in y_train"):
        run_sweep(X_train, y_train, X_test, np.full_like(y_test, 7), [3], 1)
    with pytest.raises(ValueError, match="X_test must be a 2-D array with 2 columns"):
        run_sweep(X_train, y_train, X_test[:, :1], y_test, [3], 1)
    with pytest.raises(ValueError, match="y_train must have one label per row"):
        run_sweep(X_train, y_train[:-1], X_test, y_test, [3], 1)
    with pytest.raises(ValueError, match="at least 2 classes"):
        run_sweep(X_train, np.zeros_like(y_train), None, None, [3], 1)
    with pytest.raises(ValueError, match="NaN or infinite"):
        run_sweep(np.full_like(X_train, np.nan), y_train, X_test, y_test, [3], 1)


def test_a_sweep_too_large_for_memory_says_what_to_shrink():
    X = np.zeros((100_000, 2))
    y = np.arange(100_000) % 2
    with pytest.raises(ValueError, match=r"needs about .* MB.* Use a smaller batch size"):
        plan_sweep(X, y, None, None, [256], 1, batch_size="full")
    with pytest.raises(ValueError, match="Use a smaller chunk_size or batch size"):
        plan_sweep(X, y, None, None, [256], 64, batch_size=2_000, chunk_size=64)
    args = (X, y, None, None, [256], 128)
    with pytest.raises(ValueError, match=r"8 chunks training at once need about .* Use fewer jobs"):
        plan_sweep(*args, batch_size=2_000, chunk_size=16, n_jobs=8)
    assert len(plan_sweep(*args, batch_size=2_000, chunk_size=16, n_jobs=1).chunks) == 8


def test_no_test_set_gives_nan_test_accuracy(moons):
    X_train, _, y_train, _ = moons
    df = run_sweep(X_train, y_train, None, None, [3], 1, epochs=1)
    assert np.isnan(df.test_acc.iloc[0]) and 0 <= df.train_acc.iloc[0] <= 1


# -------------------------------------------------------------------------- figures


@pytest.fixture(scope="module")
def results():
    rng = np.random.default_rng(0)
    rows = [
        {"hidden_size": h, "learning_rate": lr, "trial": t, "seed": t,
         "train_acc": rng.uniform(0.8, 1), "test_acc": rng.uniform(0.8, 1)}
        for lr in (0.01, 0.1) for h in (3, 5, 8) for t in range(3)
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_neurons_figure_draws_mean_band_trials_and_train(results):
    one = results[results.learning_rate == 0.1]
    fig = neurons_figure(one)
    names = [t.name for t in fig.data]
    assert names == ["+1 std", "± 1 std", "test mean", "trials", "train mean"]
    summary = summarize(one)
    np.testing.assert_allclose(fig.data[2].y, summary.test_acc_mean)
    np.testing.assert_allclose(fig.data[0].y, summary.test_acc_mean + summary.test_acc_std)
    np.testing.assert_allclose(fig.data[1].y, summary.test_acc_mean - summary.test_acc_std)
    assert len(fig.data[3].x) == len(one) and fig.data[1].fill == "tonexty"
    np.testing.assert_allclose(fig.data[4].y, summary.train_acc_mean)
    both = neurons_figure(results)
    assert len(both.data) == 10 and "test mean (lr 0.01)" in [t.name for t in both.data]
    assert neurons_figure(results.iloc[:0]).data == ()
    with pytest.raises(ValueError, match="missing columns"):
        neurons_figure(results.drop(columns="train_acc"))


def test_repeated_runs_figure_shows_mean_std_and_the_reference(results):
    fig = repeated_runs_figure(results, (0.94541, 0.019558), "the blog")
    assert [t.name for t in fig.data] == ["runs", "mean ± std", "the blog"]
    np.testing.assert_allclose(fig.data[0].x, results.test_acc)
    assert fig.data[1].x[0] == pytest.approx(results.test_acc.mean())
    assert fig.data[1].error_x.value == pytest.approx(np.std(results.test_acc))
    assert fig.data[2].x[0] == 0.94541 and fig.data[2].error_x.value == 0.019558
    assert [t.name for t in repeated_runs_figure(results).data] == ["runs", "mean ± std"]


def test_grid_heatmap_has_a_row_per_rate_and_a_column_per_size(results):
    (heat,) = grid_heatmap(results).data
    assert list(heat.y) == ["0.01", "0.1"] and list(heat.x) == ["3", "5", "8"]
    means = summarize(results)
    assert heat.z[1][2] == pytest.approx(
        means[(means.learning_rate == 0.1) & (means.hidden_size == 8)].test_acc_mean.iloc[0]
    )


@pytest.fixture(scope="module")
def regression_results(results):
    """The same rows as a regression sweep reports them: R² for accuracy, and a test MSE."""
    df = results.rename(columns={"train_acc": "train_r2", "test_acc": "test_r2"})
    return df.assign(test_mse=1.0 - df.test_r2)


def test_figures_of_a_regression_sweep_show_r2(results, regression_results):
    df = regression_results
    one = df[df.learning_rate == 0.1]
    fig = neurons_figure(one)
    summary = summarize(one)
    np.testing.assert_allclose(fig.data[2].y, summary.test_r2_mean)
    np.testing.assert_allclose(fig.data[3].y, one.test_r2)
    np.testing.assert_allclose(fig.data[4].y, summary.train_r2_mean)
    assert fig.layout.yaxis.title.text == "R²" and "test R²" in fig.data[2].hovertemplate
    assert neurons_figure(results).layout.yaxis.title.text == "accuracy"
    runs = repeated_runs_figure(one)
    np.testing.assert_allclose(runs.data[0].x, one.test_r2)
    assert runs.data[1].x[0] == pytest.approx(one.test_r2.mean())
    assert runs.layout.xaxis.title.text == "test R²"
    assert repeated_runs_figure(results).layout.xaxis.title.text == "test accuracy"
    (heat,) = grid_heatmap(df).data
    assert heat.colorbar.title.text == "test R²"
    means = summarize(df)
    assert heat.z[0][0] == pytest.approx(
        means[(means.learning_rate == 0.01) & (means.hidden_size == 3)].test_r2_mean.iloc[0]
    )
    with pytest.raises(ValueError, match="missing columns"):
        neurons_figure(df.drop(columns="train_r2"))
