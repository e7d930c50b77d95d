"""Input features computed from the two coordinates, as in TensorFlow Playground.

A network sees only what it is given. With X1² and X2² as inputs, circles are separated
by a single straight cut (a linear model on x1² + x2² draws a circle in the plane); with
sin X1, stripes. The table below is the whole feature map: each entry turns points of
shape (n, 2) into one column of shape (n,).

The network trains on the chosen columns, but the pictures are still drawn over the
(x1, x2) plane: the grid's points go through the same map before the network sees them.

``scratchnet.estimator.FeatureMap`` wraps ``feature_map`` as a scikit-learn transformer,
for a ``Pipeline`` in front of ``ScratchNetClassifier``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]

# name -> the column it makes from points X of shape (n, 2). Names as the link writes them.
FEATURES: dict[str, Callable[[Array], Array]] = {
    "x1": lambda X: X[:, 0],
    "x2": lambda X: X[:, 1],
    "x1^2": lambda X: X[:, 0] ** 2,
    "x2^2": lambda X: X[:, 1] ** 2,
    "x1*x2": lambda X: X[:, 0] * X[:, 1],
    "sin(x1)": lambda X: np.sin(X[:, 0]),
    "sin(x2)": lambda X: np.sin(X[:, 1]),
}
# How they are written for people (TensorFlow Playground's labels).
LABELS = {
    "x1": "X₁",
    "x2": "X₂",
    "x1^2": "X₁²",
    "x2^2": "X₂²",
    "x1*x2": "X₁X₂",
    "sin(x1)": "sin(X₁)",
    "sin(x2)": "sin(X₂)",
}
PLAIN = ("x1", "x2")  # the identity map: the network sees the coordinates themselves


def check_features(features: Sequence[str] | str) -> tuple[str, ...]:
    """``features`` as a tuple of known names, in the table's order, each once; a
    ValueError that lists the valid names otherwise."""
    if isinstance(features, str):
        features = (features,)
    try:
        names = tuple(features)
    except TypeError:
        raise ValueError(
            f"features must be a list of names from {', '.join(FEATURES)}. Got {features!r}."
        ) from None
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        raise ValueError(
            f"Unknown input feature {unknown[0]!r}. Choose from {', '.join(FEATURES)}."
        )
    if not names:
        raise ValueError("Choose at least one input feature: the network needs an input.")
    if len(set(names)) != len(names):
        raise ValueError(f"Each input feature may be chosen once. Got {', '.join(names)}.")
    return tuple(name for name in FEATURES if name in names)


def feature_map(X: ArrayLike, features: Sequence[str] = PLAIN) -> Array:
    """The chosen input features of 2-D points.

    X : array of shape (n_samples, 2), the coordinates (x1, x2).
    features : names from ``FEATURES``; the columns come out in the table's order.

    Returns an array of shape (n_samples, len(features)), float64.
    """
    names = check_features(features)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            f"Input features are computed from points of shape (n_samples, 2). Got {X.shape}."
        )
    if names == PLAIN:
        return X
    out = np.empty((len(X), len(names)))
    for j, name in enumerate(names):
        out[:, j] = FEATURES[name](X)
    return out
