"""The Playground page through Streamlit's AppTest: what a student clicks, and what follows."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from ui import keys as K
from ui.settings import NO_EPOCH_LIMIT

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "playground.py")


def page(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


def run_of(at):
    return at.session_state[K.RUN]


def click(at, label):
    (button,) = [b for b in at.button if label in b.label]
    return button.click().run()


def widget(at, setting):
    key = K.widget(setting)
    for kind in (
        at.get("button_group"),
        at.radio,
        at.slider,
        at.select_slider,
        at.selectbox,
        at.number_input,
        at.checkbox,
        at.toggle,
    ):
        for w in kind:
            if w.key == key:
                return w
    raise LookupError(key)


def test_defaults_render_without_exception():
    at = page()
    assert not at.exception and not at.error
    assert at.title[0].value == "scratchnet Playground"
    assert [m.label for m in at.metric] == [
        "Epoch",
        "Train loss",
        "Test loss",
        "Train accuracy",
        "Test accuracy",
    ]
    assert any(md.value.startswith("**Epoch 0**") for md in at.markdown)
    run = run_of(at)
    assert run.trainer.net.layer_sizes == [2, 64, 2] and run.params["learning_rate"] == 0.1
    assert run.params["batch_size"] == 10 and len(run.X_train) + len(run.X_test) == 1250


def test_sessions_share_one_read_only_copy_of_the_data():
    first, second = page(), page()
    ours, theirs = first.session_state[K.DATA][1:5], second.session_state[K.DATA][1:5]
    for a, b in zip(ours, theirs, strict=True):  # X_train, X_test, y_train, y_test
        assert a is b and not a.flags.writeable  # one copy a data set, not one a student
    X_train = first.session_state[K.DATA][1]
    with pytest.raises(ValueError, match="read-only"):
        X_train[0, 0] = 99.0  # no session can change another's points
    assert run_of(first).X_train is X_train  # nor does the run copy them


def test_step_advances_one_epoch():
    at = click(page(), "Step")
    assert run_of(at).epoch == 1 and at.metric[0].value == "1"
    assert any("**Epoch 1**" in md.value for md in at.markdown)
    at = click(at, "Step")
    assert run_of(at).epoch == 2


def test_reset_replays_the_same_history():
    at = click(click(page(), "Step"), "Step")
    first = [dict(r, seconds=0) for r in run_of(at).history]
    at = click(at, "Reset")
    assert run_of(at).epoch == 0
    at = click(click(at, "Step"), "Step")
    assert [dict(r, seconds=0) for r in run_of(at).history] == first


def test_new_init_changes_the_starting_weights():
    at = page()
    before = [W.copy() for W in run_of(at).trainer.net.params]
    at = click(at, "New init")
    assert at.session_state[K.SETTINGS]["init_seed"] == 1
    assert not np.array_equal(before[0], run_of(at).trainer.net.params[0])


def test_play_starts_and_pause_stops():
    at = click(page(), "Play")
    assert at.session_state[K.PLAYING] and at.button[0].label == "Pause"
    at = click(at, "Pause")
    assert not at.session_state[K.PLAYING]


@pytest.mark.parametrize(
    ("setting", "value", "check"),
    [
        ("h0", 8, lambda r: r.trainer.net.layer_sizes == [2, 8, 2]),
        ("layers", 2, lambda r: r.trainer.net.layer_sizes == [2, 64, 8, 2]),
        ("layers", 0, lambda r: r.trainer.net.layer_sizes == [2, 2]),
        ("activation", "tanh", lambda r: r.trainer.net.activation == "tanh"),
        ("output", "sigmoid", lambda r: r.trainer.net.layer_sizes[-1] == 1),
        ("init", "normal", lambda r: r.params["init"] == "normal"),
        ("batch_size", 50, lambda r: r.params["batch_size"] == 50),
        ("batch_size", 5000, lambda r: r.params["batch_size"] == len(r.X_train)),
        ("epochs", 3, lambda r: r.epochs == 3),
        ("optimizer", "adam", lambda r: type(r.trainer.optimizer).__name__ == "Adam"),
        ("penalty", "l2", lambda r: r.params["l2"] == 0.001),
        ("shuffle_seed", 5, lambda r: r.params["shuffle_seed"] == 5),
        ("init_seed", 5, lambda r: r.params["random_state"] == 5),
        ("n_samples", 200, lambda r: len(r.X_train) + len(r.X_test) == 200),
        ("noise", 0.3, lambda r: r.params is not None),
        ("test_ratio", 0.5, lambda r: len(r.X_test) == 625),
        ("dataset", "circles", lambda r: r.params is not None),
        ("data_seed", 1, lambda r: r.params is not None),
        ("learning_rate", 0.03, lambda r: r.trainer.learning_rate == 0.03),
        ("features", ["x1^2", "x2^2"], lambda r: r.features == ("x1^2", "x2^2")),
        ("speed", "1s", lambda r: r.speed == ("steps", 1)),
        ("speed", "3e", lambda r: r.speed == ("epochs", 3)),
        ("discrete", True, lambda r: r.discrete),
        ("epochs", 0, lambda r: r.epochs == NO_EPOCH_LIMIT),
    ],
)
def test_each_control_changes_what_is_trained(setting, value, check):
    at = page()
    before = run_of(at)
    points_before = before.X_train.copy()
    w = widget(at, setting)
    w.set_value(value).run()
    assert not at.exception and not at.error
    run = run_of(at)
    assert check(run)
    if setting in ("noise", "dataset", "data_seed"):
        assert run is not before and not np.array_equal(run.X_train[:50], points_before[:50])
    if setting in ("learning_rate", "speed", "discrete", "epochs"):
        assert run is before  # applied to the running network, no reset
    if setting == "features":
        assert run is not before and run.trainer.net.layer_sizes[0] == 2


def test_a_reset_by_a_structural_change_says_so():
    at = click(page(), "Step")
    widget(at, "h0").set_value(16).run()
    assert run_of(at).epoch == 0
    assert any("starts again" in t.value for t in at.toast)


def test_presets_fill_the_controls():
    at = page()
    at.selectbox(key=K.PRESET).set_value("moons-blog").run()
    assert widget(at, "init").value == "normal" and widget(at, "learning_rate").value == 0.001
    assert widget(at, "n_samples").value == 5000 and widget(at, "batch_size").value == 10
    run = run_of(at)
    assert run.params["init"] == "normal" and len(run.X_train) == 3750
    at.selectbox(key=K.PRESET).set_value("tutorial-2-5-1").run()
    run = run_of(at)
    assert run.trainer.net.layer_sizes == [2, 5, 1] and run.params["batch_size"] == 3750


def test_bad_query_parameters_warn_and_fall_back():
    at = page(lr="fast", h="16", zz="1")
    warnings = [w.value for w in at.warning]
    assert any("lr='fast'" in w and "using the default, 0.1" in w for w in warnings)
    assert any("unknown link parameter 'zz'" in w for w in warnings)
    run = run_of(at)
    assert run.params["learning_rate"] == 0.1 and run.trainer.net.layer_sizes == [2, 16, 2]


def test_link_settings_are_applied_and_written_back():
    at = page(lr="0.03", h="8,4", data="xor", preset="")
    run = run_of(at)
    assert run.trainer.net.layer_sizes == [2, 8, 4, 2] and run.trainer.learning_rate == 0.03
    assert at.query_params["lr"] == ["0.03"] or at.query_params["lr"] == "0.03"


def test_a_preset_in_the_link():
    run = run_of(page(preset="diverging"))
    assert run.params["learning_rate"] == 10.0 and run.trainer.net.layer_sizes == [2, 64, 64, 2]


def test_divergence_shows_the_message_and_keeps_the_boundary():
    at = page(preset="diverging")
    png = run_of(at).boundary_png()
    at = click(at, "Step")
    errors = [e.value for e in at.error]
    assert any("diverged at epoch 1" in e and "Lower the learning rate" in e for e in errors)
    assert not at.exception and run_of(at).boundary_png() == png


@pytest.mark.parametrize(
    "query",
    [
        {"batch": "10000"},
        {"h": "1"},
        {"h": ""},
        {"lr": "10"},
        {"n": "10"},
        {"n": "10000", "batch": "1"},
        {"data": "spiral", "k": "8", "n": "10"},
        {"test": "0"},
    ],
)
def test_extreme_settings_never_raise(query):
    at = click(page(**query), "Step")
    assert not at.exception
    if (
        query.get("k") == "8"
    ):  # 10 points cannot make 8 spiral arms: said, and the default data kept
        assert any("spiral" in e.value or "samples" in e.value for e in at.error)
    else:
        assert not at.error and run_of(at).epoch == 1


def test_lecture_mode_keeps_only_the_headline_controls():
    at = page(lecture="1")
    labels = {
        w.label
        for kind in (at.slider, at.select_slider, at.selectbox, at.number_input)
        for w in kind
    }
    assert labels == {"Hidden neurons", "Learning rate", "Preset"}
    assert any("font-size" in md.value for md in at.markdown)
    assert {b.label for b in at.button} == {"Play", "Step", "Reset"}  # no New init
    assert {b.label for b in at.button} >= {"Play", "Step", "Reset"}


def test_a_link_with_an_epoch_replays_to_it_bit_for_bit():
    """What a page reconnecting to another replica does: same seeds, same epoch, same weights."""
    stepped = page(h="16")
    for _ in range(3):
        stepped = click(stepped, "Step")
    assert stepped.query_params["epoch"] in ("3", ["3"])
    restored = page(h="16", epoch="3")
    assert run_of(restored).epoch == 3 and not restored.session_state[K.PLAYING]
    for a, b in zip(
        run_of(stepped).trainer.net.params, run_of(restored).trainer.net.params, strict=True
    ):
        np.testing.assert_array_equal(a, b)
    assert [m.value for m in restored.metric] == [m.value for m in stepped.metric]


def test_a_link_that_was_playing_plays_on():
    at = page(epoch="2", play="1")
    assert run_of(at).epoch >= 2 and at.session_state[K.PLAYING]  # restored, then a tick
    assert at.query_params["play"] in ("1", ["1"])


def test_a_bad_epoch_in_the_link_warns():
    at = page(epoch="-4")
    assert run_of(at).epoch == 0
    assert any("epoch='-4'" in w.value for w in at.warning)


def test_a_failure_while_drawing_shows_an_error_and_keeps_the_last_good_state(monkeypatch):
    import livechart

    real = livechart.live_chart

    def fragile_chart(**kwargs):  # breaks on noisy data, as a bug in a figure would
        if len(kwargs["points"]) and at.session_state[K.SETTINGS]["noise"] > 0.5:
            raise RuntimeError("the chart broke")
        return real(**kwargs)

    monkeypatch.setattr(livechart, "live_chart", fragile_chart)
    at = page()
    good = run_of(at)
    at = click(at, "Step")
    widget(at, "noise").set_value(0.9).run()
    assert not at.exception  # no traceback reaches the student
    assert any("the chart broke" in e.value and "last settings that worked" in e.value
               for e in at.error)  # fmt: skip
    assert widget(at, "noise").value == 0.1  # the control is back where it worked
    assert run_of(at) is good and run_of(at).epoch == 1  # the same network, not a new one
    at = click(at, "Step")  # and the page goes on working
    assert not at.exception and not at.error and run_of(at).epoch == 2


def test_no_input_feature_keeps_the_ones_the_network_had():
    at = page(f="x1,sin(x2)")
    before = run_of(at)
    widget(at, "features").set_value([]).run()
    assert not at.exception and "Choose at least one input feature" in at.warning[0].value
    assert run_of(at) is before and before.features == ("x1", "sin(x2)")


def test_the_colour_blind_palette_paints_the_boundary():
    import io

    from PIL import Image

    from scratchnet.plots import OKABE_ITO, boundary_rgba

    at = page(pal="okabe-ito")
    assert widget(at, "palette").value == "okabe-ito"
    run = run_of(at)
    assert tuple(run.colors) == OKABE_ITO
    shown = np.asarray(Image.open(io.BytesIO(run.boundary_png())).convert("RGBA"))
    np.testing.assert_array_equal(shown, boundary_rgba(run.probabilities(), 100, OKABE_ITO))
    widget(at, "palette").set_value("playground").run()
    assert run_of(at) is run and tuple(run.colors) != OKABE_ITO


def test_play_has_no_epoch_limit_by_default():
    at = page()
    assert run_of(at).epochs == NO_EPOCH_LIMIT
    assert any(m.label == "Epoch" and "No limit" in (m.help or "") for m in at.metric)


def test_more_than_two_classes_show_which_they_confuse():
    at = page(data="spiral", k="3")
    (expander,) = [e for e in at.expander if "confuses" in e.label]
    assert "epoch 0" in expander.label
    assert len(at.get("plotly_chart")) == 2  # train and test
    at = click(at, "Step")
    assert any("confuses (epoch 1)" in e.label for e in at.expander)
    two = page()  # two classes: accuracy says it all
    assert not [e for e in two.expander if "confuses" in e.label]


def test_the_run_can_be_taken_home():
    at = page()
    labels = sorted(b.label for b in at.download_button)
    assert labels == sorted(["Weights (JSON)", "Weights (.npz)", "History (CSV)", "Boundary (HTML)",
                      "Boundary picture (PNG)", "Python script", "Notebook"])  # fmt: skip
    lecture = page(lecture="1")
    assert not lecture.download_button  # a projector shows the network, not the files


# -- regression: TF Playground's second problem type -------------------------------------------
def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("dataset", ["plane", "multi-gaussian"])
def test_switching_to_regression_trains_on_each_of_its_data_sets(dataset):
    at = page()
    widget(at, "problem").set_value("regression").run()
    assert not at.exception and not at.error
    assert widget(at, "dataset").options == ["plane", "multi-gaussian", "Upload a CSV"]
    assert widget(at, "dataset").value == "plane"  # the problem's first data set
    if dataset != "plane":
        widget(at, "dataset").set_value(dataset).run()
    run = run_of(at)
    assert run.regression and run.trainer.net.output == "identity"
    assert at.session_state[K.DATA][0][0] == dataset
    assert list(metrics(at)) == [
        "Epoch", "Train loss (½ MSE)", "Test loss (½ MSE)", "Train R²", "Test R²",
    ]  # fmt: skip
    assert not [w for w in at.selectbox if w.label == "Output"]  # identity, said in a caption
    r2 = []
    for _ in range(3):
        at = click(at, "Step")
        assert not at.exception and not at.error
        r2.append(float(metrics(at)["Test R²"]))
    assert run_of(at) is run and run.epoch == 3
    assert r2[-1] == pytest.approx(run.history[-1]["test_r2"], abs=5e-4)
    if dataset == "plane":  # a plane is learnt in a few epochs: R² rises towards 1
        assert r2[0] < r2[-1] and r2[-1] > 0.9
    assert "number it predicts" in at.caption[0].value
    assert not [e for e in at.expander if "confuses" in e.label]


def test_the_link_keeps_the_problem_type():
    at = click(page(), "Step")
    widget(at, "problem").set_value("regression").run()
    assert at.query_params["problem"] in ("regression", ["regression"])
    assert at.query_params["data"] in ("plane", ["plane"])
    shared = page(problem="regression", data="multi-gaussian")
    assert widget(shared, "problem").value == "regression" and run_of(shared).regression
    assert shared.session_state[K.DATA][0][0] == "multi-gaussian"
    back = page(problem="regression", data="moons")  # no regression set: its first, said
    assert run_of(back).regression and back.session_state[K.DATA][0][0] == "plane"
    assert any("not a regression problem's" in w.value for w in back.warning)


def test_switching_back_to_classification_picks_the_moons():
    at = page(problem="regression")
    widget(at, "problem").set_value("classification").run()
    assert widget(at, "dataset").value == "moons" and not run_of(at).regression
    assert "Train accuracy" in metrics(at)


def csv_bytes(target: list[str], seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(len(target), 2))
    rows = (f"{a:.4f},{b:.4f},{t}" for (a, b), t in zip(X, target, strict=True))
    return ("x1,x2,target\n" + "\n".join(rows) + "\n").encode()


def with_csv(data: bytes, digest: str, **query) -> AppTest:
    """The page after a file was uploaded (what csv_widgets keeps), on a regression."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    for name, value in {"problem": "regression", "data": "csv", **query}.items():
        at.query_params[name] = value
    at.session_state[K.CSV] = {"name": "up.csv", "bytes": data, "digest": digest,
                               "columns": ["x1", "x2", "target"]}  # fmt: skip
    return at.run()


