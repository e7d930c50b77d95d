"""Finite differences against ``backward``: the check that the hand-written gradients
are the gradients of the loss that ``MLP.loss`` computes."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from scratchnet.network import MLP, with_ones


def numerical_gradients(
    net: MLP, X: NDArray, y: NDArray, eps: float = 1e-6
) -> list[NDArray[np.float64]]:
    """Central differences (L(w + eps) - L(w - eps)) / (2 eps), one parameter at a time.

    X : (n_samples, n_features); y : (n_samples,) class indices, or a regression network's
    targets, (n_samples, n_outputs) or (n_samples,), as ``net.loss`` takes them. Returns arrays laid
    out like ``net.params``. The network's weights are left as they were.
    """
    grads = []
    for W in net.params:
        G = np.empty_like(W)
        for index in np.ndindex(W.shape):
            kept = W[index]
            W[index] = kept + eps
            plus = net.loss(X, y)
            W[index] = kept - eps
            minus = net.loss(X, y)
            W[index] = kept
            G[index] = (plus - minus) / (2 * eps)
        grads.append(G)
    return grads


def analytic_gradients(net: MLP, X: NDArray, y: NDArray) -> list[NDArray[np.float64]]:
    """The gradients ``backward`` computes for X, y (copies)."""
    net.forward(with_ones(np.asarray(X, dtype=np.float64)))
    return [G.copy() for G in net.backward(net.targets(np.asarray(y)))]


def relative_error(a: NDArray, b: NDArray) -> float:
    """||a - b|| / (||a|| + ||b||): 0 for equal arrays, about 1 for unrelated ones."""
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def gradient_check(net: MLP, X: NDArray, y: NDArray, eps: float = 1e-6) -> float:
    """The largest relative error, over the layers, between backward and central differences.

    Below about 1e-7 in float64 means the backward pass is right.
    """
    analytic = analytic_gradients(net, X, y)
    numeric = numerical_gradients(net, X, y, eps)
    return max(relative_error(a, n) for a, n in zip(analytic, numeric, strict=True))
