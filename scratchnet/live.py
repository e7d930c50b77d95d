"""One network training live, for a UI that draws between slices of training.

``LiveRun`` holds the data, a ``Trainer`` and the grid the decision boundary is drawn
on. ``tick`` trains one epoch or a bounded time slice, whichever ends first, so that
batch 1 on 10,000 points still returns in time to draw; ``boundary_png`` paints the
class probabilities over the plane, or for a regression run (identity output) the
predicted value on the diverging scale of ``scratchnet.plots.value_rgba``. NumPy only: a
page calls this and draws the bytes.

Memory. A classroom server holds one run per student, so a run keeps little of its own:
its history as numbers (``History``, 64 bytes an epoch), evaluations through a block of
``EVAL_ROWS`` rows rather than buffers the size of the data sets, and the grid's points
shared, read-only, with every run drawn over the same extent (``shared_grid``). At the
Playground's defaults that is ~0.35 MB a run instead of ~1.1 MB.
"""

from __future__ import annotations

import itertools
import math
import threading
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from scratchnet.features import PLAIN, check_features, feature_map
from scratchnet.losses import REGRESSION_OUTPUTS, class_probabilities
from scratchnet.metrics import confusion_matrix
from scratchnet.plots import (
    CLASS_COLORS,
    VALUE_RANGE,
    Extent,
    boundary_rgba,
    check_value_range,
    data_extent,
    encode_png,
    grid,
    value_rgba,
)
from scratchnet.timeline import Timeline
from scratchnet.training import (
    HISTORY_COLUMNS,
    REGRESSION_HISTORY_COLUMNS,
    Trainer,
    check_params,
)

GRID_SIZE = 100  # the boundary is drawn on GRID_SIZE x GRID_SIZE points
# ... unless that costs more multiply-adds than this: a coarser grid then (6 x 128: 65 x 65,
# 14 ms a picture on this machine's core instead of 44 ms), never below MIN_GRID_SIZE.
PICTURE_BUDGET = 350_000_000
MIN_GRID_SIZE = 32
TICK_SECONDS = 0.03  # the longest a tick trains before it returns to draw
# A run evaluates its training and test sets this many rows at a time. The network keeps
# buffers for every size it sees, so whole sets would cost ~0.6 MB a run at the defaults
# (937 + 313 rows x 65 units); a block of 128 costs ~0.14 MB and the same time (+4%).
EVAL_ROWS = 128

Row = dict[str, float | int | None]
NO_LIMIT = 10**9  # epochs: "until the step limit"


@dataclass(frozen=True)
class Change:
    """A change made to a run while it went on, from training step ``step`` on:
    ``kind`` "lr" with ``values`` (rate,), or "w" with (layer, i, j, weight)."""

    step: int
    kind: str
    values: tuple

    @property
    def key(self) -> tuple:
        """What it changes: a later change with the same key at the same step replaces it."""
        return (self.step, self.kind, *self.values[:-1])


