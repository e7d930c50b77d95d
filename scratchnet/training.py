"""Minibatch training: parameter checks, a ``Trainer`` that runs whole epochs or
bounded time slices (for a live UI), a history row per epoch, and a guard that
stops a diverging run with its last finite weights.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scratchnet.activations import ACTIVATIONS, check_name
from scratchnet.losses import LOSS_FUNCTIONS, OUTPUTS, REGRESSION_OUTPUTS, predicted_classes
from scratchnet.metrics import r2_score
from scratchnet.network import INITS, MAX_HIDDEN_LAYERS, MAX_NEURONS, MAX_WEIGHT, MLP, with_ones
from scratchnet.optimizers import OPTIMIZERS, make_optimizer

Array = NDArray[np.float64]

LR_SCHEDULES = ("constant", "exponential")

#: Every training parameter with its default. ``ScratchNetClassifier`` takes exactly these.
DEFAULTS: dict[str, Any] = {
    "hidden_layer_sizes": (64,),
    "activation": "relu",
    "output": "softmax",
    "init": "he",
    "optimizer": "sgd",
    "learning_rate": 0.1,
    "momentum": 0.9,
    "nesterov": False,
    "beta_1": 0.9,
    "beta_2": 0.999,
    "epsilon": 1e-8,
    "batch_size": 32,
    "epochs": 100,
    "l1": 0.0,
    "l2": 0.0,
    "lr_schedule": "constant",
    "lr_decay": 0.95,
    "random_state": None,
    "shuffle_seed": None,
}

#: What a network can be trained to do, and the outputs (with their losses) each allows.
TASK_OUTPUTS = {"classification": OUTPUTS, "regression": REGRESSION_OUTPUTS}

#: ``ScratchNetRegressor``'s parameters: the same, with an identity output.
REGRESSION_DEFAULTS: dict[str, Any] = {**DEFAULTS, "output": "identity"}
TASK_DEFAULTS = {"classification": DEFAULTS, "regression": REGRESSION_DEFAULTS}
TASK_ESTIMATORS = {"classification": "ScratchNetClassifier", "regression": "ScratchNetRegressor"}

HISTORY_COLUMNS = (
    "epoch",
    "steps",
    "train_loss",
    "test_loss",
    "train_acc",
    "test_acc",
    "seconds",
    "learning_rate",
)
# A regression network's rows score it by R² (``metrics.r2_score``) instead of accuracy.
REGRESSION_HISTORY_COLUMNS = tuple(
    {"train_acc": "train_r2", "test_acc": "test_r2"}.get(c, c) for c in HISTORY_COLUMNS
)


def _number(name: str, value: object, low: float, high: float, *, closed_low: bool) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = (value >= low if closed_low else value > low) and value <= high
    if not ok:
        sign = ">=" if closed_low else ">"
        upper = "" if high == math.inf else f" and <= {high:g}"
        raise ValueError(
            f"The {name!r} parameter must be a number {sign} {low:g}{upper}. Got {value!r}."
        )
    return float(value)


def _whole(name: str, value: object, low: int, high: int) -> int:
    if (
        not isinstance(value, numbers.Integral)
        or isinstance(value, bool)
        or not low <= value <= high
    ):
        raise ValueError(
            f"The {name!r} parameter must be a whole number from {low} to {high}. Got {value!r}."
        )
    return int(value)


def check_params(params: Mapping[str, Any], task: str = "classification") -> dict[str, Any]:
    """Validate training parameters; return them complete (defaults filled in) and normalised.

    task : "classification" (outputs softmax, sigmoid) or "regression" (output identity);
        it picks the default output and the outputs allowed.
    Raises ValueError naming the parameter, what it must be, and what it got.
    """
    defaults = TASK_DEFAULTS[check_name("task", task, TASK_DEFAULTS)]
    unknown = set(params) - set(defaults)
    if unknown:
        raise ValueError(f"Unknown parameter(s) {sorted(unknown)}. Valid ones: {sorted(defaults)}.")
    p = {**defaults, **params}
    hidden = p["hidden_layer_sizes"]
    if isinstance(hidden, numbers.Integral) and not isinstance(hidden, bool):
        hidden = (hidden,)
    try:
        hidden = tuple(hidden)
    except TypeError:
        hidden = None
    if (
        hidden is None
        or len(hidden) > MAX_HIDDEN_LAYERS
        or not all(
            isinstance(h, numbers.Integral) and not isinstance(h, bool) and 1 <= h <= MAX_NEURONS
            for h in hidden
        )
    ):
        raise ValueError(
            f"The 'hidden_layer_sizes' parameter must be a list of 0 to {MAX_HIDDEN_LAYERS} "
            f"layer sizes, each a whole number from 1 to {MAX_NEURONS}. "
            f"Got {p['hidden_layer_sizes']!r}."
        )
    p["hidden_layer_sizes"] = tuple(int(h) for h in hidden)
    check_name("activation", p["activation"], ACTIVATIONS)
    _check_output(p["output"], task)
    check_name("init", p["init"], INITS)
    check_name("optimizer", p["optimizer"], OPTIMIZERS)
    check_name("lr_schedule", p["lr_schedule"], LR_SCHEDULES)
    p["learning_rate"] = _number("learning_rate", p["learning_rate"], 0, math.inf, closed_low=False)
    p["momentum"] = _number("momentum", p["momentum"], 0, 1, closed_low=True)
    p["beta_1"] = _number("beta_1", p["beta_1"], 0, 1, closed_low=True)
    p["beta_2"] = _number("beta_2", p["beta_2"], 0, 1, closed_low=True)
    p["epsilon"] = _number("epsilon", p["epsilon"], 0, math.inf, closed_low=False)
    p["l1"] = _number("l1", p["l1"], 0, math.inf, closed_low=True)
    p["l2"] = _number("l2", p["l2"], 0, math.inf, closed_low=True)
    p["lr_decay"] = _number("lr_decay", p["lr_decay"], 0, 1, closed_low=False)
    p["epochs"] = _whole("epochs", p["epochs"], 1, 1_000_000)
    if p["batch_size"] != "full":
        p["batch_size"] = _whole("batch_size", p["batch_size"], 1, 10_000_000)
    if not isinstance(p["nesterov"], bool | np.bool_):
        raise ValueError(f"The 'nesterov' parameter must be True or False. Got {p['nesterov']!r}.")
    for name in ("random_state", "shuffle_seed"):
        seed = p[name]
        valid = seed is None or isinstance(seed, np.random.Generator | np.random.RandomState)
        if not valid and not (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
            raise ValueError(
                f"The {name!r} parameter must be None or a whole number. Got {seed!r}."
            )
        if isinstance(seed, numbers.Integral) and seed < 0:
            raise ValueError(f"The {name!r} parameter must be >= 0. Got {seed!r}.")
    return p


def _check_output(output: object, task: str) -> None:
    """ValueError unless ``output`` is one of the task's; say which task a wrong one is for."""
    for other, outputs in TASK_OUTPUTS.items():
        if other != task and isinstance(output, str) and output in outputs:
            valid = ", ".join(repr(o) for o in TASK_OUTPUTS[task])
            raise ValueError(
                f"The output {output!r} is for {other} ({TASK_ESTIMATORS[other]}); for {task} the "
                f"output must be one of {valid}."
            )
    check_name("output", output, TASK_OUTPUTS[task])


