"""The presets reproduce the two write-ups and teach what they say they teach."""

import numpy as np
import pytest

from scratchnet import ScratchNetClassifier, make_dataset, split
from scratchnet.presets import BLOG_ACCURACY, PRESETS, preset_data
from scratchnet.training import Trainer, check_params


def fitted(name, seed=0, **overrides):
    X_train, X_test, y_train, y_test = preset_data(name)
    params = {**PRESETS[name]["params"], **overrides}
    clf = ScratchNetClassifier(**params, random_state=seed)
    return clf.fit(X_train, y_train, X_test, y_test), X_test, y_test


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_is_complete_and_valid(name):
    preset = PRESETS[name]
    assert preset["description"] and check_params(preset["params"])
    assert set(preset["data"]) == {"dataset", "n_samples", "noise", "test_ratio", "data_seed"}


def test_blog_data_is_the_blogs():
    from sklearn.datasets import make_moons
    from sklearn.model_selection import train_test_split

    X, y = make_moons(n_samples=5000, random_state=42, noise=0.1)
    expected = train_test_split(X, y, random_state=42)
    for ours, theirs in zip(preset_data("moons-blog"), expected, strict=True):
        np.testing.assert_array_equal(ours, theirs)


def test_moons_blog_reproduces_the_published_accuracy():
    """The blog: 0.94541 mean (std 0.0196) over 100 runs. Ours over 20 seeds: within 0.02."""
    accuracies = [fitted("moons-blog", seed)[0].history_[-1]["test_acc"] for seed in range(20)]
    mean, std = np.mean(accuracies), np.std(accuracies)
    assert abs(mean - BLOG_ACCURACY[0]) < 0.02
    assert 0.005 < std < 0.05  # the run-to-run spread the blog reports, not a fluke


def test_blog_update_rule_is_a_learning_rate_on_the_mean_gradient():
    """The blog adds 1e-4 * (sum over a batch of 10 of label - softmax) to every weight."""
    X_train, _, y_train, _ = preset_data("moons-blog")
    X, y = X_train[:10], y_train[:10]
    params = {**PRESETS["moons-blog"]["params"], "random_state": 0}
    net = Trainer.from_params(params, 2, 2).net  # the same initial weights the estimator draws
    w1, w2 = net.coefs
    c1, c2 = net.intercepts
    clf = ScratchNetClassifier(**params).partial_fit(X, y)  # one epoch = one batch of 10
    # The blog's backward, as written there (sums over the batch, plus signs).
    z1 = np.maximum(X @ w1 + c1, 0)
    z2 = np.exp(z1 @ w2 + c2)
    z2 /= z2.sum(axis=1, keepdims=True)
    d2 = np.eye(2)[y] - z2
    d1 = d2 @ w2.T
    d1[z1 <= 0] = 0
    expected = [
        w1 + 1e-4 * X.T @ d1,
        w2 + 1e-4 * z1.T @ d2,
        c1 + 1e-4 * d1.sum(0),
        c2 + 1e-4 * d2.sum(0),
    ]
    for ours, blog in zip(clf.coefs_ + clf.intercepts_, expected, strict=True):
        np.testing.assert_allclose(ours, blog, rtol=0, atol=1e-13)


def test_good_default_reaches_99_percent_in_10_epochs():
    clf, X_test, y_test = fitted("good-default")
    assert clf.n_iter_ == 10 and clf.score(X_test, y_test) >= 0.99


def test_tutorial_network_learns_with_a_correct_backward():
    clf, X_test, y_test = fitted("tutorial-2-5-1", seed=1)
    assert clf.coefs_[0].shape == (2, 5) and clf.coefs_[1].shape == (5, 1)
    assert clf.history_[-1]["train_loss"] < 0.5 * clf.history_[0]["train_loss"]
    assert clf.score(X_test, y_test) > 0.9


def test_diverging_preset_diverges_and_a_lower_rate_learns():
    with pytest.warns(UserWarning, match="diverged at epoch 1"):
        clf, _, _ = fitted("diverging")
    assert clf.n_iter_ == 0
    fixed, X_test, y_test = fitted("diverging", learning_rate=0.1, epochs=5)
    assert fixed.diverged_ is None and fixed.score(X_test, y_test) > 0.95


def test_too_small_for_spiral_cannot_fit_and_more_neurons_can():
    small, X_test, y_test = fitted("too-small-for-spiral")
    big, _, _ = fitted(
        "too-small-for-spiral",
        hidden_layer_sizes=(32, 32),
        activation="relu",
        init="he",
        epochs=300,
    )
    assert small.score(X_test, y_test) < 0.75 < 0.85 < big.score(X_test, y_test)


def test_overfitting_preset_overfits():
    clf, _, _ = fitted("overfitting")
    test_loss = [row["test_loss"] for row in clf.history_]
    assert clf.history_[-1]["train_acc"] == 1.0
    assert test_loss[-1] > 2 * min(test_loss)  # the test loss turned up
    assert clf.history_[-1]["train_loss"] < 0.1 * min(test_loss)


def test_preset_data_refuses_unknown_names():
    with pytest.raises(ValueError, match=r"Unknown preset 'nope'\. Choose one of good-default"):
        preset_data("nope")


def test_presets_use_the_public_dataset_functions():
    d = PRESETS["too-small-for-spiral"]["data"]
    X, y = make_dataset(d["dataset"], d["n_samples"], d["noise"], d["data_seed"])
    for ours, expected in zip(
        preset_data("too-small-for-spiral"),
        split(X, y, d["test_ratio"], d["data_seed"]),
        strict=True,
    ):
        np.testing.assert_array_equal(ours, expected)
