"""``ScratchNetClassifier``: the network and trainer behind scikit-learn's estimator API,
modelled on ``MLPClassifier``: ``__init__`` only stores its arguments, ``fit`` checks them,
``partial_fit`` runs one epoch, learned attributes end in ``_``.

``FeatureMap``: TensorFlow Playground's input features (X1², sin X1, ...) as a transformer,
for a ``Pipeline`` in front of the classifier.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from scratchnet.features import PLAIN, check_features, feature_map
from scratchnet.training import DEFAULTS, Trainer


class DivergenceWarning(UserWarning):
    """Training stopped because the loss or the weights stopped being finite."""


class ScratchNetClassifier(ClassifierMixin, BaseEstimator):
    """A multi-layer perceptron classifier written from scratch in NumPy.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default (64,)
        Neurons in each hidden layer: 0 to 6 layers of 1 to 256 neurons.
    activation : {"relu", "tanh", "sigmoid", "linear", "leaky_relu"}, default "relu"
    output : {"softmax", "sigmoid"}, default "softmax"
        Softmax with cross-entropy (any number of classes), or one sigmoid unit with
        binary cross-entropy (two classes).
    init : {"he", "glorot", "normal"}, default "he"
    optimizer : {"sgd", "momentum", "adam"}, default "sgd"
    learning_rate : float > 0, default 0.1
    momentum, nesterov : for optimizer="momentum". beta_1, beta_2, epsilon : for "adam".
    batch_size : int >= 1 or "full", default 32
        Capped at the number of training samples.
    epochs : int >= 1, default 100
        Epochs that ``fit`` runs.
    l1, l2 : float >= 0, default 0
        Penalty rates on the weights: ``l1 * sum|w| + l2 / 2 * sum w**2``.
    lr_schedule : {"constant", "exponential"}, lr_decay : float in (0, 1]
        Exponential multiplies the rate by ``lr_decay`` after every epoch.
    random_state : int or None
        Seeds the initial weights (and the shuffle order when ``shuffle_seed`` is None).
    shuffle_seed : int or None
        Seeds the order of the samples in each epoch on its own.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    coefs_ : list of ndarray, ``coefs_[i]`` of shape (n_in, n_out)
    intercepts_ : list of ndarray, ``intercepts_[i]`` of shape (n_out,)
        Both may be assigned between ``partial_fit`` calls; training goes on from them.
    loss_curve_ : list of float, the training loss after each epoch
    n_iter_ : int, epochs run
    history_ : list of dict, one row per epoch (epoch, steps, train_loss, test_loss,
        train_acc, test_acc, seconds, learning_rate)
    diverged_ : None or str, why training stopped early
    """

    def __init__(
        self,
        hidden_layer_sizes=DEFAULTS["hidden_layer_sizes"],
        activation=DEFAULTS["activation"],
        output=DEFAULTS["output"],
        init=DEFAULTS["init"],
        optimizer=DEFAULTS["optimizer"],
        learning_rate=DEFAULTS["learning_rate"],
        momentum=DEFAULTS["momentum"],
        nesterov=DEFAULTS["nesterov"],
        beta_1=DEFAULTS["beta_1"],
        beta_2=DEFAULTS["beta_2"],
        epsilon=DEFAULTS["epsilon"],
        batch_size=DEFAULTS["batch_size"],
        epochs=DEFAULTS["epochs"],
        l1=DEFAULTS["l1"],
        l2=DEFAULTS["l2"],
        lr_schedule=DEFAULTS["lr_schedule"],
        lr_decay=DEFAULTS["lr_decay"],
        random_state=DEFAULTS["random_state"],
        shuffle_seed=DEFAULTS["shuffle_seed"],
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.output = output
        self.init = init
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.batch_size = batch_size
        self.epochs = epochs
        self.l1 = l1
        self.l2 = l2
        self.lr_schedule = lr_schedule
        self.lr_decay = lr_decay
        self.random_state = random_state
        self.shuffle_seed = shuffle_seed

    # -- fitting ------------------------------------------------------------------------------
    def fit(self, X, y, X_test=None, y_test=None):
        """Train from fresh weights for ``epochs`` epochs.

        X : array-like of shape (n_samples, n_features); y : (n_samples,) class labels.
        X_test, y_test : optional held-out data, reported in ``history_`` every epoch.
        """
        X, y = validate_data(self, X, y, reset=True, dtype=np.float64)
        check_classification_targets(y)
        self._start(np.unique(y))
        self._train(X, y, X_test, y_test, self._trainer_params["epochs"])
        return self

    def partial_fit(self, X, y, classes=None):
        """Train for one epoch, from the current weights (fresh ones on the first call).

        classes : the labels of every class, needed on the first call when ``y`` does not
            show them all.
        """
        first = not hasattr(self, "classes_")
        if first or not self._plain_arrays(X, y):
            X, y = validate_data(self, X, y, reset=first, dtype=np.float64)
        if first:  # later calls: _encode refuses any label that is not in classes_
            check_classification_targets(y)
            self._start(np.unique(y) if classes is None else np.unique(np.asarray(classes)))
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"`classes` must stay the same between partial_fit calls: first "
                f"{self.classes_.tolist()}, now {np.unique(classes).tolist()}."
            )
        self._train(X, y, None, None, 1)
        return self

    def _plain_arrays(self, X: Any, y: Any) -> bool:
        """True for what validate_data would pass through unchanged: a finite float64
        ndarray (n, n_features_in_) and a 1-d ndarray y of the same length. A live loop
        calling partial_fit epoch after epoch then skips ~0.5 ms of checks a call."""
        return (
            type(X) is np.ndarray
            and type(y) is np.ndarray
            and X.dtype == np.float64
            and X.ndim == 2
            and X.shape[1] == self.n_features_in_
            and y.ndim == 1
            and len(y) == len(X) > 0
            and bool(np.isfinite(X).all())
        )

    def _start(self, classes: NDArray) -> None:
        if len(classes) < 2:
            raise ValueError(
                f"The training data must have at least 2 classes to tell apart; it has only "
                f"one class, {classes.tolist()}."
            )
        self._trainer_params = {name: getattr(self, name) for name in DEFAULTS}
        self._trainer = Trainer.from_params(self._trainer_params, self.n_features_in_, len(classes))
        self.classes_ = classes
        self.history_: list[dict] = []
        self.loss_curve_: list[float] = []
        self.n_iter_ = 0
        self.diverged_: str | None = None
        self._publish_weights()

    def _encode(self, y: NDArray) -> NDArray[np.intp]:
        index = np.searchsorted(self.classes_, y)
        index[index >= len(self.classes_)] = 0
        unseen = self.classes_[index] != y
        if unseen.any():
            raise ValueError(
                f"y contains labels {np.unique(y[unseen]).tolist()} that are not among the "
                f"classes {self.classes_.tolist()} seen on the first call."
            )
        return index

    def _train(self, X, y, X_test, y_test, epochs: int) -> None:
        trainer = self._trainer
        self._pull_weights()
        if X_test is not None:
            X_test, y_test = validate_data(self, X_test, y_test, reset=False, dtype=np.float64)
            y_test = self._encode(y_test)
        trainer.set_data(X, self._encode(y), X_test, y_test)
        trainer.clear_divergence()
        rows = trainer.run(epochs)
        trainer.release_data()
        self.history_ += rows
        self.loss_curve_ += [row["train_loss"] for row in rows]
        self.n_iter_ += len(rows)
        self._publish_weights()
        if trainer.diverged:
            self.diverged_ = trainer.diverged
            warnings.warn(trainer.diverged, DivergenceWarning, stacklevel=3)

    # -- weights as scikit-learn lays them out ------------------------------------------------
    def _publish_weights(self) -> None:
        """Point ``coefs_``/``intercepts_`` at the network's weights (views, no copies)."""
        self.coefs_ = self._trainer.net.coefs
        self.intercepts_ = self._trainer.net.intercepts

    def _pull_weights(self) -> None:
        """Copy ``coefs_``/``intercepts_`` into the network where a user replaced them."""
        net = self._trainer.net
        if len(self.coefs_) != len(net.params) or len(self.intercepts_) != len(net.params):
            raise ValueError(
                f"coefs_ and intercepts_ must hold {len(net.params)} arrays each, one per layer."
            )
        replaced = False
        for W, coef, intercept in zip(net.params, self.coefs_, self.intercepts_, strict=True):
            for part, new in ((W[:-1], coef), (W[-1], intercept)):
                new = np.asarray(new, dtype=np.float64)
                if new.shape != part.shape:
                    raise ValueError(
                        f"A replaced weight array has shape {new.shape}; expected {part.shape}."
                    )
                if not np.shares_memory(new, part):
                    part[...] = new
                    replaced = True
        if replaced:
            self._trainer.optimizer.reset_state()
            self._publish_weights()

    # -- prediction -----------------------------------------------------------------------------
    def predict_proba(self, X) -> NDArray[np.float64]:
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        self._pull_weights()
        return self._trainer.net.predict_proba(X)

    def predict(self, X) -> NDArray:
        """The most probable class for each row of X (n_samples, n_features)."""
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        if "_trainer" in state:  # pickled views came back as copies: point them at the net
            self._publish_weights()


