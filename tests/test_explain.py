"""scratchnet.explain: the pass of one point, every number as the README's equations say."""

from __future__ import annotations

import numpy as np
import pytest

from scratchnet.datasets import make_dataset
from scratchnet.explain import minibatch_gradients, point_pass, shown_units
from scratchnet.gradcheck import numerical_gradients
from scratchnet.network import MLP
from scratchnet.training import DEFAULTS, Trainer

# f'(z) written from the activation's output a = f(z), independently of activations.py
SLOPES = {
    "tanh": lambda a, z: 1 - a**2,
    "relu": lambda a, z: (z > 0).astype(float),
    "sigmoid": lambda a, z: a * (1 - a),
}


@pytest.mark.parametrize("activation", sorted(SLOPES))
@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
def test_every_number_follows_the_equations(activation, output):
    net = MLP([3, 5, 4, 3 if output == "softmax" else 1], activation, output, seed=4)
    x, target = np.array([0.3, -1.2, 0.7]), 1
    before = net.flat_params.copy()
    p = point_pass(net, x, target)
    a = x
    for layer, W, b in zip(p.layers, net.coefs, net.intercepts, strict=True):
        assert np.array_equal(layer.inputs, a) and np.array_equal(layer.weights, W)
        np.testing.assert_allclose(layer.z, W.T @ a + b, rtol=1e-12, atol=1e-15)
        a = layer.outputs
    for layer in p.layers[:-1]:  # hidden: a = f(z)
        if activation == "tanh":
            np.testing.assert_allclose(layer.outputs, np.tanh(layer.z), rtol=1e-12)
        elif activation == "relu":
            np.testing.assert_allclose(layer.outputs, np.maximum(layer.z, 0), rtol=1e-12)
    # the output is the network's prediction, and the output delta is p - t
    np.testing.assert_allclose(p.probabilities, net.predict_proba(x[None])[0], rtol=1e-12)
    t = np.eye(3)[target] if output == "softmax" else np.array([float(target)])
    np.testing.assert_allclose(p.layers[-1].delta, p.layers[-1].outputs - t, rtol=1e-12)
    # each delta below: (W delta_above) * f'(z); each weight gradient: a_i delta_j
    for below, above in zip(p.layers[:-1], p.layers[1:], strict=True):
        slope = SLOPES[activation](below.outputs, below.z)
        np.testing.assert_allclose(below.delta, (above.weights @ above.delta) * slope,
                                   rtol=1e-10, atol=1e-15)  # fmt: skip
    for layer in p.layers:
        np.testing.assert_allclose(layer.weight_grads, np.outer(layer.inputs, layer.delta),
                                   rtol=1e-12, atol=1e-15)  # fmt: skip
        assert np.array_equal(layer.bias_grads, layer.delta)
    assert p.loss == pytest.approx(-np.log(p.probabilities[target]), rel=1e-12)
    assert np.array_equal(net.flat_params, before)  # the network is left as it was


def test_the_gradients_are_those_of_the_points_loss_with_the_penalty():
    net = MLP([2, 6, 3], "tanh", seed=1, l1=0.01, l2=0.1)
    x, target = np.array([0.5, -0.25]), 2
    p = point_pass(net, x, target)
    numeric = numerical_gradients(net, x[None], np.array([target]))
    for layer, G in zip(p.layers, numeric, strict=True):
        np.testing.assert_allclose(layer.weight_grads, G[:-1], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(layer.bias_grads, G[-1], rtol=1e-6, atol=1e-9)
    assert p.penalty == pytest.approx(net.penalty())
    assert p.penalty > 0


@pytest.mark.parametrize("target", [3, -1, 1.0, True])
def test_a_target_that_is_not_a_class_is_refused(target):
    with pytest.raises(ValueError, match="class"):
        point_pass(MLP([2, 4, 3], seed=0), [0.0, 0.0], target)


def test_features_of_the_wrong_length_are_refused():
    with pytest.raises(ValueError, match="takes 2 features"):
        point_pass(MLP([2, 4, 3], seed=0), [0.0, 0.0, 1.0], 0)


def test_a_large_layer_shows_the_units_that_matter_most():
    values = np.array([0.1, -5.0, 0.0, 3.0, 0.2])
    assert shown_units(values, 2).tolist() == [1, 3]
    assert shown_units(values, 9).tolist() == [0, 1, 2, 3, 4]


def trainer_for(optimizer: str = "sgd"):
    X, y = make_dataset("moons", 200, 0.1, seed=0)
    params = {**DEFAULTS, "hidden_layer_sizes": (6,), "batch_size": 16, "l2": 0.01,
              "optimizer": optimizer, "learning_rate": 0.3, "random_state": 2}  # fmt: skip
    trainer = Trainer.from_params(params, 2, 2)
    trainer.set_data(X, y)
    return trainer


def test_asking_for_the_next_minibatch_leaves_the_run_as_it_was():
    asked, plain = trainer_for(), trainer_for()
    for _ in range(3):  # at the start of an epoch, mid-epoch, across an epoch's end
        asked.next_batch()
        asked.run(epochs=1, max_steps=5)
        plain.run(epochs=1, max_steps=5)
    asked.run(epochs=2)
    plain.run(epochs=2)
    assert np.array_equal(asked.net.flat_params, plain.net.flat_params)


def test_a_plain_sgd_step_moves_each_weight_by_the_rate_times_its_minibatch_gradient():
    trainer = trainer_for()
    trainer.run(epochs=1, max_steps=7)
    X, T = trainer.next_batch()
    assert X.shape == (16, 2) and T.shape == (16, 2)
    grads = minibatch_gradients(trainer.net, X, T)
    before = [W.copy() for W in trainer.net.params]
    trainer.run(epochs=1, max_steps=1)
    for W0, G, W1 in zip(before, grads, trainer.net.params, strict=True):
        np.testing.assert_allclose(W1, W0 - 0.3 * G, rtol=0, atol=1e-15)


def test_there_is_no_next_minibatch_without_data():
    with pytest.raises(ValueError, match="set_data"):
        Trainer.from_params(DEFAULTS, 2, 2).next_batch()


def test_a_regression_point_follows_the_same_equations():
    net = MLP([2, 4, 1], "tanh", "identity", seed=3)
    p = point_pass(net, [0.4, -0.8], [0.25])
    prediction = net.predict_output(np.array([[0.4, -0.8]]))[0]
    np.testing.assert_allclose(p.layers[-1].outputs, prediction, rtol=1e-12)
    np.testing.assert_allclose(p.layers[-1].delta, prediction - 0.25, rtol=1e-12)
    assert p.loss == pytest.approx((prediction[0] - 0.25) ** 2 / 2, rel=1e-12)
    with pytest.raises(ValueError, match="finite"):
        point_pass(net, [0.4, -0.8], [float("nan")])
