"""``ScratchNetClassifier`` and ``ScratchNetRegressor``: the network and trainer behind
scikit-learn's estimator API, modelled on ``MLPClassifier`` and ``MLPRegressor``, with one
base class, ``BaseScratchNet``, as scikit-learn's ``BaseMultilayerPerceptron``: ``__init__``
only stores its arguments, ``fit`` checks them, ``partial_fit`` runs one epoch, learned
attributes end in ``_``.

``FeatureMap``: TensorFlow Playground's input features (X1², sin X1, ...) as a transformer,
for a ``Pipeline`` in front of the classifier.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from scratchnet.features import PLAIN, check_features, feature_map
from scratchnet.losses import class_probabilities
from scratchnet.training import DEFAULTS, REGRESSION_DEFAULTS, Trainer


class DivergenceWarning(UserWarning):
    """Training stopped because the loss or the weights stopped being finite."""


class BaseScratchNet(BaseEstimator):
    """What ``ScratchNetClassifier`` and ``ScratchNetRegressor`` share, as scikit-learn's
    ``BaseMultilayerPerceptron`` does for its two: the parameters, ``fit`` and
    ``partial_fit``, the training loop and the weights published as ``coefs_``/
    ``intercepts_``. A subclass says what its targets are (``_task``, ``_check_targets``,
    ``_start_targets``, ``_encode``); do not use this class directly.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default (64,)
        Neurons in each hidden layer: 0 to 6 layers of 1 to 256 neurons.
    activation : {"relu", "tanh", "sigmoid", "linear", "leaky_relu"}, default "relu"
    output : the output layer and its loss; see the subclass.
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
    n_features_in_ : int
    coefs_ : list of ndarray, ``coefs_[i]`` of shape (n_in, n_out)
    intercepts_ : list of ndarray, ``intercepts_[i]`` of shape (n_out,)
        Both may be assigned between ``partial_fit`` calls; training goes on from them.
    loss_curve_ : list of float, the training loss after each epoch
    n_iter_ : int, epochs run
    history_ : list of dict, one row per epoch (epoch, steps, train_loss, test_loss,
        train_acc, test_acc or, for the regressor, train_r2, test_r2, then seconds,
        learning_rate)
    diverged_ : None or str, why training stopped early
    """

    _task = ""  # "classification" or "regression": see training.TASK_OUTPUTS

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

    # -- what a subclass says about its targets ---------------------------------------------
    def _validate(self, X: Any, y: Any, reset: bool) -> tuple[NDArray, NDArray]:
        """X as float64 (n_samples, n_features) and y checked as this task's targets."""
        raise NotImplementedError

    def _start_targets(self, y: NDArray, **kwargs: Any) -> int:
        """Learn what the targets are (classes_, n_outputs_) on a first call; return the
        number of output units the network needs for them."""
        raise NotImplementedError

    def _encode(self, y: NDArray) -> NDArray:
        """y as the trainer takes it (class indices, or targets (n, n_outputs))."""
        raise NotImplementedError

    def _fitted(self) -> bool:
        return hasattr(self, "_trainer")

    # -- fitting ------------------------------------------------------------------------------
    def fit(self, X, y, X_test=None, y_test=None):
        """Train from fresh weights for ``epochs`` epochs.

        X : array-like of shape (n_samples, n_features).
        y : the classifier's class labels, (n_samples,); the regressor's numbers to
            predict, (n_samples,) or (n_samples, n_outputs).
        X_test, y_test : optional held-out data, reported in ``history_`` every epoch.
        """
        X, y = self._validate(X, y, reset=True)
        self._start(self._start_targets(y))
        self._train(X, y, X_test, y_test, self._trainer_params["epochs"], stacklevel=3)
        return self

    def _partial_fit(self, X, y, **start):
        """One epoch from the current weights (fresh ones on the first call)."""
        first = not self._fitted()
        if first or not self._plain_arrays(X, y):
            X, y = self._validate(X, y, reset=first)
        if first:
            self._start(self._start_targets(y, **start))
        self._train(X, y, None, None, 1, stacklevel=4)  # user > partial_fit > here > _train
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

    def _start(self, n_outputs: int) -> None:
        self._trainer_params = {name: getattr(self, name) for name in DEFAULTS}
        self._trainer = Trainer.from_params(
            self._trainer_params, self.n_features_in_, n_outputs, self._task
        )
        self.history_: list[dict] = []
        self.loss_curve_: list[float] = []
        self.n_iter_ = 0
        self.diverged_: str | None = None
        self._publish_weights()

    def _train(self, X, y, X_test, y_test, epochs: int, stacklevel: int) -> None:
        trainer = self._trainer
        self._pull_weights()
        if X_test is not None:
            X_test, y_test = self._validate(X_test, y_test, reset=False)
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
            warnings.warn(trainer.diverged, DivergenceWarning, stacklevel=stacklevel)

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

    def _predict_output(self, X) -> NDArray[np.float64]:
        """The network's raw output for X (n_samples, n_features): (n_samples, n_outputs)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        self._pull_weights()
        return self._trainer.net.predict_output(X)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        if "_trainer" in state:  # pickled views came back as copies: point them at the net
            self._publish_weights()


class ScratchNetClassifier(ClassifierMixin, BaseScratchNet):
    """A multi-layer perceptron classifier written from scratch in NumPy.

    Parameters: those of ``BaseScratchNet``, with

    output : {"softmax", "sigmoid"}, default "softmax"
        Softmax with cross-entropy (any number of classes), or one sigmoid unit with
        binary cross-entropy (two classes).

    Attributes: those of ``BaseScratchNet``, and

    classes_ : ndarray of shape (n_classes,)
    """

    _task = "classification"

    def partial_fit(self, X, y, classes=None):
        """Train for one epoch, from the current weights (fresh ones on the first call).

        classes : the labels of every class, needed on the first call when ``y`` does not
            show them all.
        """
        if (
            self._fitted()
            and classes is not None
            and not np.array_equal(np.unique(classes), self.classes_)
        ):
            raise ValueError(
                f"`classes` must stay the same between partial_fit calls: first "
                f"{self.classes_.tolist()}, now {np.unique(classes).tolist()}."
            )
        return self._partial_fit(X, y, classes=classes)

    def _validate(self, X: Any, y: Any, reset: bool) -> tuple[NDArray, NDArray]:
        X, y = validate_data(self, X, y, reset=reset, dtype=np.float64)
        if reset:  # later calls: _encode refuses any label that is not in classes_
            check_classification_targets(y)
        return X, y

    def _start_targets(self, y: NDArray, classes: Any = None) -> int:
        classes = np.unique(y) if classes is None else np.unique(np.asarray(classes))
        if len(classes) < 2:
            raise ValueError(
                f"The training data must have at least 2 classes to tell apart; it has only "
                f"one class, {classes.tolist()}."
            )
        self.classes_ = classes
        return len(classes)

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

    # -- prediction -----------------------------------------------------------------------------
    def predict_proba(self, X) -> NDArray[np.float64]:
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order."""
        return class_probabilities(self._predict_output(X), self._trainer.net.output)

    def predict(self, X) -> NDArray:
        """The most probable class for each row of X (n_samples, n_features)."""
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags


