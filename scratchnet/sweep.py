"""Many networks at once: accuracy against hidden neurons, repeated runs, a learning-rate grid.

The blog post's ``test_class(3, 40, 3)`` trains 111 networks, one after another, and
stopped there because it was too slow. Here the networks of a sweep are trained in
lock-step: their weights are stacked along a first axis, shape (n_nets, ...), and one
minibatch step of *all* of them is a dozen NumPy calls (stacked ``np.matmul``), so
the cost of a call is paid once per step instead of once per network.

Scope. Every network here has exactly **one hidden layer**; the sweep varies its
number of neurons (and, optionally, the learning rate). All other settings are
``ScratchNetClassifier`` keyword arguments shared by every network, or with
``task="regression"`` ``ScratchNetRegressor`` ones: identity outputs, half the squared
error, and R² (``metrics.r2_score``) where a classifier's sweep reports accuracy.

Padding. Networks of different sizes share arrays sized for the largest one. The
extra units start with weights in, bias and weights out all exactly 0. Their input is
then always 0; with an activation where f(0) = 0 (relu, tanh, linear, leaky_relu)
their output is 0, and where f(0) != 0 (sigmoid: 0.5) a 0/1 unit mask zeroes it. A
unit whose output is 0 and whose outgoing weights are 0 gets a zero gradient on every
weight that touches it, so padded units stay exactly 0 through training.

Exactness. Each network is the one ``ScratchNetClassifier`` (or ``ScratchNetRegressor``)
would train alone with the same arguments and ``random_state=seed``: its initial weights
come from the core's own ``build_network``/``make_rngs``, its targets from the core's
``MLP.targets``, and every epoch it draws its own ``shuffle_rng.permutation``; its
batches are gathered from that order. Its final weights agree with the lone estimator's
to rounding (about 1e-15 after a few epochs: only the order of a few additions differs
inside the matrix products).

Parallel. ``run_sweep(..., n_jobs=k)`` trains chunks of networks in k processes with
``joblib.Parallel``. The chunks do not depend on ``n_jobs``, so any ``n_jobs`` gives the
same bits. On a Dask cluster, give its client as the executor: each chunk is one task,
the rows come back as chunks finish, a cancel cancels the tasks not started, and Dask
retrains the chunks of a worker that dies::

    from dask.distributed import Client
    client = Client("tcp://scheduler:8786")            # or Client() for a local cluster
    df = run_sweep(X_train, y_train, X_test, y_test, range(3, 40), 3, executor=client)

Dask's own futures rather than joblib's ``dask`` backend: a UI needs to poll without
blocking, cancel exactly the tasks not started, name the tasks so the scheduler shows
whose they are, and tell a lost scheduler from a lost worker; joblib's generator blocks and
hides all four. (``joblib.parallel_config(backend="dask")`` around ``n_jobs=-1`` still
works, as does Ray's joblib backend.) A ``Sweep`` does the same a little at a time, and a
``SweepRunner`` is what a server uses: the cluster if it is configured and answers, else
a small pool of this machine's processes where sweeps take turns.

Divergence. After every epoch each network's weights are checked with the core's rule
(``MLP.is_sane``: every |w| below ``MAX_WEIGHT``); a network that fails it gets back the
weights of its last sane epoch and trains no more (``diverged`` is True, ``epochs_run``
says how far it got), as a lone ``Trainer`` would stop. (The lone trainer also checks the
training loss; with sane weights that loss is always finite, so it is not recomputed here.)
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
import numbers
import os
import threading
import time
import uuid
import warnings
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scratchnet.activations import ACTIVATIONS, DERIVATIVES
from scratchnet.losses import (
    LOSS_FUNCTIONS,
    OUTPUT_FUNCTIONS,
    REGRESSION_OUTPUTS,
    add_penalty_gradient,
    penalty,
    predicted_classes,
)
from scratchnet.metrics import r2_score
from scratchnet.network import MAX_NEURONS, MAX_WEIGHT, with_ones
from scratchnet.optimizers import make_optimizer
from scratchnet.training import build_network, check_params, make_rngs, scheduled_rate

Array = NDArray[np.float64]

#: A sweep of more networks than this is refused: split it into several sweeps.
MAX_NETWORKS = 5_000
#: Networks per chunk when ``chunk_size`` is None. A chunk is the unit of parallel work
#: and never depends on ``n_jobs``, so every ``n_jobs`` gives the same bits.
DEFAULT_CHUNK_SIZE = 64
#: Estimated working memory of one chunk in training, and of a whole sweep's concurrently
#: running chunks. Larger sweeps are refused with advice on what to shrink.
MAX_CHUNK_BYTES = 512 * 2**20
MAX_SWEEP_BYTES = 2 * 2**30
#: Samples per block when a chunk is evaluated, so evaluation stays within memory.
_EVAL_ELEMENTS = 2**17
#: Per-network cost of a step that does not grow with its width, in hidden units:
#: used to balance chunks of narrow and wide networks.
_UNIT_OVERHEAD = 11
#: The time model of ``SweepPlan.estimated_seconds``: seconds per step of a chunk, and per
#: network x (hidden units + overhead) in that step.
_STEP_SECONDS = 10e-6
_UNIT_SECONDS = 24e-9

RESULT_COLUMNS = (
    "hidden_size",
    "learning_rate",
    "trial",
    "seed",
    "train_acc",
    "test_acc",
    "final_loss",
    "epochs_run",
    "diverged",
)
#: A regression sweep's rows: R² in place of accuracy, and the test set's mean squared error
#: (over samples and targets, as scikit-learn's ``mean_squared_error``).
REGRESSION_RESULT_COLUMNS = (
    "hidden_size",
    "learning_rate",
    "trial",
    "seed",
    "train_r2",
    "test_r2",
    "test_mse",
    "final_loss",
    "epochs_run",
    "diverged",
)
#: What a task's networks are scored by: the result columns train_<score> and test_<score>.
SCORES = {"classification": "acc", "regression": "r2"}

# -------------------------------------------------------------------------- validation


def neuron_range(min_neurons: int, max_neurons: int, step: int = 1) -> list[int]:
    """Hidden sizes ``min_neurons, min_neurons + step, ..., max_neurons`` (both ends included).

    Raises ValueError when ``min_neurons > max_neurons`` or a bound is out of 1..256.
    """
    for name, value in (("min_neurons", min_neurons), ("max_neurons", max_neurons)):
        _whole(name, value, 1, MAX_NEURONS)
    _whole("step", step, 1, MAX_NEURONS)
    if min_neurons > max_neurons:
        raise ValueError(
            f"min_neurons ({min_neurons}) is larger than max_neurons ({max_neurons}). "
            f"Swap them, or make the range at least one size wide."
        )
    return list(range(int(min_neurons), int(max_neurons) + 1, int(step)))


def _whole(name: str, value: object, low: int, high: int) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or not low <= value <= high
    ):
        raise ValueError(f"{name} must be a whole number from {low:,} to {high:,}. Got {value!r}.")
    return int(value)


def _hidden_sizes(hidden_sizes: Iterable[int]) -> list[int]:
    if isinstance(hidden_sizes, numbers.Integral) and not isinstance(hidden_sizes, bool):
        hidden_sizes = [hidden_sizes]
    try:
        sizes = list(hidden_sizes)
    except TypeError:
        raise ValueError(
            f"hidden_sizes must be a list of neuron counts such as range(3, 40). "
            f"Got {hidden_sizes!r}."
        ) from None
    if not sizes:
        raise ValueError(
            "hidden_sizes is empty: give at least one neuron count, e.g. range(3, 40)."
        )
    sizes = [_whole("Every hidden size", h, 1, MAX_NEURONS) for h in sizes]
    if len(set(sizes)) != len(sizes):
        twice = sorted({h for h in sizes if sizes.count(h) > 1})
        raise ValueError(f"hidden_sizes lists {twice} more than once; list each size once.")
    return sizes


def _learning_rates(learning_rates: Iterable[float] | None, default: float) -> list[float]:
    if learning_rates is None:
        return [default]
    try:
        rates = list(learning_rates)
    except TypeError:
        raise ValueError(
            f"learning_rates must be a list of numbers > 0. Got {learning_rates!r}."
        ) from None
    if not rates:
        raise ValueError("learning_rates is empty: give at least one rate, or None for one.")
    for rate in rates:
        ok = isinstance(rate, numbers.Real) and not isinstance(rate, bool)
        if not ok or not math.isfinite(rate) or rate <= 0:
            raise ValueError(f"Every learning rate must be a number > 0. Got {rate!r}.")
    rates = [float(r) for r in rates]
    if len(set(rates)) != len(rates):
        raise ValueError("learning_rates lists a rate more than once; list each rate once.")
    return rates


def _seeds(seeds: Sequence[int] | None, n_trials: int) -> list[int]:
    if seeds is None:
        return list(range(n_trials))
    try:
        seeds = list(seeds)
    except TypeError:
        raise ValueError(f"seeds must be a list of {n_trials} whole numbers.") from None
    if len(seeds) != n_trials:
        raise ValueError(
            f"seeds must give one random_state per trial: {n_trials} trial(s), "
            f"{len(seeds)} seed(s)."
        )
    return [_whole("Every seed", s, 0, 2**63 - 1) for s in seeds]


def _encode_labels(
    y_train: NDArray, y_test: NDArray | None
) -> tuple[NDArray[np.intp], NDArray[np.intp] | None, int]:
    """Class indices for y_train and y_test (the classes of y_train, sorted), and their count."""
    classes, y_tr = np.unique(y_train, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(
            f"The training labels must hold at least 2 classes; they hold only {classes.tolist()}."
        )
    if y_test is None:
        return y_tr.astype(np.intp), None, len(classes)
    index = np.searchsorted(classes, y_test)
    index[index >= len(classes)] = 0
    unseen = classes[index] != y_test
    if unseen.any():
        raise ValueError(
            f"y_test holds labels {np.unique(y_test[unseen]).tolist()} that are not in "
            f"y_train ({classes.tolist()})."
        )
    return y_tr.astype(np.intp), index.astype(np.intp), len(classes)


def _targets(name: str, y: Any, rows: str, n: int) -> Array:
    """A regression sweep's targets as (n, n_outputs) float64, or ValueError saying why not."""
    y = np.asarray(y)
    if y.ndim not in (1, 2) or y.shape[0] != n or (y.ndim == 2 and y.shape[1] == 0):
        raise ValueError(
            f"{name} must have one row of targets per row of {rows}: shape ({n},) or "
            f"({n}, n_outputs). Got {y.shape}."
        )
    if not (np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.floating)):
        raise ValueError(
            f"{name} must hold the numbers to predict (a regression sweep); it holds "
            f"{y.dtype} values."
        )
    y = y.astype(np.float64).reshape(n, -1)
    if not np.isfinite(y).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    return y


