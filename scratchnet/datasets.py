"""Two-dimensional toy datasets, a train/test split, standardization and CSV loading.

Every function returns plain NumPy arrays: ``X`` of shape (n_samples, n_features)
with dtype float64 and ``y`` of shape (n_samples,) with dtype int64 holding class
codes 0..n_classes-1; for the regression datasets (``REGRESSION_DATASETS``) and
``load_regression_csv``, ``y`` holds float64 numbers to predict instead. Randomness
always comes from ``np.random.default_rng(seed)`` (or scikit-learn's
``random_state=seed``), so the same arguments give the same bits.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Literal, overload

import numpy as np
from numpy.typing import NDArray

DATASETS = ("moons", "circles", "xor", "gaussian", "spiral")  # classification
REGRESSION_DATASETS = ("plane", "multi-gaussian")  # TF Playground's two regression sets

# The noise each dataset gets when ``noise=None``: the standard deviation of the Gaussian
# noise for classification; for regression the reach of the label noise (see _plane),
# 0 as in TF Playground.
DEFAULT_NOISE = {
    "moons": 0.1,
    "circles": 0.05,
    "xor": 0.1,
    "gaussian": 0.4,
    "spiral": 0.1,
    "plane": 0.0,
    "multi-gaussian": 0.0,
}

MIN_SAMPLES = 10
MAX_SAMPLES = 100_000
MAX_NOISE = 10.0
MAX_SEED = 2**32 - 1  # scikit-learn's random_state accepts 0 .. 2**32 - 1

CIRCLES_FACTOR = 0.5  # radius of the inner circle; the outer one has radius 1
GAUSSIAN_CENTER = 0.7  # the blobs sit at (-c, -c) and (c, c)
SPIRAL_TURNS = 1.25  # how many times each spiral arm winds around the origin
# TF Playground draws its points in [-6, 6]^2; here they are divided by 6, into [-1, 1]^2.
PLAYGROUND_RADIUS = 6.0
PLANE_SLOPE = PLAYGROUND_RADIUS / 10  # TF's label (x + y) / 10 in its units: 0.6 (x + y) here
# TF's six bumps (x, y, sign) in its units; each falls from sign * 1 at its centre to 0 at
# distance 2 (here 2 / 6), and a point takes the bump largest in absolute value.
MULTI_GAUSSIAN_BUMPS = np.array(
    [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]]
) / [PLAYGROUND_RADIUS, PLAYGROUND_RADIUS, 1]
MULTI_GAUSSIAN_REACH = 2 / PLAYGROUND_RADIUS

MAX_CSV_ROWS = 100_000
MAX_CSV_CLASSES = 20
LABEL_NAMES = ("label", "class", "target")

Source = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes] | IO[str]


# --------------------------------------------------------------------------- toy datasets


def make_dataset(
    name: str,
    n_samples: int = 1000,
    noise: float | None = None,
    seed: int = 42,
    n_classes: int = 2,
) -> tuple[NDArray[np.float64], NDArray[np.int64] | NDArray[np.float64]]:
    """Generate one of the two-dimensional toy datasets in ``DATASETS`` (classification)
    or ``REGRESSION_DATASETS`` (regression).

    Parameters
    ----------
    name : one of "moons", "circles", "xor", "gaussian", "spiral"; or for regression
        "plane", "multi-gaussian" (TF Playground's, see ``_plane`` and ``_multi_gaussian``).
    n_samples : number of points, from 10 to 100,000.
    noise : standard deviation of the Gaussian noise added to each coordinate
        (for "gaussian" it is the spread of each blob). ``None`` uses
        ``DEFAULT_NOISE[name]``. For regression, how far from a point its label is read
        (see ``_plane``).
    seed : seed of the random generator, 0 <= seed < 2**32.
    n_classes : number of classes; only "spiral" accepts values other than 2
        (it then has one arm per class). Regression datasets have no classes: leave it.

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64. Points lie roughly in [-2, 2]^2.
    y : ndarray of shape (n_samples,), int64, class codes 0..n_classes-1.
        Classes are as balanced as possible (sizes differ by at most one).
        For regression, float64 numbers: in [-1.2, 1.2] for "plane" and [-1, 1] for
        "multi-gaussian" (noise can push "plane" a little further).

    "moons" is exactly ``sklearn.datasets.make_moons(n_samples, noise=noise,
    random_state=seed)``; "circles" is ``make_circles`` with ``factor=0.5``.
    """
    if name not in DATASETS and name not in REGRESSION_DATASETS:
        raise ValueError(
            f"Unknown dataset {name!r}. Choose one of: {', '.join(DATASETS)} (classification); "
            f"{', '.join(REGRESSION_DATASETS)} (regression)."
        )
    n_samples = _check_int("n_samples", n_samples, MIN_SAMPLES, MAX_SAMPLES)
    if noise is None:
        noise = DEFAULT_NOISE[name]
    noise = _check_noise(noise)
    seed = _check_int("seed", seed, 0, MAX_SEED)
    n_classes = _check_int("n_classes", n_classes, 2, None)
    if name in REGRESSION_DATASETS:
        if n_classes != 2:
            raise ValueError(
                f"The {name!r} dataset is for regression: its y holds numbers, not classes, "
                f"so n_classes does not apply. Got n_classes={n_classes}."
            )
        X, y = _GENERATORS[name](n_samples, noise, seed, n_classes)
        return np.ascontiguousarray(X, dtype=np.float64), y.astype(np.float64, copy=False)
    if name != "spiral" and n_classes != 2:
        raise ValueError(
            f"The {name!r} dataset always has 2 classes; only 'spiral' accepts "
            f"n_classes other than 2. Got n_classes={n_classes}."
        )
    if n_samples < 2 * n_classes:
        raise ValueError(
            f"A spiral with {n_classes} classes needs at least {2 * n_classes} samples "
            f"(2 per class). Got n_samples={n_samples}."
        )

    X, y = _GENERATORS[name](n_samples, noise, seed, n_classes)
    return np.ascontiguousarray(X, dtype=np.float64), y.astype(np.int64, copy=False)


# scikit-learn's make_moons, make_circles and train_test_split, ported line for line so that
# they give the same bits without importing scikit-learn (about 1 s, most of the app's
# start-up). tests/test_datasets.py checks every port against scikit-learn itself. The
# legacy RandomState is what scikit-learn seeds them with: a private, seeded instance.


def _two_arcs(
    outer: tuple[NDArray, NDArray], inner: tuple[NDArray, NDArray], noise: float, seed: int
) -> tuple[NDArray, NDArray]:
    """Stack the arcs, shuffle them as ``sklearn.utils.shuffle`` does, then add noise."""
    n_out, n_in = len(outer[0]), len(inner[0])
    X = np.vstack([np.append(outer[0], inner[0]), np.append(outer[1], inner[1])]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    generator = np.random.RandomState(seed)
    order = np.arange(len(y))
    generator.shuffle(order)
    X, y = X[order], y[order]
    X += generator.normal(scale=noise, size=X.shape)
    return X, y


def _moons(n: int, noise: float, seed: int, k: int) -> tuple[NDArray, NDArray]:
    """scikit-learn's ``make_moons(n, noise=noise, random_state=seed)``, bit for bit."""
    n_out, n_in = n // 2, n - n // 2
    outer = (np.cos(np.linspace(0, np.pi, n_out)), np.sin(np.linspace(0, np.pi, n_out)))
    inner = (
        1 - np.cos(np.linspace(0, np.pi, n_in)),
        1 - np.sin(np.linspace(0, np.pi, n_in)) - 0.5,
    )
    return _two_arcs(outer, inner, noise, seed)


def _circles(n: int, noise: float, seed: int, k: int) -> tuple[NDArray, NDArray]:
    """scikit-learn's ``make_circles(n, noise=noise, factor=0.5, random_state=seed)``:
    two concentric circles, class 1 the inner one."""
    n_out, n_in = n // 2, n - n // 2
    angles_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    angles_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    outer = (np.cos(angles_out), np.sin(angles_out))
    inner = (np.cos(angles_in) * CIRCLES_FACTOR, np.sin(angles_in) * CIRCLES_FACTOR)
    return _two_arcs(outer, inner, noise, seed)


def _xor(n: int, noise: float, seed: int, k: int) -> tuple[NDArray, NDArray]:
    """Uniform points in the four quadrants of [-1, 1]^2; class 1 where x1 * x2 < 0."""
    rng = np.random.default_rng(seed)
    y = _balanced_labels(n, 2)
    # |x| in (0, 1] so no noise-free point lies on an axis, where the label is undefined
    magnitude = 1.0 - rng.random((n, 2))
    sign1 = rng.choice([-1.0, 1.0], size=n)
    # same signs (x1 * x2 > 0) for class 0, opposite signs for class 1
    sign2 = np.where(y == 0, sign1, -sign1)
    X = magnitude * np.column_stack([sign1, sign2])
    X += noise * rng.standard_normal((n, 2))
    return _shuffle(X, y, rng)


def _gaussian(n: int, noise: float, seed: int, k: int) -> tuple[NDArray, NDArray]:
    """Two isotropic Gaussian blobs with standard deviation ``noise``."""
    rng = np.random.default_rng(seed)
    y = _balanced_labels(n, 2)
    centers = np.array([[-GAUSSIAN_CENTER, -GAUSSIAN_CENTER], [GAUSSIAN_CENTER, GAUSSIAN_CENTER]])
    X = centers[y] + noise * rng.standard_normal((n, 2))
    return _shuffle(X, y, rng)


def _spiral(n: int, noise: float, seed: int, k: int) -> tuple[NDArray, NDArray]:
    """k interleaved spiral arms of radius 1, one per class."""
    rng = np.random.default_rng(seed)
    y = _balanced_labels(n, k)
    t = rng.random(n)  # position along the arm: 0 at the centre, 1 at the tip
    # arm j starts at angle 2*pi*j/k and winds SPIRAL_TURNS times while its radius grows to 1
    theta = 2 * np.pi * (y / k + SPIRAL_TURNS * t)
    X = t[:, None] * np.column_stack([np.cos(theta), np.sin(theta)])
    X += noise * rng.standard_normal((n, 2))
    return _shuffle(X, y, rng)


# TF Playground's regression sets (tensorflow/playground, src/dataset.ts: regressPlane and
# regressGaussian). Both draw points uniformly in [-6, 6]^2 and offsets uniformly in
# [-6, 6]^2 times the noise (0 to 0.5 on its slider); the noise does not move a point, it
# moves where its label is read: label(x + offset). Here every length is divided by 6, so
# the points and the offsets fill [-1, 1]^2 (times the noise) and a noise value means what
# it means in TF Playground. Its labels are numbers, kept as they are.


def _label_points(
    n: int, noise: float, seed: int, label: Callable[[NDArray], NDArray]
) -> tuple[NDArray, NDArray]:
    """Uniform points in [-1, 1]^2, each labelled ``label`` at itself plus a uniform offset
    in [-noise, noise]^2 (the points are drawn first: the same seed, the same points)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    offsets = noise * rng.uniform(-1.0, 1.0, size=(n, 2))
    return X, label(X + offsets)


def _plane(n: int, noise: float, seed: int, k: int) -> tuple[NDArray, NDArray]:
    """regressPlane: y = (x1 + x2) / 10 in TF's units, 0.6 (x1 + x2) here: a tilted plane,
    from -1.2 to 1.2 over the square (TF's scale maps -10..10 to -1..1 and does not clamp)."""
    return _label_points(n, noise, seed, lambda P: PLANE_SLOPE * (P[:, 0] + P[:, 1]))


def _multi_gaussian(n: int, noise: float, seed: int, k: int) -> tuple[NDArray, NDArray]:
    """regressGaussian: six bumps of alternating sign, three above and three below the x1
    axis. Each is ``sign * max(0, 1 - d / reach)`` at distance d from its centre (TF's
    linear scale from 1 at 0 to 0 at 2, clamped; "gaussian" in name only), and a point
    takes the bump that is largest in absolute value (the first one on a tie, as TF)."""

    def label(P: NDArray) -> NDArray:
        centres, signs = MULTI_GAUSSIAN_BUMPS[:, :2], MULTI_GAUSSIAN_BUMPS[:, 2]
        d = np.linalg.norm(P[:, None, :] - centres[None, :, :], axis=-1)  # (n, 6)
        heights = np.clip(1.0 - d / MULTI_GAUSSIAN_REACH, 0.0, 1.0)
        return signs[np.argmax(heights, axis=1)] * heights.max(axis=1)

    return _label_points(n, noise, seed, label)


_GENERATORS: dict[str, Callable[[int, float, int, int], tuple[NDArray, NDArray]]] = {
    "moons": _moons,
    "circles": _circles,
    "xor": _xor,
    "gaussian": _gaussian,
    "spiral": _spiral,
    "plane": _plane,
    "multi-gaussian": _multi_gaussian,
}


def _balanced_labels(n: int, k: int) -> NDArray[np.int64]:
    """Labels 0..k-1 in order, class sizes differing by at most one."""
    return np.arange(n, dtype=np.int64) * k // n


def _shuffle(X: NDArray, y: NDArray, rng: np.random.Generator) -> tuple[NDArray, NDArray]:
    """Rows of X and y in one random order."""
    order = rng.permutation(len(y))
    return X[order], y[order]


def _check_int(name: str, value: object, low: int, high: int | None) -> int:
    """value as an int in [low, high], else TypeError/ValueError naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number, got {value!r}.")
    value = int(value)
    if value < low or (high is not None and value > high):
        bounds = f"between {low:,} and {high:,}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be {bounds}. Got {value:,}.")
    return value


def _check_noise(noise: object) -> float:
    """noise as a finite float in [0, MAX_NOISE]."""
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise TypeError(f"noise must be a number, got {noise!r}.")
    noise = float(noise)
    if not math.isfinite(noise) or not 0.0 <= noise <= MAX_NOISE:
        raise ValueError(f"noise must be a finite number between 0 and {MAX_NOISE:g}. Got {noise}.")
    return noise


# --------------------------------------------------------------------------- split and scale


def split(
    X: NDArray[np.float64],
    y: NDArray[np.int64],
    test_ratio: float = 0.25,
    seed: int = 42,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
    """Shuffle and split into a training set and a test set.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    test_ratio : fraction of the samples that go to the test set, 0 <= test_ratio < 1.
        0 means "no test set": the training set is X and y unchanged (copied, not
        shuffled) and the test arrays are empty.
    seed : random_state of the shuffle, 0 <= seed < 2**32.

    Returns
    -------
    X_train : ndarray of shape (n_train, n_features)
    X_test : ndarray of shape (n_test, n_features), n_test = ceil(test_ratio * n_samples)
    y_train : ndarray of shape (n_train,)
    y_test : ndarray of shape (n_test,)

    For test_ratio > 0 this is exactly
    ``train_test_split(X, y, test_size=test_ratio, random_state=seed)``, so the
    defaults reproduce ``train_test_split(X, y, random_state=42)``.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n_samples, n_features). Got shape {X.shape}.")
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-D array (n_samples,). Got shape {y.shape}.")
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same number of rows. Got {len(X)} and {len(y)}.")
    if isinstance(test_ratio, bool) or not isinstance(test_ratio, numbers.Real):
        raise TypeError(f"test_ratio must be a number, got {test_ratio!r}.")
    test_ratio = float(test_ratio)
    if not 0.0 <= test_ratio < 1.0:  # also rejects NaN
        raise ValueError(
            f"test_ratio must be at least 0 and below 1 (0 means no test set). Got {test_ratio}."
        )
    seed = _check_int("seed", seed, 0, MAX_SEED)

    n = len(X)
    n_test = math.ceil(test_ratio * n)
    n_train = n - n_test
    if n_train < 2:
        raise ValueError(
            f"A test ratio of {test_ratio:g} with {n} samples leaves {n_train} training "
            f"sample(s); at least 2 are needed. Use a smaller test ratio or more samples."
        )
    if test_ratio == 0.0:
        return X.copy(), X[:0].copy(), y.copy(), y[:0].copy()
    # scikit-learn's ShuffleSplit: one permutation, the test set first.
    order = np.random.RandomState(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def standardize(
    X_train: NDArray[np.float64],
    X_test: NDArray[np.float64] | None = None,
) -> tuple[
    NDArray[np.float64], NDArray[np.float64] | None, NDArray[np.float64], NDArray[np.float64]
]:
    """Scale each feature to mean 0 and standard deviation 1, fitted on the training set.

    Parameters
    ----------
    X_train : ndarray of shape (n_train, n_features), at least one row.
    X_test : ndarray of shape (n_test, n_features) or None. Scaled with the
        training mean and scale (never its own), so no test information leaks.

    Returns
    -------
    X_train_s : ndarray of shape (n_train, n_features), (X_train - mean) / scale
    X_test_s : ndarray of shape (n_test, n_features), or None when X_test is None
    mean : ndarray of shape (n_features,)
    scale : ndarray of shape (n_features,), the population standard deviation
        (ddof=0, like sklearn's StandardScaler); 1 for a constant column, which
        therefore becomes all zeros instead of a division by zero.
    """
    X_train = np.asarray(X_train, dtype=np.float64)
    if X_train.ndim != 2 or len(X_train) == 0:
        raise ValueError(
            f"X_train must be a 2-D array with at least one row. Got shape {X_train.shape}."
        )
    if not np.isfinite(X_train).all():
        raise ValueError("X_train contains NaN or infinite values.")
    mean = X_train.mean(axis=0)
    scale = X_train.std(axis=0)
    constant = np.ptp(X_train, axis=0) == 0
    # the mean of identical floats can be off by one rounding step; use the value itself
    mean[constant] = X_train[0, constant]
    scale[constant] = 1.0
    X_test_s = None
    if X_test is not None:
        X_test = np.asarray(X_test, dtype=np.float64)
        if X_test.ndim != 2 or X_test.shape[1] != X_train.shape[1]:
            raise ValueError(
                f"X_test must be a 2-D array with {X_train.shape[1]} columns like X_train. "
                f"Got shape {X_test.shape}."
            )
        X_test_s = (X_test - mean) / scale
    return (X_train - mean) / scale, X_test_s, mean, scale


# --------------------------------------------------------------------------- CSV files


@dataclass(frozen=True)
class CSVInfo:
    """What ``load_csv(..., return_info=True)`` learned about the file.

    feature_names : names of the columns of X, in the order of X's columns.
    label_name : name of the label column.
    classes : original label of each class code, as text; ``classes[c]`` is the
        label that became code ``c``.
    columns : names of all columns of the file, in file order.
    has_header : whether the first row was taken as column names.
    delimiter : "," or ";" or a tab.
    """

    feature_names: tuple[str, ...]
    label_name: str
    classes: tuple[str, ...]
    columns: tuple[str, ...]
    has_header: bool
    delimiter: str


@dataclass(frozen=True)
class _Table:
    """A parsed CSV file: column names, text cells column by column, file row numbers."""

    columns: list[str]
    cells: list[tuple[str, ...]]  # cells[j][i]: column j of data row i
    row_numbers: list[int]  # 1-based line of each data row, as a spreadsheet shows it
    has_header: bool
    delimiter: str


def read_csv_columns(source: Source) -> list[str]:
    """Column names of a CSV file, in file order.

    Files without a header get the names "x1", "x2", ..., "label" (the last
    column is called "label"). Accepts the same ``source`` as ``load_csv`` and
    checks the whole file's structure (delimiter, row lengths, encoding, size),
    raising ValueError for the same structural problems.
    """
    return list(_read_table(source).columns)


def guess_label_column(columns: Sequence[str]) -> str:
    """The column ``load_csv`` uses as label by default.

    The first column named label, class or target (any case), else the last one.
    """
    if len(columns) == 0:
        raise ValueError("There are no columns to choose a label from.")
    for name in columns:
        if name.strip().lower() in LABEL_NAMES:
            return name
    return columns[-1]


@overload
def load_csv(
    source: Source,
    label_column: str | int | None = ...,
    features: Sequence[str | int] | None = ...,
    *,
    max_classes: int = ...,
    return_info: Literal[False] = ...,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]: ...


@overload
def load_csv(
    source: Source,
    label_column: str | int | None = ...,
    features: Sequence[str | int] | None = ...,
    *,
    max_classes: int = ...,
    return_info: Literal[True],
) -> tuple[NDArray[np.float64], NDArray[np.int64], CSVInfo]: ...


def load_csv(
    source: Source,
    label_column: str | int | None = None,
    features: Sequence[str | int] | None = None,
    *,
    max_classes: int = MAX_CSV_CLASSES,
    return_info: bool = False,
) -> (
    tuple[NDArray[np.float64], NDArray[np.int64]]
    | tuple[NDArray[np.float64], NDArray[np.int64], CSVInfo]
):
    """Load a classification dataset from a CSV file.

    Parameters
    ----------
    source : a path (str or pathlib.Path), the file's bytes, or a file object
        opened in binary or text mode (Streamlit's UploadedFile works). File
        objects are read from their start, so the same upload can be passed again.
        Nothing is written to disk.
    label_column : name or 0-based index (negative counts from the end) of the
        label column. None: the column named label, class or target (any case),
        else the last column.
    features : names or indices of the feature columns, at least 2, in the order
        wanted for X's columns. None: every column except the label, in file order.
        Columns that are not selected may hold anything.
    max_classes : the most distinct labels accepted (guards against picking a
        measurement column as the label).
    return_info : also return a ``CSVInfo``.

    Returns
    -------
    X : ndarray of shape (n_rows, n_features), float64
    y : ndarray of shape (n_rows,), int64 class codes 0..n_classes-1, given in the
        sorted order of the original labels (numerically if every label is a
        number, else alphabetically).
    info : CSVInfo, only when ``return_info=True``.

    The file may have a header row or not (a first row with text where the next
    row has numbers is a header), may use "," or ";" or tabs between fields (a
    ";"- or tab-separated file may use decimal commas, "1,5"), may start with a
    UTF-8 byte-order mark, and may have surrounding spaces and blank lines. Any
    problem raises ValueError naming the row (1-based, counting the header, as a
    spreadsheet shows it) or the column and saying what was expected.
    """
    max_classes = _check_int("max_classes", max_classes, 2, None)
    table = _read_table(source)
    X, label_index, feature_indices = _features(
        table, label_column, features, "label", "label_column"
    )
    columns, label_name = table.columns, table.columns[label_index]
    decimal_comma = table.delimiter != ","
    y, classes = _encode_labels(
        table.cells[label_index], label_name, table.row_numbers, decimal_comma, max_classes
    )
    if not return_info:
        return X, y
    info = CSVInfo(
        feature_names=tuple(columns[j] for j in feature_indices),
        label_name=label_name,
        classes=classes,
        columns=tuple(columns),
        has_header=table.has_header,
        delimiter=table.delimiter,
    )
    return X, y, info


def load_regression_csv(
    source: Source,
    target_column: str | int | None = None,
    features: Sequence[str | int] | None = None,
    *,
    return_info: bool = False,
) -> (
    tuple[NDArray[np.float64], NDArray[np.float64]]
    | tuple[NDArray[np.float64], NDArray[np.float64], CSVInfo]
):
    """Load a regression dataset, a numeric target to predict, from a CSV file.

    The file is read as ``load_csv`` reads it (the same sources, header detection,
    delimiters, decimal commas and messages naming the row and column); only the target
    differs: a number per row, kept as it is, instead of a class label.

    Parameters
    ----------
    source : a path, the file's bytes, or a file object (see ``load_csv``).
    target_column : name or 0-based index (negative counts from the end) of the column to
        predict. None: the column named label, class or target (any case), else the last.
    features : names or indices of the feature columns, at least 2. None: every column
        except the target, in file order.
    return_info : also return a ``CSVInfo`` (its ``label_name`` is the target column's
        name and its ``classes`` are empty).

    Returns
    -------
    X : ndarray of shape (n_rows, n_features), float64
    y : ndarray of shape (n_rows,), float64, the target column
    info : CSVInfo, only when ``return_info=True``.

    Raises ValueError, naming the row and the column, for a target that is text (those are
    classes: use ``load_csv``), empty, NaN or infinite, and for a target column that has
    the same value in every row (there is nothing to predict).
    """
    table = _read_table(source)
    X, target_index, feature_indices = _features(
        table, target_column, features, "target", "target_column"
    )
    name = table.columns[target_index]
    y = _parse_target(table.cells[target_index], name, table.row_numbers, table.delimiter != ",")
    if not return_info:
        return X, y
    info = CSVInfo(
        feature_names=tuple(table.columns[j] for j in feature_indices),
        label_name=name,
        classes=(),
        columns=tuple(table.columns),
        has_header=table.has_header,
        delimiter=table.delimiter,
    )
    return X, y, info


def _parse_target(
    cells: tuple[str, ...], name: str, row_numbers: list[int], decimal_comma: bool
) -> NDArray[np.float64]:
    """A regression target column as finite floats that are not all the same."""
    texts = [cell.replace(",", ".") for cell in cells] if decimal_comma else cells
    try:
        np.fromiter(map(float, texts), dtype=np.float64, count=len(texts))
    except ValueError:
        _refuse_text_target(cells, name, row_numbers, decimal_comma)
    y = _parse_numbers(cells, name, row_numbers, decimal_comma)  # NaN and inf: named rows
    if np.ptp(y) == 0:
        raise ValueError(
            f"Every row has the same target value {cells[0]!r} in column {name!r}; there is "
            f"nothing to predict (a constant is learnt without a network). Is {name!r} the "
            f"right target column?"
        )
    return y


def _refuse_text_target(
    cells: tuple[str, ...], name: str, row_numbers: list[int], decimal_comma: bool
) -> None:
    """ValueError naming the first target cell that is empty or not a number."""
    for i, cell in enumerate(cells):
        if not cell:
            raise ValueError(
                f"Row {row_numbers[i]}, column {name!r}: the target is empty. Every row needs "
                f"a number to predict; remove or fill in that row."
            )
        if not _is_number(cell, decimal_comma):
            raise ValueError(
                f"Row {row_numbers[i]}, column {name!r}: expected a number to predict, got "
                f"{cell!r}. A regression target must be numeric; text values are classes "
                f"(to classify them: Problem type Classification, or load_csv). Is {name!r} "
                f"the right target column?"
            )


def _features(
    table: _Table,
    label_column: str | int | None,
    features: Sequence[str | int] | None,
    what: str,
    parameter: str,
) -> tuple[NDArray[np.float64], int, list[int]]:
    """X from the feature columns, the label (or target) column's index, the features'.

    what : "label" or "target", as messages call that column; parameter : its argument.
    """
    columns = table.columns
    label_index = (
        columns.index(guess_label_column(columns))
        if label_column is None
        else _column_index(columns, label_column, parameter)
    )
    label_name = columns[label_index]

    if features is None:
        feature_indices = [j for j in range(len(columns)) if j != label_index]
    else:
        if isinstance(features, str | bytes | numbers.Integral):
            raise TypeError(
                f"features must be a list of column names or indices, got {features!r}."
            )
        feature_indices = [_column_index(columns, f, "features") for f in features]
        for position, j in enumerate(feature_indices):
            if j == label_index:
                raise ValueError(
                    f"Column {columns[j]!r} is the {what} column; it cannot also be a feature."
                )
            if j in feature_indices[:position]:
                raise ValueError(f"Column {columns[j]!r} is listed twice in features.")
    if len(feature_indices) < 2:
        found = ", ".join(repr(columns[j]) for j in feature_indices) or "none"
        hint = (
            "Pick at least 2 feature columns."
            if features is not None
            else f"The file needs at least 3 columns: 2 numeric features and a {what}, "
            "separated by commas or semicolons."
        )
        raise ValueError(
            f"At least 2 feature columns are needed besides the {what} {label_name!r}; "
            f"found {len(feature_indices)} ({found}). {hint}"
        )

    X = np.empty((len(table.row_numbers), len(feature_indices)), dtype=np.float64)
    for out, j in enumerate(feature_indices):
        X[:, out] = _parse_numbers(
            table.cells[j], columns[j], table.row_numbers, table.delimiter != ","
        )
    return X, label_index, feature_indices


def _read_table(source: Source) -> _Table:
    """Decode, split into rows and fields, detect header and delimiter, check row lengths."""
    text = _read_text(source)
    first = next((line for line in io.StringIO(text, newline="") if line.strip()), None)
    if first is None:
        raise ValueError("The file is empty.")
    delimiter = _detect_delimiter(first)

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    row_numbers: list[int] = []
    width = -1
    try:
        for fields in reader:
            # fast path for a well-formed row; fields are stripped column by column below
            if len(fields) != width or not any(fields):
                fields = [field.strip() for field in fields]
                if not any(fields):
                    continue  # blank lines and rows of empty fields (";;;" from spreadsheets)
                if not rows:
                    width = len(fields)
                elif len(fields) > width and not any(fields[width:]):
                    fields = fields[:width]  # trailing empty fields
                elif len(fields) != width:
                    raise ValueError(
                        f"Row {reader.line_num} has {len(fields)} fields, expected {width} "
                        f"like row {row_numbers[0]}. Check for a missing or extra "
                        f"{_delimiter_name(delimiter)} in that row."
                    )
            rows.append(fields)
            row_numbers.append(reader.line_num)
            if len(rows) > MAX_CSV_ROWS + 1:  # + 1: the first row may be a header
                break
    except csv.Error as error:
        raise ValueError(f"Row {reader.line_num} could not be read as CSV: {error}.") from None

    has_header = _looks_like_header(rows, delimiter != ",")
    header = rows.pop(0) if has_header else None
    header_row = row_numbers.pop(0) if has_header else None
    if len(rows) > MAX_CSV_ROWS:
        raise ValueError(
            f"The file has more than {MAX_CSV_ROWS:,} data rows (row {row_numbers[MAX_CSV_ROWS]:,} "
            f"is the first one past the limit). Use at most {MAX_CSV_ROWS:,} rows."
        )
    if not rows:
        raise ValueError("The file has a header row but no data rows.")
    if len(rows) < 2:
        raise ValueError(
            f"The file has only 1 data row (row {row_numbers[0]}); at least 2 are needed."
        )

    cells = [tuple(map(str.strip, column)) for column in zip(*rows, strict=True)]
    # a column with no name and no values is a spreadsheet artefact: drop it
    if header is not None:
        keep = [j for j in range(width) if header[j] or any(cells[j])]
        columns = [header[j] or f"column {j + 1}" for j in keep]
    else:
        keep = [j for j in range(width) if any(cells[j])]
        columns = [f"x{i + 1}" for i in range(len(keep) - 1)] + ["label"]
    cells = [cells[j] for j in keep]
    for j, name in enumerate(columns):
        if name in columns[:j]:
            raise ValueError(
                f"Two columns are named {name!r} in the header (row {header_row}); "
                f"column names must be unique."
            )
    return _Table(columns, cells, row_numbers, has_header, delimiter)


def _read_text(source: Source) -> str:
    """The whole file as text; bytes are decoded as UTF-8 with an optional BOM."""
    if isinstance(source, str | os.PathLike):
        try:
            with open(source, "rb") as file:
                data: bytes | str = file.read()
        except OSError as error:
            raise ValueError(f"Could not read the file {os.fspath(source)!r}: {error}.") from None
    elif isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif hasattr(source, "read"):
        if hasattr(source, "seek") and (not hasattr(source, "seekable") or source.seekable()):
            source.seek(0)
        data = source.read()
        if isinstance(data, bytearray | memoryview):
            data = bytes(data)
    else:
        raise TypeError(
            "Expected a file path, bytes, or a file object (such as an uploaded file); "
            f"got {type(source).__name__}."
        )

    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("The file is UTF-16 text. Save it as 'CSV UTF-8' and upload it again.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data.count(b"\n", 0, error.start) + 1
        bad = data[error.start : error.end]
        raise ValueError(
            f"Row {row} is not valid UTF-8 text (bytes {bad!r}). Save the file as "
            f"'CSV UTF-8' and upload it again."
        ) from None


def _detect_delimiter(line: str) -> str:
    """';' or tab if the first non-blank line has one outside quotes, else ','."""
    unquoted = re.sub(r'"[^"]*"', "", line)
    if ";" in unquoted:
        return ";"
    if "\t" in unquoted:
        return "\t"
    return ","


def _delimiter_name(delimiter: str) -> str:
    """How to call the delimiter in a message."""
    return {",": "comma", ";": "semicolon", "\t": "tab"}[delimiter]


def _is_number(text: str, decimal_comma: bool) -> bool:
    """Whether float() reads text (with ',' as decimal point if decimal_comma)."""
    try:
        float(text.replace(",", ".") if decimal_comma else text)
    except ValueError:
        return False
    return True


def _looks_like_header(rows: list[list[str]], decimal_comma: bool) -> bool:
    """A first row is a header if it names a label column or has text above numbers."""
    first = rows[0]
    if any(field.lower() in LABEL_NAMES for field in first):
        return True
    if len(rows) == 1:
        # nothing to compare with: text in any field but the (possibly textual) last one
        return any(field and not _is_number(field, decimal_comma) for field in first[:-1])
    second = rows[1]
    return any(
        field and not _is_number(field, decimal_comma) and _is_number(below, decimal_comma)
        for field, below in zip(first, second, strict=True)
    )


def _column_index(columns: list[str], key: object, parameter: str) -> int:
    """Position of a column given by name or by (possibly negative) 0-based index."""
    if isinstance(key, str):
        if key in columns:
            return columns.index(key)
        folded = [name.lower() for name in columns]
        if key.strip().lower() in folded:
            return folded.index(key.strip().lower())
        raise ValueError(
            f"{parameter}: there is no column named {key!r}. "
            f"The columns are: {', '.join(repr(c) for c in columns)}."
        )
    if isinstance(key, bool) or not isinstance(key, numbers.Integral):
        raise TypeError(f"{parameter}: a column is given by its name or index, got {key!r}.")
    m = len(columns)
    if not -m <= key < m:
        raise ValueError(
            f"{parameter}: column index {key} is out of range; the file has {m} columns "
            f"(indices 0 to {m - 1})."
        )
    return int(key) % m


def _parse_numbers(
    cells: tuple[str, ...], name: str, row_numbers: list[int], decimal_comma: bool
) -> NDArray[np.float64]:
    """One column's cells as finite floats; ValueError naming the first bad row."""
    texts = [cell.replace(",", ".") for cell in cells] if decimal_comma else cells
    try:
        values = np.fromiter(map(float, texts), dtype=np.float64, count=len(texts))
    except ValueError:
        for i, text in enumerate(texts):
            if not _is_number(text, False):
                what = "is empty" if not cells[i] else f"got {cells[i]!r}"
                raise ValueError(
                    f"Row {row_numbers[i]}, column {name!r}: expected a number, {what}."
                ) from None
        raise  # unreachable: some cell failed above
    _check_finite(values, cells, name, row_numbers)
    return values


def _check_finite(
    values: NDArray[np.float64], cells: tuple[str, ...], name: str, row_numbers: list[int]
) -> None:
    """ValueError naming the first row whose value is NaN or infinite."""
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        i = bad[0]
        raise ValueError(
            f"Row {row_numbers[i]}, column {name!r}: expected a finite number, got "
            f"{cells[i]!r}. Remove or fill in rows with missing (NaN) or infinite values."
        )


def _encode_labels(
    cells: tuple[str, ...],
    name: str,
    row_numbers: list[int],
    decimal_comma: bool,
    max_classes: int,
) -> tuple[NDArray[np.int64], tuple[str, ...]]:
    """Class codes 0..k-1 in sorted label order, and the label text of each code."""
    for i, cell in enumerate(cells):
        if not cell:
            raise ValueError(f"Row {row_numbers[i]}, column {name!r}: the label is empty.")
    texts = [cell.replace(",", ".") for cell in cells] if decimal_comma else cells
    try:
        values = np.fromiter(map(float, texts), dtype=np.float64, count=len(texts))
    except ValueError:  # some label is text: sort all labels as text
        unique, y = np.unique(np.asarray(cells, dtype=str), return_inverse=True)
        classes = tuple(str(v) for v in unique)
    else:  # every label is a number: sort numerically, so "10" comes after "9"
        _check_finite(values, cells, name, row_numbers)
        unique, y = np.unique(values, return_inverse=True)
        classes = tuple(str(int(v)) if v.is_integer() else repr(float(v)) for v in unique)
    if len(classes) < 2:
        raise ValueError(
            f"Every row has the same label {classes[0]!r} in column {name!r}; "
            f"a classifier needs at least 2 classes. Is {name!r} the right label column?"
        )
    if len(classes) > max_classes:
        raise ValueError(
            f"Column {name!r} has {len(classes):,} different labels; at most {max_classes} "
            f"classes are supported. Is {name!r} the right label column?"
        )
    return y.astype(np.int64).ravel(), classes
