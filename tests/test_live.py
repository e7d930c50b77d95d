"""A live run: ticks bounded in time, the boundary picture, replay, live changes."""

import numpy as np
import pytest

from scratchnet.datasets import make_dataset, split
from scratchnet.live import LiveRun

PARAMS = {"hidden_layer_sizes": (16,), "learning_rate": 0.1, "batch_size": 10, "epochs": 5,
          "random_state": 0, "shuffle_seed": 0}  # fmt: skip


def live(n=400, **params):
    X, y = make_dataset("moons", n, 0.1, seed=1)
    X_train, X_test, y_train, y_test = split(X, y, 0.25, seed=1)
    return LiveRun(X_train, y_train, X_test, y_test, {**PARAMS, **params})


def test_ticks_train_epochs_and_stop_at_the_limit():
    run = live()
    while not run.finished:
        run.tick(max_seconds=10)
    assert run.epoch == 5 and len(run.history) == 5
    assert run.tick() == []
    run.set_epochs(7)
    assert not run.finished and len(run.tick(max_seconds=10)) == 1


def test_a_tick_is_bounded_in_time_on_big_data_with_batch_1():
    run = live(n=10_000, batch_size=1)
    rows = run.tick(max_seconds=0.01)
    assert rows == [] and 0 < run.trainer.steps < 7500  # a slice, not the whole epoch


def test_boundary_png_changes_when_training_moves():
    run = live()
    first = run.boundary_png()
    assert first.startswith(b"\x89PNG") and run.boundary_png() is first  # cached
    run.step_epoch()
    assert run.boundary_png() != first


def test_replay_reaches_the_same_weights_bit_for_bit():
    played = live()
    while played.epoch < 3:
        played.tick(max_seconds=0.0)  # one step a tick: many slices per epoch
    assert played.trainer.steps == 3 * 30
    rebuilt = live()
    rebuilt.replay_to(3)
    for a, b in zip(played.trainer.net.params, rebuilt.trainer.net.params, strict=True):
        np.testing.assert_array_equal(a, b)


def test_learning_rate_changes_live_without_reset():
    run = live()
    run.step_epoch()
    before = [W.copy() for W in run.trainer.net.params]
    run.set_learning_rate(0.001)
    run.step_epoch()
    assert run.epoch == 2 and run.history[-1]["learning_rate"] == 0.001
    assert any(
        not np.array_equal(a, b) for a, b in zip(before, run.trainer.net.params, strict=True)
    )


def test_divergence_keeps_a_finite_boundary_and_a_lower_rate_goes_on():
    run = live(hidden_layer_sizes=(64, 64), learning_rate=10.0, epochs=20)
    good = run.boundary_png()
    run.tick(max_seconds=10)
    assert run.finished and "diverged at epoch 1" in run.diverged
    assert run.boundary_png() == good
    assert np.isfinite(run.probabilities()).all()
    run.set_learning_rate(0.05)
    assert run.diverged is None and len(run.step_epoch()) == 1


def test_metrics_before_the_first_epoch():
    metrics = live().metrics()
    assert metrics["epoch"] == 0 and 0 <= metrics["train_acc"] <= 1 and metrics["test_loss"] > 0


def test_needs_two_features():
    with pytest.raises(ValueError, match="draws two features"):
        LiveRun(np.zeros((10, 3)), np.zeros(10, int), np.zeros((0, 3)), np.zeros(0, int), PARAMS)
