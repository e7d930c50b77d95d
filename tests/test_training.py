"""The trainer: determinism, seeds kept apart, slices equal epochs, history, divergence."""

import math
import pickle

import numpy as np
import pytest

from scratchnet.datasets import make_dataset, split
from scratchnet.training import (
    DEFAULTS,
    HISTORY_COLUMNS,
    REGRESSION_DEFAULTS,
    REGRESSION_HISTORY_COLUMNS,
    Trainer,
    check_params,
)


@pytest.fixture(scope="module")
def data():
    X, y = make_dataset("moons", 400, 0.15, seed=1)
    return split(X, y, 0.25, seed=1)


def trained(data, epochs=3, **params):
    X_train, X_test, y_train, y_test = data
    trainer = Trainer.from_params({"batch_size": 16, "random_state": 0, **params}, 2, 2)
    trainer.set_data(X_train, y_train, X_test, y_test)
    trainer.run(epochs)
    return trainer


def same_bits(a, b):
    return all(np.array_equal(p, q) for p, q in zip(a.net.params, b.net.params, strict=True))


def without_seconds(history):
    return [{k: v for k, v in row.items() if k != "seconds"} for row in history]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_a_pickled_trainer_goes_on_as_the_original(data, optimizer):
    """What joblib does to a sweep's trainers: the copy's optimiser must update the copy's
    own layers (views of one vector), and its state (velocities, moments) must come along."""
    a = trained(data, epochs=2, optimizer=optimizer)
    b = pickle.loads(pickle.dumps(a))
    before = b.net.flat_params.copy()
    a.run(2)
    b.run(2)
    assert not np.array_equal(b.net.flat_params, before)
    assert same_bits(a, b)
    assert without_seconds(a.history) == without_seconds(b.history)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_same_seeds_same_bits(data, optimizer):
    a, b = trained(data, optimizer=optimizer), trained(data, optimizer=optimizer)
    assert same_bits(a, b)
    assert without_seconds(a.history) == without_seconds(b.history)


def test_init_and_shuffle_seeds_are_independent(data):
    base = trained(data, shuffle_seed=7)
    other_shuffle = trained(data, shuffle_seed=8)
    other_init = trained(data, random_state=1, shuffle_seed=7)
    assert not same_bits(base, other_shuffle) and not same_bits(base, other_init)
    # Same init seed: the same starting weights whatever the shuffle seed.
    fresh = [Trainer.from_params({"random_state": 0, "shuffle_seed": s}, 2, 2) for s in (7, 8)]
    assert same_bits(*fresh)


def test_each_epoch_draws_a_fresh_permutation_from_its_own_generator(data):
    trainer = trained(data, epochs=0)
    expected = np.random.default_rng([1, 0])  # the documented default shuffle stream
    trainer.run(1)
    first = trainer._X1_epoch.copy()
    trainer.run(1)
    order1, order2 = expected.permutation(300), expected.permutation(300)
    np.testing.assert_array_equal(first[:, :-1], trainer.X_train[order1])
    np.testing.assert_array_equal(trainer._X1_epoch[:, :-1], trainer.X_train[order2])
    np.random.seed(123)  # noqa: NPY002 -- the global generator must play no part
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    trainer.run(1)
    assert np.array_equal(np.random.get_state()[1], state)  # noqa: NPY002


def test_steps_and_time_slices_reproduce_whole_epochs(data):
    whole = trained(data, epochs=2)
    sliced = trained(data, epochs=0)
    while sliced.epoch < 2:
        sliced.run(epochs=1, max_steps=3)  # 19 steps an epoch: stops mid-epoch many times
    assert same_bits(whole, sliced)
    assert without_seconds(whole.history) == without_seconds(sliced.history)
    timed = trained(data, epochs=0)
    rows = timed.run(epochs=5, max_seconds=0.0)  # out of time after the first step
    assert rows == [] and timed.steps == 1 and timed.epoch == 0


