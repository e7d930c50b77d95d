"""The Playground's settings table: URL round trips, bad links, presets, run identity."""

import pytest

from scratchnet.presets import PRESETS
from scratchnet.training import check_params
from ui.settings import (
    DEFAULTS,
    NO_EPOCH_LIMIT,
    SETTINGS,
    SPEEDS,
    URL_NAMES,
    classifier_params,
    from_query,
    preset_values,
    reset_signature,
    run_params,
    speed_label,
    speed_of,
    to_query,
)

CHANGED = {
    "problem": "regression", "dataset": "multi-gaussian", "n_samples": 500, "noise": 0.3,
    "classes": 3, "test_ratio": 0.5,
    "data_seed": 7, "hidden": (8, 4), "activation": "tanh", "output": "sigmoid", "init": "glorot",
    "init_seed": 3, "learning_rate": 0.03, "batch_size": 25, "epochs": 50, "optimizer": "adam",
    "penalty": "l2", "penalty_rate": 0.01, "shuffle_seed": 9, "show_test": False, "lecture": True,
    "features": ("x1", "x2", "x1^2", "sin(x2)"), "speed": "1e", "discrete": True,
    "palette": "okabe-ito",
}  # fmt: skip


def test_every_setting_has_a_changed_value_and_a_url_name():
    assert set(CHANGED) == set(DEFAULTS) == set(URL_NAMES)
    assert all(CHANGED[s.key] != s.default for s in SETTINGS)


def test_defaults_make_an_empty_query_and_back():
    assert to_query(DEFAULTS) == {}
    assert from_query({}) == (DEFAULTS, [])


def test_every_setting_round_trips_through_the_url():
    query = to_query(CHANGED)
    assert len(query) == len(CHANGED)
    values, warnings = from_query(query)
    assert warnings == [] and values == CHANGED


@pytest.mark.parametrize(
    ("query", "dataset", "warned"),
    [
        ({"problem": "regression"}, "plane", False),  # the problem's first data set
        ({"problem": "regression", "data": "multi-gaussian"}, "multi-gaussian", False),
        ({"problem": "regression", "data": "csv"}, "csv", False),  # a file serves both
        ({"problem": "regression", "data": "spiral"}, "plane", True),
        ({"data": "plane"}, "moons", True),  # a regression set in a classification
    ],
)
def test_the_data_set_fits_the_problem_type(query, dataset, warned):
    values, warnings = from_query(query)
    assert values["dataset"] == dataset
    assert bool(warnings) == warned
    if warned:
        assert "not a" in warnings[0] and f"using {dataset!r}" in warnings[0]


def test_a_regression_trains_the_identity_output():
    values = {**DEFAULTS, "problem": "regression", "dataset": "plane", "output": "sigmoid"}
    params = run_params(values, n_train=300)
    assert params["output"] == "identity"
    assert check_params(params, "regression")["output"] == "identity"
    assert run_params(DEFAULTS, n_train=300) == classifier_params(DEFAULTS, n_train=300)


def test_long_names_are_accepted_too():
    values, warnings = from_query({"learning_rate": "0.3", "hidden": "16"})
    assert warnings == [] and values["learning_rate"] == 0.3 and values["hidden"] == (16,)


@pytest.mark.parametrize(
    ("name", "text", "why"),
    [
        ("lr", "fast", "expected a number from 1e-05 to 10"),
        ("lr", "100", "expected a number from 1e-05 to 10"),
        ("lr", "nan", "expected a number"),
        ("n", "3", "expected a whole number from 10 to 10000"),
        ("n", "1.5", "expected a whole number"),
        ("h", "8,x", "expected up to 6 layer sizes from 1 to 128"),
        ("h", "1,2,3,4,5,6,7", "expected up to 6 layer sizes"),
        ("h", "500", "expected up to 6 layer sizes from 1 to 128"),
        ("act", "swish", "expected one of relu"),
        ("data", "mnist", "expected one of moons, circles"),
        ("lecture", "maybe", "expected 1 or 0"),
    ],
)
def test_nonsense_falls_back_to_the_default_with_a_warning(name, text, why):
    values, warnings = from_query({name: text, "epochs": "30"})
    assert values == {**DEFAULTS, "epochs": 30}
    assert len(warnings) == 1 and f"{name}={text!r}" in warnings[0] and why in warnings[0]
    assert "using the default" in warnings[0]


