"""The Under the hood page through AppTest, on the run a Playground page made in the same
session (its session state handed over, as st.navigation keeps one state for both pages)."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from scratchnet.explain import point_pass
from scratchnet.features import feature_map
from scratchnet.network import MLP
from ui import keys as K

PAGES = Path(__file__).resolve().parent.parent / "pages"
PLAYGROUND, HOOD = str(PAGES / "playground.py"), str(PAGES / "under_the_hood.py")
HANDED_OVER = (K.RUN, K.SETTINGS, K.DATA, K.PLAYING, K.RUN_ID, K.FRAME_TOKEN)


def hood(**query) -> AppTest:
    """The page on the run of a Playground opened with ``query``."""
    playground = AppTest.from_file(PLAYGROUND, default_timeout=60)
    for name, value in query.items():
        playground.query_params[name] = value
    playground.run()
    at = AppTest.from_file(HOOD, default_timeout=60)
    for key in HANDED_OVER:
        if key in playground.session_state:
            at.session_state[key] = playground.session_state[key]
    return at.run()


def latex(at) -> list[str]:
    return [element.value.strip().removeprefix("$$").removesuffix("$$").strip()
            for element in at.latex]  # fmt: skip


def test_without_a_playground_run_it_says_where_to_start():
    at = AppTest.from_file(HOOD, default_timeout=60).run()
    assert not at.exception and not at.error
    assert "open the Playground first" in at.info[0].value


def test_the_forward_pass_of_the_first_test_point_with_the_networks_numbers():
    at = hood(h="3")
    assert not at.exception and not at.error
    run = at.session_state[K.RUN]
    p = point_pass(run.trainer.net, feature_map(run.X_test[:1], run.features)[0],
                   int(run.y_test[0]))  # fmt: skip
    lines = latex(at)
    assert lines[0].startswith("a^{(0)} = x")
    # 2-3-2 is small: the first layer written whole, z as the network computes it
    z1 = next(line for line in lines if line.startswith("z^{(1)}"))
    assert all(f"{v:.4g}".replace("-", "{-}") in z1 for v in p.layers[0].z)
    assert any(line.startswith("L = -\\log p_") and f"{p.loss:.4g}" in line for line in lines)
    assert any(line.startswith("\\delta^{(2)} = a^{(2)} - t") for line in lines)


def test_another_point_changes_the_numbers():
    at = hood(h="3")
    before = latex(at)
    at.number_input(key=f"{K.HOOD_POINT}_test").set_value(5).run()
    assert not at.exception
    assert latex(at)[0] != before[0]


def test_a_step_moves_the_weight_by_the_rate_times_its_gradient():
    at = hood(h="3", opt="sgd")
    run = at.session_state[K.RUN]
    steps = run.trainer.steps
    (step,) = [b for b in at.button if b.label == "Take this step"]
    step.click().run()
    assert not at.exception and not at.error
    assert run.trainer.steps == steps + 1
    done = at.session_state[K.HOOD_STEPPED]
    assert done["after"] == pytest.approx(done["before"] - done["rate"] * done["gradient"],
                                          rel=0, abs=1e-15)  # fmt: skip
    assert "exactly minus the learning rate" in at.success[0].value


def test_the_gradient_check_says_right_and_catches_a_broken_backward(monkeypatch):
    at = hood(h="4")
    (check,) = [b for b in at.button if b.label == "Check the gradients"]
    check.click().run()
    assert "the backward pass is right" in at.success[-1].value
    # a test hook: a backward pass whose gradients are half as large again as they should be
    backward = MLP.backward

    def broken(self, T, scale=1.0):
        grads = backward(self, T, scale)
        self.flat_grads *= 1.5
        return grads

    monkeypatch.setattr(MLP, "backward", broken)
    (check,) = [b for b in at.button if b.label == "Check the gradients"]
    check.click().run()
    assert "the backward pass is wrong" in at.error[0].value


def test_a_large_network_writes_the_units_that_matter_most():
    at = hood(h="64")
    assert not at.exception and not at.error
    assert any("the units that matter most" in line for line in latex(at))
    assert any("\\vdots" in line for line in latex(at))
    assert np.isfinite(at.session_state[K.RUN].trainer.net.flat_params).all()