def test_history_rows(data):
    trainer = trained(data, epochs=3)
    assert [row["epoch"] for row in trainer.history] == [1, 2, 3]
    assert all(tuple(row) == HISTORY_COLUMNS for row in trainer.history)
    assert [row["steps"] for row in trainer.history] == [19, 38, 57]  # ceil(300 / 16) a epoch
    last = trainer.history[-1]
    loss, acc = trainer.evaluate(trainer.X_test, trainer.y_test)
    assert (last["test_loss"], last["test_acc"]) == (loss, acc)
    longer = trained(data, epochs=20).history
    assert longer[-1]["train_loss"] < longer[0]["train_loss"]  # it learns
    assert longer[-1]["train_acc"] > 0.9
    assert all(row["seconds"] > 0 for row in trainer.history)


def test_history_without_test_set_has_none(data):
    X_train, _, y_train, _ = data
    trainer = Trainer.from_params({"random_state": 0}, 2, 2)
    trainer.set_data(X_train, y_train)
    (row,) = trainer.run(1)
    assert row["test_loss"] is None and row["test_acc"] is None


def test_exponential_schedule_decays_per_epoch(data):
    trainer = trained(data, epochs=3, lr_schedule="exponential", lr_decay=0.5, learning_rate=0.2)
    assert [row["learning_rate"] for row in trainer.history] == [0.2, 0.1, 0.05]


def test_learning_rate_change_applies_to_the_running_network(data):
    # Full batch: the second step of both starts from the same weights with the same
    # gradient, so plain SGD's update -lr * g is a tenth at a tenth of the rate.
    changed = trained(data, epochs=1, batch_size="full", learning_rate=0.1)
    kept = trained(data, epochs=1, batch_size="full", learning_rate=0.1)
    start = changed.net.flat_params.copy()
    changed.learning_rate = 0.01
    changed.run(1), kept.run(1)
    assert changed.history[-1]["learning_rate"] == 0.01
    taken = changed.net.flat_params - start
    np.testing.assert_allclose(taken, 0.1 * (kept.net.flat_params - start), rtol=1e-9)
    assert np.abs(taken).max() > 0


def test_batch_larger_than_the_data_is_one_full_batch(data):
    trainer = trained(data, epochs=2, batch_size=10_000)
    full = trained(data, epochs=2, batch_size="full")
    assert trainer.steps == 2 and same_bits(trainer, full)


def test_divergence_keeps_last_good_weights_and_says_what_to_do(data):
    trainer = trained(data, epochs=0, hidden_layer_sizes=(64, 64), learning_rate=10.0)
    start = [W.copy() for W in trainer.net.params]
    rows = trainer.run(5)
    assert rows == [] and trainer.epoch == 0
    assert (
        "diverged at epoch 1" in trainer.diverged and "Lower the learning rate" in trainer.diverged
    )
    assert all(np.array_equal(a, b) for a, b in zip(start, trainer.net.params, strict=True))
    proba = trainer.net.predict_proba(np.random.default_rng(0).uniform(-5, 5, (1000, 2)))
    assert np.isfinite(proba).all()
    assert trainer.run(1) == []  # stays stopped ...
    trainer.clear_divergence()
    trainer.learning_rate = 0.05
    assert len(trainer.run(1)) == 1 and trainer.diverged is None  # ... until told to go on