def upload_again(at, data: bytes, digest: str) -> AppTest:
    at.session_state[K.CSV] = {"name": "bad.csv", "bytes": data, "digest": digest,
                               "columns": ["x1", "x2", "target"]}  # fmt: skip
    return at.run()


def test_a_csv_with_a_numeric_target_trains_a_regression():
    values = [f"{v:.3f}" for v in np.linspace(-30, 50, 80)]
    at = with_csv(csv_bytes(values), "good")
    assert not at.exception and not at.error
    assert [w.label for w in at.selectbox if w.key == K.widget("csv_label")] == ["Target column"]
    run = run_of(at)
    assert run.regression and run.value_range == pytest.approx(np.abs(run.y_train).max())
    at = click(at, "Step")
    assert not at.exception and run_of(at).epoch == 1 and "Train R²" in metrics(at)


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        (["1.5"] * 79 + ["high"], "expected a number to predict, got 'high'"),
        (["1.5"] * 40 + ["nan"] + ["2.5"] * 39, "NaN"),
        (["3.25"] * 80, "same target value"),
    ],
)
def test_a_bad_csv_target_is_an_error_and_the_previous_data_stays(bad, why):
    at = with_csv(csv_bytes([f"{v:.2f}" for v in np.linspace(-1, 1, 80)]), "good")
    good, run = at.session_state[K.DATA], run_of(at)
    at = upload_again(at, csv_bytes(bad, seed=1), "bad")
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(why in e and "The previous data is kept." in e for e in errors), errors
    assert at.session_state[K.DATA] is good and run_of(at) is run
    at = click(at, "Step")  # and it trains on
    assert not at.exception and run_of(at).epoch == 1


