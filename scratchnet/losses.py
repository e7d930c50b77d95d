"""Output layers and their losses.

Three pairings, each the canonical one for its output so that the gradient of the
loss with respect to the output layer's input is simply ``outputs - targets``:

* ``"softmax"``: k output units, softmax, categorical cross-entropy; targets one-hot.
* ``"sigmoid"``: one output unit, the logistic sigmoid, binary cross-entropy;
  targets 0/1 in a single column (the tutorial seed's network).
* ``"identity"`` (regression): k output units left as they are, half the squared error;
  targets the k real numbers to predict. scikit-learn's ``MLPRegressor`` pairs the same.

And the L1/L2 penalty on the weights, which the loss of a network includes, with its
gradient. The losses and the penalty also take stacks of networks (a first axis of
networks, as ``sweep.py`` trains them) and then give one value per network.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

Array = NDArray[np.float64]

OUTPUTS = ("softmax", "sigmoid")  # a classifier's outputs
REGRESSION_OUTPUTS = ("identity",)  # a regressor's

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


def identity(Z: Array, scratch: Array | None = None) -> None:
    """The identity: a regression network's outputs are its last layer's sums as they are."""


OUTPUT_FUNCTIONS = {"softmax": softmax, "sigmoid": sigmoid, "identity": identity}


def cross_entropy(P: Array, y: NDArray[np.integer]) -> float | Array:
    """Mean categorical cross-entropy: -mean(log p[i, y_i]).

    P : ndarray of shape (n_samples, n_classes), rows of probabilities; or a stack of
        networks' outputs, (n_networks, n_samples, n_classes), all for the same samples.
    y : ndarray of shape (n_samples,), class indices.
    Returns a float, or one loss per network, shape (n_networks,), for a stack.
    """
    p = P[..., np.arange(len(y)), y]  # the probability of the true class, (..., n_samples)
    return -_mean(np.log(np.clip(p, EPS, 1.0)))


def binary_cross_entropy(P: Array, y: NDArray[np.integer]) -> float | Array:
    """Mean binary cross-entropy: -mean(y log p + (1 - y) log(1 - p)).

    P : ndarray of shape (n_samples, 1), the probability of class 1; or a stack of
        networks' outputs, (n_networks, n_samples, 1), all for the same samples.
    y : ndarray of shape (n_samples,), 0 or 1.
    Returns a float, or one loss per network, shape (n_networks,), for a stack.
    """
    p = np.clip(P[..., 0], EPS, 1.0 - EPS)
    return -_mean(np.where(y == 1, np.log(p), np.log1p(-p)))


def squared_error(P: Array, Y: Array) -> float | Array:
    """Half the squared error, summed over the outputs, averaged over the samples:
    ``mean_i sum_k (p_ik - y_ik)**2 / 2``.

    P : ndarray of shape (n_samples, n_outputs); or a stack of networks' outputs,
        (n_networks, n_samples, n_outputs), all for the same samples.
    Y : ndarray of shape (n_samples, n_outputs), or (n_samples,) for one output.
    Returns a float, or one loss per network, shape (n_networks,), for a stack.

    With one output this is scikit-learn's ``squared_loss``. With k > 1 outputs that one
    also averages over the outputs (it is this divided by k), but its gradient, the one
    ``MLPRegressor`` steps with, is ``(P - Y) / n_samples``: the gradient of this loss.
    """
    Y = Y.reshape(len(Y), -1)
    return _mean(0.5 * np.square(P - Y).sum(axis=-1))


def _mean(losses: Array) -> float | Array:
    """Mean over the last axis (the samples): a float, or one per network of a stack."""
    mean = np.mean(losses, axis=-1)
    return float(mean) if mean.ndim == 0 else mean


LOSS_FUNCTIONS = {
    "softmax": cross_entropy,
    "sigmoid": binary_cross_entropy,
    "identity": squared_error,
}


def class_probabilities(P: Array, output: str) -> Array:
    """(n_samples, n_classes) probabilities from the network's raw output.

    A sigmoid network has one unit, the probability of class 1; this returns
    the two columns ``[1 - p, p]`` so both outputs look alike to a caller.
    """
    if output in REGRESSION_OUTPUTS:
        raise ValueError(
            f"An {output!r} output predicts numbers, not class probabilities; "
            f"use the network's predict_output instead."
        )
    if output == "sigmoid":
        return np.hstack([1.0 - P, P])
    return P


def predicted_classes(P: Array) -> NDArray[np.intp]:
    """The class each output row votes for: argmax, or p > 0.5 for a one-unit sigmoid.

    P : ndarray of shape (n_samples, n_outputs), or (n_networks, n_samples, n_outputs).
    Returns class indices of shape (n_samples,), or (n_networks, n_samples).
    """
    if P.shape[-1] == 1:
        return (P[..., 0] > 0.5).astype(np.intp)
    if P.shape[-1] == 2:  # argmax of two in one comparison (argmax pays a call per row);
        return (P[..., 1] > P[..., 0]).astype(np.intp)  # a tie goes to class 0 in both
    return P.argmax(axis=-1)


# -- the weight penalty --------------------------------------------------------------------
# Both take the weight matrices without their biases (biases are not penalised), each
# (n_in, n_out), or stacks of networks' matrices, (..., n_in, n_out): leading axes index
# the networks.


def penalty(weights: Sequence[Array], l1: float, l2: float) -> float | Array:
    """``l1 * sum|w| + l2 / 2 * sum w**2`` over every matrix of ``weights``.

    Returns a float, or for stacks one penalty per network, shaped like the leading axes.
    """
    total = 0.0
    for W in weights:
        if l1:
            total = total + l1 * np.abs(W).sum(axis=(-2, -1))
        if l2:
            total = total + 0.5 * l2 * np.square(W).sum(axis=(-2, -1))
    return float(total) if np.ndim(total) == 0 else total


def add_penalty_gradient(
    grads: Sequence[Array],
    weights: Sequence[Array],
    l1: float,
    l2: float,
    scale: float | Array = 1.0,
) -> None:
    """Add the penalty's gradient, ``scale * (l2 * w + l1 * sign(w))``, to ``grads`` in place.

    ``grads`` is laid out like ``weights``. ``scale`` (plain SGD's learning rate, as in
    ``MLP.backward``) is a number, or for stacks one per network shaped to broadcast,
    (..., 1, 1). |w| has no derivative at 0; sign(0) = 0 is the usual choice.
    """
    for W, G in zip(weights, grads, strict=True):
        if l2:
            G += (scale * l2) * W
        if l1:
            G += (scale * l1) * np.sign(W)
