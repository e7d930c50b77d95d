"""A live run: ticks bounded in time, the boundary picture, replay, live changes, memory."""

import gc
import io
import tracemalloc
import weakref

import numpy as np
import pytest
from PIL import Image

from scratchnet.datasets import make_dataset, split
from scratchnet.live import (
    EVAL_ROWS,
    GRID_SIZE,
    MIN_GRID_SIZE,
    PICTURE_BUDGET,
    LiveRun,
    grid_size_for,
)
from scratchnet.plots import grid
from scratchnet.training import Trainer

PARAMS = {"hidden_layer_sizes": (16,), "learning_rate": 0.1, "batch_size": 10, "epochs": 5,
          "random_state": 0, "shuffle_seed": 0}  # fmt: skip


def live(n=400, grid_size=None, **params):
    X, y = make_dataset("moons", n, 0.1, seed=1)
    X_train, X_test, y_train, y_test = split(X, y, 0.25, seed=1)
    return LiveRun(X_train, y_train, X_test, y_test, {**PARAMS, **params}, grid_size=grid_size)


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


def test_catch_up_trains_to_a_step_within_its_time_and_never_past_the_limit():
    played = live()
    for _ in range(47):
        played.tick(max_seconds=0.0)  # one step a tick
    rebuilt = live()
    rebuilt.catch_up(10, max_seconds=0.0)  # out of time at once: the one step it always takes
    assert rebuilt.trainer.steps == 1
    while rebuilt.trainer.steps < 47:
        rebuilt.catch_up(47)
    assert rebuilt.trainer.steps == 47  # exactly there, mid-epoch
    np.testing.assert_array_equal(played.trainer.net.flat_params, rebuilt.trainer.net.flat_params)
    rebuilt.catch_up(10)  # behind it: nothing
    assert rebuilt.trainer.steps == 47
    rebuilt.catch_up(10**6, max_seconds=60)
    assert rebuilt.epoch == rebuilt.epochs == 5 and rebuilt.trainer.steps == 5 * 30
    with pytest.raises(ValueError, match="whole number"):
        rebuilt.catch_up(2.5)


def test_changes_made_while_playing_replay_bit_for_bit():
    """Two rates changed mid-epoch and a weight set by hand: a fresh run given the
    recorded changes reaches the same weights as the one they were made on."""
    played = live()
    for _ in range(17):
        played.tick(max_seconds=0.0)  # one step a tick
    played.set_learning_rate(0.5)
    for _ in range(40):
        played.tick(max_seconds=0.0)
    played.set_weight(1, 0, 3, 2.5)
    played.set_learning_rate(0.02)
    while played.epoch < 4:
        played.tick(max_seconds=0.0)
    assert [(c.step, c.kind) for c in played.changes] == [
        (0, "lr"), (17, "lr"), (57, "w"), (57, "lr")]  # fmt: skip
    assert played.changes[0].values == (0.1,)  # the rate it started with
    rebuilt = live(learning_rate=0.02)  # a link holds the rate in force at the end
    rebuilt.replay_changes(played.changes, 4)
    np.testing.assert_array_equal(played.trainer.net.flat_params, rebuilt.trainer.net.flat_params)
    without = live(learning_rate=0.02)
    without.replay_to(4)
    assert not np.array_equal(without.trainer.net.flat_params, played.trainer.net.flat_params)


def test_a_change_before_training_is_the_start_not_a_change():
    run = live()
    run.set_learning_rate(0.3)
    assert run.changes == () and run.params["learning_rate"] == 0.3


def test_a_change_this_network_cannot_take_is_refused_before_training():
    from scratchnet.live import Change

    run = live()
    with pytest.raises(ValueError, match="layer must be from 1 to 2"):
        run.replay_changes([Change(3, "lr", (0.2,)), Change(5, "w", (7, 0, 0, 1.0))], 2)
    assert run.trainer.steps == 0