class History(Sequence[Row]):
    """A run's history rows, kept as one float64 per column.

    columns : the rows' keys, ``HISTORY_COLUMNS`` (a classifier's) or
        ``REGRESSION_HISTORY_COLUMNS`` (R² in place of accuracy); ``epoch`` and ``steps``
        among them.

    64 bytes an epoch where a dict of Python floats takes ~600: a server holds a run per
    student, and a run may go on for 100,000 epochs. Reading gives the rows the core's
    ``Trainer.history`` holds: ints for ``epoch`` and ``steps``, None where a row had None
    (the test loss and score without a test set). Appending is all a ``Trainer`` does.
    """

    def __init__(self, columns: Sequence[str] = HISTORY_COLUMNS) -> None:
        self.columns = tuple(columns)
        self._data = np.empty((0, len(self.columns)))
        self._n = 0

    def append(self, row: Mapping[str, Any]) -> None:
        if self._n == len(self._data):  # grow by half: ~1.5 appends' worth of copying each
            grown = np.empty((max(16, self._n + self._n // 2), len(self.columns)))
            grown[: self._n] = self._data[: self._n]
            self._data = grown
        self._data[self._n] = [math.nan if row[k] is None else row[k] for k in self.columns]
        self._n += 1

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...
    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, slice):
            return [self._row(i) for i in range(*index.indices(self._n))]
        i = index + self._n if index < 0 else index
        if not 0 <= i < self._n:
            raise IndexError(f"history index {index} out of range for {self._n} rows")
        return self._row(i)

    def _row(self, i: int) -> Row:
        values = self._data[i].tolist()  # None was kept as NaN, the one value with v != v
        row: Row = {k: None if v != v else v for k, v in zip(self.columns, values, strict=True)}
        row["epoch"], row["steps"] = int(row["epoch"]), int(row["steps"])
        return row


class _LiveTrainer(Trainer):
    """The core's ``Trainer`` with a compact ``History`` and evaluations through a block of
    ``EVAL_ROWS`` rows (see the module's docstring); it trains exactly the same steps."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.history = History(REGRESSION_HISTORY_COLUMNS if self.regression else HISTORY_COLUMNS)
        self._block: NDArray[np.float64] | None = None  # EVAL_ROWS inputs, then a column of ones
        self.timeline = Timeline()  # a checkpoint every timeline.every epochs

    def _history_row(self) -> dict[str, float | int | None]:
        """The core's row; an epoch that ends finite is also one the timeline may keep."""
        row = super()._history_row()
        if math.isfinite(row["train_loss"]):
            self.timeline.note(self)
        return row

    def _outputs(self, X: NDArray) -> NDArray[np.float64]:
        """The network's outputs on X (n_samples, 2), computed ``EVAL_ROWS`` rows at a time
        through one input block (the last block's spare rows hold earlier inputs and are not
        read back), so that the network keeps buffers for that block only, whatever the size
        of X. ``Trainer.evaluate`` scores them as it scores the core's."""
        X = np.asarray(X, dtype=float)
        n = len(X)
        if n == 0:
            return super()._outputs(X)
        if self._block is None or self._block.shape[1] != X.shape[1] + 1:
            self._block = np.zeros((EVAL_ROWS, X.shape[1] + 1))
            self._block[:, -1] = 1.0
        block, forward = self._block, self.net.forward
        out = np.empty((n, self.net.layer_sizes[-1]))
        for start in range(0, n, EVAL_ROWS):
            m = min(EVAL_ROWS, n - start)
            block[:m, :-1] = X[start : start + m]
            out[start : start + m] = forward(block)[:m]
        return out


def _apply_to(trainer: Trainer, change: Change) -> None:
    """A recorded change, applied to a bare trainer as ``LiveRun`` applied it to its own."""
    if change.kind == "lr":
        trainer.learning_rate = change.values[0]
        trainer.clear_divergence()
    else:
        layer, i, j, value = change.values
        trainer.net.coefs[int(layer) - 1][int(i), int(j)] = value
        trainer.optimizer.reset_state()


class _ScratchTrainer(_LiveTrainer):
    """Where a run goes back in time (``LiveRun.weights_at``): it trains the same steps and
    keeps nothing: no evaluation, no history, no checkpoints."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.history = _Nowhere()
        self.timeline = Timeline(every=0)  # never due: see note

    def _history_row(self) -> dict[str, float | int | None]:
        return {"train_loss": 0.0}  # finite: replayed epochs ended finite the first time


class _Nowhere(list):
    """A history that keeps nothing."""

    def append(self, row: Any) -> None:
        pass


class _Released:
    """Stands in for the trainer of a released run: every use says what happened."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError("This live run was released (its session expired); start a new one.")


_GRIDS: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_GRIDS_LOCK = threading.Lock()


def shared_grid(extent: Extent, size: int = GRID_SIZE) -> NDArray[np.float64]:
    """The points of ``grid(extent, size)``, (size**2, 2), read-only and shared.

    Every run drawn over the same extent (a classroom on the same data) gets the same
    array: 160 KB once rather than once a student. It is freed with the last run that
    holds it.
    """
    key = (tuple(float(v) for v in extent), int(size))
    with _GRIDS_LOCK:
        points = _GRIDS.get(key)
        if points is None:
            points = grid(extent, size)[2]
            points.flags.writeable = False
            _GRIDS[key] = points
        return points


def multiply_adds(layer_sizes: Sequence[int]) -> int:
    """Multiply-adds of a forward pass of one point through layers of these sizes."""
    return sum(a * b for a, b in itertools.pairwise(layer_sizes))


def grid_size_for(layer_sizes: Sequence[int], budget: int = PICTURE_BUDGET) -> int:
    """The side of the boundary's grid for a network of these layer sizes: GRID_SIZE, or
    less, so that one picture (a forward pass over the grid) costs at most ``budget``
    multiply-adds; never less than MIN_GRID_SIZE."""
    per_point = multiply_adds(layer_sizes)
    if GRID_SIZE**2 * per_point <= budget:
        return GRID_SIZE
    return max(MIN_GRID_SIZE, math.isqrt(budget // per_point))


def task_of(params: Mapping[str, Any]) -> str:
    """ "regression" for parameters with an identity output, else "classification"."""
    return "regression" if params.get("output") in REGRESSION_OUTPUTS else "classification"


class LiveRun:
    """A network, its data, and the picture of its decision boundary (or of its values).

    X_train : (n_train, 2); y_train : (n_train,) class indices 0..n_classes-1, or for a
        regression run the numbers to predict, float, (n_train,) or (n_train, n_targets).
    X_test, y_test : the held-out points (may be empty).
    params : ``ScratchNetClassifier`` keyword arguments, or ``ScratchNetRegressor``'s for a
        regression run; ``epochs`` is where ``tick`` stops (raise it and training continues).
    n_classes : the number of classes (default: the largest label + 1); unused to regress.
    features : the network's inputs, names from ``scratchnet.features.FEATURES``; the
        points and the pictures stay in the (x1, x2) plane, the network sees the features.
    grid_size : the boundary picture is grid_size x grid_size points; by default
        ``grid_size_for`` the network (GRID_SIZE, coarser for very large networks).
    task : "classification" or "regression"; by default the params' output says
        (identity: regression). A regression run's history scores R² (``train_r2``,
        ``test_r2``) where a classifier's scores accuracy, and its picture is the
        predicted value of target ``target`` on the diverging scale of
        ``scratchnet.plots.value_rgba`` over [-value_range, value_range].
    value_range : the values the picture's scale spans, ``VALUE_RANGE`` (TF Playground's
        [-1, 1], the regression sets' range) unless the targets are in other units.
    """

    def __init__(
        self,
        X_train: NDArray,
        y_train: NDArray[np.integer],
        X_test: NDArray,
        y_test: NDArray[np.integer],
        params: Mapping[str, Any],
        n_classes: int | None = None,
        grid_size: int | None = None,
        features: Sequence[str] = PLAIN,
        task: str | None = None,
        value_range: float = VALUE_RANGE,
    ):
        task = task_of(params) if task is None else task
        self.params = check_params(params, task)  # a ValueError for an unknown task too
        self.task: str = task
        self.features = check_features(features)
        self.X_train, self.X_test = np.asarray(X_train, float), np.asarray(X_test, float)
        if self.X_train.ndim != 2 or self.X_train.shape[1] != 2:
            raise ValueError(f"A live run draws two features; got X of shape {self.X_train.shape}.")
        if self.regression:
            self.y_train, self.y_test = _targets(y_train, y_test)
            self.n_classes = None
            n_outputs = 1 if self.y_train.ndim == 1 else self.y_train.shape[1]
        else:
            self.y_train, self.y_test = np.asarray(y_train, np.intp), np.asarray(y_test, np.intp)
            labels = np.concatenate([self.y_train, self.y_test])
            self.n_classes = n_outputs = int(n_classes or labels.max() + 1)
        self.trainer = _LiveTrainer.from_params(
            self.params, len(self.features), n_outputs, self.task
        )
        self.trainer.set_data(
            feature_map(self.X_train, self.features),
            self.y_train,
            feature_map(self.X_test, self.features) if len(self.X_test) else self.X_test,
            self.y_test,
        )
        self.extent = data_extent(np.vstack([self.X_train, self.X_test]))
        self.grid_size = grid_size or grid_size_for(self.trainer.net.layer_sizes)
        # The grid's points as the network sees them: the shared grid itself for (x1, x2).
        self._grid = feature_map(shared_grid(self.extent, self.grid_size), self.features)
        self._png: tuple[tuple, bytes] | None = None  # ((steps, look), the picture)
        self.discrete = False  # draw hard class regions, or a value's sign (see boundary_rgba)
        self.colors: Sequence[str] = CLASS_COLORS  # the class colours (the first two: values')
        self.value_range = check_value_range(value_range)  # a regression picture's scale
        self.target = 0  # the target a regression picture shows (of n_targets)
        self.speed: tuple[str, int] = ("epochs", 1)  # what a tick trains; see set_speed
        # False: ``picture`` is the PNG; True: the weights, and the browser paints them.
        self.browser_paints = False
        # What changed the run after it started, with the step it took effect at: a
        # replay applies them at the same steps (see ``changes``, ``replay_to``).
        self._changes: list[Change] = []
        self.trainer.timeline.note(self.trainer)  # epoch 0
        self._scratch: _ScratchTrainer | None = None  # made on the first weights_at

    def release(self) -> None:
        """Free the network, its buffers, its history and the data, for a run that nobody
        can come back to (a server calls this once the student's session has expired).
        Anything asked of the run afterwards raises RuntimeError."""
        self.trainer = _Released()  # type: ignore[assignment]
        self.X_train = self.y_train = self.X_test = self.y_test = None  # type: ignore[assignment]
        self._grid, self._png, self._scratch = None, None, None  # type: ignore[assignment]

    @property
    def regression(self) -> bool:
        """True for a regression run (identity output): it predicts numbers, not classes."""
        return self.task == "regression"

    @property
    def curve_columns(self) -> tuple[str, str, str, str]:
        """The history columns a chart plots: the train and test loss, then the train and
        test score (``train_acc``, ``test_acc``; a regression's ``train_r2``, ``test_r2``)."""
        return tuple(self.history.columns[2:6])  # type: ignore[return-value]

    @property
    def released(self) -> bool:
        return isinstance(self.trainer, _Released)

    # -- state ------------------------------------------------------------------------------
    @property
    def epoch(self) -> int:
        return self.trainer.epoch

    @property
    def history(self) -> History:
        """One row per epoch (see ``History``): ``history[i]``, ``history[a:b]``, ``len``."""
        return self.trainer.history

    @property
    def diverged(self) -> str | None:
        return self.trainer.diverged

    @property
    def epochs(self) -> int:
        """Where training stops."""
        return self.params["epochs"]

    @property
    def finished(self) -> bool:
        """True once ``epochs`` epochs are done, or training diverged."""
        return self.trainer.epoch >= self.epochs or self.trainer.diverged is not None

    def set_learning_rate(self, learning_rate: float) -> None:
        """Change the rate of the running network from the next step on (no reset); once
        it has trained, the change is recorded with its step (``changes``)."""
        before = self.params["learning_rate"]
        self.params = check_params({**self.params, "learning_rate": learning_rate}, self.task)
        self.trainer.learning_rate = self.params["learning_rate"]
        self.trainer.clear_divergence()  # a lower rate may well go on
        if self.trainer.steps and not self._changes:  # the rate it started with, first
            self._changes.append(Change(0, "lr", (before,)))
        if self.trainer.steps:
            self._record(Change(self.trainer.steps, "lr", (self.params["learning_rate"],)))

    def _record(self, change: Change) -> None:
        """Keep ``change``; one of the same kind and target at the same step replaces it."""
        self._changes = [c for c in self._changes if c.key != change.key] + [change]

    @property
    def changes(self) -> tuple[Change, ...]:
        """What changed the run after it started, in the order it happened: learning rates
        (the first at step 0, the rate it started with) and weights set by hand, each with
        the training step from which it took effect."""
        return tuple(self._changes)

    def replay_changes(self, changes: Sequence[Change], epoch: int) -> None:
        """Train to ``epoch`` applying ``changes`` (as ``changes`` gives them) at their steps:
        the same weights, bit for bit, as the run they were recorded on. ValueError, with
        nothing trained, for a change that cannot be applied to this network."""
        changes = sorted(changes, key=lambda c: c.step)  # stable: same-step order kept
        for change in changes:
            self._check(change)
        for change in changes:
            while self.trainer.steps < change.step and self.trainer.diverged is None:
                self.trainer.run(epochs=NO_LIMIT, max_steps=change.step - self.trainer.steps)
            if self.trainer.steps != change.step:  # diverged before it: nothing more to do
                break
            self._apply(change)
        self.replay_to(epoch)

    # -- going back in time -------------------------------------------------------------
    def weights_at(self, epoch: int) -> NDArray[np.float64]:
        """The weights (``flat_params``) at the end of ``epoch``, one of those trained: the
        same bits the run had then, rebuilt from the timeline's last checkpoint before it.
        The run itself is not touched; training goes on from where it is."""
        if isinstance(epoch, bool) or not isinstance(epoch, int | np.integer):
            raise ValueError(f"The epoch must be a whole number. Got {epoch!r}.")
        if not 0 <= epoch <= self.trainer.epoch:
            raise ValueError(f"Epoch {epoch} has not been trained: 0 to {self.trainer.epoch}.")
        if epoch == self.trainer.epoch and self.trainer.progress == epoch:
            return self.trainer.net.flat_params.copy()
        if self._scratch is None:
            n_outputs = self.trainer.net.layer_sizes[-1] if self.regression else self.n_classes
            self._scratch = _ScratchTrainer.from_params(
                self.params, len(self.features), n_outputs, self.task
            )
            self._scratch.set_data(self.trainer.X_train, self.trainer.y_train)
        self.trainer.timeline.train_to(self._scratch, int(epoch), self._changes, _apply_to)
        return self._scratch.net.flat_params.copy()

    def forget_the_past(self) -> None:
        """Drop what going back in time made (the scratch trainer); the timeline stays."""
        self._scratch = None

    def _check(self, change: Change) -> None:
        if change.kind == "lr":
            check_params({**self.params, "learning_rate": change.values[0]}, self.task)
        elif change.kind == "w":
            self._check_weight(*change.values)
        else:
            raise ValueError(f"Unknown change {change.kind!r}: 'lr' or 'w'.")

    def _apply(self, change: Change) -> None:
        if change.kind == "lr":
            self.set_learning_rate(change.values[0])
        else:
            layer, i, j, value = change.values
            self.set_weight(int(layer), int(i), int(j), value)

    def set_epochs(self, epochs: int) -> None:
        """Move the stopping point; raising it lets a finished run continue."""
        self.params = check_params({**self.params, "epochs": epochs}, self.task)

    def set_speed(self, steps: int | None = None, epochs: int | None = None) -> None:
        """What one ``tick`` trains: ``steps`` minibatches (watch each step of SGD move the
        boundary) or ``epochs`` whole epochs; either way no longer than its time slice."""
        if (steps is None) == (epochs is None):
            raise ValueError("Give the speed as a number of steps or of epochs a tick, not both.")
        unit, count = ("steps", steps) if steps is not None else ("epochs", epochs)
        if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 1:
            raise ValueError(f"The speed must be a whole number of {unit} >= 1. Got {count!r}.")
        self.speed = (unit, int(count))

    def set_weight(self, layer: int, i: int, j: int, value: float) -> None:
        """Set one weight by hand, from input unit ``i`` of layer ``layer - 1`` to unit ``j``
        of layer ``layer`` (1 = the first hidden layer); training goes on from it (the
        optimiser's memory of the old weights is cleared). Reset undoes it: a new run
        starts from the seeds."""
        value = self._check_weight(layer, i, j, value)
        self.trainer.net.coefs[layer - 1][i, j] = value
        self.trainer.optimizer.reset_state()
        self._png = None
        self._record(Change(self.trainer.steps, "w", (layer, i, j, value)))

    def _check_weight(self, layer: Any, i: Any, j: Any, value: Any) -> float:
        sizes = self.trainer.net.layer_sizes
        if not (isinstance(layer, int | np.integer) and 1 <= layer < len(sizes)):
            raise ValueError(f"layer must be from 1 to {len(sizes) - 1}. Got {layer!r}.")
        if not (0 <= i < sizes[layer - 1] and 0 <= j < sizes[layer]):
            raise ValueError(
                f"Layer {layer} links units 0..{sizes[layer - 1] - 1} to 0..{sizes[layer] - 1}. "
                f"Got {i} -> {j}."
            )
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"A weight must be a finite number. Got {value!r}.")
        return value

    @property
    def progress(self) -> float:
        """Epochs trained, with the part of the epoch under way (3.25: a quarter into the
        fourth), for a counter that moves when a tick trains a few minibatches."""
        return self.trainer.progress

    # -- training ---------------------------------------------------------------------------
    def tick(self, max_seconds: float = TICK_SECONDS) -> list[dict]:
        """Train what ``speed`` says (one epoch unless set), or for ``max_seconds`` if that
        ends first, never past ``epochs``. Returns the history rows of epochs completed."""
        if self.finished:
            return []
        unit, count = self.speed
        left = self.epochs - self.trainer.epoch
        if unit == "steps":
            return self.trainer.run(epochs=1, max_seconds=max_seconds, max_steps=count)
        return self.trainer.run(epochs=min(count, left), max_seconds=max_seconds)

    def step_epoch(self) -> list[dict]:
        """Finish the epoch under way (or train a whole one), however long it takes."""
        if self.trainer.diverged is not None:
            return []
        return self.trainer.run(epochs=1)

    def replay_to(self, epoch: int) -> None:
        """Train until ``epoch`` epochs are done: with the same seeds, the same weights
        bit for bit as a run that got there live (a restarted server rebuilds this way)."""
        while self.trainer.epoch < epoch and self.trainer.diverged is None:
            self.trainer.run(epochs=epoch - self.trainer.epoch)

    def catch_up(self, step: int, max_seconds: float = TICK_SECONDS) -> None:
        """Train toward training step ``step`` (a whole number), never past ``epochs``, for
        at most ``max_seconds`` (call again to go on): a replay of this run that a page shows
        further on than its link said is brought to the page's step."""
        if isinstance(step, bool) or not isinstance(step, int | np.integer):
            raise ValueError(f"The step must be a whole number. Got {step!r}.")
        if self.finished or step <= self.trainer.steps:
            return
        self.trainer.run(
            epochs=self.epochs - self.trainer.epoch,
            max_seconds=max_seconds,
            max_steps=int(step) - self.trainer.steps,
        )

    # -- drawing ----------------------------------------------------------------------------
    def probabilities(self) -> NDArray[np.float64]:
        """Class probabilities over the grid, (grid_size**2, n_classes), in image order."""
        return self.trainer.net.predict_proba(self._grid)

    def values(self) -> NDArray[np.float64]:
        """A regression run's predicted values over the grid, (grid_size**2, n_targets), in
        image order."""
        if not self.regression:
            raise ValueError(
                "A classification run predicts classes; its picture is of probabilities()."
            )
        return self.trainer.net.predict_output(self._grid)

    def boundary_png(self) -> bytes:
        """The decision boundary as PNG bytes (drawn again only after training moved): the
        class probabilities (``boundary_rgba``), or a regression run's predicted value of
        target ``target`` (``value_rgba`` over ``value_range``)."""
        drawn = (self.trainer.steps, self.discrete, tuple(self.colors))
        if self.regression:
            drawn += (self.value_range, self.target)
        if self._png is None or self._png[0] != drawn:
            rgba = self._rgba(self.trainer.net)
            self._png = (drawn, encode_png(rgba, level=1))
        return self._png[1]

    def _rgba(self, net: Any) -> NDArray[np.uint8]:
        """The picture of ``net`` (this run's network, or its weights at another epoch)."""
        if self.regression:
            return value_rgba(
                net.predict_output(self._grid)[:, self.target], self.grid_size, self.colors,
                value_range=self.value_range, discrete=self.discrete,
            )  # fmt: skip
        return boundary_rgba(
            net.predict_proba(self._grid), self.grid_size, self.colors, discrete=self.discrete
        )

    def picture_at(self, epoch: int) -> tuple[bytes, int]:
        """(``picture`` of the end of ``epoch``, its training step): what a chart shows when
        a timeline goes back to it (see ``weights_at``)."""
        steps = 0 if epoch == 0 else int(self.history[epoch - 1]["steps"])
        weights = self.weights_at(epoch)
        if self.browser_paints:
            return weights.astype("<f8", copy=False).tobytes(), steps
        if self._scratch is None or not np.array_equal(self._scratch.net.flat_params, weights):
            return self.boundary_png(), steps  # the newest epoch: the run's own picture
        return encode_png(self._rgba(self._scratch.net), level=1), steps

    def picture(self) -> bytes:
        """What a chart needs to show the boundary now: ``boundary_png``, or, when the
        browser paints it (``browser_paints``), the weights as little-endian float64s
        (``MLP.flat_params``: 2-64-2 is 322 numbers, 2,576 bytes), from which the browser's
        forward pass over the same grid makes the same picture."""
        if self.browser_paints:
            return self.trainer.net.flat_params.astype("<f8", copy=False).tobytes()
        return self.boundary_png()

    def paint_cost(self) -> int:
        """Multiply-adds of one forward pass over the boundary grid: what a picture costs
        whoever paints it."""
        return self.grid_size**2 * multiply_adds(self.trainer.net.layer_sizes)

    def predict(self, X: NDArray) -> NDArray:
        """What the network predicts for each point of X (n_samples, 2), in the plane (the
        input features are computed here): class indices (n_samples,), or for a regression
        run the values, shaped as y_train is ((n_samples,) or (n_samples, n_targets))."""
        X = np.asarray(X, dtype=float)
        out = self.trainer._outputs(feature_map(X, self.features))  # in EVAL_ROWS blocks
        if self.regression:
            return out.reshape(-1) if self.y_train.ndim == 1 else out
        return class_probabilities(out, self.trainer.net.output).argmax(axis=1)

    def confusion(self) -> dict[str, NDArray[np.int64]]:
        """The confusion matrices ``{"train": C, "test": C}`` (test only with test points),
        each (n_classes, n_classes): rows the true class, columns the predicted one."""
        if self.regression:
            raise ValueError(
                "A regression run predicts numbers: there are no classes to confuse. Its "
                "metrics() hold its R² instead."
            )
        parts = {"train": (self.X_train, self.y_train), "test": (self.X_test, self.y_test)}
        return {
            name: confusion_matrix(y, self.predict(X), self.n_classes)
            for name, (X, y) in parts.items()
            if len(X)
        }

    def metrics(self) -> dict[str, float | int | None]:
        """The latest history row (zero epochs and steps before the first epoch ends): its
        loss and its score, accuracy (``train_acc``, ``test_acc``) or for a regression run
        R² (``train_r2``, ``test_r2``)."""
        if self.trainer.history:
            return self.trainer.history[-1]
        train_loss, train_score = self.trainer.evaluate(self.X_train, self.y_train)
        test_loss = test_score = None
        if len(self.X_test):
            test_loss, test_score = self.trainer.evaluate(self.X_test, self.y_test)
        values = (0, 0, train_loss, test_loss, train_score, test_score)
        return dict(zip(self.history.columns[:6], values, strict=True))


def _targets(y_train: NDArray, y_test: NDArray) -> tuple[NDArray, NDArray]:
    """A regression run's targets as float64, the test set's with the training set's number
    of targets (an empty test set as (0,) or (0, n_targets))."""
    y_train, y_test = np.asarray(y_train, float), np.asarray(y_test, float)
    if y_train.ndim not in (1, 2) or len(y_train) == 0:
        raise ValueError(
            f"A regression run's y_train is (n_samples,) or (n_samples, n_targets) numbers. "
            f"Got shape {y_train.shape}."
        )
    if len(y_test) == 0:
        return y_train, y_test.reshape((0, *y_train.shape[1:]))
    if y_test.shape[1:] != y_train.shape[1:]:
        raise ValueError(
            f"y_test must have as many targets as y_train: shapes {y_test.shape} and "
            f"{y_train.shape}."
        )
    return y_train, y_test
