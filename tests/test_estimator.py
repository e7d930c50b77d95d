"""ScratchNetClassifier as a scikit-learn estimator, and the outside check of backward:
one SGD step equal to MLPClassifier's."""

import warnings

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from scratchnet import DivergenceWarning, ScratchNetClassifier
from scratchnet.datasets import make_dataset, split


@parametrize_with_checks([ScratchNetClassifier(epochs=50)])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def moons():
    X, y = make_dataset("moons", 600, 0.15, seed=3)
    return split(X, y, 0.25, seed=3)


def three_classes(n=30, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)), rng.integers(0, 3, n)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [("relu", "relu"), ("tanh", "tanh"), ("sigmoid", "logistic"), ("linear", "identity")],
)
def test_one_sgd_step_matches_mlpclassifier(ours, theirs):
    X, y = three_classes()
    sk = MLPClassifier(
        hidden_layer_sizes=(6, 5), activation=theirs, solver="sgd", learning_rate_init=0.3,
        momentum=0.0, alpha=0.0, batch_size=len(X), shuffle=False, random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk.partial_fit(X, y, classes=[0, 1, 2])  # initialises sklearn's state
    net = ScratchNetClassifier(
        hidden_layer_sizes=(6, 5), activation=ours, learning_rate=0.3, batch_size="full",
        random_state=0,
    ).partial_fit(X, y)  # fmt: skip
    start_W = [np.random.default_rng(i).normal(size=c.shape) for i, c in enumerate(sk.coefs_)]
    start_b = [
        np.random.default_rng(9 + i).normal(size=b.shape) for i, b in enumerate(sk.intercepts_)
    ]
    sk.coefs_, sk.intercepts_ = [w.copy() for w in start_W], [b.copy() for b in start_b]
    net.coefs_, net.intercepts_ = [w.copy() for w in start_W], [b.copy() for b in start_b]
    sk.partial_fit(X, y)
    net.partial_fit(X, y)
    moved = max(np.abs(w - w0).max() for w, w0 in zip(sk.coefs_, start_W, strict=True))
    assert moved > 1e-3  # a real step was taken
    for mine, theirs_ in zip(net.coefs_ + net.intercepts_, sk.coefs_ + sk.intercepts_, strict=True):
        np.testing.assert_allclose(mine, theirs_, rtol=0, atol=1e-12)


def test_fit_learns_moons(moons):
    X_train, X_test, y_train, y_test = moons
    clf = ScratchNetClassifier(epochs=20, batch_size=10, random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) > 0.95
    assert clf.n_iter_ == 20 and len(clf.loss_curve_) == 20 and len(clf.history_) == 20
    assert clf.loss_curve_ == [row["train_loss"] for row in clf.history_]


def test_fit_reports_held_out_data_in_history(moons):
    X_train, X_test, y_train, y_test = moons
    clf = ScratchNetClassifier(epochs=2, random_state=0).fit(X_train, y_train, X_test, y_test)
    assert clf.history_[-1]["test_acc"] == clf.score(X_test, y_test)


def test_partial_fit_is_one_epoch_and_continues(moons):
    X_train, _, y_train, _ = moons
    whole = ScratchNetClassifier(epochs=3, random_state=0).fit(X_train, y_train)
    stepwise = ScratchNetClassifier(epochs=99, random_state=0)
    for epoch in range(1, 4):
        stepwise.partial_fit(X_train, y_train)
        assert stepwise.n_iter_ == epoch
    for a, b in zip(
        whole.coefs_ + whole.intercepts_, stepwise.coefs_ + stepwise.intercepts_, strict=True
    ):
        np.testing.assert_array_equal(a, b)


def test_assigned_weights_are_trained_from(moons):
    X_train, _, y_train, _ = moons
    a = ScratchNetClassifier(random_state=0).partial_fit(X_train, y_train)
    b = ScratchNetClassifier(random_state=1).partial_fit(X_train, y_train)
    b.coefs_ = [c.copy() for c in a.coefs_]
    b.intercepts_ = [i.copy() for i in a.intercepts_]
    np.testing.assert_array_equal(b.predict_proba(X_train), a.predict_proba(X_train))
    b.coefs_[0][0, 0] += 1.0  # in-place edits count too
    assert not np.array_equal(b.predict_proba(X_train), a.predict_proba(X_train))
    with pytest.raises(ValueError, match="has shape"):
        b.coefs_ = [np.zeros((3, 3)), a.coefs_[1]]
        b.partial_fit(X_train, y_train)


def test_string_labels_and_classes_argument():
    X, y = three_classes(60)
    names = np.array(["cat", "dog", "emu"])[y]
    clf = ScratchNetClassifier(epochs=5, random_state=0).partial_fit(
        X[:5], names[:5], classes=names
    )
    assert list(clf.classes_) == ["cat", "dog", "emu"]
    assert set(clf.predict(X)) <= set(clf.classes_)
    with pytest.raises(ValueError, match="not among the classes"):
        clf.partial_fit(X, np.where(y == 0, "yak", names))


def test_sigmoid_output_is_binary_cross_entropy(moons):
    X_train, X_test, y_train, y_test = moons
    clf = ScratchNetClassifier(output="sigmoid", epochs=50, batch_size=10, random_state=0)
    assert clf.fit(X_train, y_train).score(X_test, y_test) > 0.95
    assert clf.coefs_[-1].shape == (64, 1) and clf.predict_proba(X_test).shape == (len(X_test), 2)
    with pytest.raises(ValueError, match="exactly 2 classes"):
        clf.fit(*three_classes())


def test_works_in_pipeline_and_grid_search(moons):
    X_train, X_test, y_train, y_test = moons
    pipe = make_pipeline(
        StandardScaler(), ScratchNetClassifier(epochs=30, batch_size=10, random_state=0)
    )
    grid = GridSearchCV(pipe, {"scratchnetclassifier__hidden_layer_sizes": [(2,), (32,)]}, cv=2)
    grid.fit(X_train, y_train)
    assert grid.best_params_ == {"scratchnetclassifier__hidden_layer_sizes": (32,)}
    assert grid.score(X_test, y_test) > 0.9


def test_divergence_warns_and_keeps_finite_weights(moons):
    X_train, _, y_train, _ = moons
    clf = ScratchNetClassifier(
        hidden_layer_sizes=(64, 64), learning_rate=10.0, batch_size=10, random_state=0
    )
    with pytest.warns(DivergenceWarning, match="diverged at epoch 1.*Lower the learning rate"):
        clf.fit(X_train, y_train)
    assert clf.n_iter_ == 0 and "diverged" in clf.diverged_
    assert np.isfinite(clf.predict_proba(X_train * 100)).all()


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"learning_rate": -0.1}, r"The 'learning_rate' parameter must be a number > 0. Got -0.1"),
        ({"hidden_layer_sizes": (0,)}, "'hidden_layer_sizes' parameter"),
        ({"activation": "swish"}, "activation must be one of"),
    ],
)
def test_fit_checks_parameters(moons, params, match):
    X_train, _, y_train, _ = moons
    with pytest.raises(ValueError, match=match):
        ScratchNetClassifier(**params).fit(X_train, y_train)