def test_learning_rate_changes_live_without_reset():
    # One full batch an epoch: both runs take their second step from the same weights with
    # the same gradient, so plain SGD's update -lr * g scales exactly with the rate.
    slow, fast = live(batch_size="full"), live(batch_size="full")
    slow.step_epoch(), fast.step_epoch()
    start = slow.trainer.net.flat_params.copy()
    np.testing.assert_array_equal(start, fast.trainer.net.flat_params)
    slow.set_learning_rate(0.001)
    slow.step_epoch(), fast.step_epoch()
    assert slow.epoch == 2 and slow.history[-1]["learning_rate"] == 0.001
    taken = slow.trainer.net.flat_params - start
    np.testing.assert_allclose(taken, 0.01 * (fast.trainer.net.flat_params - start), rtol=1e-9)
    assert np.abs(taken).max() > 0


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


# -- memory: a classroom server holds one run per student ------------------------------------
def defaults_run(**params):
    """A run on the Playground's default data: 937 training and 313 test points."""
    X, y = make_dataset("moons", 1250, 0.1, seed=42)
    X_train, X_test, y_train, y_test = split(X, y, 0.25, seed=42)
    base = {**PARAMS, "hidden_layer_sizes": (64,), "epochs": 1000}
    return LiveRun(X_train, y_train, X_test, y_test, {**base, **params})


@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
def test_history_and_evaluation_are_the_cores(output):
    # Evaluated a block at a time, the outputs agree with the core's to rounding (BLAS may
    # sum a lone row in another order); training itself is the core's, step for step.
    run = defaults_run(output=output, hidden_layer_sizes=(16, 8), l2=1e-3)
    core = Trainer.from_params(run.params, 2, 2)
    core.set_data(run.X_train, run.y_train, run.X_test, run.y_test)
    for _ in range(3):
        run.tick(max_seconds=10)
        core.run(epochs=1)
    assert len(run.history) == 3
    for ours, theirs in zip(run.history, core.history, strict=True):
        assert ours.keys() == theirs.keys()
        assert ours == pytest.approx(dict(theirs, seconds=ours["seconds"]), rel=1e-12)
        assert type(ours["epoch"]) is int and type(ours["steps"]) is int
    assert run.history[1:] == [run.history[1], run.history[-1]] and run.history[5:] == []
    with pytest.raises(IndexError):
        run.history[3]
    for a, b in zip(run.trainer.net.params, core.net.params, strict=True):
        np.testing.assert_array_equal(a, b)
    for n in (1, EVAL_ROWS, EVAL_ROWS + 1, len(run.X_train)):  # one block, exact, spare rows
        loss, accuracy = run.trainer.evaluate(run.X_train[:n], run.y_train[:n])
        expected = core.evaluate(run.X_train[:n], run.y_train[:n])
        assert (loss, accuracy) == pytest.approx(expected, rel=1e-12)


def test_history_without_a_test_set_reads_back_none():
    X, y = make_dataset("moons", 200, 0.1, seed=1)
    run = LiveRun(X, y, X[:0], y[:0], PARAMS)
    run.step_epoch()
    row = run.history[-1]
    assert row["test_loss"] is None and row["test_acc"] is None and row["train_loss"] > 0


def test_history_keeps_64_bytes_an_epoch():
    row = {"epoch": 1, "steps": 94, "train_loss": 0.3, "test_loss": None, "train_acc": 0.9,
           "test_acc": None, "seconds": 0.002, "learning_rate": 0.1}  # fmt: skip
    history = live().history  # a run's own, empty
    tracemalloc.start()
    try:
        for epoch in range(1, 10_001):
            history.append({**row, "epoch": epoch, "train_loss": 1 / epoch})
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(history) == 10_000 and history[-1] == {**row, "epoch": 10_000, "train_loss": 1e-4}
    assert kept < 10_000 * 64 * 1.6  # the rows as dicts of floats: ~6 MB


def test_runs_on_the_same_data_share_one_read_only_grid():
    first, second = defaults_run(), defaults_run(random_state=1)
    assert first._grid is second._grid
    with pytest.raises(ValueError, match="read-only"):
        first._grid[0, 0] = 1.0
    np.testing.assert_array_equal(first._grid, grid(first.extent, GRID_SIZE)[2])
    gone = weakref.ref(first._grid)
    del first, second
    gc.collect()
    assert gone() is None  # freed with the last run that used it


