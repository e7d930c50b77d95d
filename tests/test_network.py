"""The network: shapes, the gradient check, one step worked by hand, layout views."""

import pickle

import numpy as np
import pytest

from scratchnet.activations import ACTIVATIONS, DERIVATIVES
from scratchnet.gradcheck import (
    TOLERANCE,
    analytic_gradients,
    gradient_check,
    numerical_gradients,
)
from scratchnet.losses import OUTPUTS, class_probabilities, softmax
from scratchnet.network import INITS, MAX_WEIGHT, MLP, with_ones


def small_problem(n_classes=3, n=12, d=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.integers(0, n_classes, size=n)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("penalty", [{}, {"l1": 0.05}, {"l2": 0.1}, {"l1": 0.02, "l2": 0.03}])
def test_backward_matches_central_differences(activation, output, penalty):
    n_classes = 2 if output == "sigmoid" else 3
    X, y = small_problem(n_classes)
    n_out = 1 if output == "sigmoid" else n_classes
    net = MLP([3, 5, 4, n_out], activation, output, init="normal", seed=1, **penalty)
    assert gradient_check(net, X, y) < 1e-6


def test_gradient_check_catches_a_wrong_backward():
    X, y = small_problem()
    net = MLP([3, 4, 3], "tanh", seed=0)
    good = gradient_check(net, X, y)
    net._derivative = DERIVATIVES["linear"]  # a backward pass that forgets tanh'
    assert good < 1e-6 < gradient_check(net, X, y)


def test_one_step_worked_by_hand():
    """A 2-2-2 relu network, two samples: gradients from the chain rule written per sample."""
    net = MLP([2, 2, 2], "relu", "softmax", seed=0)
    W1 = np.array([[0.5, -0.3], [0.2, 0.8], [0.1, -0.1]])  # last row: bias
    W2 = np.array([[1.0, -1.0], [0.5, 0.25], [0.0, 0.2]])
    net.params[0][...] = W1
    net.params[1][...] = W2
    X = np.array([[1.0, 2.0], [-1.0, 0.5]])
    y = np.array([1, 0])
    expected1, expected2 = np.zeros_like(W1), np.zeros_like(W2)
    for x, label in zip(X, y, strict=True):
        z1 = x @ W1[:2] + W1[2]
        a1 = np.maximum(z1, 0)
        z2 = a1 @ W2[:2] + W2[2]
        p = np.exp(z2) / np.exp(z2).sum()
        dz2 = p - np.eye(2)[label]
        dz1 = (W2[:2] @ dz2) * (z1 > 0)
        expected2 += np.vstack([np.outer(a1, dz2), dz2]) / 2
        expected1 += np.vstack([np.outer(x, dz1), dz1]) / 2
    grads = analytic_gradients(net, X, y)
    np.testing.assert_allclose(grads[0], expected1, rtol=0, atol=1e-15)
    np.testing.assert_allclose(grads[1], expected2, rtol=0, atol=1e-15)


def test_forward_shapes_and_probabilities():
    X, _ = small_problem(n=7)
    for output, n_out in (("softmax", 4), ("sigmoid", 1)):
        net = MLP([3, 8, n_out], output=output, seed=0)
        proba = net.predict_proba(X)
        assert proba.shape == (7, max(n_out, 2))
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        assert ((proba >= 0) & (proba <= 1)).all()


def test_zero_hidden_layers_is_logistic_regression():
    X, y = small_problem(n_classes=2)
    net = MLP([3, 2], seed=0)
    assert len(net.params) == 1 and net.params[0].shape == (4, 2)
    assert gradient_check(net, X, y) < 1e-6


def test_coefs_and_intercepts_are_views_of_params():
    net = MLP([2, 3, 2], seed=0)
    net.coefs[0][0, 0] = 42.0
    net.intercepts[1][1] = -7.0
    assert net.params[0][0, 0] == 42.0 and net.params[1][-1, 1] == -7.0
    assert [c.shape for c in net.coefs] == [(2, 3), (3, 2)]
    assert [b.shape for b in net.intercepts] == [(3,), (2,)]


@pytest.mark.parametrize("init", INITS)
def test_init_is_seeded_and_scaled(init):
    a, b, c = (MLP([2, 64, 2], init=init, seed=s) for s in (5, 5, 6))
    assert all(np.array_equal(p, q) for p, q in zip(a.params, b.params, strict=True))
    assert not np.array_equal(a.params[0], c.params[0])
    W = a.params[0]
    if init == "normal":  # standard normal weights and biases, as the seeds draw them
        rng = np.random.default_rng(5)
        np.testing.assert_array_equal(W[:-1], rng.standard_normal((2, 64)))
        np.testing.assert_array_equal(W[-1], rng.standard_normal(64))
    else:
        assert not W[-1].any()  # zero biases
        limit = np.sqrt(2 / 2) * 5 if init == "he" else np.sqrt(6 / 66)
        assert np.abs(W[:-1]).max() <= limit


@pytest.mark.parametrize(
    "init, spread",
    [
        ("he", lambda n_in, n_out: np.sqrt(2 / n_in)),  # N(0, 2 / n_in)
        ("glorot", lambda n_in, n_out: np.sqrt(6 / (n_in + n_out)) / np.sqrt(3)),  # U(-r, r)
        ("normal", lambda n_in, n_out: 1.0),
    ],
)
def test_init_has_the_right_spread(init, spread):
    n_in, n_out = 300, 400  # 120,000 weights: their std is within 1% of the true one
    W = MLP([n_in, n_out, 2], init=init, seed=3).params[0][:-1]
    assert W.shape == (n_in, n_out)
    assert abs(W.mean()) < 0.02 * spread(n_in, n_out)
    assert W.std() == pytest.approx(spread(n_in, n_out), rel=0.02)
    if init == "glorot":  # uniform: its values fill the whole of (-r, r) and no more
        r = np.sqrt(6 / (n_in + n_out))
        assert r * 0.999 < np.abs(W).max() <= r


def test_two_class_softmax_equals_the_general_formula():
    Z = np.random.default_rng(0).normal(scale=30, size=(2, 50))
    expected = np.exp(Z - Z.max(axis=0)) / np.exp(Z - Z.max(axis=0)).sum(axis=0)
    softmax(Z)
    np.testing.assert_allclose(Z, expected, rtol=1e-12, atol=1e-300)


def test_two_class_softmax_with_scratch_gives_the_same_bits():
    """The network's path (both differences in one product) against the plain one."""
    rng = np.random.default_rng(1)
    Z = np.concatenate([rng.normal(scale=s, size=(2, 200)) for s in (1e-3, 1, 40, 1e150)], 1)
    Z[:, :4] = [[1e300, -1e300, 0.0, 5e-324], [-1e300, 1e300, -0.0, 0.0]]
    plain, fast = Z.copy(), Z.copy()
    softmax(plain)
    softmax(fast, scratch=np.empty_like(Z))
    np.testing.assert_array_equal(fast, plain)


def test_softmax_survives_huge_logits():
    for k in (2, 3):
        for scratch in (None, np.empty((k, 2))):
            Z = np.array([[1000.0, -1000.0]] * k)
            Z[0] = [1e300, -1e300]
            softmax(Z, scratch)
            assert np.isfinite(Z).all()
            np.testing.assert_allclose(Z.sum(axis=0), 1.0)


def test_layers_are_views_of_one_vector_and_stay_so_after_pickling():
    net = MLP([2, 5, 4, 3], seed=0)
    copy = pickle.loads(pickle.dumps(net))
    for model in (net, copy):
        model.flat_params[:] = np.arange(model.flat_params.size)
        model.flat_grads[:] = -1.0
        start = 0
        for W, G in zip(model.params, model.grads, strict=True):
            np.testing.assert_array_equal(W.ravel(), np.arange(start, start + W.size))
            assert (G == -1.0).all()
            start += W.size
        assert start == model.flat_params.size
    X = np.random.default_rng(0).normal(size=(7, 2))
    np.testing.assert_array_equal(net.predict_proba(X), copy.predict_proba(X))


def test_sigmoid_output_probabilities_are_two_columns():
    P = np.array([[0.2], [0.9]])
    np.testing.assert_allclose(class_probabilities(P, "sigmoid"), [[0.8, 0.2], [0.1, 0.9]])


def test_is_sane_flags_nan_inf_and_blow_ups():
    net = MLP([2, 3, 2], seed=0)
    assert net.is_sane()
    for bad in (np.nan, np.inf, -np.inf, 10 * MAX_WEIGHT):
        W = net.params[1]
        kept = W[0, 0]
        W[0, 0] = bad
        assert not net.is_sane()
        W[0, 0] = kept


def test_backward_needs_a_forward_of_the_same_size():
    net = MLP([2, 3, 2], seed=0)
    with pytest.raises(ValueError, match="forward pass"):
        net.backward(np.zeros((4, 2)))
    net.forward(with_ones(np.zeros((5, 2))))
    with pytest.raises(ValueError, match="same size"):
        net.backward(np.zeros((4, 2)))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"activation": "softplus"}, "activation must be one of 'relu'"),
        ({"output": "linear"}, "output must be one of 'softmax', 'sigmoid'"),
        ({"init": "zeros"}, "init must be one of 'he', 'glorot', 'normal'"),
    ],
)
def test_bad_names_list_the_valid_ones(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MLP([2, 3, 2], **kwargs)


def test_numerical_gradients_leave_weights_unchanged():
    X, y = small_problem()
    net = MLP([3, 4, 3], seed=0)
    before = [W.copy() for W in net.params]
    numerical_gradients(net, X, y)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.params, strict=True))


