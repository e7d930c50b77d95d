"""scratchnet.features and the FeatureMap transformer: TensorFlow Playground's inputs."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from scratchnet import FeatureMap, ScratchNetClassifier, make_dataset, split
from scratchnet.features import FEATURES, LABELS, PLAIN, check_features, feature_map

POINTS = np.array([[0.5, -2.0], [3.0, 0.25], [-1.5, 1.5]])
x1, x2 = POINTS[:, 0], POINTS[:, 1]
EXPECTED = {  # written out here, not taken from the table under test
    "x1": x1,
    "x2": x2,
    "x1^2": x1 * x1,
    "x2^2": x2 * x2,
    "x1*x2": x1 * x2,
    "sin(x1)": np.sin(x1),
    "sin(x2)": np.sin(x2),
}


def test_the_table_has_tensorflow_playgrounds_seven_features():
    assert list(FEATURES) == list(EXPECTED) == list(LABELS)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_feature_is_its_formula(name):
    np.testing.assert_array_equal(feature_map(POINTS, [name])[:, 0], EXPECTED[name])


def test_columns_come_in_the_tables_order():
    out = feature_map(POINTS, ["sin(x2)", "x1", "x1*x2"])
    np.testing.assert_array_equal(out, np.column_stack([x1, x1 * x2, np.sin(x2)]))
    assert check_features(["sin(x2)", "x1"]) == ("x1", "sin(x2)")


def test_the_plain_map_is_the_points_themselves():
    np.testing.assert_array_equal(feature_map(POINTS), POINTS)
    assert feature_map(POINTS, PLAIN).shape == (3, 2)


@pytest.mark.parametrize(
    "features, match",
    [
        (["x3"], r"Unknown input feature 'x3'\. Choose from x1, x2, x1\^2"),
        ([], "Choose at least one input feature"),
        (["x1", "x1"], "may be chosen once"),
        (42, "must be a list of names"),
    ],
)
def test_bad_feature_names_say_what_is_valid(features, match):
    with pytest.raises(ValueError, match=match):
        feature_map(POINTS, features)


def test_features_need_two_coordinates():
    with pytest.raises(ValueError, match=r"shape \(n_samples, 2\)\. Got \(3, 3\)"):
        feature_map(np.ones((3, 3)), ["x1"])


def circles():
    X, y = make_dataset("circles", 1000, 0.1, seed=0)
    return split(X, y, 0.25, 0)


def no_hidden_layer(features) -> Pipeline:
    net = ScratchNetClassifier(hidden_layer_sizes=(), epochs=50, batch_size=10, random_state=0)
    return Pipeline([("features", FeatureMap(features)), ("net", net)])


def test_circles_need_no_hidden_layer_with_squared_inputs():
    X_train, X_test, y_train, y_test = circles()
    squared = no_hidden_layer(("x1^2", "x2^2")).fit(X_train, y_train)
    plain = no_hidden_layer(PLAIN).fit(X_train, y_train)
    assert squared.score(X_test, y_test) >= 0.95  # a circle is one cut in (x1², x2²)
    assert plain.score(X_test, y_test) < 0.75  # and no straight cut in (x1, x2) finds it


def test_feature_map_is_a_scikit_learn_transformer():
    X_train, _, y_train, _ = circles()
    fm = FeatureMap(["x1*x2", "x1"]).fit(X_train)
    assert fm.features_ == ("x1", "x1*x2") and fm.n_features_in_ == 2
    assert list(fm.get_feature_names_out()) == ["x1", "x1*x2"]
    np.testing.assert_array_equal(fm.transform(POINTS), np.column_stack([x1, x1 * x2]))
    assert clone(fm).get_params() == {"features": ["x1*x2", "x1"]}
    search = GridSearchCV(
        no_hidden_layer(PLAIN), {"features__features": [PLAIN, ("x1^2", "x2^2")]}, cv=2
    ).fit(X_train, y_train)
    assert search.best_params_ == {"features__features": ("x1^2", "x2^2")}


def test_feature_map_refuses_bad_input_clearly():
    with pytest.raises(ValueError, match="needs 2 columns"):
        FeatureMap().fit(np.ones((4, 3)))
    with pytest.raises(ValueError, match="Unknown input feature"):
        FeatureMap(["cos(x1)"]).fit(POINTS)
    with pytest.raises(ValueError, match="features"):
        FeatureMap().fit(POINTS).transform(np.ones((2, 3)))