def _data(
    X_train: Any, y_train: Any, X_test: Any, y_test: Any, regression: bool = False
) -> tuple[Array, NDArray, Array | None, NDArray | None, int]:
    """The checked data: y as class indices and the number of classes, or for a regression
    sweep as (n, n_outputs) targets and the number of outputs."""
    X_train = np.asarray(X_train, dtype=np.float64)
    if X_train.ndim != 2 or len(X_train) < 1:
        raise ValueError(
            f"X_train must be a 2-D array (n_samples, n_features). Got shape {X_train.shape}."
        )
    if regression:
        y_train = _targets("y_train", y_train, "X_train", len(X_train))
    else:
        y_train = np.asarray(y_train)
        if y_train.shape != (len(X_train),):
            raise ValueError(
                f"y_train must have one label per row of X_train: shape ({len(X_train)},). "
                f"Got {y_train.shape}."
            )
    if not np.isfinite(X_train).all():
        raise ValueError("X_train contains NaN or infinite values.")
    if X_test is None or len(X_test) == 0:
        X_test = y_test = None
    else:
        X_test = np.asarray(X_test, dtype=np.float64)
        if X_test.ndim != 2 or X_test.shape[1] != X_train.shape[1]:
            raise ValueError(
                f"X_test must be a 2-D array with {X_train.shape[1]} columns like X_train. "
                f"Got shape {X_test.shape}."
            )
        if regression:
            y_test = _targets("y_test", y_test, "X_test", len(X_test))
            if y_test.shape[1] != y_train.shape[1]:
                raise ValueError(
                    f"y_test has {y_test.shape[1]} target column(s) and y_train "
                    f"{y_train.shape[1]}: give both the same targets."
                )
        else:
            y_test = np.asarray(y_test)
            if y_test.shape != (len(X_test),):
                raise ValueError(
                    f"y_test must have one label per row of X_test: shape ({len(X_test)},). "
                    f"Got {y_test.shape}."
                )
    if regression:
        return X_train, y_train, X_test, y_test, y_train.shape[1]
    y_tr, y_te, n_classes = _encode_labels(y_train, y_test)
    return X_train, y_tr, X_test, y_te, n_classes


# -------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class NetworkSpec:
    """One network of a sweep: ``ScratchNetClassifier(hidden_layer_sizes=(hidden_size,),
    learning_rate=learning_rate, random_state=seed, **shared)`` (``ScratchNetRegressor``
    in a regression sweep); ``trial`` counts 0, 1, ..."""

    hidden_size: int
    learning_rate: float
    trial: int
    seed: int


def _partition(specs: list[NetworkSpec], chunk_size: int) -> list[list[NetworkSpec]]:
    """Split ``specs`` (sorted by width) into contiguous chunks of at most ``chunk_size``.

    The trials of one (hidden size, learning rate) stay together where they fit, so a
    chunk's networks come in equal groups per shuffle order. A chunk's step costs about
    n_nets * (widest + overhead), since narrower networks are padded to the widest; of
    the partitions with the fewest chunks, this one makes the dearest chunk cheapest.
    """
    units: list[list[NetworkSpec]] = []
    for s in specs:
        if units and (units[-1][0].hidden_size, units[-1][0].learning_rate) == (
            s.hidden_size,
            s.learning_rate,
        ):
            units[-1].append(s)
        else:
            units.append([s])
    split = []
    for u in units:  # too many trials for one chunk: equal pieces
        size = math.ceil(len(u) / math.ceil(len(u) / chunk_size))
        split += [u[i : i + size] for i in range(0, len(u), size)]
    units = split

    def cuts(limit: float) -> list[int]:
        """Greedy: close a chunk when the next unit would pass the size or cost limit."""
        found, n, widest = [0], 0, 0
        for i, u in enumerate(units):
            width = u[-1].hidden_size + _UNIT_OVERHEAD
            if n and (n + len(u) > chunk_size or (n + len(u)) * max(widest, width) > limit):
                found.append(i)
                n, widest = 0, 0
            n, widest = n + len(u), max(widest, width)
        return [*found, len(units)]

    fewest = len(cuts(math.inf))
    low, high = 0, len(specs) * (max(s.hidden_size for s in specs) + _UNIT_OVERHEAD)
    while high - low > 1:  # the smallest cost limit that needs no more chunks than that
        mid = (low + high) // 2
        if len(cuts(mid)) > fewest:
            low = mid
        else:
            high = mid
    bounds = cuts(high)
    return [[s for u in units[a:b] for s in u] for a, b in itertools.pairwise(bounds)]


def _chunk_bytes(
    n_nets: int, width: int, n_features: int, n_out: int, batch: int, n_train: int, n_eval: int
) -> int:
    """Estimated working memory of one chunk, in bytes."""
    params = n_nets * ((n_features + 1) * width + (width + 1) * n_out)
    per_step = n_nets * batch * (3 * (width + 1) + 3 * n_out + n_features + 1)
    epoch = 2 * n_nets * n_train * (n_features + 1 + n_out)  # the shuffled copies, worst case
    evaluate = _EVAL_ELEMENTS * 3 + n_nets * n_eval * (n_out + 3)
    return 8 * (6 * params + per_step + epoch + evaluate)


@dataclass
class SweepPlan:
    """A checked sweep: its data (labels as class indices, or a regression sweep's targets
    as (n_samples, n_outputs) floats), the shared parameters, one ``NetworkSpec`` per
    network and the chunks they train in; ``chunk_bytes`` is the estimated memory of the
    largest chunk. ``n_classes`` is the number of classes, or of targets to regress."""

    X_train: Array
    y_train: NDArray
    X_test: Array | None
    y_test: NDArray | None
    n_classes: int
    params: dict[str, Any]
    specs: list[NetworkSpec]
    chunks: list[list[NetworkSpec]]
    chunk_bytes: int

    @property
    def task(self) -> str:
        """The networks' task: "regression" (identity output) or "classification"."""
        return "regression" if self.params["output"] in REGRESSION_OUTPUTS else "classification"

    def estimated_seconds(self) -> float:
        """Rough training time of the sweep in one process, in seconds.

        A cost model fitted to the blog's sweep on a laptop-class core: a step of a chunk
        of n networks padded to h units costs about 10 us + 24 ns * n * (h + 11). Take it
        as an order of magnitude (a busy or faster machine differs by 2x or more).
        """
        n_train = len(self.X_train)
        size = self.params["batch_size"]
        batch = n_train if size == "full" else min(size, n_train)
        steps = math.ceil(n_train / batch) * self.params["epochs"]
        per_step = sum(
            _STEP_SECONDS
            + _UNIT_SECONDS * len(c) * (max(s.hidden_size for s in c) + _UNIT_OVERHEAD)
            for c in self.chunks
        )
        return steps * per_step


