"""ScratchNetClassifier and ScratchNetRegressor as scikit-learn estimators, and the outside
check of backward: one SGD step equal to MLPClassifier's, and to MLPRegressor's."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import DataConversionWarning
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from scratchnet import DivergenceWarning, ScratchNetClassifier, ScratchNetRegressor
from scratchnet.datasets import make_dataset, split
from scratchnet.estimator import BaseScratchNet


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


# -- the regressor --------------------------------------------------------------------------


# Some checks fit X drawn around 100 without scaling: plain SGD diverges there, as it should;
# the checks look at shapes, state and errors, which a diverged fit still must get right.
@pytest.mark.filterwarnings("ignore::scratchnet.estimator.DivergenceWarning")
@parametrize_with_checks([ScratchNetRegressor(epochs=50, learning_rate=0.01)])
def test_scikit_learn_estimator_checks_for_the_regressor(estimator, check):
    check(estimator)


def regression_problem(n=40, n_outputs=None, seed=0):
    """y = a smooth function of 3 features: (n,) for n_outputs None, else (n, n_outputs)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 3))
    Y = np.column_stack([X[:, 0] - 2 * X[:, 1] * X[:, 2], np.sin(3 * X[:, 0]), X[:, 1] ** 2])
    return X, (Y[:, 0] if n_outputs is None else Y[:, :n_outputs])


@pytest.mark.parametrize("n_outputs", [None, 2])
@pytest.mark.parametrize("alpha", [0.0, 0.5])
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [("relu", "relu"), ("tanh", "tanh"), ("sigmoid", "logistic"), ("linear", "identity")],
)
def test_one_sgd_step_matches_mlpregressor(ours, theirs, alpha, n_outputs):
    X, y = regression_problem(n_outputs=n_outputs)
    sk = MLPRegressor(
        hidden_layer_sizes=(6, 5), activation=theirs, solver="sgd", learning_rate_init=0.3,
        momentum=0.0, alpha=alpha, batch_size=len(X), shuffle=False, random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk.partial_fit(X, y)  # initialises sklearn's state
    # scikit-learn's penalty is alpha / 2 * sum w**2 divided by the batch size; ours is not
    net = ScratchNetRegressor(
        hidden_layer_sizes=(6, 5), activation=ours, learning_rate=0.3, batch_size="full",
        l2=alpha / len(X), random_state=0,
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
    np.testing.assert_allclose(net.predict(X), sk.predict(X), rtol=1e-12, atol=0)
    assert net.predict(X).shape == sk.predict(X).shape == y.shape


@pytest.mark.parametrize("n_outputs", [None, 3])
def test_regressor_learns_and_predicts_in_the_shape_of_y(n_outputs):
    X, y = regression_problem(400, n_outputs)
    X_test, y_test = regression_problem(200, n_outputs, seed=1)
    reg = ScratchNetRegressor(hidden_layer_sizes=(32,), epochs=200, batch_size=10, random_state=0)
    reg.fit(X, y, X_test, y_test)
    assert reg.predict(X_test).shape == y_test.shape
    assert reg.n_outputs_ == (1 if n_outputs is None else n_outputs)
    assert reg.score(X_test, y_test) > 0.9  # R², as RegressorMixin scores
    assert reg.history_[-1]["test_r2"] == pytest.approx(reg.score(X_test, y_test), rel=1e-12)
    assert reg.n_iter_ == 200 and reg.loss_curve_ == [row["train_loss"] for row in reg.history_]
    assert reg.loss_curve_[-1] < reg.loss_curve_[0] / 5


def test_regressor_y_as_one_column_is_one_target_as_in_mlpregressor():
    X, y = regression_problem()
    with pytest.warns(DataConversionWarning):
        reg = ScratchNetRegressor(epochs=2, random_state=0).fit(X, y[:, None])
    assert reg.n_outputs_ == 1 and reg.predict(X).shape == (len(X),)


def test_regressor_same_random_state_same_weights():
    X, y = regression_problem(n_outputs=2)
    a, b, c = (ScratchNetRegressor(epochs=5, random_state=s).fit(X, y) for s in (3, 3, 4))
    for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        np.testing.assert_array_equal(p, q)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


def test_regressor_partial_fit_is_one_epoch_and_continues():
    X, y = regression_problem(n_outputs=2)
    whole = ScratchNetRegressor(epochs=3, random_state=0).fit(X, y)
    stepwise = ScratchNetRegressor(random_state=0)
    for _ in range(3):
        stepwise.partial_fit(X, y)
    assert stepwise.n_iter_ == 3
    np.testing.assert_array_equal(whole.predict(X), stepwise.predict(X))


def test_classifier_and_regressor_share_one_base():
    for name in ("fit", "_partial_fit", "_train", "_start", "_pull_weights", "_predict_output"):
        shared = getattr(BaseScratchNet, name)
        assert getattr(ScratchNetClassifier, name) is getattr(ScratchNetRegressor, name) is shared
    assert ScratchNetRegressor().get_params()["output"] == "identity"
    assert ScratchNetClassifier().get_params()["output"] == "softmax"
    assert ScratchNetRegressor().get_params().keys() == ScratchNetClassifier().get_params().keys()


@pytest.mark.parametrize(
    ("make", "y_change", "match"),
    [
        (lambda: ScratchNetRegressor(output="softmax"), None, "'softmax' is for classification"),
        (lambda: ScratchNetRegressor(output="sigmoid"), None, "must be one of 'identity'"),
        (lambda: ScratchNetClassifier(output="identity"), None, "'identity' is for regression"),
        (lambda: ScratchNetRegressor(learning_rate=0), None, "'learning_rate' parameter"),
        (ScratchNetRegressor, lambda y: np.where(np.arange(len(y)) == 2, np.nan, y), "NaN"),
        (ScratchNetRegressor, lambda y: np.where(np.arange(len(y)) == 2, np.inf, y), "infinity"),
        (ScratchNetRegressor, lambda y: np.array(["big"] * len(y), dtype=object), "float"),
    ],
)
def test_regressor_bad_input_explains_itself(make, y_change, match):
    X, y = regression_problem()
    if make is not ScratchNetRegressor and "Classifier" in repr(make()):
        y = (y > 0).astype(int)
    with pytest.raises(ValueError, match=match):
        make().fit(X, y if y_change is None else y_change(y))


def test_regressor_later_calls_check_their_targets():
    X, y = regression_problem(n_outputs=2)
    reg = ScratchNetRegressor(random_state=0).partial_fit(X, y)
    with pytest.raises(ValueError, match=r"y has 1 target column\(s\), but .* first trained on 2"):
        reg.partial_fit(X, y[:, 0])
    with pytest.raises(ValueError, match="NaN"):
        reg.partial_fit(X, np.where(y > 0.5, np.nan, y))
    one = ScratchNetRegressor(random_state=0).partial_fit(X, y[:, 0])
    with pytest.raises(ValueError, match="NaN"):  # the 1-d fast path checks y too
        one.partial_fit(X, np.where(y[:, 0] > 0.5, np.nan, y[:, 0]))
    assert one.n_iter_ == 1
