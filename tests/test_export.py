"""scratchnet.export: weights to JSON and .npz and back, exactly, as a fitted estimator."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from scratchnet.datasets import make_dataset
from scratchnet.estimator import FeatureMap, ScratchNetClassifier, ScratchNetRegressor
from scratchnet.export import (
    history_csv,
    load_model,
    model_dict,
    read_model,
    to_json,
    to_npz,
)
from scratchnet.training import HISTORY_COLUMNS


def fitted_classifier():
    X, y = make_dataset("moons", 200, 0.1, seed=0)
    labels = np.array(["blue", "orange"])[y]
    features = ("x1", "x2", "x1^2")
    Z = FeatureMap(features).fit_transform(X)
    model = ScratchNetClassifier((5, 3), activation="tanh", epochs=3, random_state=1).fit(Z, labels)
    return model, Z, labels, features


def as_file(model, features, kind):
    d = model_dict(model._trainer.net, model.get_params(), features, model.classes_)
    return to_json(d) if kind == "json" else to_npz(d)


@pytest.mark.parametrize("kind", ["json", "npz"])
def test_a_classifier_comes_back_with_the_same_weights_and_classes(kind):
    model, Z, labels, features = fitted_classifier()
    loaded = load_model(as_file(model, features, kind))
    assert isinstance(loaded, ScratchNetClassifier)
    for a, b in zip(model.coefs_ + model.intercepts_, loaded.coefs_ + loaded.intercepts_,
                    strict=True):  # fmt: skip
        np.testing.assert_array_equal(a, b)  # bit for bit
    assert loaded.classes_.tolist() == ["blue", "orange"]
    np.testing.assert_array_equal(loaded.predict_proba(Z), model.predict_proba(Z))
    assert read_model(as_file(model, features, kind))["features"] == list(features)
    # and it trains on from them
    before = loaded.coefs_[0].copy()
    loaded.partial_fit(Z, labels)
    assert loaded.n_iter_ == 1 and not np.array_equal(loaded.coefs_[0], before)
    assert loaded.get_params()["hidden_layer_sizes"] == (5, 3)


def test_a_regressor_comes_back_too():
    X, y = make_dataset("plane", 150, 0.0, seed=2)
    model = ScratchNetRegressor((4,), epochs=2, random_state=0).fit(X, y)
    d = model_dict(model._trainer.net, model.get_params())
    loaded = load_model(to_json(d))
    assert isinstance(loaded, ScratchNetRegressor) and loaded.n_outputs_ == 1
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_a_file_path_loads(tmp_path):
    model, Z, _, features = fitted_classifier()
    path = tmp_path / "network.npz"
    path.write_bytes(as_file(model, features, "npz"))
    np.testing.assert_array_equal(load_model(path).predict(Z), model.predict(Z))
    json_path = tmp_path / "network.json"
    json_path.write_text(as_file(model, features, "json"))
    np.testing.assert_array_equal(load_model(str(json_path)).predict(Z), model.predict(Z))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.pop("format"), "not a scratchnet weights file"),
        (lambda d: d.update(version=99), "version 99"),
        (lambda d: d["coefs"][0].pop(), "shape its sizes say"),
    ],
)
def test_a_bad_file_is_named(change, message):
    model, _, _, features = fitted_classifier()
    d = json.loads(as_file(model, features, "json"))
    change(d)
    with pytest.raises(ValueError, match=message):
        load_model(json.dumps(d))


def test_bytes_that_are_no_weights_file_are_refused():
    with pytest.raises(ValueError, match="not a scratchnet weights file"):
        load_model(b"PK\x03\x04 not really a zip")


def test_the_history_as_csv_reads_back_exactly():
    model = fitted_classifier()[0]
    text = history_csv(model.history_, HISTORY_COLUMNS)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3 and list(rows[0]) == list(HISTORY_COLUMNS)
    for row, kept in zip(rows, model.history_, strict=True):
        assert float(row["train_loss"]) == kept["train_loss"]  # every bit
        assert row["test_loss"] == ""  # no test set: an empty cell