def test_gradient_check_of_a_sample_of_the_parameters_catches_a_wrong_backward():
    X, y = small_problem()
    net = MLP([3, 16, 16, 3], "tanh", seed=0)
    good = gradient_check(net, X, y, at_most=40, seed=1)
    net._derivative = DERIVATIVES["linear"]
    assert good < TOLERANCE < gradient_check(net, X, y, at_most=40, seed=1)


# -- regression: identity output, half the squared error --------------------------------------


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("n_outputs", [1, 2])
@pytest.mark.parametrize("penalty", [{}, {"l1": 0.05}, {"l2": 0.1}, {"l1": 0.02, "l2": 0.03}])
def test_identity_output_backward_matches_central_differences(activation, n_outputs, penalty):
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(12, 3)), rng.normal(size=(12, n_outputs))
    net = MLP([3, 5, 4, n_outputs], activation, "identity", init="normal", seed=1, **penalty)
    assert gradient_check(net, X, Y) < 1e-6
    if n_outputs == 1:  # targets given as (n,) are the one column
        assert gradient_check(net, X, Y[:, 0]) < 1e-6


def test_identity_output_gradients_worked_by_hand():
    """No hidden layer: p = X w + b, L = mean (p - y)**2 / 2, dL/dw = X^T (p - y) / n."""
    net = MLP([2, 2], output="identity", seed=0)
    W = np.array([[0.5, -1.0], [2.0, 0.25], [0.1, -0.3]])  # last row: bias
    net.params[0][...] = W
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, 3.0]])
    Y = np.array([[1.0, 0.0], [2.0, -1.0], [0.5, 0.5]])
    residual = X @ W[:2] + W[2] - Y
    np.testing.assert_allclose(net.predict_output(X), X @ W[:2] + W[2], rtol=0, atol=1e-15)
    assert net.loss(X, Y) == pytest.approx(np.sum(residual**2) / 2 / 3, rel=1e-14)
    grads = analytic_gradients(net, X, Y)
    expected = np.vstack([X.T @ residual, residual.sum(axis=0)]) / 3
    np.testing.assert_allclose(grads[0], expected, rtol=0, atol=1e-15)


def test_identity_output_has_no_class_probabilities():
    net = MLP([2, 3, 1], output="identity", seed=0)
    with pytest.raises(ValueError, match="predicts numbers, not class probabilities"):
        net.predict_proba(np.zeros((4, 2)))