def test_a_run_at_the_defaults_keeps_a_third_of_a_megabyte():
    other = defaults_run()  # another student's run: the first one allocates NumPy's caches,
    other.tick()  # and it holds the shared grid
    gc.collect()
    ours = [tracemalloc.Filter(True, "*/scratchnet/*", all_frames=True)]  # not pytest's
    tracemalloc.start(30)
    try:
        before = tracemalloc.take_snapshot().filter_traces(ours)
        run = defaults_run()
        for _ in range(5):
            run.tick(max_seconds=10)
            run.boundary_png()
        gc.collect()
        after = tracemalloc.take_snapshot().filter_traces(ours)
    finally:
        tracemalloc.stop()
    kept = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert run.epoch == 5 and other.epoch == 1
    # ~0.3 MB: weights, the trainer's copies of the data, buffers for a batch and for an
    # evaluation block. Buffers the size of the data sets and a grid of its own were 1.0 MB.
    assert kept < 450_000, f"a live run keeps {kept / 1e3:.0f} KB"


def test_release_frees_the_run_and_later_use_says_why():
    run = defaults_run()
    run.tick()
    network = weakref.ref(run.trainer.net)
    run.release()
    gc.collect()
    assert run.released and network() is None
    with pytest.raises(RuntimeError, match="released"):
        run.tick()
    with pytest.raises(RuntimeError, match="released"):
        run.boundary_png()


def test_a_run_on_input_features_trains_on_them_and_draws_the_plane():
    from scratchnet.features import feature_map

    X, y = make_dataset("circles", 400, 0.05, seed=0)
    X_train, X_test, y_train, y_test = split(X, y, 0.25, seed=0)
    params = {**PARAMS, "hidden_layer_sizes": (), "epochs": 30, "learning_rate": 0.3}
    run = LiveRun(X_train, y_train, X_test, y_test, params, features=("x2^2", "x1^2"))
    assert run.features == ("x1^2", "x2^2") and run.trainer.net.layer_sizes == [2, 2]
    run.replay_to(30)
    assert run.history[-1]["test_acc"] >= 0.95  # circles, no hidden layer: one cut in x²
    points = feature_map(grid(run.extent, GRID_SIZE)[2], run.features)
    np.testing.assert_array_equal(run.probabilities(), run.trainer.net.predict_proba(points))
    assert run.X_train.shape[1] == 2  # the points stay in the plane, for drawing


def test_speed_in_minibatches_moves_a_fraction_of_an_epoch():
    run = live()  # 300 training points, batch 10: 30 steps an epoch
    run.set_speed(steps=3)
    run.tick(max_seconds=10)
    assert run.trainer.steps == 3 and run.epoch == 0 and run.progress == pytest.approx(0.1)
    for _ in range(9):
        run.tick(max_seconds=10)
    assert run.epoch == 1 and run.progress == 1.0 and len(run.history) == 1


def test_speed_in_epochs_trains_several_a_tick_but_stops_at_the_limit():
    run = live(epochs=5)
    run.set_speed(epochs=3)
    assert len(run.tick(max_seconds=10)) == 3 and run.epoch == 3
    assert len(run.tick(max_seconds=10)) == 2 and run.epoch == 5 and run.finished


@pytest.mark.parametrize(
    "kwargs, match",
    [({}, "not both"), ({"steps": 2, "epochs": 1}, "not both"), ({"steps": 0}, ">= 1"),
     ({"epochs": 1.5}, "whole number of epochs")],
)  # fmt: skip
def test_a_bad_speed_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        live().set_speed(**kwargs)


def test_discretized_output_paints_hard_class_regions():
    from scratchnet.plots import CLASS_COLORS, _rgb

    run = live()
    run.step_epoch()
    soft = run.boundary_png()
    run.discrete = True
    hard = run.boundary_png()
    assert hard != soft
    pixels = np.asarray(Image.open(io.BytesIO(hard)).convert("RGB")).reshape(-1, 3)
    colours = {tuple(int(v) for v in px) for px in np.unique(pixels, axis=0)}
    full = {tuple(round(255 + 0.75 * (c - 255)) for c in _rgb(CLASS_COLORS[k])) for k in (0, 1)}
    assert colours <= full | {(255, 255, 255)} and colours & full == full
    run.discrete = False
    assert run.boundary_png() == soft