def scheduled_rate(
    learning_rate: float | Array, lr_schedule: str, lr_decay: float, epoch: int
) -> float | Array:
    """The learning rate for epoch ``epoch`` (0 for the first).

    ``learning_rate * lr_decay**epoch`` under "exponential", else ``learning_rate``. A
    rate may be an array (one per network of a sweep): the same rule for each.
    """
    if lr_schedule == "exponential":
        return learning_rate * lr_decay**epoch
    return learning_rate


def make_rngs(
    random_state: Any, shuffle_seed: Any
) -> tuple[np.random.Generator, np.random.Generator]:
    """The generator for the initial weights and the one for the shuffle order.

    The weights come from ``default_rng(random_state)``; the shuffle from
    ``default_rng(shuffle_seed)``, or, when that is None, from ``default_rng([1, random_state])``
    so that one ``random_state`` fixes both without sharing a stream.
    """
    if isinstance(random_state, np.random.RandomState):  # scikit-learn's legacy convention
        random_state = int(random_state.randint(2**31))
    init_rng = np.random.default_rng(random_state)
    if shuffle_seed is not None:
        return init_rng, np.random.default_rng(shuffle_seed)
    if random_state is None or isinstance(random_state, np.random.Generator):
        return init_rng, np.random.default_rng(init_rng.integers(2**63))
    return init_rng, np.random.default_rng([1, int(random_state)])


