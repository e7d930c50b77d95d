"""The losses, the weight penalty and the decision rule: by hand, and on stacks of networks
(a leading axis of networks, as sweep.py trains them) against one network at a time."""

import numpy as np
import pytest

from scratchnet.losses import (
    LOSS_FUNCTIONS,
    add_penalty_gradient,
    binary_cross_entropy,
    cross_entropy,
    penalty,
    predicted_classes,
    squared_error,
)


def probabilities(rng, shape):
    """Random rows of probabilities, (..., n_samples, n_classes); one column: P(class 1)."""
    if shape[-1] == 1:
        return rng.uniform(0.01, 0.99, size=shape)
    P = rng.uniform(0.01, 1.0, size=shape)
    return P / P.sum(axis=-1, keepdims=True)


def test_cross_entropy_by_hand():
    P = np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]])
    y = np.array([0, 1, 1])
    expected = -(np.log(0.9) + np.log(0.8) + np.log(0.5)) / 3
    assert cross_entropy(P, y) == pytest.approx(expected, rel=1e-15)
    assert isinstance(cross_entropy(P, y), float)
    assert cross_entropy(np.array([[0.0, 1.0]]), np.array([0])) == pytest.approx(-np.log(1e-15))


def test_binary_cross_entropy_by_hand():
    P = np.array([[0.9], [0.2], [0.7]])
    y = np.array([1, 0, 0])
    expected = -(np.log(0.9) + np.log(0.8) + np.log(0.3)) / 3
    assert binary_cross_entropy(P, y) == pytest.approx(expected, rel=1e-15)
    assert isinstance(binary_cross_entropy(P, y), float)


@pytest.mark.parametrize(("output", "n_outputs"), [("softmax", 2), ("softmax", 4), ("sigmoid", 1)])
def test_a_stack_gives_each_network_its_own_loss(output, n_outputs):
    rng = np.random.default_rng(0)
    n_networks, n = 5, 37
    P = probabilities(rng, (n_networks, n, n_outputs))
    y = rng.integers(0, max(n_outputs, 2), size=n)
    loss = LOSS_FUNCTIONS[output]
    stacked = loss(P, y)
    assert stacked.shape == (n_networks,)
    alone = [loss(P[i], y) for i in range(n_networks)]
    np.testing.assert_allclose(stacked, alone, rtol=1e-14, atol=0)
    assert len(set(alone)) == n_networks  # the networks differ: a mix-up would show
    # any layout: the sweep hands over a transposed view of its (K, N, n) outputs
    view = np.ascontiguousarray(P.transpose(2, 0, 1)).transpose(1, 2, 0)
    np.testing.assert_allclose(loss(view, y), alone, rtol=1e-14, atol=0)


def test_penalty_by_hand_and_on_stacks():
    W1 = np.array([[1.0, -2.0], [0.5, 0.0]])
    W2 = np.array([[-3.0], [1.0]])
    l1, l2 = 0.1, 0.2
    by_hand = l1 * (3.5 + 4.0) + l2 / 2 * (1 + 4 + 0.25 + 9 + 1)
    assert penalty([W1, W2], l1, l2) == pytest.approx(by_hand, rel=1e-15)
    assert penalty([W1, W2], 0.0, 0.0) == 0.0
    # a stack of three networks, (3, n_in, n_out) per layer: one penalty each
    stack1 = np.stack([W1, 2 * W1, -W1])
    stack2 = np.stack([W2, W2, 3 * W2])
    stacked = penalty([stack1, stack2], l1, l2)
    assert stacked.shape == (3,)
    alone = [penalty([stack1[i], stack2[i]], l1, l2) for i in range(3)]
    np.testing.assert_array_equal(stacked, alone)
    assert stacked[0] == pytest.approx(by_hand)


