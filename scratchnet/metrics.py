"""What a classifier gets right and wrong, class by class; how much a regressor explains.

Accuracy says how often the network is right; with more than two classes it hides which
classes it confuses. The confusion matrix counts, for every true class (a row), how often
each class was predicted (a column): the diagonal is what it got right.

R² says what share of the targets' variance a regressor's predictions explain: 1 for
perfect predictions, 0 for always predicting the mean, below 0 for worse than that.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, n_classes: int) -> NDArray[np.int64]:
    """Counts of (true class, predicted class) pairs.

    y_true, y_pred : class indices 0..n_classes-1, shape (n_samples,).
    Returns an int64 array of shape (n_classes, n_classes): ``C[i, j]`` is the number of
    samples of class ``i`` predicted as class ``j``.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-d and of the same length. Got {y_true.shape} "
            f"and {y_pred.shape}."
        )
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if len(y) and (y.min() < 0 or y.max() >= n_classes):
            raise ValueError(f"{name} holds class indices outside 0..{n_classes - 1}.")
    flat = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes).astype(np.int64)


def per_class_accuracy(matrix: ArrayLike) -> NDArray[np.float64]:
    """For each true class, the share of its samples predicted right (its recall):
    ``C[i, i] / sum(C[i, :])``; NaN for a class with no samples. Shape (n_classes,)."""
    C = np.asarray(matrix, dtype=np.float64)
    totals = C.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(C) / totals, np.nan)


def r2_score(Y_true: ArrayLike, Y_pred: ArrayLike) -> float:
    """The coefficient of determination, ``1 - sum (y - p)**2 / sum (y - mean y)**2``.

    Y_true, Y_pred : shape (n_samples,) or (n_samples, n_outputs), the same shape.
    With several outputs, the mean of their R² values. A target that is constant has R² 1
    if it is predicted exactly, else 0. This is scikit-learn's ``r2_score`` (its defaults),
    what ``ScratchNetRegressor.score`` reports, computed without importing scikit-learn.
    """
    Y_true, Y_pred = np.asarray(Y_true, dtype=np.float64), np.asarray(Y_pred, dtype=np.float64)
    if Y_true.shape != Y_pred.shape or Y_true.ndim not in (1, 2) or len(Y_true) == 0:
        raise ValueError(
            f"Y_true and Y_pred must have the same shape, (n_samples,) or "
            f"(n_samples, n_outputs), with at least one sample. Got {Y_true.shape} and "
            f"{Y_pred.shape}."
        )
    Y_true, Y_pred = Y_true.reshape(len(Y_true), -1), Y_pred.reshape(len(Y_pred), -1)
    residual = np.square(Y_true - Y_pred).sum(axis=0)
    total = np.square(Y_true - Y_true.mean(axis=0)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(total > 0, 1.0 - residual / total, np.where(residual > 0, 0.0, 1.0))
    return float(scores.mean())
