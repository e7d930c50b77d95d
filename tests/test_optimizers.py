"""Each optimiser against scikit-learn's implementation of the same rule, step by step."""

import numpy as np
import pytest
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from scratchnet.optimizers import SGD, Adam, make_optimizer


def params_and_grads(seed=0, steps=5):
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=(3, 4)), rng.normal(size=(5, 2))]
    grads = [[rng.normal(size=p.shape) for p in params] for _ in range(steps)]
    return params, grads


@pytest.mark.parametrize(("momentum", "nesterov"), [(0.0, False), (0.9, False), (0.9, True)])
def test_sgd_matches_scikit_learn(momentum, nesterov):
    params, grads = params_and_grads()
    theirs = [p.copy() for p in params]
    ours = [p.copy() for p in params]
    sk = SGDOptimizer(theirs, learning_rate_init=0.1, momentum=momentum, nesterov=nesterov)
    opt = SGD(ours, 0.1, momentum=momentum, nesterov=nesterov)
    for g in grads:
        sk.update_params(theirs, [x.copy() for x in g])
        opt.step([x * opt.gradient_scale for x in g])
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)
    assert not np.allclose(ours[0], params[0])


def test_adam_matches_scikit_learn():
    params, grads = params_and_grads(steps=8)
    theirs = [p.copy() for p in params]
    ours = [p.copy() for p in params]
    sk = AdamOptimizer(theirs, learning_rate_init=0.01)
    opt = Adam(ours, 0.01)
    for g in grads:
        sk.update_params(theirs, [x.copy() for x in g])
        opt.step([x * opt.gradient_scale for x in g])
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)


OPTIMISERS = {
    "sgd": {"name": "sgd"},
    "momentum": {"name": "momentum"},
    "nesterov": {"name": "momentum", "nesterov": True},
    "adam": {"name": "adam"},
}


@pytest.mark.parametrize("kind", list(OPTIMISERS))
@pytest.mark.parametrize("layout", ["broadcast", "per weight"])
def test_a_rate_per_network_equals_one_optimiser_per_network(kind, layout):
    """Three networks' weights stacked on a first axis, each with its own learning rate:
    the same bits as three optimisers that each step one network with a scalar rate."""
    rng = np.random.default_rng(1)
    rates = np.array([0.1, 0.02, 0.5])
    W = rng.normal(size=(3, 4, 5))
    grads = [rng.normal(size=W.shape) for _ in range(6)]
    rate = rates.reshape(3, 1, 1)  # broadcasts over each network's (4, 5) weights
    if layout == "per weight":
        rate = np.broadcast_to(rate, W.shape).copy()  # as sweep.py lays rates out
    stacked = W.copy()
    opt = make_optimizer(params=[stacked], learning_rate=rate, **OPTIMISERS[kind])
    alone = [W[i].copy() for i in range(3)]
    opts = [make_optimizer(params=[a], learning_rate=float(r), **OPTIMISERS[kind])
            for a, r in zip(alone, rates, strict=True)]  # fmt: skip
    for g in grads:
        opt.step([g * opt.gradient_scale])  # plain SGD: lr * g, one rate per network
        for i, o in enumerate(opts):
            o.step([g[i] * o.gradient_scale])
    for i in range(3):
        np.testing.assert_array_equal(stacked[i], alone[i])
    assert not np.allclose(stacked, W)
    steps = [stacked[i] - W[i] for i in range(3)]
    assert not np.allclose(steps[0], steps[1])  # the rates really differ


def test_reset_state_forgets_velocity():
    params, grads = params_and_grads()
    opt = make_optimizer("momentum", params, 0.1)
    opt.step(grads[0])
    opt.reset_state()
    assert not any(v.any() for v in opt.velocities)
    adam = make_optimizer("adam", params, 0.1)
    adam.step(grads[0])
    assert len(adam.state) == 4 and all(a.any() for a in adam.state)
    adam.state[3][0] = 0.0  # the arrays themselves: sweep.py zeroes a diverged network's
    assert not adam.vs[1][0].any()
    adam.reset_state()
    assert adam.t == 0 and not any(m.any() for m in adam.ms)
    assert not any(a.any() for a in adam.state)
    assert make_optimizer("sgd", params, 0.1).state == []


def test_unknown_optimizer_lists_the_valid_ones():
    with pytest.raises(ValueError, match="optimizer must be one of 'sgd', 'momentum', 'adam'"):
        make_optimizer("lbfgs", [], 0.1)
