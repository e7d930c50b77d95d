"""scratchnet: a multi-layer perceptron written from scratch in NumPy.

    >>> from scratchnet import ScratchNetClassifier, make_dataset, split
    >>> X, y = make_dataset("moons", 5000, noise=0.1, seed=42)
    >>> X_train, X_test, y_train, y_test = split(X, y)
    >>> clf = ScratchNetClassifier(epochs=10, batch_size=10, random_state=0).fit(X_train, y_train)
    >>> clf.score(X_test, y_test) > 0.95
    True

The estimator is imported on first use: it needs scikit-learn, whose import takes about a
second, and the live app (which trains through ``scratchnet.live``) never needs it.
"""

from __future__ import annotations

import importlib
from typing import Any

from scratchnet.datasets import make_dataset, split

_LAZY = {
    "ScratchNetClassifier": "scratchnet.estimator",
    "ScratchNetRegressor": "scratchnet.estimator",
    "DivergenceWarning": "scratchnet.estimator",
    "FeatureMap": "scratchnet.estimator",
}

__all__ = [
    "DivergenceWarning",
    "FeatureMap",
    "ScratchNetClassifier",
    "ScratchNetRegressor",
    "make_dataset",
    "split",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'scratchnet' has no attribute {name!r}")