def plan_sweep(
    X_train: NDArray,
    y_train: NDArray,
    X_test: NDArray | None,
    y_test: NDArray | None,
    hidden_sizes: Iterable[int],
    n_trials: int,
    *,
    seeds: Sequence[int] | None = None,
    learning_rates: Iterable[float] | None = None,
    chunk_size: int | None = None,
    n_jobs: int = 1,
    task: str = "classification",
    **classifier_kwargs: Any,
) -> SweepPlan:
    """Check a sweep's arguments (as ``run_sweep`` takes them) and split it into chunks.

    Raises ValueError, saying what to change, for anything ``run_sweep`` would refuse:
    a UI can call this first and show the message before any training starts.
    """
    for name in ("hidden_layer_sizes", "random_state"):
        if name in classifier_kwargs:
            instead = "hidden_sizes" if name == "hidden_layer_sizes" else "seeds"
            raise ValueError(f"The sweep sets {name!r} itself; give {instead!r} instead.")
    if learning_rates is not None and "learning_rate" in classifier_kwargs:
        raise ValueError("Give either learning_rate (one rate) or learning_rates (a grid).")
    n_trials = _whole("n_trials", n_trials, 1, MAX_NETWORKS)
    sizes = _hidden_sizes(hidden_sizes)
    seed_list = _seeds(seeds, n_trials)
    params = check_params({**classifier_kwargs, "hidden_layer_sizes": (1,)}, task)
    if not (isinstance(params["shuffle_seed"], numbers.Integral) or params["shuffle_seed"] is None):
        raise ValueError("shuffle_seed must be a whole number or None in a sweep.")
    rates = _learning_rates(learning_rates, params["learning_rate"])
    if not isinstance(n_jobs, numbers.Integral) or isinstance(n_jobs, bool) or n_jobs == 0:
        raise ValueError(
            f"n_jobs must be a whole number other than 0 (-1: all cores). Got {n_jobs!r}."
        )
    n_networks = len(sizes) * n_trials * len(rates)
    if n_networks > MAX_NETWORKS:
        raise ValueError(
            f"This sweep has {n_networks:,} networks ({len(sizes)} hidden sizes x {n_trials} "
            f"trials x {len(rates)} learning rates); at most {MAX_NETWORKS:,} run at once. "
            f"Use fewer hidden sizes (a step in the range), trials or learning rates."
        )
    regression = params["output"] in REGRESSION_OUTPUTS
    X_tr, y_tr, X_te, y_te, n_classes = _data(X_train, y_train, X_test, y_test, regression)
    if params["output"] == "sigmoid" and n_classes != 2:
        raise ValueError(
            f"A sigmoid output separates exactly 2 classes; this data has {n_classes}. "
            f"Use output='softmax'."
        )
    n_out = 1 if params["output"] == "sigmoid" else n_classes
    n_train, n_features = X_tr.shape
    batch = n_train if params["batch_size"] == "full" else min(params["batch_size"], n_train)
    n_eval = max(n_train, 0 if X_te is None else len(X_te))

    specs = sorted(
        (
            NetworkSpec(h, lr, t, seed_list[t])
            for lr in rates
            for h in sizes
            for t in range(n_trials)
        ),
        key=lambda s: (s.hidden_size, s.learning_rate, s.trial),
    )

    def chunk_bytes(n: int, width: int) -> int:
        return _chunk_bytes(n, width, n_features, n_out, batch, n_train, n_eval)

    widest = max(sizes)
    if chunk_bytes(1, widest) > MAX_CHUNK_BYTES:
        raise ValueError(
            f"One network of {widest} hidden neurons with a batch of {batch:,} samples needs "
            f"about {chunk_bytes(1, widest) / 2**20:,.0f} MB; the limit is "
            f"{MAX_CHUNK_BYTES / 2**20:,.0f} MB. Use a smaller batch size, fewer neurons or "
            f"fewer training samples."
        )
    if chunk_size is None:
        size = DEFAULT_CHUNK_SIZE
        while size > 1 and chunk_bytes(size, widest) > MAX_CHUNK_BYTES:
            size //= 2
    else:
        size = _whole("chunk_size", chunk_size, 1, MAX_NETWORKS)
        if chunk_bytes(size, widest) > MAX_CHUNK_BYTES:
            raise ValueError(
                f"A chunk of {size} networks of {widest} neurons needs about "
                f"{chunk_bytes(size, widest) / 2**20:,.0f} MB; the limit is "
                f"{MAX_CHUNK_BYTES / 2**20:,.0f} MB. Use a smaller chunk_size or batch size."
            )
    chunks = _partition(specs, size)
    largest = max(chunk_bytes(len(c), max(s.hidden_size for s in c)) for c in chunks)
    workers = min(len(chunks), _effective_jobs(n_jobs))
    if largest * workers > MAX_SWEEP_BYTES:
        raise ValueError(
            f"{workers} chunks training at once need about {largest * workers / 2**30:.1f} GB; "
            f"the limit is {MAX_SWEEP_BYTES / 2**30:.0f} GB. Use fewer jobs (n_jobs), a "
            f"smaller chunk_size or a smaller batch size."
        )
    return SweepPlan(X_tr, y_tr, X_te, y_te, n_classes, params, specs, chunks, largest)


def _effective_jobs(n_jobs: int) -> int:
    """Workers that ``n_jobs`` means under joblib's active backend (-1: all cores)."""
    from joblib import effective_n_jobs

    return effective_n_jobs(n_jobs)


# -------------------------------------------------------------------------- lock-step


def _shaped(rate: Array, shape: tuple[int, ...]) -> Array:
    """Per-network rates reshaped to broadcast as ``shape`` says; a 0-d rate as it is."""
    return rate if rate.ndim == 0 else rate.reshape(shape)


class _Buffers:
    """A step's arrays for batches of b samples, and the views of them that a step uses,
    made once (see ``_Lockstep`` for the layout): a step then makes no array objects."""

    def __init__(self, stack: _Lockstep, b: int):
        N, G, M, H, K = len(stack.specs), stack.G, stack.M, stack.H, stack.K
        H1 = H + 1
        self.b = b
        self.Z = np.empty((N, H1, b))  # hidden values; the last row comes out as ones
        self.Zg = self.Z.reshape(G, M * H1, b)  # a group at a time, for the first layer
        self.ZT = self.Z.transpose(0, 2, 1)
        self.zeros = np.zeros((N, H1, b))  # relu compares with a block, as the core does
        # The activation runs on every row where f(1) = 1 (contiguous, cheaper), else on
        # the H hidden rows only, so that the row of ones stays ones.
        rows = slice(None) if stack.ones_survive else slice(0, H)
        self.hidden, self.hidden_zeros = self.Z[:, rows], self.zeros[:, rows]
        # Outputs stored class by class, (K, N, b): the core's output function then sees
        # (K, N * b), a sample a column, as in a lone network; P is the (N, K, b) view.
        self.Pk = np.empty((K, N, b))
        self.out, self.scratch = self.Pk.reshape(K, N * b), np.empty((K, N * b))
        self.P, self.P4 = self.Pk.transpose(1, 0, 2), self.Pk.reshape(K, G, M, b)
        self.D = np.zeros((N, H1, b))  # deltas of the hidden units; the last row stays 0
        self.DH, self.DgT = self.D[:, :H], self.D.reshape(G, M * H1, b).transpose(0, 2, 1)
        self.on = np.empty((N, H1, b), dtype=bool)  # relu's active units, and as uint8
        self.on_u8 = self.on.view(np.uint8)  # (which NumPy turns into float64 faster)