def test_a_runs_confusion_matrices_agree_with_its_accuracy():
    X, y = make_dataset("spiral", 600, 0.1, seed=0, n_classes=3)
    X_train, X_test, y_train, y_test = split(X, y, 0.25, seed=0)
    run = LiveRun(X_train, y_train, X_test, y_test, {**PARAMS, "epochs": 8})
    run.replay_to(8)
    matrices = run.confusion()
    assert set(matrices) == {"train", "test"}
    for name, X_part in (("train", X_train), ("test", X_test)):
        C = matrices[name]
        assert C.shape == (3, 3) and C.sum() == len(X_part)
        assert C.trace() / C.sum() == pytest.approx(run.history[-1][f"{name}_acc"])
    np.testing.assert_array_equal(matrices["test"].sum(axis=1), np.bincount(y_test, minlength=3))


def test_a_weight_set_by_hand_is_trained_on():
    run = live()
    run.step_epoch()
    picture = run.boundary_png()
    run.set_weight(1, 0, 3, 2.5)
    assert run.trainer.net.params[0][0, 3] == 2.5
    assert run.boundary_png() != picture  # drawn again, though no step was taken
    edited = run.trainer.net.flat_params.copy()
    run.step_epoch()
    assert not np.array_equal(run.trainer.net.flat_params, edited)  # training goes on
    with pytest.raises(ValueError, match="layer must be from 1 to 2"):
        run.set_weight(3, 0, 0, 1.0)
    with pytest.raises(ValueError, match="finite"):
        run.set_weight(2, 0, 0, float("inf"))


def test_the_picture_is_the_png_or_the_weights_the_browser_paints():
    run = live()
    assert run.picture() == run.boundary_png()
    run.browser_paints = True
    assert np.array_equal(np.frombuffer(run.picture(), "<f8"), run.trainer.net.flat_params)


def test_paint_cost_counts_the_multiply_adds_of_a_picture():
    run = live(hidden_layer_sizes=(64,))
    assert run.paint_cost() == run.grid_size**2 * (2 * 64 + 64 * 2)
    deep = live(hidden_layer_sizes=(128,) * 6)
    assert deep.paint_cost() == deep.grid_size**2 * (2 * 128 + 5 * 128 * 128 + 128 * 2)


def test_the_grid_is_coarser_only_for_networks_whose_picture_would_cost_too_much():
    assert live(hidden_layer_sizes=(64,)).grid_size == GRID_SIZE
    assert live(hidden_layer_sizes=(128,) * 3).grid_size == GRID_SIZE  # 333 M: within
    deep = live(hidden_layer_sizes=(128,) * 6)
    assert MIN_GRID_SIZE < deep.grid_size < GRID_SIZE
    assert deep.paint_cost() <= PICTURE_BUDGET < (deep.grid_size + 1) ** 2 * 82_432
    assert len(deep.probabilities()) == deep.grid_size**2  # the picture is drawn on it
    assert grid_size_for([2, 10**6, 2]) == MIN_GRID_SIZE  # never below the floor
    assert live(hidden_layer_sizes=(128,) * 6, grid_size=100).grid_size == 100  # asked for


# -- regression: TF Playground's "plane", the value on a diverging scale --------------------
REGRESSION = {**PARAMS, "hidden_layer_sizes": (8,), "learning_rate": 0.03, "epochs": 20}


def plane_run(targets=1, **kwargs):
    """A regression run on "plane": 300 training and 100 test points; ``targets`` 2 adds a
    second target, minus the first."""
    X, y = make_dataset("plane", 400, seed=1)
    X_train, X_test, y_train, y_test = split(X, y, 0.25, seed=1)
    if targets == 2:
        y_train, y_test = np.column_stack([y_train, -y_train]), np.column_stack([y_test, -y_test])
    params = {**REGRESSION, "output": "identity", **kwargs.pop("params", {})}
    return LiveRun(X_train, y_train, X_test, y_test, params, **kwargs)