class ScratchNetRegressor(RegressorMixin, BaseScratchNet):
    """A multi-layer perceptron regressor written from scratch in NumPy.

    It minimises half the mean squared error, ``mean_i sum_k (p_ik - y_ik)**2 / 2``, plus the
    penalty, with an identity output, as scikit-learn's ``MLPRegressor`` does: one plain SGD
    step from the same weights is the same step. Its ``alpha`` is ``l2 * batch_size`` here
    (scikit-learn divides its penalty by the batch size; this penalty is per step).
    ``score`` is R².

    Parameters: those of ``BaseScratchNet``, with

    output : {"identity"}, default "identity"
        The only output a regressor has: the last layer's sums, unchanged.

    Attributes: those of ``BaseScratchNet``, and

    n_outputs_ : int, the number of targets (columns of y)
    """

    _task = "regression"

    def __init__(
        self,
        hidden_layer_sizes=REGRESSION_DEFAULTS["hidden_layer_sizes"],
        activation=REGRESSION_DEFAULTS["activation"],
        output=REGRESSION_DEFAULTS["output"],
        init=REGRESSION_DEFAULTS["init"],
        optimizer=REGRESSION_DEFAULTS["optimizer"],
        learning_rate=REGRESSION_DEFAULTS["learning_rate"],
        momentum=REGRESSION_DEFAULTS["momentum"],
        nesterov=REGRESSION_DEFAULTS["nesterov"],
        beta_1=REGRESSION_DEFAULTS["beta_1"],
        beta_2=REGRESSION_DEFAULTS["beta_2"],
        epsilon=REGRESSION_DEFAULTS["epsilon"],
        batch_size=REGRESSION_DEFAULTS["batch_size"],
        epochs=REGRESSION_DEFAULTS["epochs"],
        l1=REGRESSION_DEFAULTS["l1"],
        l2=REGRESSION_DEFAULTS["l2"],
        lr_schedule=REGRESSION_DEFAULTS["lr_schedule"],
        lr_decay=REGRESSION_DEFAULTS["lr_decay"],
        random_state=REGRESSION_DEFAULTS["random_state"],
        shuffle_seed=REGRESSION_DEFAULTS["shuffle_seed"],
    ):
        # scikit-learn reads the parameters (and their defaults) from this signature
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes, activation=activation, output=output,
            init=init, optimizer=optimizer, learning_rate=learning_rate, momentum=momentum,
            nesterov=nesterov, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
            batch_size=batch_size, epochs=epochs, l1=l1, l2=l2, lr_schedule=lr_schedule,
            lr_decay=lr_decay, random_state=random_state, shuffle_seed=shuffle_seed,
        )  # fmt: skip

    def partial_fit(self, X, y):
        """Train for one epoch, from the current weights (fresh ones on the first call).

        y : (n_samples,) or (n_samples, n_outputs), with as many outputs on every call.
        """
        return self._partial_fit(X, y)

    def _validate(self, X: Any, y: Any, reset: bool) -> tuple[NDArray, NDArray]:
        X, y = validate_data(
            self, X, y, reset=reset, dtype=np.float64, multi_output=True, y_numeric=True
        )
        if y.ndim == 2 and y.shape[1] == 1:  # as MLPRegressor: warn, then one column
            y = column_or_1d(y, warn=True)
        return X, y.astype(np.float64, copy=False)

    def _start_targets(self, y: NDArray) -> int:
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        return self.n_outputs_

    def _encode(self, y: NDArray) -> NDArray[np.float64]:
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if n_outputs != self.n_outputs_:
            raise ValueError(
                f"y has {n_outputs} target column(s), but the regressor was first trained on "
                f"{self.n_outputs_}. Pass y with {self.n_outputs_} column(s), or refit."
            )
        return y.reshape(len(y), n_outputs)

    def _plain_arrays(self, X: Any, y: Any) -> bool:
        # the fast path skips validation: only for finite targets (a NaN must be refused)
        return super()._plain_arrays(X, y) and y.dtype == np.float64 and bool(np.isfinite(y).all())

    def predict(self, X) -> NDArray[np.float64]:
        """Predictions for each row of X (n_samples, n_features): shape (n_samples,) when
        trained on one target, else (n_samples, n_outputs)."""
        out = self._predict_output(X)
        return out.ravel() if self.n_outputs_ == 1 else out


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
