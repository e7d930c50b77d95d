"""scratchnet.metrics: the confusion matrix and per-class accuracy, worked out by hand; R²."""

import numpy as np
import pytest

from scratchnet.metrics import confusion_matrix, per_class_accuracy, r2_score


def test_confusion_matrix_counts_true_rows_against_predicted_columns():
    y_true = [0, 0, 0, 1, 1, 2, 2, 2, 2]
    y_pred = [0, 1, 0, 1, 1, 2, 0, 2, 1]
    expected = [[2, 1, 0],  # class 0: twice right, once taken for 1
                [0, 2, 0],
                [1, 1, 2]]  # fmt: skip
    C = confusion_matrix(y_true, y_pred, 3)
    np.testing.assert_array_equal(C, expected)
    assert C.dtype == np.int64
    np.testing.assert_allclose(per_class_accuracy(C), [2 / 3, 1.0, 0.5])


def test_a_class_without_samples_has_no_accuracy():
    C = confusion_matrix([0, 0, 1], [0, 1, 1], 3)
    assert C[2].sum() == 0 and np.isnan(per_class_accuracy(C)[2])


@pytest.mark.parametrize(
    "y_true, y_pred, match",
    [([0, 1], [0], "same length"), ([0, 3], [0, 1], r"y_true .* outside 0\.\.2"),
     ([0, 1], [0, -1], r"y_pred .* outside 0\.\.2")],
)  # fmt: skip
def test_bad_labels_are_refused(y_true, y_pred, match):
    with pytest.raises(ValueError, match=match):
        confusion_matrix(y_true, y_pred, 3)


def test_r2_by_hand():
    assert r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]) == 1.0
    assert r2_score([1.0, 2.0, 3.0], [2.0, 2.0, 2.0]) == 0.0  # the mean explains nothing
    assert r2_score([1.0, 2.0, 3.0], [1.0, 1.0, 4.0]) == pytest.approx(1 - 2 / 2)
    assert r2_score([[1.0, 5.0], [3.0, 5.0]], [[1.0, 5.0], [3.0, 4.0]]) == 0.5  # 1 and 0


@pytest.mark.parametrize("shape", [(30,), (30, 1), (30, 3)])
def test_r2_equals_scikit_learns(shape):
    from sklearn.metrics import r2_score as sklearn_r2

    rng = np.random.default_rng(6)
    Y = rng.normal(size=shape)
    P = Y + rng.normal(scale=0.7, size=shape)
    if len(shape) == 2 and shape[1] == 3:
        Y[:, 2] = 4.0  # a constant target, badly predicted: 0, as scikit-learn says
    assert r2_score(Y, P) == pytest.approx(sklearn_r2(Y, P), rel=1e-13)


def test_r2_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="same shape"):
        r2_score(np.zeros(3), np.zeros((3, 2)))
