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


def test_reset_state_forgets_velocity():
    params, grads = params_and_grads()
    opt = make_optimizer("momentum", params, 0.1)
    opt.step(grads[0])
    opt.reset_state()
    assert not any(v.any() for v in opt.velocities)
    adam = make_optimizer("adam", params, 0.1)
    adam.step(grads[0])
    adam.reset_state()
    assert adam.t == 0 and not any(m.any() for m in adam.ms)


def test_unknown_optimizer_lists_the_valid_ones():
    with pytest.raises(ValueError, match="optimizer must be one of 'sgd', 'momentum', 'adam'"):
        make_optimizer("lbfgs", [], 0.1)