def test_penalty_gradient_matches_central_differences():
    rng = np.random.default_rng(1)
    weights = [rng.normal(size=(3, 4)), rng.normal(size=(5, 2))]
    l1, l2, h = 0.03, 0.2, 1e-6
    grads = [np.zeros_like(W) for W in weights]
    add_penalty_gradient(grads, weights, l1, l2)
    for W, G in zip(weights, grads, strict=True):
        for index in np.ndindex(W.shape):
            w = W[index]
            W[index] = w + h
            up = penalty(weights, l1, l2)
            W[index] = w - h
            down = penalty(weights, l1, l2)
            W[index] = w
            assert G[index] == pytest.approx((up - down) / (2 * h), abs=1e-7)


def test_penalty_gradient_adds_to_the_gradients_with_a_scale_per_network():
    rng = np.random.default_rng(2)
    W = rng.normal(size=(3, 4, 2))  # three networks' (4, 2) weights
    G = rng.normal(size=W.shape)
    scale = np.array([0.1, 0.01, 1.0]).reshape(3, 1, 1)  # plain SGD: each network's rate
    stacked = G.copy()
    add_penalty_gradient([stacked], [W], 1e-3, 1e-2, scale)
    for i in range(3):
        alone = G[i].copy()
        add_penalty_gradient([alone], [W[i]], 1e-3, 1e-2, float(scale[i, 0, 0]))
        np.testing.assert_array_equal(stacked[i], alone)
        np.testing.assert_allclose(alone - G[i], scale[i] * (1e-2 * W[i] + 1e-3 * np.sign(W[i])))
    untouched = G.copy()
    add_penalty_gradient([untouched], [W], 0.0, 0.0, scale)
    np.testing.assert_array_equal(untouched, G)


def test_predicted_classes():
    two = np.array([[0.7, 0.3], [0.2, 0.8], [0.5, 0.5]])
    np.testing.assert_array_equal(predicted_classes(two), [0, 1, 0])  # a tie: class 0
    three = np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8], [0.4, 0.4, 0.2]])
    np.testing.assert_array_equal(predicted_classes(three), [1, 2, 0])
    one = np.array([[0.7], [0.2], [0.5]])  # a sigmoid's P(class 1)
    np.testing.assert_array_equal(predicted_classes(one), [1, 0, 0])


@pytest.mark.parametrize("n_outputs", [1, 2, 3])
def test_predicted_classes_of_a_stack_are_argmax_per_network(n_outputs):
    rng = np.random.default_rng(3)
    P = probabilities(rng, (4, 50, n_outputs))
    P[0, :5] = 1.0 / max(n_outputs, 2)  # ties, as argmax breaks them: the first class
    got = predicted_classes(P)
    assert got.shape == (4, 50)
    expected = (P[..., 0] > 0.5) if n_outputs == 1 else P.argmax(axis=-1)
    np.testing.assert_array_equal(got, expected)
    for i in range(4):
        np.testing.assert_array_equal(got[i], predicted_classes(P[i]))


def test_squared_error_by_hand_and_against_scikit_learn():
    from sklearn.neural_network._base import squared_loss

    P = np.array([[1.0, 0.0], [2.0, 3.0], [0.5, -1.0]])
    Y = np.array([[0.0, 0.0], [2.0, 1.0], [1.5, -1.0]])
    assert squared_error(P, Y) == pytest.approx((1 + 4 + 1) / 2 / 3, rel=1e-15)
    assert isinstance(squared_error(P, Y), float)
    # one output: scikit-learn's squared_loss; k outputs: k times it (see the docstring)
    assert squared_error(P[:, :1], Y[:, 0]) == pytest.approx(squared_loss(Y[:, :1], P[:, :1]))
    assert squared_error(P, Y) == pytest.approx(2 * squared_loss(Y, P), rel=1e-15)


@pytest.mark.parametrize("n_outputs", [1, 3])
def test_a_stack_of_regression_networks_gets_one_squared_error_each(n_outputs):
    rng = np.random.default_rng(5)
    P, Y = rng.normal(size=(4, 20, n_outputs)), rng.normal(size=(20, n_outputs))
    stacked = squared_error(P, Y)
    assert stacked.shape == (4,)
    np.testing.assert_allclose(stacked, [squared_error(P[i], Y) for i in range(4)], rtol=1e-14)