def test_a_regression_run_trains_on_plane_and_its_r2_rises():
    from scratchnet.metrics import r2_score
    from scratchnet.training import REGRESSION_HISTORY_COLUMNS

    run = plane_run()
    assert run.task == "regression" and run.regression and run.trainer.net.layer_sizes[-1] == 1
    before = run.metrics()
    assert set(before) == set(REGRESSION_HISTORY_COLUMNS[:6]) and before["epoch"] == 0
    run.replay_to(20)
    assert len(run.history) == 20 and tuple(run.history[-1]) == REGRESSION_HISTORY_COLUMNS
    last = run.metrics()
    assert last == run.history[-1]
    assert last["train_r2"] > before["train_r2"] and last["test_r2"] > before["test_r2"]
    assert last["train_loss"] < before["train_loss"]
    # the history's R² is the R² of the run's own predictions
    assert run.predict(run.X_test).shape == run.y_test.shape
    assert last["test_r2"] == pytest.approx(r2_score(run.y_test, run.predict(run.X_test)))
    assert last["train_r2"] == pytest.approx(r2_score(run.y_train, run.predict(run.X_train)))


def test_a_regression_runs_history_and_weights_are_the_cores():
    run = plane_run()
    core = Trainer.from_params(run.params, 2, 1, "regression")
    core.set_data(run.X_train, run.y_train, run.X_test, run.y_test)
    run.replay_to(3)
    core.run(epochs=3)
    for ours, theirs in zip(run.history, core.history, strict=True):
        assert ours == pytest.approx(dict(theirs, seconds=ours["seconds"]), rel=1e-12)
    np.testing.assert_array_equal(run.trainer.net.flat_params, core.net.flat_params)


def test_the_task_follows_the_output_or_is_given():
    X, y = make_dataset("plane", 100, seed=0)
    given = LiveRun(X, y, X[:0], y[:0], PARAMS, task="regression")  # output: identity
    assert given.regression and given.params["output"] == "identity"
    assert given.metrics()["test_r2"] is None
    assert not live().regression and live().task == "classification"
    with pytest.raises(ValueError, match="is for classification"):
        LiveRun(X, y, X[:0], y[:0], {**PARAMS, "output": "softmax"}, task="regression")
    with pytest.raises(ValueError, match="task"):
        LiveRun(X, y, X[:0], y[:0], PARAMS, task="clustering")
    with pytest.raises(ValueError, match="as many targets"):
        LiveRun(X, y, X[:5], np.zeros((5, 2)), PARAMS, task="regression")