def test_one_class_is_refused_clearly():
    with pytest.raises(ValueError, match=r"at least 2 classes.*only one class"):
        ScratchNetClassifier().fit(np.zeros((5, 2)), np.ones(5))


def test_init_only_stores():
    clf = ScratchNetClassifier(learning_rate=-5, activation="nope")  # no error yet
    assert clf.get_params()["learning_rate"] == -5


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda X: np.where(np.arange(len(X))[:, None] == 3, np.nan, X), "NaN"),
        (lambda X: np.where(np.arange(len(X))[:, None] == 3, np.inf, X), "infinity"),
        (lambda X: np.hstack([X, X[:, :1]]), "3 features"),
        (lambda X: X[:, :1], "1 features"),
    ],
)
def test_later_partial_fit_calls_still_check_their_input(moons, change, match):
    X_train, _, y_train, _ = moons
    clf = ScratchNetClassifier(random_state=0).partial_fit(X_train, y_train)
    with pytest.raises(ValueError, match=match):
        clf.partial_fit(change(X_train), y_train)
    with pytest.raises(ValueError, match="not among the classes"):
        clf.partial_fit(X_train, np.where(y_train == 1, 7, y_train))
    clf.partial_fit(X_train.tolist(), y_train.tolist())  # lists still go the long way
    assert clf.n_iter_ == 2