class _Lockstep:
    """The networks of one chunk, stacked and trained together.

    Layout (N networks, H the widest hidden layer, F features, K outputs, b batch). As in
    the core a sample is a column and X (F + 1, b) ends in a row of ones. Narrower networks
    are padded to H units, plus one unit more (index H) whose weights in are 0 and whose
    bias is 1: its value is always 1, so it brings in the output layer's bias inside that
    layer's product, as the core's row of ones does (its delta is 0: it never changes).

    Networks that draw the same shuffle order see the same batches. The N networks are
    stored group by group, G groups of M (N = G * M), each group with one order:

    * first layers, ``W1g`` (G, F + 1, M * (H + 1)): a group's networks side by side, each
      (F + 1, H + 1) as the core stores a layer, so a group's first layer is one product;
    * output layers, ``W2`` (N, K, H + 1): one row per output, the bias in the last column;
    * hidden values Z (N, H + 1, b), outputs P (N, K, b).

    When the groups are not of one size, G = N and M = 1. Both layers (their gradients,
    an optimiser's state) are views of one flat vector, so an update is one call.
    """

    def __init__(
        self,
        specs: Sequence[NetworkSpec],
        params: Mapping[str, Any],
        X_train: Array,
        y_train: NDArray,
        n_classes: int,
    ):
        p = self.p = dict(params)
        self.regression = p["output"] in REGRESSION_OUTPUTS
        n_train, n_features = X_train.shape
        self.n_train = n_train
        self.batch = n_train if p["batch_size"] == "full" else min(p["batch_size"], n_train)

        # make_rngs gives the same shuffle stream for the same (seed, shuffle_seed): share it
        keys = [(s.seed, p["shuffle_seed"]) for s in specs]
        streams = list(dict.fromkeys(keys))
        counts = [keys.count(k) for k in streams]
        order = sorted(range(len(specs)), key=lambda i: streams.index(keys[i]))
        self.specs = [specs[i] for i in order]
        N = len(self.specs)
        if len(set(counts)) == 1:
            G, M = len(streams), counts[0]
            group_stream = np.arange(G)
        else:
            G, M = N, 1
            group_stream = np.array([streams.index(keys[i]) for i in order])
        self.G, self.M = G, M
        # group g reads the batches of stream group_stream[g]: a view when they line up
        self.group_stream = None if np.array_equal(group_stream, np.arange(G)) else group_stream

        H = self.H = max(s.hidden_size for s in self.specs)
        K = self.K = 1 if p["output"] == "sigmoid" else n_classes
        F1, H1 = n_features + 1, H + 1
        self._sizes = (G, M, F1, H1, K)
        self.flat = np.zeros(N * H1 * (F1 + K))
        self.flat_grads = np.zeros_like(self.flat)
        self.W1g, self.W2 = self._layers(self.flat)
        self.G1g, self.G2 = self._layers(self.flat_grads)
        self._W1gT = self.W1g.transpose(0, 2, 1)  # a group's units, one row each
        self._W2T = self.W2[:, :, :-1].transpose(0, 2, 1)  # W2's weights (not its bias)^T
        W1n, W2n = self._networks(self.flat)
        W1n[:, :, -1, H] = 1.0  # the unit that is always 1
        self.shuffle_rngs: list[np.random.Generator | None] = [None] * len(streams)
        for i, s in enumerate(self.specs):
            net_p = {**p, "hidden_layer_sizes": (s.hidden_size,), "random_state": s.seed}
            init_rng, shuffle_rng = make_rngs(s.seed, p["shuffle_seed"])
            net = build_network(net_p, n_features, n_classes, init_rng)
            W1, W2 = net.params
            h, (g, m) = s.hidden_size, divmod(i, M)
            W1n[g, m, :, :h] = W1
            W2n[g, m, :, :h] = W2[:-1].T
            W2n[g, m, :, H] = W2[-1]
            stream = streams.index(keys[order[i]])
            if self.shuffle_rngs[stream] is None:
                self.shuffle_rngs[stream] = shuffle_rng

        widths = np.array([s.hidden_size for s in self.specs])
        self.lrs = np.array([s.learning_rate for s in self.specs])
        probe = np.array([0.0, 1.0])
        ACTIVATIONS[p["activation"]](probe)
        # f(0) != 0 (sigmoid) would switch padded units on: zero them after the activation
        self.mask = None
        if probe[0] != 0.0 and (widths < H).any():
            self.mask = (np.arange(H) < widths[:, None]).astype(np.float64)[:, :, None]
        self.ones_survive = probe[1] == 1.0  # f(1) = 1: relu, linear, leaky_relu
        self._activate = ACTIVATIONS[p["activation"]]
        self._derivative = DERIVATIVES[p["activation"]]
        self._relu = p["activation"] == "relu"
        self._output = OUTPUT_FUNCTIONS[p["output"]]

        self.X1T = np.ascontiguousarray(with_ones(X_train).T)  # (F + 1, n_train)
        # The core's targets (one-hot, a 0/1 column, or the numbers to regress), a sample a
        # column; with every output's delta P - T, the engine is the same for each task.
        self.TT = np.ascontiguousarray(net.targets(y_train).T)  # (K, n_train)
        S = len(streams)
        self.X_epoch = np.empty((S, F1, n_train))
        self.T_epoch = np.empty((S, K, n_train))
        self._buffers: dict[int, _Buffers] = {}
        self._batches: list[tuple[Array, Array, _Buffers]] | None = None
        self._plain_sgd = p["optimizer"] == "sgd"
        # The core's optimiser, on the one vector of every network's parameters (its
        # learning rate is set each epoch: see run_epoch).
        self.optimizer = make_optimizer(
            p["optimizer"], [self.flat], p["learning_rate"], p["momentum"], p["nesterov"],
            p["beta_1"], p["beta_2"], p["epsilon"],
        )  # fmt: skip
        self._grads = [self.flat_grads]
        self._rates: Array | None = None  # a learning rate per parameter, laid out like flat
        # Each layer's weights without the biases, network by network (G, M, ..., ...), and
        # their gradients: stacks for the core's penalty functions, one value per network.
        G1n, G2n = self._networks(self.flat_grads)
        self._weights = [W1n[:, :, :-1], W2n[..., :-1]]
        self._weight_grads = [G1n[:, :, :-1], G2n[..., :-1]]
        self._penalized = bool(p["l1"] or p["l2"])
        self._penalty_scale = np.ones(())  # plain SGD's rates, for (G, M, ...): run_epoch
        self.epoch = 0
        self.epochs_run = np.zeros(N, dtype=np.int64)
        self.diverged = np.zeros(N, dtype=bool)
        self.saved = self.flat.copy()

    # -- layout ------------------------------------------------------------------------
    def _layers(self, flat: Array) -> tuple[Array, Array]:
        """A flat vector laid out like the parameters, as (W1g (G, F + 1, M * (H + 1)),
        W2 (N, K, H + 1))."""
        G, M, F1, H1, K = self._sizes
        split = G * F1 * M * H1
        return flat[:split].reshape(G, F1, M * H1), flat[split:].reshape(G * M, K, H1)

    def _networks(self, flat: Array) -> tuple[Array, Array]:
        """The same, network by network: (G, M, F + 1, H + 1) and (G, M, K, H + 1) views."""
        G, M, F1, H1, K = self._sizes
        W1g, W2 = self._layers(flat)
        return W1g.reshape(G, F1, M, H1).transpose(0, 2, 1, 3), W2.reshape(G, M, K, H1)

    @property
    def W1(self) -> Array:
        """Every network's first layer, one row per (padded) unit: (N, H, F + 1), a copy."""
        G, M, F1, H1, _ = self._sizes
        return self._networks(self.flat)[0].transpose(0, 1, 3, 2).reshape(G * M, H1, F1)[:, :-1]

    def _buffers_for(self, b: int) -> _Buffers:
        if b not in self._buffers:
            self._buffers[b] = _Buffers(self, b)
        return self._buffers[b]

    def _epoch_batches(self) -> list[tuple[Array, Array, _Buffers]]:
        """Every batch of the epoch as (X (G, F + 1, b), T (K, G, 1, b), buffers): views of
        the epoch's shuffled copies (made once), or copies when a group reads another
        group's stream."""
        if self._batches is not None and self.group_stream is None:
            return self._batches
        self._batches = []
        for pos in range(0, self.n_train, self.batch):
            X = self.X_epoch[:, :, pos : pos + self.batch]
            T = self.T_epoch[:, :, pos : pos + self.batch]
            if self.group_stream is not None:
                X, T = X[self.group_stream], T[self.group_stream]
            buffers = self._buffers_for(X.shape[2])
            self._batches.append((X, T.transpose(1, 0, 2)[:, :, None], buffers))
        return self._batches

    # -- training ----------------------------------------------------------------------
    def run_epoch(self) -> None:
        """One epoch of every network: its own shuffle, then all batches in lock-step."""
        p = self.p
        for s, rng in enumerate(self.shuffle_rngs):
            order = rng.permutation(self.n_train)
            np.take(self.X1T, order, axis=1, out=self.X_epoch[s])
            np.take(self.TT, order, axis=1, out=self.T_epoch[s])
        rate = scheduled_rate(self.lrs, p["lr_schedule"], p["lr_decay"], self.epoch)  # (N,)
        if (rate == rate[0]).all():
            rate = rate[0].reshape(())  # one rate for all: a 0-d array is cheaper to broadcast
        self.optimizer.learning_rate = self._per_parameter(rate)
        # As in the core, plain SGD folds its learning rate into the output delta (every
        # gradient is linear in it) and into the penalty's gradient; its update is W -= G.
        scale = rate if self._plain_sgd else np.ones(())
        self._penalty_scale = _shaped(scale, (self.G, self.M, 1, 1))  # for (G, M, ...)
        batches = self._epoch_batches()
        delta_scales = {b: _shaped(scale / b, (-1, 1)) for b in self._buffers}  # for (K, N, b)
        gradients, update, grads = self._gradients, self.optimizer.step, self._grads
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            for X, T, v in batches:
                gradients(X, T, v, delta_scales[v.b])  # every network's, stacked
                update(grads)  # the core's SGD, momentum or Adam step, on all of them
        self.epoch += 1
        self._check_finite()

    def _per_parameter(self, rate: Array) -> Array:
        """Per-network rates (N,) spread over each network's parameters, laid out like
        ``flat``, for the optimiser; a 0-d rate (one for all) as it is."""
        if rate.ndim == 0:
            return rate
        if self._rates is None:
            self._rates = np.empty_like(self.flat)
        for L in self._networks(self._rates):
            L[...] = rate.reshape(self.G, self.M, 1, 1)
        return self._rates

    def _gradients(self, X: Array, T: Array, v: _Buffers, delta_scale: Array) -> None:
        """Every network's gradient on one minibatch, into ``flat_grads``: the core's
        forward and backward (``MLP.forward``/``backward``), stacked."""
        # hidden layer, a group at a time; X's row of ones brings in the bias
        np.matmul(self._W1gT, X, out=v.Zg)
        self._activate(v.hidden, v.hidden_zeros)
        if self.mask is not None:
            np.multiply(v.hidden, self.mask, out=v.hidden)
        np.matmul(self.W2, v.Z, out=v.P)  # the unit that is 1 brings in the bias
        self._output(v.out, v.scratch)  # the core's softmax or sigmoid, on (K, N * b)
        # Output delta P - T, a mean over the batch (see MLP.backward for why).
        np.subtract(v.P4, T, out=v.P4)
        np.multiply(v.Pk, delta_scale, out=v.Pk)
        np.matmul(v.P, v.ZT, out=self.G2)  # the unit that is 1 gives the bias's gradient
        np.matmul(self._W2T, v.P, out=v.DH)  # back through W2
        if self._relu:  # relu's derivative is 1 where the unit is on, as sign(a) in the core
            np.greater(v.Z, v.zeros, out=v.on)
            np.multiply(v.D, v.on_u8, out=v.D)
        else:
            self._derivative(v.Z, v.D)  # and back through the activation
        np.matmul(X, v.DgT, out=self.G1g)  # as the core: X delta^T, a layer (F + 1, units)
        if self._penalized:  # the core's penalty gradient, each network's weights at once
            p = self.p
            add_penalty_gradient(
                self._weight_grads, self._weights, p["l1"], p["l2"], self._penalty_scale
            )

    def _check_finite(self) -> None:
        """Networks whose weights blew up go back to their last sane epoch: the core's rule,
        every |w| below ``MAX_WEIGHT`` (``nan < x`` is False, so nan and inf fail it too)."""
        W1n, W2n = self._networks(self.flat)
        sane = (np.abs(W1n).max(axis=(2, 3)) < MAX_WEIGHT) & (
            np.abs(W2n).max(axis=(2, 3)) < MAX_WEIGHT
        )
        self.diverged |= ~sane.ravel()
        self.epochs_run[~self.diverged] += 1
        if self.diverged.any():
            bad = self.diverged.reshape(self.G, self.M)
            for W, good in zip((W1n, W2n), self._networks(self.saved), strict=True):
                W[bad] = good[bad]
            for state in self.optimizer.state:  # as the core's optimiser.reset_state()
                for S in self._networks(state):
                    S[bad] = 0.0
        np.copyto(self.saved, self.flat)

    # -- results -----------------------------------------------------------------------
    def network_params(self, i: int) -> list[Array]:
        """Network i's weights in the core's layout: [W1 (F + 1, h), W2 (h + 1, K)]."""
        h, (g, m) = self.specs[i].hidden_size, divmod(i, self.M)
        W1n, W2n = self._networks(self.flat)
        W2 = np.concatenate([W2n[g, m, :, :h], W2n[g, m, :, -1:]], axis=1)
        return [W1n[g, m, :, :h].copy(), W2.T.copy()]

    def evaluate(self, X: Array, y: NDArray) -> tuple[Array, Array, Array]:
        """(loss, penalty, score) of every network on X, y: three (N,) arrays.

        y : class indices (n,), or a regression sweep's targets (n, K). The loss is the
        core's (``LOSS_FUNCTIONS``) without the penalty; the score is the accuracy, or the
        R² (``metrics.r2_score``) of a regression network. The forward pass of a training
        step, on blocks of samples so memory stays bounded.
        """
        G, M, F1, H1, K = self._sizes
        N, n = G * M, len(X)
        out = np.empty((K, N, n))  # every network's outputs, class by class
        block = max(1, _EVAL_ELEMENTS // (N * H1))
        X1T = np.ascontiguousarray(with_ones(X).T)
        W1 = self.W1g.transpose(1, 0, 2).reshape(F1, N * H1)  # every network side by side
        rows = slice(None) if self.ones_survive else slice(0, self.H)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            for start in range(0, n, block):
                cols = X1T[:, start : start + block]
                m = cols.shape[1]
                Z = (W1.T @ cols).reshape(N, H1, m)  # every network's hidden layer at once
                self._activate(Z[:, rows], np.zeros((1, 1, m)))
                if self.mask is not None:
                    Z[:, rows] *= self.mask
                Pk = out if m == n else np.empty((K, N, m))
                np.matmul(self.W2, Z, out=Pk.transpose(1, 0, 2))
                self._output(Pk.reshape(K, N * m), np.empty((K, N * m)))
                if Pk is not out:
                    out[:, :, start : start + m] = Pk
            P = out.transpose(1, 2, 0)  # (N, n, K): each network's outputs as the core's
            p = self.p
            penalties = penalty(self._weights, p["l1"], p["l2"])  # (G, M), or 0 without one
            loss = LOSS_FUNCTIONS[p["output"]](P, y)
            if self.regression:
                score = np.array([r2_score(y, P_net) for P_net in P])
            else:
                score = np.mean(predicted_classes(P) == y, axis=1)
        return loss, np.reshape(penalties, -1), score

    def results(
        self, X_train: Array, y_train: NDArray, X_test: Array | None, y_test: NDArray | None
    ) -> pd.DataFrame:
        """One row per network: the columns ``RESULT_COLUMNS``, or a regression sweep's
        ``REGRESSION_RESULT_COLUMNS``."""
        loss, penalties, train_score = self.evaluate(X_train, y_train)
        test_loss = test_score = np.full(len(self.specs), np.nan)
        if X_test is not None:
            test_loss, _, test_score = self.evaluate(X_test, y_test)
        score = SCORES["regression" if self.regression else "classification"]
        columns = {
            "hidden_size": [s.hidden_size for s in self.specs],
            "learning_rate": self.lrs,
            "trial": [s.trial for s in self.specs],
            "seed": [s.seed for s in self.specs],
            f"train_{score}": train_score,
            f"test_{score}": test_score,
            "final_loss": loss + penalties,
            "epochs_run": self.epochs_run,
            "diverged": self.diverged.copy(),
        }
        if self.regression:  # half the squared error summed over K targets is K/2 x the MSE
            columns["test_mse"] = test_loss * (2 / self.K)
        return pd.DataFrame(columns, columns=list(result_columns(self.p)))


def result_columns(params: Mapping[str, Any]) -> tuple[str, ...]:
    """The columns of a sweep's results with these (checked) parameters: ``RESULT_COLUMNS``,
    or ``REGRESSION_RESULT_COLUMNS`` for an identity output."""
    regression = params["output"] in REGRESSION_OUTPUTS
    return REGRESSION_RESULT_COLUMNS if regression else RESULT_COLUMNS


def _train_chunk(
    chunk: list[NetworkSpec],
    params: dict[str, Any],
    X_train: Array,
    y_train: NDArray,
    X_test: Array | None,
    y_test: NDArray | None,
    n_classes: int,
) -> pd.DataFrame:
    """Train one chunk from scratch to the end: the unit of work of a parallel sweep."""
    stack = _Lockstep(chunk, params, X_train, y_train, n_classes)
    for _ in range(params["epochs"]):
        stack.run_epoch()
    return stack.results(X_train, y_train, X_test, y_test)


# -------------------------------------------------------------------------- a sweep


def _sorted(frames: Iterable[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
    frames = list(frames)
    if not frames:
        return pd.DataFrame({c: [] for c in columns})
    df = pd.concat(frames, ignore_index=True)
    return df.sort_values(["learning_rate", "hidden_size", "trial"], ignore_index=True)


#: How often a sweep on an executor looks for finished chunks, in seconds.
_POLL_SECONDS = 0.02
#: At most this long to fetch a finished chunk's rows from its worker, in seconds; longer
#: (its worker vanished meanwhile) leaves it for the next look.
_FETCH_SECONDS = 30.0


def _is_dask(executor: Any) -> bool:
    """True for a ``dask.distributed.Client`` (told apart without importing Dask)."""
    return type(executor).__module__.startswith("distributed")


def _outcome(future: Any) -> tuple[str, Any]:
    """A finished future's ("ok", rows), ("cancelled", None) or ("error", exception).

    Dask futures say what happened in ``status``; ``concurrent.futures`` ones through
    ``cancelled()`` and ``exception()``. A Dask future that is cancelled without our asking
    means its client lost the scheduler.
    """
    status = getattr(future, "status", None)
    if isinstance(status, str):  # dask.distributed.Future
        if status == "cancelled":
            return "cancelled", None
        try:
            if status == "error":
                return "error", future.exception(timeout=_FETCH_SECONDS)
            return "ok", future.result(timeout=_FETCH_SECONDS)
        except TimeoutError:
            return "later", None
        except (Exception, asyncio.CancelledError) as error:  # the connection went meanwhile
            return ("cancelled", None) if future.cancelled() else ("error", error)
    if future.cancelled():
        return "cancelled", None
    error = future.exception()
    return ("error", error) if error is not None else ("ok", future.result())


def _cancel(executor: Any, futures: list[Any]) -> None:
    """Cancel the futures that have not finished: those not started never start."""
    pending = [f for f in futures if not f.done()]
    if not pending:
        return
    if _is_dask(executor):  # one message to the scheduler; a running task is released
        with contextlib.suppress(Exception):
            executor.cancel(pending)
    else:
        for f in pending:
            f.cancel()


class SweepInterrupted(RuntimeError):
    """The executor of a sweep failed before every chunk finished: its Dask cluster went
    away, or a worker process died for good.

    Attributes: ``partial``, the DataFrame of the networks that finished (kept);
    ``sweep``, the ``Sweep``, whose ``resume()`` trains the rest elsewhere (on this machine:
    ``sweep.resume(); sweep.advance()``).
    """

    def __init__(self, sweep: Sweep):
        super().__init__(sweep.error)
        self.sweep = sweep
        self.partial = sweep.results()


class Sweep:
    """A planned sweep that advances a little at a time, for a UI that must stay responsive.

    Without an executor its chunks train one after another in this process, a few epochs
    per call::

        plan = plan_sweep(X_train, y_train, X_test, y_test, range(3, 40), 3, **params)
        sweep = Sweep(plan)
        while not sweep.done:
            sweep.advance(max_seconds=0.3)      # whole epochs, about 0.3 s of them
            show(sweep.progress, sweep.results())

    With an executor (a ``concurrent.futures`` pool, or a ``dask.distributed.Client`` whose
    cluster's workers then train the chunks as tasks) every chunk is submitted at once and
    ``advance`` collects the ones that finished, in whatever order they finish; progress
    counts whole chunks. The results do not depend on where or in which order chunks train:
    each chunk is trained from its own seeds and the rows are sorted.

    With a ``Turnstile`` shared by the sweeps of a server, a sweep waits (``queued``) until
    the sweeps before it have finished or been cancelled, then submits its chunks.

    ``cancel()`` cancels the chunks not started and keeps the finished ones. If the executor
    fails (the cluster goes away), ``error`` says so in plain words, the finished chunks
    are kept, and ``resume()`` trains the rest elsewhere (default: in this process).

    Attributes
    ----------
    plan : the ``SweepPlan``.   n_networks : int, networks in the sweep.
    executor : where chunks train (None: here).   error : str | None, why it stopped.
    cancelled : bool.   name : str, the prefix of its tasks' keys on a Dask cluster.
    """

    def __init__(self, plan: SweepPlan, executor: Any = None, turnstile: Turnstile | None = None):
        self.plan = plan
        self.n_networks = len(plan.specs)
        self.name = f"scratchnet-sweep-{uuid.uuid4().hex[:12]}"
        self.error: str | None = None
        self.cancelled = False
        self._frames: dict[int, pd.DataFrame] = {}  # chunk index -> its rows, once finished
        self._todo: list[int] = list(range(len(plan.chunks)))  # chunks not yet started
        self._stack: _Lockstep | None = None  # the chunk training here, if any
        self._index = -1  # ... and its index
        self._futures: dict[int, Any] = {}  # chunk index -> future, in flight
        self._sent: list[Any] = []  # every future submitted: busy until all are done
        self._use(executor, turnstile)
        # A sweep dropped with its page (a closed session) frees the executor.
        weakref.finalize(self, _cancel, executor, self._sent)

    def _use(self, executor: Any, turnstile: Turnstile | None) -> None:
        self.executor, self.turnstile = executor, turnstile
        self._submitted = False
        if turnstile is not None:
            turnstile.join(self)

    @property
    def done(self) -> bool:
        """True once every chunk is trained."""
        return len(self._frames) == len(self.plan.chunks)

    @property
    def stopped(self) -> bool:
        """True once cancelled or failed (``error``): ``advance`` does nothing more."""
        return self.cancelled or self.error is not None

    @property
    def queued(self) -> bool:
        """True while the sweep waits for its turn (sweeps before it still run)."""
        if self.turnstile is None or self._submitted or self.stopped or self.done:
            return False
        return not self.turnstile.is_turn(self)

    @property
    def settled(self) -> bool:
        """True when nothing of this sweep runs or waits on its executor any more."""
        return (self._submitted or self.stopped or self.done) and all(f.done() for f in self._sent)

    def _forget_done(self) -> None:
        """Drop the futures that are done (in place: the finalizer holds the list), so that
        a cluster forgets the tasks whose rows are here or that were cancelled."""
        self._sent[:] = [f for f in self._sent if not f.done()]

    @property
    def networks_done(self) -> float:
        """Finished networks, plus the trained fraction of the chunk in progress here."""
        partial = 0.0
        if self._stack is not None:
            partial = len(self._stack.specs) * self._stack.epoch / self.plan.params["epochs"]
        return sum(len(f) for f in self._frames.values()) + partial

    @property
    def progress(self) -> float:
        """Fraction of the sweep trained, 0 to 1."""
        return self.networks_done / self.n_networks

    def results(self) -> pd.DataFrame:
        """Rows of the finished networks, sorted by learning rate, hidden size, trial."""
        return _sorted(self._frames.values(), result_columns(self.plan.params))

    def advance(self, max_seconds: float | None = None, max_epochs: int | None = None) -> None:
        """Train whole epochs here until ``max_seconds`` have passed, ``max_epochs`` epochs
        (of a chunk) have run, or the sweep is done. With neither limit: to the end.

        On an executor: wait for the sweep's turn and submit its chunks, then collect the
        chunks that finish, returning as soon as one did or ``max_seconds`` passed (None:
        when all did). Never raises for the executor's failures: see ``error``.
        """
        if self.stopped or self.done:
            return
        if self.executor is None:
            self._advance_here(max_seconds, max_epochs)
        else:
            self._advance_there(max_seconds)

    def _advance_here(self, max_seconds: float | None, max_epochs: int | None) -> None:
        plan, started, epochs = self.plan, time.perf_counter(), 0
        while not self.done:
            if self._stack is None:
                self._index = self._todo.pop(0)
                self._stack = _Lockstep(
                    plan.chunks[self._index], plan.params, plan.X_train, plan.y_train,
                    plan.n_classes,
                )  # fmt: skip
            self._stack.run_epoch()
            epochs += 1
            if self._stack.epoch == plan.params["epochs"]:
                self._frames[self._index] = self._stack.results(
                    plan.X_train, plan.y_train, plan.X_test, plan.y_test
                )
                self._stack = None
            if max_epochs is not None and epochs >= max_epochs:
                return
            if max_seconds is not None and time.perf_counter() - started >= max_seconds:
                return

    def _advance_there(self, max_seconds: float | None) -> None:
        deadline = math.inf if max_seconds is None else time.perf_counter() + max_seconds
        while not self._submitted:
            if self.turnstile is None or self.turnstile.is_turn(self):
                self._submit()
                break
            if time.perf_counter() >= deadline:
                return
            time.sleep(_POLL_SECONDS)
        while self._futures:
            if self._collect() or self.error is not None:
                return
            if time.perf_counter() >= deadline:
                return
            time.sleep(_POLL_SECONDS)

    def _submit(self) -> None:
        """Every chunk not yet trained, as one task each, with the data it needs."""
        plan, executor = self.plan, self.executor
        data = (plan.params, plan.X_train, plan.y_train, plan.X_test, plan.y_test, plan.n_classes)
        dask = _is_dask(executor)
        try:
            for i in self._todo:
                if dask:  # named so the scheduler shows whose task it is; never deduplicated
                    future = executor.submit(
                        _train_chunk, plan.chunks[i], *data, key=f"{self.name}-{i}", pure=False
                    )
                else:
                    future = executor.submit(_train_chunk, plan.chunks[i], *data)
                self._futures[i] = future
                self._sent.append(future)
        except Exception as error:  # a closed client or a broken pool: say so, keep the rest
            self._fail(error)
        self._todo = []
        self._submitted = True

    def _collect(self) -> bool:
        """Take the rows of the chunks that finished; True if there were any."""
        got = False
        for i, future in list(self._futures.items()):
            if not future.done():
                continue
            what, value = _outcome(future)
            if what == "later":
                continue
            if what == "ok":
                self._frames[i] = value
                del self._futures[i]
                got = True
            elif what == "cancelled":
                self._fail(None)
                break
            else:
                self._fail(value)
                break
        if got:
            self._forget_done()
        return got

    def _fail(self, error: BaseException | None) -> None:
        """Stop: cancel what is in flight, keep what finished, say what happened."""
        _cancel(self.executor, list(self._futures.values()))
        self._futures = {}
        self._forget_done()
        n = sum(len(f) for f in self._frames.values())
        kept = f"{n} of {self.n_networks} networks had finished and are kept."
        if error is None and not _is_dask(self.executor):
            self.error = f"This machine's worker processes were shut down. {kept}"
        elif error is None or type(error).__name__ in ("CommClosedError", "FutureCancelledError"):
            self.error = f"The connection to the Dask cluster was lost. {kept}"
        elif type(error).__name__ == "KilledWorker":
            self.error = (
                f"Dask gave up on a chunk: the workers that ran it died, again and again "
                f"({error}). {kept}"
            )
        elif type(error).__name__ in ("BrokenProcessPool", "TerminatedWorkerError"):
            self.error = f"A worker process of this machine stopped ({error}). {kept}"
        else:
            self.error = f"The sweep stopped: {type(error).__name__}: {error}. {kept}"

    def cancel(self) -> None:
        """Stop: the chunks not started never start; the finished ones are kept."""
        self.cancelled = True
        self._stack = None
        _cancel(self.executor, list(self._futures.values()))
        self._futures = {}
        self._todo = []
        self._forget_done()

    def resume(self, executor: Any = None, turnstile: Turnstile | None = None) -> None:
        """After a failure: train the chunks that did not finish on ``executor`` (None:
        here, in this process), keeping the finished ones."""
        _cancel(self.executor, list(self._futures.values()))
        self._futures, self._stack, self.error, self.cancelled = {}, None, None, False
        self._todo = [i for i in range(len(self.plan.chunks)) if i not in self._frames]
        self._use(executor, turnstile)
        weakref.finalize(self, _cancel, executor, self._sent)


class Turnstile:
    """Sweeps that share an executor take turns, first come first served: one at a time.

    A sweep joins when it is made (``Sweep(plan, executor, turnstile)``); its turn comes
    when every sweep before it has settled (finished, cancelled or failed, with nothing
    left running) or was dropped (its page closed). Thread-safe: the sessions of a server
    share one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._line: list[weakref.ref[Sweep]] = []

    def join(self, sweep: Sweep) -> None:
        """Put ``sweep`` at the end of the line."""
        with self._lock:
            self._line.append(weakref.ref(sweep))

    def _prune(self) -> list[Sweep]:
        """The sweeps in line, the one whose turn it is first; settled ones leave."""
        alive = [s for s in (r() for r in self._line) if s is not None]
        while alive and alive[0].settled:
            alive.pop(0)
        self._line = [weakref.ref(s) for s in alive]
        return alive

    def is_turn(self, sweep: Sweep) -> bool:
        """True if ``sweep`` is first in line."""
        with self._lock:
            line = self._prune()
            return bool(line) and line[0] is sweep

    def ahead(self, sweep: Sweep) -> int:
        """How many sweeps are before ``sweep`` in line (0: its turn, or not in line)."""
        with self._lock:
            line = self._prune()
            return line.index(sweep) if sweep in line else 0


def default_workers(limit: int) -> int:
    """Worker processes for a server's sweeps: the cores this process may use, at most
    ``limit`` (so that a classroom server keeps a core for its pages)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(limit, cores))


#: Set in a pool's worker processes before NumPy loads: BLAS on one thread each, since the
#: workers already share the cores.
_ONE_THREAD = dict.fromkeys(("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"), "1")


def _ready() -> bool:
    """A no-op task: a pool's processes start (and import NumPy) on the first ones."""
    return True


class SweepRunner:
    """Where a server's sweeps train: the Dask cluster at ``address`` if one is given and
    answers within ``connect_seconds``, else a pool of ``workers`` processes of this
    machine where sweeps take turns (one at a time, the others queued).

    ``problem`` says in plain words why a given address is not used (Dask not installed,
    the scheduler not reachable); the sweeps then run on this machine.

        runner = SweepRunner(os.environ.get("SCRATCHNET_DASK_SCHEDULER"), workers=2)
        sweep = runner.sweep(plan)          # a Sweep on the cluster, or queued here
    """

    def __init__(self, address: str | None = None, workers: int = 2, connect_seconds: float = 5):
        self.address = address or None
        self.workers = workers
        self.turnstile = Turnstile()
        self.client: Any = None
        self.problem: str | None = None
        self._pool: Any = None
        self._lock = threading.Lock()
        if self.address is None:
            return
        try:
            from distributed import Client
        except ImportError:
            self.problem = (
                f"A Dask scheduler is configured ({self.address}) but Dask is not installed "
                f"here (pip install -r requirements-dask.txt); sweeps run on this machine."
            )
            return
        try:
            self.client = Client(self.address, timeout=connect_seconds, set_as_default=False)
        except Exception as error:
            self.problem = (
                f"The Dask scheduler at {self.address} could not be reached within "
                f"{connect_seconds:g} s ({type(error).__name__}); sweeps run on this machine."
            )

    @property
    def on_cluster(self) -> bool:
        """True while the cluster's scheduler is connected."""
        return self.client is not None and self.client.status == "running"

    def cluster_workers(self) -> int:
        """Workers of the cluster now (0 if there is none)."""
        if not self.on_cluster:
            return 0
        # The totals the client refreshes every few seconds by itself: a page asks on every
        # rerun, and scheduler_info() would wait for the scheduler each time.
        identity = getattr(self.client, "_scheduler_identity", None) or {}
        return int(identity.get("n_workers", len(identity.get("workers", ()))))

    def pool(self) -> Any:
        """This machine's worker processes (started on first use; a broken pool is replaced).

        joblib's loky executor, not ``concurrent.futures``'s: a spawned child of the standard
        pool imports the parent's ``__main__``, which under Streamlit is the page script
        (the child would run the page); loky's children do not.
        """
        from joblib.externals.loky import ProcessPoolExecutor

        with self._lock:
            if self._pool is None or self._pool._flags.broken:
                self._pool = ProcessPoolExecutor(self.workers, env=_ONE_THREAD)
                self._pool.submit(_ready)  # start the processes now, not with a sweep
            return self._pool

    def sweep(self, plan: SweepPlan, here: bool = False) -> Sweep:
        """A Sweep of ``plan``: on the cluster if connected (and not ``here``), else in this
        machine's pool, in line behind the sweeps already there."""
        if self.on_cluster and not here:
            return Sweep(plan, self.client)
        return Sweep(plan, self.pool(), self.turnstile)

    def resume_here(self, sweep: Sweep) -> None:
        """Finish a failed sweep's remaining chunks in this machine's pool, in line."""
        sweep.resume(self.pool(), self.turnstile)

    def close(self) -> None:
        """Disconnect from the cluster and stop the worker processes."""
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close(timeout=5)
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, kill_workers=True)
                self._pool = None


def run_sweep(
    X_train: NDArray,
    y_train: NDArray,
    X_test: NDArray | None,
    y_test: NDArray | None,
    hidden_sizes: Iterable[int],
    n_trials: int,
    *,
    seeds: Sequence[int] | None = None,
    learning_rates: Iterable[float] | None = None,
    n_jobs: int = 1,
    chunk_size: int | None = None,
    executor: Any = None,
    callback: Callable[[float, int, pd.DataFrame], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    task: str = "classification",
    **classifier_kwargs: Any,
) -> pd.DataFrame:
    """Train one single-hidden-layer network per (learning rate, hidden size, trial).

    Network (h, lr, t) is ``ScratchNetClassifier(hidden_layer_sizes=(h,), learning_rate=lr,
    random_state=seeds[t], **classifier_kwargs)`` fitted on X_train, y_train: the same
    weights to rounding, the same accuracies. With ``task="regression"`` it is the
    ``ScratchNetRegressor`` with those arguments, and R² takes the place of accuracy.

    Parameters
    ----------
    X_train : (n_train, n_features); y_train : (n_train,) labels, or for regression the
        numbers to predict, (n_train,) or (n_train, n_outputs).
    X_test, y_test : (n_test, n_features), y_test like y_train, or None (test_acc is then
        NaN).
    hidden_sizes : neuron counts of the hidden layer, e.g. ``range(3, 40)``; see
        ``neuron_range`` for a checked (min, max) range.
    n_trials : networks per configuration, from different seeds.
    seeds : random_state of each trial; default ``range(n_trials)``.
    learning_rates : a list of rates makes a learning-rate x neurons grid; default the
        one ``learning_rate`` of ``classifier_kwargs``.
    n_jobs : processes (joblib; -1: all cores). Results do not depend on it. Ignored with
        an ``executor``.
    chunk_size : at most this many networks train together in one process (default 64):
        the unit of parallel work, of progress reports and of cancelling.
    executor : where the chunks train instead: a ``dask.distributed.Client`` (each chunk
        a task on its cluster, results collected as they finish, a lost worker's chunks
        retrained by Dask) or a ``concurrent.futures`` executor. The same bits as
        ``n_jobs=1``. Raises ``SweepInterrupted`` (with the finished rows) if it fails.
    callback : ``callback(done, total, partial)``: ``done`` networks' worth of training
        finished out of ``total`` (a float: with ``n_jobs=1`` it is called after every
        epoch and counts the chunk in progress by its fraction of epochs), ``partial``
        the DataFrame of the networks finished so far.
    should_stop : called as often as ``callback``; True cancels (on an executor, the
        chunks not started are cancelled), and the networks finished by then are returned.
    task : "classification" (``ScratchNetClassifier``'s networks) or "regression"
        (``ScratchNetRegressor``'s: identity output, half the squared error).
    **classifier_kwargs : every other ``ScratchNetClassifier`` (or ``ScratchNetRegressor``)
        argument, shared by all.

    Returns
    -------
    DataFrame, a row per network, sorted by learning_rate, hidden_size, trial, with the
    columns hidden_size, learning_rate, trial, seed, train_acc, test_acc, final_loss (the
    training loss with the penalty), epochs_run, diverged (``RESULT_COLUMNS``). A
    regression sweep has train_r2 and test_r2 in place of the accuracies and test_mse, the
    mean squared error on the test set, after them (``REGRESSION_RESULT_COLUMNS``).
    """
    plan = plan_sweep(
        X_train, y_train, X_test, y_test, hidden_sizes, n_trials, seeds=seeds,
        learning_rates=learning_rates, chunk_size=chunk_size,
        n_jobs=1 if executor is not None else n_jobs, task=task, **classifier_kwargs,
    )  # fmt: skip
    total = len(plan.specs)
    stop = should_stop or (lambda: False)
    if executor is not None:
        return _run_on(executor, plan, callback, stop)
    if _effective_jobs(n_jobs) == 1 or len(plan.chunks) == 1:
        sweep = Sweep(plan)
        while not sweep.done:
            if stop():
                break
            sweep.advance(max_epochs=1)
            if callback is not None:
                callback(sweep.networks_done, total, sweep.results())
        return sweep.results()
    return _run_parallel(plan, n_jobs, callback, stop)


def _run_on(
    executor: Any,
    plan: SweepPlan,
    callback: Callable[[float, int, pd.DataFrame], None] | None,
    stop: Callable[[], bool],
) -> pd.DataFrame:
    """The chunks as tasks of ``executor``; results as they finish."""
    sweep = Sweep(plan, executor)
    try:
        while not sweep.done:
            if stop():
                sweep.cancel()
                break
            before = len(sweep._frames)
            sweep.advance(max_seconds=0.5)
            if sweep.error is not None:
                raise SweepInterrupted(sweep)
            if callback is not None and len(sweep._frames) > before:
                callback(sweep.networks_done, len(plan.specs), sweep.results())
    except BaseException:  # KeyboardInterrupt too: leave nothing running on the cluster
        sweep.cancel()
        raise
    return sweep.results()


def _run_parallel(
    plan: SweepPlan,
    n_jobs: int,
    callback: Callable[[float, int, pd.DataFrame], None] | None,
    stop: Callable[[], bool],
) -> pd.DataFrame:
    """The chunks over joblib workers; results as they finish."""
    from joblib import Parallel, delayed

    frames: list[pd.DataFrame] = []
    columns = result_columns(plan.params)
    if stop():
        return _sorted(frames, columns)
    data = (plan.X_train, plan.y_train, plan.X_test, plan.y_test, plan.n_classes)
    tasks = (delayed(_train_chunk)(chunk, plan.params, *data) for chunk in plan.chunks)
    results = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks)
    done = 0
    try:
        for frame in results:
            frames.append(frame)
            done += len(frame)
            if callback is not None:
                callback(float(done), len(plan.specs), _sorted(frames, columns))
            if stop():
                break
    finally:
        with warnings.catch_warnings():  # joblib reports the chunks a cancel dropped
            warnings.simplefilter("ignore", UserWarning)
            close = getattr(results, "close", None)
            if close is not None:
                close()
    return _sorted(frames, columns)


def repeated_runs(
    X_train: NDArray,
    y_train: NDArray,
    X_test: NDArray | None,
    y_test: NDArray | None,
    n_runs: int,
    **classifier_kwargs: Any,
) -> pd.DataFrame:
    """The blog's ``test()``: one configuration trained ``n_runs`` times, seeds 0..n_runs-1.

    ``classifier_kwargs`` are ``ScratchNetClassifier`` arguments with one hidden layer
    (``hidden_layer_sizes=(64,)``, say); ``task``, ``n_jobs``, ``callback`` and
    ``should_stop`` pass through to ``run_sweep`` (``task="regression"``: the arguments are
    ``ScratchNetRegressor``'s). Returns ``run_sweep``'s DataFrame, a row per run.
    """
    hidden = classifier_kwargs.pop("hidden_layer_sizes", (64,))
    if isinstance(hidden, numbers.Integral) and not isinstance(hidden, bool):
        hidden = (hidden,)
    hidden = tuple(hidden)
    if len(hidden) != 1:
        raise ValueError(
            f"repeated_runs trains networks with one hidden layer; got hidden_layer_sizes="
            f"{hidden!r}. Give one size, such as (64,)."
        )
    n_runs = _whole("n_runs", n_runs, 1, MAX_NETWORKS)
    return run_sweep(X_train, y_train, X_test, y_test, hidden, n_runs, **classifier_kwargs)


def score_name(df: pd.DataFrame) -> str:
    """What the networks of ``run_sweep``'s DataFrame are scored by, as its columns name it:
    "r2" for a regression sweep (columns train_r2, test_r2), else "acc"."""
    return SCORES["regression"] if "test_r2" in df.columns else SCORES["classification"]


def summarize(df: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation of the scores per (learning_rate, hidden_size).

    Standard deviations are population ones (ddof=0), as NumPy's ``std`` and the blog's
    ``acc_lst.std()``. Columns: learning_rate, hidden_size, n_trials, test_acc_mean,
    test_acc_std, train_acc_mean, train_acc_std; for a regression sweep test_r2_mean,
    test_r2_std, train_r2_mean, train_r2_std, and test_mse_mean, test_mse_std when the
    DataFrame has test_mse.
    """
    score = score_name(df)
    test, train = f"test_{score}", f"train_{score}"
    missing = {"learning_rate", "hidden_size", test, train} - set(df.columns)
    if missing:
        raise ValueError(
            f"summarize needs run_sweep's DataFrame; missing columns {sorted(missing)}."
        )
    measures = [test, train] + (["test_mse"] if score == "r2" and "test_mse" in df else [])
    grouped = df.groupby(["learning_rate", "hidden_size"], sort=True)
    stats = {"n_trials": (test, "size")}
    for column in measures:
        stats[f"{column}_mean"] = (column, "mean")
        stats[f"{column}_std"] = (column, lambda a: float(np.std(a)))
    return grouped.agg(**stats).reset_index()