def test_unknown_parameters_are_named():
    _, warnings = from_query({"colour": "red"})
    assert warnings == ["Ignored the unknown link parameter 'colour'."]


@pytest.mark.parametrize(
    "typo, meant", [("hiden", "hidden"), ("epoc", "epoch"), ("lr_", "lr"), ("datset", "dataset")]
)
def test_a_typo_names_the_parameter_it_was_meant_to_be(typo, meant):
    values, warnings = from_query({typo: "8"})
    assert values == DEFAULTS
    assert warnings == [f"Ignored the unknown link parameter {typo!r}. Did you mean {meant!r}?"]


@pytest.mark.parametrize(
    "name", ["utm_source", "utm_medium", "UTM_Campaign", "fbclid", "gclid", "msclkid", "igshid"]
)
def test_what_sharing_tools_add_to_links_is_ignored_silently(name):
    values, warnings = from_query({name: "chat", "lr": "0.3"})
    assert warnings == [] and values == {**DEFAULTS, "learning_rate": 0.3}


def test_zero_hidden_layers_in_the_url():
    values, warnings = from_query({"h": ""})
    assert warnings == [] and values["hidden"] == ()
    assert to_query(values) == {"h": ""}


def test_classifier_params_are_valid_and_clamp_the_batch():
    params = classifier_params({**CHANGED, "batch_size": 10_000}, n_train=300)
    check_params(params)
    assert params["batch_size"] == 300 and params["l2"] == 0.01 and params["l1"] == 0.0
    assert params["random_state"] == 3 and params["shuffle_seed"] == 9


def test_only_structural_settings_reset_the_run():
    base = reset_signature(DEFAULTS)
    for key in ("learning_rate", "epochs", "show_test", "lecture", "speed", "discrete", "palette"):
        assert reset_signature({**DEFAULTS, key: CHANGED[key]}) == base
    for key in ("hidden", "activation", "init_seed", "shuffle_seed", "batch_size", "noise",
                "features"):  # fmt: skip
        assert reset_signature({**DEFAULTS, key: CHANGED[key]}) != base


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_become_settings_that_train_the_preset(name):
    values = preset_values(name)
    preset = PRESETS[name]
    assert all(
        values[k] == preset["data"][k] for k in ("dataset", "n_samples", "noise", "data_seed")
    )
    params = classifier_params(values, n_train=10_000)
    for key, value in preset["params"].items():
        if key != "batch_size" or value != "full":
            assert params[key] == value, key
    assert from_query(to_query(values)) == (values, [])


def test_unknown_preset():
    with pytest.raises(ValueError, match="Unknown preset 'x'"):
        preset_values("x")


def test_input_features_in_the_link():
    values, warnings = from_query({"f": "x1^2,x2^2"})
    assert warnings == [] and values["features"] == ("x1^2", "x2^2")
    assert to_query(values) == {"f": "x1^2,x2^2"}
    values, warnings = from_query({"f": "x1,cos(x1)"})
    assert values["features"] == ("x1", "x2") and "Unknown input feature 'cos(x1)'" in warnings[0]
    _, warnings = from_query({"f": ""})
    assert "expected input features from x1, x2, x1^2" in warnings[0]


def test_no_epoch_limit_by_default():
    assert DEFAULTS["epochs"] == 0
    assert classifier_params(DEFAULTS, 900)["epochs"] == NO_EPOCH_LIMIT
    assert classifier_params({**DEFAULTS, "epochs": 30}, 900)["epochs"] == 30
    check_params(classifier_params(DEFAULTS, 900))


@pytest.mark.parametrize(
    "code, keywords, label",
    [("1s", {"steps": 1}, "1 step a frame"), ("30s", {"steps": 30}, "30 steps a frame"),
     ("1e", {"epochs": 1}, "1 epoch a frame"), ("10e", {"epochs": 10}, "10 epochs a frame")],
)  # fmt: skip
def test_speeds(code, keywords, label):
    assert code in SPEEDS and speed_of(code) == keywords and speed_label(code) == label
