"""scratchnet: a multi-layer perceptron written from scratch in NumPy.

>>> from scratchnet import ScratchNetClassifier, make_dataset, split
>>> X, y = make_dataset("moons", 5000, noise=0.1, seed=42)
>>> X_train, X_test, y_train, y_test = split(X, y)
>>> clf = ScratchNetClassifier(epochs=10, batch_size=10, random_state=0).fit(X_train, y_train)
>>> clf.score(X_test, y_test) > 0.95
True
"""

from scratchnet.datasets import make_dataset, split
from scratchnet.estimator import DivergenceWarning, ScratchNetClassifier

__all__ = ["DivergenceWarning", "ScratchNetClassifier", "make_dataset", "split"]