def decode_rgba(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_a_regression_picture_is_the_value_picture_of_its_predictions_on_the_grid():
    from scratchnet.plots import PALETTES, VALUE_RANGE, value_rgba

    run = plane_run()
    run.replay_to(5)
    points = grid(run.extent, run.grid_size)[2]
    predicted = run.predict(points)
    np.testing.assert_allclose(run.values()[:, 0], predicted, rtol=1e-12, atol=1e-15)
    assert run.value_range == VALUE_RANGE
    png = run.boundary_png()
    np.testing.assert_array_equal(decode_rgba(png), value_rgba(predicted, run.grid_size))
    assert run.picture() == png
    # the look: another palette's end colours, the sign only, another range
    run.colors = PALETTES["okabe-ito"]
    expected = value_rgba(run.values(), run.grid_size, run.colors)
    np.testing.assert_array_equal(decode_rgba(run.boundary_png()), expected)
    run.discrete = True
    expected = value_rgba(run.values(), run.grid_size, run.colors, discrete=True)
    np.testing.assert_array_equal(decode_rgba(run.boundary_png()), expected)
    run.value_range = 4 * VALUE_RANGE
    expected = value_rgba(run.values(), run.grid_size, run.colors, discrete=True, value_range=4)
    np.testing.assert_array_equal(decode_rgba(run.boundary_png()), expected)
    with pytest.raises(ValueError, match="predicts numbers"):
        run.probabilities()
    with pytest.raises(ValueError, match="predicts classes"):
        live().values()


def test_a_run_with_two_targets_predicts_both_and_paints_the_chosen_one():
    from scratchnet.plots import value_rgba

    run = plane_run(targets=2, value_range=2.0)
    assert run.trainer.net.layer_sizes[-1] == 2 and run.value_range == 2.0
    run.replay_to(10)
    assert run.predict(run.X_test).shape == run.y_test.shape == (100, 2)
    assert run.history[-1]["test_r2"] > run.history[0]["test_r2"]
    first = run.boundary_png()
    run.target = 1
    second = run.boundary_png()
    assert second != first
    expected = value_rgba(run.values()[:, 1], run.grid_size, value_range=2.0)
    np.testing.assert_array_equal(decode_rgba(second), expected)


def test_a_regression_run_has_no_confusion_matrices():
    with pytest.raises(ValueError, match="no classes to confuse"):
        plane_run().confusion()


def test_a_history_keeps_the_columns_it_is_given():
    from scratchnet.live import History
    from scratchnet.training import REGRESSION_HISTORY_COLUMNS

    history = History(REGRESSION_HISTORY_COLUMNS)
    row = dict.fromkeys(REGRESSION_HISTORY_COLUMNS, 0.5) | {"epoch": 1, "steps": 3}
    history.append({**row, "test_r2": None})
    assert history[0] == {**row, "test_r2": None} and history.columns == REGRESSION_HISTORY_COLUMNS
    with pytest.raises(KeyError):
        history.append(dict.fromkeys(History().columns, 0.5))  # a classifier's row: no R²


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_the_weights_at_any_epoch_are_those_the_run_had(optimizer):
    """Going back in time: every epoch's weights rebuilt from the checkpoints, bit for bit,
    changes made while playing included; the run itself goes on untouched."""
    from scratchnet.timeline import Timeline

    run = live(optimizer=optimizer, epochs=80, learning_rate=0.05)
    run.trainer.timeline = Timeline(every=8)  # a checkpoint every 8 epochs
    run.trainer.timeline.note(run.trainer)
    seen = {0: run.trainer.net.flat_params.copy()}
    while run.epoch < 30:
        run.tick(max_seconds=0.0)
        if run.trainer.progress == run.epoch:
            seen[run.epoch] = run.trainer.net.flat_params.copy()
        if run.trainer.steps == 205:
            run.set_learning_rate(0.2)
        if run.trainer.steps == 333:
            run.set_weight(1, 1, 5, 0.75)
    assert [c.epoch for c in run.trainer.timeline.checkpoints] == [0, 8, 16, 24]
    now = run.trainer.net.flat_params.copy()
    for epoch in (30, 3, 29, 0, 8, 17, 11, 24):
        np.testing.assert_array_equal(run.weights_at(epoch), seen[epoch], err_msg=str(epoch))
    np.testing.assert_array_equal(run.trainer.net.flat_params, now)  # the run is as it was
    run.tick()
    with pytest.raises(ValueError, match="has not been trained"):
        run.weights_at(run.epoch + 1)


def test_the_timeline_keeps_under_a_megabyte_for_10000_epochs_at_the_defaults():
    from scratchnet.timeline import EVERY

    run = live(hidden_layer_sizes=(64,), epochs=EVERY * 2)
    run.replay_to(EVERY * 2)
    per_checkpoint = run.trainer.timeline.checkpoints[-1].nbytes
    assert [c.epoch for c in run.trainer.timeline.checkpoints] == [0, EVERY, 2 * EVERY]
    assert (10_000 // EVERY + 1) * (per_checkpoint + 400) < 1_000_000  # + the generator's state


def test_a_regression_run_takes_live_changes():
    X, y = make_dataset("plane", 300, 0.0, seed=0)
    X_train, X_test, y_train, y_test = split(X, y, 0.25, seed=0)
    run = LiveRun(X_train, y_train, X_test, y_test, {**PARAMS, "output": "identity"})
    run.tick()
    run.set_learning_rate(0.02)  # checked as a regression's parameters, not a classifier's
    run.set_epochs(9)
    assert run.params["learning_rate"] == 0.02 and run.epochs == 9
    assert [c.kind for c in run.changes] == ["lr", "lr"]
