"""Finite differences against ``backward``: the check that the hand-written gradients
are the gradients of the loss that ``MLP.loss`` computes."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from scratchnet.network import MLP, with_ones

# Below this relative error the backward pass agrees with central differences: float64
# differences of a smooth loss with eps = 1e-6 come within ~1e-9 of the exact gradient;
# a wrong term in backward gives 1e-2 or more.
TOLERANCE = 1e-6


def central_differences(
    net: MLP, X: NDArray, y: NDArray, indices: NDArray[np.intp], eps: float = 1e-6
) -> NDArray[np.float64]:
    """(L(w + eps) - L(w - eps)) / (2 eps) for the parameters ``flat_params[indices]``, one
    at a time; the network's weights are left as they were."""
    flat, out = net.flat_params, np.empty(len(indices))
    for n, k in enumerate(indices):
        kept = flat[k]
        flat[k] = kept + eps
        plus = net.loss(X, y)
        flat[k] = kept - eps
        minus = net.loss(X, y)
        flat[k] = kept
        out[n] = (plus - minus) / (2 * eps)
    return out


def numerical_gradients(
    net: MLP, X: NDArray, y: NDArray, eps: float = 1e-6
) -> list[NDArray[np.float64]]:
    """Central differences of every parameter, laid out like ``net.params``.

    X : (n_samples, n_features); y : (n_samples,) class indices, or a regression network's
    targets, (n_samples, n_outputs) or (n_samples,), as ``net.loss`` takes them.
    """
    flat = central_differences(net, X, y, np.arange(len(net.flat_params)), eps)
    stops = np.cumsum([W.size for W in net.params])[:-1]
    return [
        part.reshape(W.shape) for part, W in zip(np.split(flat, stops), net.params, strict=True)
    ]


def analytic_gradients(net: MLP, X: NDArray, y: NDArray) -> list[NDArray[np.float64]]:
    """The gradients ``backward`` computes for X, y (copies)."""
    net.forward(with_ones(np.asarray(X, dtype=np.float64)))
    return [G.copy() for G in net.backward(net.targets(np.asarray(y)))]


def relative_error(a: NDArray, b: NDArray) -> float:
    """||a - b|| / (||a|| + ||b||): 0 for equal arrays, about 1 for unrelated ones."""
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def gradient_check(
    net: MLP,
    X: NDArray,
    y: NDArray,
    eps: float = 1e-6,
    at_most: int | None = None,
    seed: int = 0,
) -> float:
    """The largest relative error, over the layers, between backward and central differences.

    Below ``TOLERANCE`` means the backward pass is right.
    at_most : check at most this many parameters, drawn at random (``seed``), all compared
        as one vector: a 6 x 128 network has 83,000, two losses each.
    """
    analytic = analytic_gradients(net, X, y)
    if at_most is None or at_most >= len(net.flat_params):
        numeric = numerical_gradients(net, X, y, eps)
        return max(relative_error(a, n) for a, n in zip(analytic, numeric, strict=True))
    picked = np.random.default_rng(seed).choice(len(net.flat_params), at_most, replace=False)
    flat = np.concatenate([G.ravel() for G in analytic])  # laid out as flat_params
    return relative_error(flat[picked], central_differences(net, X, y, picked, eps))
