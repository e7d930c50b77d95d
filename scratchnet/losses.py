"""Output layers and their losses.

Two pairings, each the canonical one for its output so that the gradient of the
loss with respect to the output layer's input is simply ``probabilities - targets``:

* ``"softmax"``: k output units, softmax, categorical cross-entropy; targets one-hot.
* ``"sigmoid"``: one output unit, the logistic sigmoid, binary cross-entropy;
  targets 0/1 in a single column (the tutorial seed's network).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

Array = NDArray[np.float64]

OUTPUTS = ("softmax", "sigmoid")

# Probabilities are clipped this far from 0 and 1 inside a log, as scikit-learn does.
EPS = 1e-15


# [[1, -1], [-1, 1]] @ Z gives both rows' differences, z0 - z1 and z1 - z0, in one call.
# Each is one rounding of an exact difference, bit for bit what np.subtract gives.
PAIR_DIFFERENCES = np.array([[1.0, -1.0], [-1.0, 1.0]])


def softmax(Z: Array, scratch: Array | None = None) -> None:
    """Softmax of each column of ``Z`` (n_classes, n_samples), in place.

    (Inside the network a sample is a column.) Subtracting each column's maximum
    first changes nothing mathematically and keeps ``exp`` from overflowing.
    ``scratch``, optional, is an array shaped like a 2-D ``Z`` that may be overwritten.
    """
    if Z.shape[0] == 2:
        # Two classes: e^z1 / (e^z0 + e^z1) = 1 / (1 + e^-(z1 - z0)), a sigmoid of the
        # difference (and p0 the sigmoid of z0 - z1, exact even where p0 is tiny).
        # Same numbers, two or three contiguous calls instead of five broadcasts.
        if scratch is not None:
            np.dot(PAIR_DIFFERENCES, Z, out=scratch)
            expit(scratch, out=Z)
            return
        np.subtract(Z[0], Z[1], out=Z[0])
        np.negative(Z[0], out=Z[1])
        expit(Z, out=Z)
        return
    np.subtract(Z, np.maximum.reduce(Z, axis=0, keepdims=True), out=Z)
    np.exp(Z, out=Z)
    np.divide(Z, np.add.reduce(Z, axis=0, keepdims=True), out=Z)


def sigmoid(Z: Array, scratch: Array | None = None) -> None:
    """Logistic sigmoid of ``Z`` (1, n_samples), in place."""
    expit(Z, out=Z)


OUTPUT_FUNCTIONS = {"softmax": softmax, "sigmoid": sigmoid}


def cross_entropy(P: Array, y: NDArray[np.integer]) -> float:
    """Mean categorical cross-entropy: -mean(log p[i, y_i]).

    P : ndarray of shape (n_samples, n_classes), rows of probabilities.
    y : ndarray of shape (n_samples,), class indices.
    """
    p = P[np.arange(len(y)), y]
    return float(-np.mean(np.log(np.clip(p, EPS, 1.0))))


def binary_cross_entropy(P: Array, y: NDArray[np.integer]) -> float:
    """Mean binary cross-entropy: -mean(y log p + (1 - y) log(1 - p)).

    P : ndarray of shape (n_samples, 1), the probability of class 1.
    y : ndarray of shape (n_samples,), 0 or 1.
    """
    p = np.clip(P[:, 0], EPS, 1.0 - EPS)
    return float(-np.mean(np.where(y == 1, np.log(p), np.log1p(-p))))


LOSS_FUNCTIONS = {"softmax": cross_entropy, "sigmoid": binary_cross_entropy}


def class_probabilities(P: Array, output: str) -> Array:
    """(n_samples, n_classes) probabilities from the network's raw output.

    A sigmoid network has one unit, the probability of class 1; this returns
    the two columns ``[1 - p, p]`` so both outputs look alike to a caller.
    """
    if output == "sigmoid":
        return np.hstack([1.0 - P, P])
    return P