def test_divergence_mid_run_keeps_the_completed_epochs(data):
    trainer = trained(data, epochs=2, learning_rate=0.05, hidden_layer_sizes=(64, 64))
    good = [W.copy() for W in trainer.net.params]
    trainer.learning_rate = 50.0
    trainer.run(3)
    assert trainer.epoch == 2 and len(trainer.history) == 2
    assert "epoch 3" in trainer.diverged
    assert all(np.array_equal(a, b) for a, b in zip(good, trainer.net.params, strict=True))


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"learning_rate": -0.1}, r"'learning_rate' parameter must be a number > 0\. Got -0\.1"),
        ({"learning_rate": math.nan}, "'learning_rate' parameter must be a number > 0"),
        ({"hidden_layer_sizes": (0,)}, "each a whole number from 1 to 256. Got"),
        ({"hidden_layer_sizes": (8,) * 7}, "0 to 6 layer sizes"),
        ({"hidden_layer_sizes": (300,)}, "from 1 to 256"),
        ({"hidden_layer_sizes": "big"}, "hidden_layer_sizes"),
        ({"batch_size": 0}, "'batch_size' parameter must be a whole number from 1"),
        ({"batch_size": 2.5}, "'batch_size' parameter must be a whole number"),
        ({"epochs": 0}, "'epochs' parameter must be a whole number from 1"),
        ({"momentum": 1.5}, "'momentum' parameter must be a number >= 0 and <= 1"),
        ({"l2": -1}, "'l2' parameter must be a number >= 0"),
        ({"l1": "a lot"}, "'l1' parameter must be a number"),
        ({"lr_decay": 0}, "'lr_decay' parameter must be a number > 0"),
        ({"optimizer": "rmsprop"}, "optimizer must be one of 'sgd', 'momentum', 'adam'"),
        ({"lr_schedule": "cosine"}, "lr_schedule must be one of 'constant', 'exponential'"),
        ({"nesterov": "yes"}, "'nesterov' parameter must be True or False"),
        ({"random_state": -1}, "'random_state' parameter must be >= 0"),
        ({"shuffle_seed": "x"}, "'shuffle_seed' parameter must be None or a whole number"),
        ({"learnin_rate": 0.1}, r"Unknown parameter\(s\) \['learnin_rate'\]"),
    ],
)
def test_bad_parameters_explain_themselves(params, match):
    with pytest.raises(ValueError, match=match):
        check_params(params)


def test_sigmoid_output_needs_two_classes():
    with pytest.raises(ValueError, match="exactly 2 classes; this data has 3"):
        Trainer.from_params({"output": "sigmoid"}, 2, 3)


def test_defaults_are_valid():
    assert check_params({}) == {**DEFAULTS}


@pytest.mark.parametrize(
    ("output", "task", "match"),
    [
        ("identity", "classification", r"'identity' is for regression \(ScratchNetRegressor\)"),
        ("softmax", "regression", r"'softmax' is for classification \(ScratchNetClassifier\)"),
        ("sigmoid", "regression", "for regression the output must be one of 'identity'"),
        ("linear", "regression", "output must be one of 'identity'. Got 'linear'"),
    ],
)
def test_an_output_of_the_other_task_is_refused(output, task, match):
    with pytest.raises(ValueError, match=match):
        check_params({"output": output}, task)


def test_regression_defaults_and_a_bad_task():
    assert check_params({}, "regression") == {**REGRESSION_DEFAULTS}
    assert REGRESSION_DEFAULTS["output"] == "identity"
    with pytest.raises(ValueError, match="task must be one of 'classification', 'regression'"):
        check_params({}, "clustering")


def regression_data(n=200, n_outputs=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    Y = np.column_stack([X[:, 0] - 2 * X[:, 1], np.sin(3 * X[:, 0])])[:, :n_outputs]
    return X, Y


def test_a_regression_trainer_learns_and_reports_r2():
    X, Y = regression_data()
    params = {"hidden_layer_sizes": (16,), "batch_size": 10, "random_state": 0}
    trainer = Trainer.from_params(params, 2, 2, task="regression")
    trainer.set_data(X[:150], Y[:150], X[150:], Y[150:])
    rows = trainer.run(30)
    assert tuple(rows[0]) == REGRESSION_HISTORY_COLUMNS
    assert "train_acc" not in REGRESSION_HISTORY_COLUMNS
    assert rows[-1]["train_loss"] < rows[0]["train_loss"] / 3
    assert rows[-1]["test_r2"] > 0.9
    loss, r2 = trainer.evaluate(X[150:], Y[150:])
    assert (loss, r2) == (rows[-1]["test_loss"], rows[-1]["test_r2"])
    again = Trainer.from_params(params, 2, 2, task="regression")
    again.set_data(X[:150], Y[:150], X[150:], Y[150:])
    again.run(30)
    assert same_bits(trainer, again)
