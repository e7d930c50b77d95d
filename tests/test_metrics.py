"""scratchnet.metrics: the confusion matrix and per-class accuracy, worked out by hand."""

import numpy as np
import pytest

from scratchnet.metrics import confusion_matrix, per_class_accuracy


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