def build_network(p: Mapping[str, Any], n_features: int, n_classes: int, rng: Any) -> MLP:
    """The network that parameters ``p`` (checked) describe for this data shape.

    n_classes : the number of classes, or for an identity output the number of targets.
    """
    if p["output"] == "sigmoid" and n_classes != 2:
        raise ValueError(
            f"A sigmoid output has one unit and separates exactly 2 classes; this data has "
            f"{n_classes}. Use output='softmax' for more classes."
        )
    n_out = 1 if p["output"] == "sigmoid" else n_classes
    sizes = [n_features, *p["hidden_layer_sizes"], n_out]
    return MLP(sizes, p["activation"], p["output"], p["init"], rng, l1=p["l1"], l2=p["l2"])


class Trainer:
    """Trains one network on one data set, an epoch or a time slice at a time.

    Parameters
    ----------
    net, optimizer : the network (a classifier, or a regressor if its output is identity)
        and an optimiser built on ``[net.flat_params]`` (every
        layer at once; it steps with ``[net.flat_grads]``).
    batch_size : samples per step, or "full" for the whole training set.
    shuffle_rng : the generator that draws each epoch's permutation.
    learning_rate, lr_schedule, lr_decay : the rate for epoch e is
        ``learning_rate * lr_decay**e`` under "exponential", else ``learning_rate``.
        ``learning_rate`` may be changed between calls (a live UI does).

    Attributes
    ----------
    epoch : epochs completed.   steps : optimiser steps taken.
    history : one dict per completed epoch with the keys ``HISTORY_COLUMNS``, or
        ``REGRESSION_HISTORY_COLUMNS`` for a regression network (R² in place of accuracy).
    diverged : None, or the message that explains where training stopped and why.
    """

    def __init__(
        self,
        net: MLP,
        optimizer: Any,
        batch_size: int | str,
        shuffle_rng: np.random.Generator,
        learning_rate: float,
        lr_schedule: str = "constant",
        lr_decay: float = 1.0,
    ):
        self.net, self.optimizer = net, optimizer
        self.batch_size = batch_size
        self.shuffle_rng = shuffle_rng
        self.learning_rate = learning_rate
        self.lr_schedule, self.lr_decay = lr_schedule, lr_decay
        self.epoch = 0
        self.steps = 0
        self.history: list[dict[str, float | int | None]] = []
        self.diverged: str | None = None
        self._pos = -1  # position in the current epoch's permutation; -1: no epoch under way
        self._seconds = 0.0  # training time of the epoch under way

    @classmethod
    def from_params(
        cls,
        params: Mapping[str, Any],
        n_features: int,
        n_classes: int,
        task: str = "classification",
    ) -> Trainer:
        """A trainer from (unchecked) ``ScratchNetClassifier`` keyword arguments, or
        ``ScratchNetRegressor``'s for task="regression" (n_classes: the number of targets)."""
        p = check_params(params, task)
        init_rng, shuffle_rng = make_rngs(p["random_state"], p["shuffle_seed"])
        net = build_network(p, n_features, n_classes, init_rng)
        opt = make_optimizer(
            p["optimizer"], [net.flat_params], p["learning_rate"], p["momentum"], p["nesterov"],
            p["beta_1"], p["beta_2"], p["epsilon"],
        )  # fmt: skip
        return cls(
            net, opt, p["batch_size"], shuffle_rng, p["learning_rate"], p["lr_schedule"],
            p["lr_decay"],
        )  # fmt: skip

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Unpickled arrays may be read-only (joblib memory-maps them): own writable copies,
        # and keep the optimiser updating the very arrays the network uses.
        self.__dict__.update(state)
        net, opt = self.net, self.optimizer  # the network lays its own views out again
        opt.params = [net.flat_params]
        for name in ("velocities", "ms", "vs"):
            if hasattr(opt, name):
                setattr(opt, name, [np.array(A) for A in getattr(opt, name)])
        if getattr(self, "_batches", None) is not None:  # views came back as copies
            self._X1_epoch, self._T_blocks = np.array(self._X1_epoch), np.array(self._T_blocks)
            self._bind_batches(self._batches[0])

    @property
    def regression(self) -> bool:
        """True when the network regresses (identity output), False when it classifies."""
        return self.net.output in REGRESSION_OUTPUTS

    # -- data -----------------------------------------------------------------------------
    def set_data(
        self,
        X_train: NDArray,
        y_train: NDArray,
        X_test: NDArray | None = None,
        y_test: NDArray | None = None,
    ) -> None:
        """Data to train (and report) on. ``y`` holds class indices 0..n_classes-1, or for
        a regression network the targets, (n_samples, n_outputs) or (n_samples,).

        X_train : (n_train, n_features); X_test : (n_test, n_features) or None.
        An epoch under way is abandoned: the next one starts afresh.
        """
        self.X_train = np.asarray(X_train, dtype=np.float64)
        self.y_train = self._as_targets(y_train)
        self.X_test = None if X_test is None or len(X_test) == 0 else np.asarray(X_test, float)
        self.y_test = None if self.X_test is None else self._as_targets(y_test)
        self._X1 = with_ones(self.X_train)
        self._T = self.net.targets(self.y_train)
        self._X1_epoch = np.empty_like(self._X1)
        self._T_epoch = np.empty_like(self._T)
        self._batches: tuple[int, list[tuple[Array, Array]]] | None = None  # see _start_epoch
        self._pos = -1

    def _as_targets(self, y: NDArray) -> NDArray:
        """Class indices as intp; a regression network's targets as (n, n_outputs) float64."""
        if self.regression:
            return self.net.targets(y)
        return np.asarray(y, dtype=np.intp)

    def release_data(self) -> None:
        """Drop the references to the data (a fitted estimator need not keep them)."""
        for name in (
            "X_train",
            "y_train",
            "X_test",
            "y_test",
            "_X1",
            "_T",
            "_X1_epoch",
            "_T_epoch",
            "_T_blocks",
            "_batches",
        ):
            self.__dict__.pop(name, None)
        self._pos = -1

    # -- training -------------------------------------------------------------------------
    def current_learning_rate(self) -> float:
        """The rate for the epoch under way (or the next one)."""
        return scheduled_rate(self.learning_rate, self.lr_schedule, self.lr_decay, self.epoch)

    def _start_epoch(self) -> None:
        order = self.shuffle_rng.permutation(len(self._X1))
        np.take(self._X1, order, axis=0, out=self._X1_epoch)
        np.take(self._T, order, axis=0, out=self._T_epoch)
        b, n, k = self._batch_size(), *self._T.shape
        full = n - n % b
        if self._batches is None or self._batches[0] != b:
            # The whole batches' targets again, each a contiguous (n_outputs, b) block: the
            # backward pass's P - T^T then reads contiguous memory (0.3 us a step, not 1 us).
            # Made once per batch size; each epoch refills it.
            self._T_blocks = np.empty((full // b, k, b))
            self._bind_batches(b)
        np.copyto(self._T_blocks, self._T_epoch[:full].reshape(full // b, b, k).transpose(0, 2, 1))
        self._pos = 0
        self._seconds = 0.0

    @property
    def progress(self) -> float:
        """How far training is in epochs, with the part of the epoch under way: 3.25 after
        three epochs and a quarter of the fourth's minibatches."""
        if self._pos <= 0 or not len(self._X1):
            return float(self.epoch)
        return self.epoch + self._pos / len(self._X1)

    def run(
        self,
        epochs: int = 1,
        max_seconds: float | None = None,
        max_steps: int | None = None,
    ) -> list[dict[str, float | int | None]]:
        """Train up to ``epochs`` whole epochs, stopping early after ``max_seconds`` or
        ``max_steps`` (mid-epoch; the next call goes on from there).

        Returns the history rows of the epochs completed by this call. Does nothing once
        ``diverged`` is set; see ``clear_divergence``.
        """
        rows: list[dict[str, float | int | None]] = []
        if self.diverged is not None:
            return rows
        started = time.perf_counter()
        deadline = math.inf if max_seconds is None else started + max_seconds
        steps_left = math.inf if max_steps is None else max_steps
        saved = self.net.flat_params.copy()  # the last weights known to be finite
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            while len(rows) < epochs and steps_left > 0:
                if self._pos < 0:
                    self._start_epoch()
                steps_left -= self._train_steps(deadline, steps_left)
                if not self.net.is_sane():
                    return self._diverge(saved, rows)
                if self._pos < len(self._X1):
                    break  # out of time or steps, mid-epoch
                self._pos = -1
                self.epoch += 1
                row = self._history_row()
                if not math.isfinite(row["train_loss"]):
                    self.epoch -= 1
                    return self._diverge(saved, rows)
                rows.append(row)
                self.history.append(row)
                saved = self.net.flat_params.copy()
                if time.perf_counter() > deadline:
                    break
        return rows

    def next_batch(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The minibatch the next training step will use: its inputs (b, n_features) and
        targets (b, n_outputs), as ``MLP.backward`` takes them (copies).

        With no epoch under way this starts one (draws its shuffle order), as the next
        step would have: the run goes on exactly as it would have without the call.
        """
        if getattr(self, "_X1", None) is None:
            raise ValueError("set_data first: there is no minibatch without data.")
        if self._pos < 0:
            self._start_epoch()
        rows = slice(self._pos, self._pos + self._batch_size())
        return self._X1_epoch[rows, :-1].copy(), self._T_epoch[rows].copy()

    def _bind_batches(self, b: int) -> None:
        """The views the steps of an epoch take, batch by batch: rows of ``_X1_epoch`` and
        blocks of ``_T_blocks`` (made once: a view costs as much as a small NumPy call)."""
        n_blocks = len(self._T_blocks)
        X_views = list(self._X1_epoch[: n_blocks * b].reshape(n_blocks, b, -1))
        T_views = list(self._T_blocks.transpose(0, 2, 1))  # (b, n_outputs) each, as T is
        self._batches = (b, list(zip(X_views, T_views, strict=True)))

    def _batch_size(self) -> int:
        n = len(self._X1)
        return n if self.batch_size == "full" else min(self.batch_size, n)

    def _train_steps(self, deadline: float, steps_left: float) -> int:
        """Minibatch steps from ``_pos`` until the epoch ends, time runs out or steps do."""
        X1, T, n = self._X1_epoch, self._T_epoch, len(self._X1_epoch)
        b, batches = self._batch_size(), self._batches[1]
        forward, backward, step = self.net.forward, self.net.backward, self.optimizer.step
        grads = [self.net.flat_grads]  # every layer's gradient, as the optimiser holds them
        self.optimizer.learning_rate = self.current_learning_rate()
        scale = self.optimizer.gradient_scale
        pos, taken, clock = self._pos, 0, time.perf_counter
        started = clock()
        if deadline == math.inf and steps_left == math.inf:  # a whole epoch: no checks
            for X_batch, T_batch in batches[pos // b :]:
                forward(X_batch)
                backward(T_batch, scale)
                step(grads)
            if n % b:
                forward(X1[n - n % b :])
                backward(T[n - n % b :], scale)
                step(grads)
            taken, pos = len(range(self._pos, n, b)), n
        while pos < n and taken < steps_left:
            forward(X1[pos : pos + b])
            backward(T[pos : pos + b], scale)
            step(grads)
            pos += b
            taken += 1
            if clock() > deadline:
                break
        self._seconds += clock() - started
        self._pos = pos
        self.steps += taken
        return taken

    def _diverge(self, saved: Array, rows: list) -> list:
        self.net.flat_params[...] = saved
        self.optimizer.reset_state()
        self._pos = -1
        lr = self.current_learning_rate()
        self.diverged = (
            f"Training diverged at epoch {self.epoch + 1}: the steps overshot and the weights "
            f"blew up (past {MAX_WEIGHT:g}, or to inf/nan). The weights are kept from the end "
            f"of epoch {self.epoch}. Lower the learning rate (it was {lr:g})."
        )
        return rows

    def clear_divergence(self) -> None:
        """Allow training to go on after a divergence (say, with a lower learning rate)."""
        self.diverged = None

    # -- evaluation -----------------------------------------------------------------------
    def evaluate(self, X: NDArray, y: NDArray) -> tuple[float, float]:
        """(mean loss including the penalty, score) of the network on X, y: the score is
        the accuracy of a classifier, the R² of a regression network (``r2_score``)."""
        out = self._outputs(X)
        loss = LOSS_FUNCTIONS[self.net.output](out, y) + self.net.penalty()
        if self.regression:
            return loss, r2_score(np.reshape(y, out.shape), out)
        return loss, float(np.mean(predicted_classes(out) == y))

    def _outputs(self, X: NDArray) -> NDArray[np.float64]:
        """The network's outputs on X, (n_samples, n_outputs): what ``evaluate`` scores."""
        return self.net.predict_output(X)

    def _history_row(self) -> dict[str, float | int | None]:
        train_loss, train_score = self.evaluate(self.X_train, self.y_train)
        test_loss = test_score = None
        if self.X_test is not None:
            test_loss, test_score = self.evaluate(self.X_test, self.y_test)
        columns = REGRESSION_HISTORY_COLUMNS if self.regression else HISTORY_COLUMNS
        values = (
            self.epoch, self.steps, train_loss, test_loss, train_score, test_score,
            self._seconds, self.optimizer.learning_rate,
        )  # fmt: skip
        return dict(zip(columns, values, strict=True))
