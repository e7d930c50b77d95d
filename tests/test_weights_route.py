"""The network view's weights route: the run's weights, exactly, without training."""

import numpy as np
import pytest

from scratchnet.datasets import make_dataset, split
from scratchnet.live import LiveRun
from server import frames


@pytest.fixture
def registry(monkeypatch):
    registry = frames.Registry(connected=lambda s: True, ttl=lambda: 120.0)
    monkeypatch.setattr(frames, "REGISTRY", registry)
    return registry


def run():
    X, y = make_dataset("moons", 200, 0.1, seed=0)
    X_train, X_test, y_train, y_test = split(X, y, 0.25, 0)
    return LiveRun(X_train, y_train, X_test, y_test, {"hidden_layer_sizes": (64,), "epochs": 3})


def test_the_route_sends_the_step_and_the_exact_weights(registry):
    live = run()
    live.step_epoch()
    token = registry.put(None, live, run_id=1, playing=True)
    status, body = frames.weights_of(token)
    values = np.frombuffer(body, dtype="<f8")
    assert status == 200 and len(body) == 8 * (1 + 322)  # 2-64-2: 3 x 64 + 65 x 2 numbers
    assert values[0] == live.trainer.steps
    np.testing.assert_array_equal(values[1:], live.trainer.net.flat_params)  # bit for bit
    steps = live.trainer.steps
    frames.weights_of(token)
    assert live.trainer.steps == steps  # reading trains nothing


def test_a_busy_run_or_an_unknown_page(registry):
    live = run()
    token = registry.put(None, live, run_id=1, playing=True)
    with registry.lock(token):
        assert frames.weights_of(token) == (204, b"")
    assert frames.weights_of("nobody")[0] == 404