def test_the_first_page_run_does_not_wait_for_scikit_learn():
    """A student's first page load runs the page's imports: scikit-learn (0.6 s here) is
    for the exports and the Experiments page, imported when those need it."""
    code = (
        "import sys; from streamlit.testing.v1 import AppTest; "
        f"AppTest.from_file({PAGE!r}, default_timeout=60).run(); "
        "print('sklearn' in sys.modules)"
    )
    root = str(Path(PAGE).parents[1])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=root, env={**os.environ, "PYTHONPATH": root},
                          timeout=120)  # fmt: skip
    assert done.stdout.strip().splitlines()[-1] == "False", done.stderr[-2000:]


def component_args(at, name: str) -> dict:
    """The arguments the page gave a component (``livechart`` or ``netview``) this run."""
    import json

    for element in at.get("component_instance"):
        if element.proto.component_name.endswith(name):
            return json.loads(element.proto.json_args)
    raise LookupError(name)


def test_the_timeline_shows_a_past_epoch_and_play_goes_on_from_the_newest():
    at = page(h="4")
    for _ in range(3):
        click(at, "Step")
    run = run_of(at)
    newest = run.trainer.net.flat_params.copy()
    (timeline,) = [s for s in at.slider if s.label.startswith("Timeline")]
    assert timeline.value == 3
    timeline.set_value(1).run()
    assert not at.exception and not at.error
    chart, view = component_args(at, "livechart"), component_args(at, "netview")
    assert chart["rewind"] == 1 and [r[0] for r in chart["rewind_rows"]] == [1]
    assert chart["step"] == run.history[0]["steps"] and view["rewound"]
    np.testing.assert_array_equal(view["net"]["weights"], run.weights_at(1))
    assert not np.array_equal(run.weights_at(1), newest)
    np.testing.assert_array_equal(run.trainer.net.flat_params, newest)  # the run is untouched
    click(at, "Step")  # goes on from the newest epoch, and the timeline is back at it
    assert run_of(at).epoch == 4 and K.REWIND not in at.session_state
    assert component_args(at, "livechart")["rewind"] is None