class FeatureMap(TransformerMixin, BaseEstimator):
    """TensorFlow Playground's input features of 2-D points, as a scikit-learn transformer.

    A transformer rather than a parameter of ``ScratchNetClassifier``, as scikit-learn does
    it (``PolynomialFeatures``, ``SplineTransformer``): the classifier keeps taking any
    number of features, and the map composes with ``Pipeline`` and ``GridSearchCV``
    (``{"features__features": [...]}``)::

        Pipeline([("features", FeatureMap(("x1^2", "x2^2"))),
                  ("net", ScratchNetClassifier(hidden_layer_sizes=()))])

    Parameters
    ----------
    features : sequence of str, default ("x1", "x2")
        Names from ``scratchnet.features.FEATURES``: x1, x2, x1^2, x2^2, x1*x2, sin(x1),
        sin(x2). The columns come out in that order.

    Attributes
    ----------
    features_ : tuple of str, the checked names in output order
    n_features_in_ : int, always 2
    """

    def __init__(self, features=PLAIN):
        self.features = features

    def fit(self, X, y=None):
        """Check ``features`` and that X has shape (n_samples, 2)."""
        X = validate_data(self, X, reset=True, dtype=np.float64)
        if X.shape[1] != 2:
            raise ValueError(
                f"FeatureMap computes features of 2-D points: X needs 2 columns (x1, x2). "
                f"Got {X.shape[1]}."
            )
        self.features_ = check_features(self.features)
        return self

    def transform(self, X) -> NDArray[np.float64]:
        """The features of X (n_samples, 2): shape (n_samples, len(features_))."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return feature_map(X, self.features_)

    def get_feature_names_out(self, input_features=None) -> NDArray:
        check_is_fitted(self)
        return np.asarray(self.features_, dtype=object)