def test_a_pinned_run_stays_on_the_plots_labelled_with_what_differs():
    at = page(h="4")
    click(at, "Step")
    click(at, "Pin this run")
    widget(at, "learning_rate").set_value(0.3).run()
    for _ in range(2):
        click(at, "Step")
    assert not at.exception and not at.error
    pins = component_args(at, "livechart")["pins"]
    assert [p["label"] for p in pins] == ["lr 0.1 → 0.3"]
    assert [row[0] for row in pins[0]["rows"]] == [1, 2, 3]  # caught up to the live epoch
    (pinned,) = at.session_state[K.PINS]
    assert pinned["run"].epoch == 3 and pinned["run"].params["learning_rate"] == 0.1
    images = at.get("image")
    assert len(images) == 1 and "lr 0.1 → 0.3 (epoch 3)" in str(images[0].proto)  # its picture
    # in the link, and back from it in a new session
    # (older Streamlit's AppTest gives each parameter as a list)
    link = {k: v[-1] if isinstance(v, list) else v for k, v in dict(at.query_params).items()}
    assert link["pins"] == "h:4"
    opened = page(**link)
    assert [p["label"] for p in component_args(opened, "livechart")["pins"]] == ["lr 0.1 → 0.3"]
    # removed
    (remove,) = [b for b in at.button if b.label == "Remove"]
    remove.click().run()
    assert component_args(at, "livechart")["pins"] == [] and not at.session_state[K.PINS]


def test_at_most_three_pins():
    at = page(h="4")
    for _ in range(3):
        click(at, "Pin this run")
    (button,) = [b for b in at.button if b.label == "Pin this run"]
    assert button.disabled and len(at.session_state[K.PINS]) == 3
