"""Tests for scratchnet.datasets: toy datasets, split, standardize and CSV loading."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_circles, make_moons
from sklearn.model_selection import train_test_split

from scratchnet.datasets import (
    CIRCLES_FACTOR,
    DATASETS,
    DEFAULT_NOISE,
    GAUSSIAN_CENTER,
    MAX_CSV_ROWS,
    REGRESSION_DATASETS,
    SPIRAL_TURNS,
    CSVInfo,
    guess_label_column,
    load_csv,
    load_regression_csv,
    make_dataset,
    read_csv_columns,
    split,
    standardize,
)

# --------------------------------------------------------------------------- make_dataset


def test_moons_is_exactly_sklearn_make_moons():
    X, y = make_dataset("moons", 5000, 0.1, 42)
    X_ref, y_ref = make_moons(5000, noise=0.1, random_state=42)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert X.tobytes() == X_ref.tobytes()
    assert np.array_equal(y, y_ref)


def test_circles_is_sklearn_make_circles():
    X, y = make_dataset("circles", 777, 0.07, 3)
    X_ref, y_ref = make_circles(777, noise=0.07, factor=CIRCLES_FACTOR, random_state=3)
    assert X.tobytes() == X_ref.tobytes()
    assert np.array_equal(y, y_ref)


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("n_samples", [10, 101, 1000])
def test_shapes_dtypes_and_balanced_classes(name, n_samples):
    X, y = make_dataset(name, n_samples, seed=0)
    assert X.shape == (n_samples, 2) and X.dtype == np.float64
    assert y.shape == (n_samples,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == 2
    assert counts.max() - counts.min() <= 1
    assert np.any(np.diff(y) < 0), "rows should be shuffled, not grouped by class"


@pytest.mark.parametrize("name", DATASETS)
def test_same_seed_same_bits_other_seed_other_data(name):
    X1, y1 = make_dataset(name, 300, 0.1, seed=7)
    X2, y2 = make_dataset(name, 300, 0.1, seed=7)
    X3, _ = make_dataset(name, 300, 0.1, seed=8)
    assert X1.tobytes() == X2.tobytes()
    assert np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", DATASETS)
def test_no_global_rng_is_used_or_touched(name):
    # the legacy global generator is used on purpose here: to show make_dataset ignores it
    np.random.seed(0)  # noqa: NPY002
    X1, _ = make_dataset(name, 200, seed=5)
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    np.random.seed(1)  # noqa: NPY002
    X2, _ = make_dataset(name, 200, seed=5)
    np.random.seed(0)  # noqa: NPY002
    make_dataset(name, 200, seed=5)
    assert np.array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    assert np.array_equal(X1, X2)


@pytest.mark.parametrize("name", DATASETS)
def test_noise_none_means_the_default_noise(name):
    X_default, _ = make_dataset(name, 200, seed=1)
    X_explicit, _ = make_dataset(name, 200, DEFAULT_NOISE[name], seed=1)
    assert np.array_equal(X_default, X_explicit)


@pytest.mark.parametrize("name", DATASETS)
def test_all_datasets_share_one_plot_extent(name):
    X, _ = make_dataset(name, 5000, seed=2)
    assert np.abs(X).max() < 3.0
    assert np.quantile(np.abs(X), 0.99) <= 2.25  # moons reach x = 2 by construction


def test_xor_label_is_the_sign_rule_without_noise():
    X, y = make_dataset("xor", 2000, 0.0, seed=3)
    product = X[:, 0] * X[:, 1]
    assert np.all(product != 0)
    assert np.all(np.abs(X) <= 1.0)
    assert np.array_equal(y, (product < 0).astype(np.int64))
    # all four quadrants are used
    assert len({(a, b) for a, b in np.sign(X).astype(int)}) == 4


@pytest.mark.parametrize("name", ["xor", "spiral"])
def test_noise_is_gaussian_with_that_standard_deviation(name):
    X_clean, y_clean = make_dataset(name, 4000, 0.0, seed=4)
    X_noisy, y_noisy = make_dataset(name, 4000, 0.3, seed=4)
    assert np.array_equal(y_clean, y_noisy)
    assert np.std(X_noisy - X_clean) == pytest.approx(0.3, rel=0.05)


def test_gaussian_blobs_sit_at_their_centres_with_std_noise():
    X, y = make_dataset("gaussian", 20000, 0.3, seed=5)
    c = GAUSSIAN_CENTER
    assert np.allclose(X[y == 0].mean(axis=0), [-c, -c], atol=0.02)
    assert np.allclose(X[y == 1].mean(axis=0), [c, c], atol=0.02)
    assert np.allclose(X[y == 0].std(axis=0), 0.3, atol=0.02)
    X0, y0 = make_dataset("gaussian", 50, 0.0, seed=5)
    assert np.array_equal(X0, np.where(y0[:, None] == 0, -c, c) * np.ones((50, 2)))


def test_circles_radii_without_noise():
    X, y = make_dataset("circles", 400, 0.0, seed=6)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert np.allclose(radius[y == 0], 1.0)
    assert np.allclose(radius[y == 1], CIRCLES_FACTOR)


@pytest.mark.parametrize("k", [2, 3, 5, 7])
def test_spiral_has_k_balanced_classes_on_k_arms(k):
    n = 1000
    X, y = make_dataset("spiral", n, 0.0, seed=9, n_classes=k)
    counts = np.bincount(y)
    assert len(counts) == k
    assert counts.max() - counts.min() <= 1
    assert counts.sum() == n
    # without noise a point of class j at radius r has angle 2*pi*(j/k + turns*r)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.max() <= 1.0
    turns = np.arctan2(X[:, 1], X[:, 0]) / (2 * np.pi)
    offset = (turns - SPIRAL_TURNS * radius - y / k) % 1.0
    assert np.all(np.minimum(offset, 1.0 - offset) < 1e-9)


def test_spiral_default_has_two_arms():
    _, y = make_dataset("spiral", 100, seed=0)
    assert set(np.unique(y)) == {0, 1}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "banana"}, "Unknown dataset 'banana'. Choose one of: moons, circles, xor"),
        ({"name": "Moons"}, "Unknown dataset 'Moons'"),
        ({"n_samples": 9}, "n_samples must be between 10 and 100,000. Got 9"),
        ({"n_samples": 100_001}, "n_samples must be between 10 and 100,000"),
        ({"noise": -0.1}, "noise must be a finite number between 0 and"),
        ({"noise": float("nan")}, "noise must be a finite number"),
        ({"noise": float("inf")}, "noise must be a finite number"),
        ({"seed": -1}, "seed must be between 0 and"),
        ({"seed": 2**32}, "seed must be between 0 and"),
        ({"n_classes": 3}, "The 'moons' dataset always has 2 classes; only 'spiral'"),
        ({"name": "xor", "n_classes": 4}, "only 'spiral' accepts n_classes other than 2"),
        ({"name": "spiral", "n_classes": 1}, "n_classes must be >= 2. Got 1"),
        (
            {"name": "spiral", "n_samples": 10, "n_classes": 6},
            "A spiral with 6 classes needs at least 12 samples",
        ),
    ],
)
def test_make_dataset_rejects_bad_arguments(kwargs, match):
    arguments = {"name": "moons", "n_samples": 100, "noise": 0.1, "seed": 0} | kwargs
    with pytest.raises(ValueError, match=match):
        make_dataset(**arguments)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_samples": 100.0}, "n_samples must be a whole number"),
        ({"n_samples": True}, "n_samples must be a whole number"),
        ({"noise": "0.1"}, "noise must be a number"),
        ({"seed": 1.5}, "seed must be a whole number"),
    ],
)
def test_make_dataset_rejects_wrong_types(kwargs, match):
    with pytest.raises(TypeError, match=match):
        make_dataset("moons", **({"n_samples": 100} | kwargs))


def test_make_dataset_accepts_numpy_integers():
    X, _ = make_dataset("spiral", np.int64(50), np.float32(0.1), np.int32(3), np.int64(3))
    assert X.shape == (50, 2)


# --------------------------------------------------------------------------- split


@pytest.mark.parametrize("n", [10, 11, 101, 1250, 5000])
@pytest.mark.parametrize("seed", [0, 1, 42, 2**32 - 1])
@pytest.mark.parametrize("noise", [0.0, 0.1, 0.7])
def test_ports_equal_scikit_learn_bit_for_bit(n, seed, noise):
    """moons, circles and split are NumPy ports (no scikit-learn import at start-up)."""
    for name, reference in (
        ("moons", make_moons(n, noise=noise, random_state=seed)),
        ("circles", make_circles(n, noise=noise, factor=CIRCLES_FACTOR, random_state=seed)),
    ):
        X, y = make_dataset(name, n, noise, seed)
        np.testing.assert_array_equal(X, reference[0])
        np.testing.assert_array_equal(y, reference[1])
    for ratio in (0.1, 0.25, 0.5):
        ours = split(X, y, ratio, seed)
        theirs = train_test_split(X, y, test_size=ratio, random_state=seed)
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_array_equal(a, b)


def test_split_defaults_are_the_blog_split():
    X, y = make_dataset("moons", 5000, 0.1, 42)
    ours = split(X, y)
    reference = train_test_split(X, y, random_state=42)
    assert len(ours) == 4
    for a, b in zip(ours, reference, strict=True):
        assert a.dtype == b.dtype
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize(("ratio", "seed"), [(0.1, 0), (0.3, 7), (0.5, 123)])
def test_split_matches_train_test_split(ratio, seed):
    X, y = make_dataset("spiral", 333, seed=1, n_classes=3)
    ours = split(X, y, test_ratio=ratio, seed=seed)
    reference = train_test_split(X, y, test_size=ratio, random_state=seed)
    for a, b in zip(ours, reference, strict=True):
        assert np.array_equal(a, b)
    assert len(ours[1]) == math.ceil(ratio * 333)


def test_split_ratio_zero_means_no_test_set():
    X, y = make_dataset("xor", 50, seed=2)
    X_train, X_test, y_train, y_test = split(X, y, test_ratio=0.0)
    assert np.array_equal(X_train, X) and np.array_equal(y_train, y)
    assert X_train is not X
    assert X_test.shape == (0, 2) and X_test.dtype == np.float64
    assert y_test.shape == (0,) and y_test.dtype == np.int64


def test_split_may_leave_exactly_two_training_samples():
    X, y = make_dataset("moons", 10, seed=0)
    X_train, X_test, _, _ = split(X, y, test_ratio=0.8)
    assert len(X_train) == 2 and len(X_test) == 8


@pytest.mark.parametrize(
    ("X", "y", "kwargs", "match"),
    [
        (np.zeros((10, 2)), np.zeros(10), {"test_ratio": 1.0}, "test_ratio must be at least 0"),
        (np.zeros((10, 2)), np.zeros(10), {"test_ratio": -0.1}, "test_ratio must be at least 0"),
        (np.zeros((10, 2)), np.zeros(10), {"test_ratio": float("nan")}, "test_ratio must be"),
        (np.zeros((10, 2)), np.zeros(10), {"test_ratio": 0.85}, "leaves 1 training sample"),
        (np.zeros((1, 2)), np.zeros(1), {"test_ratio": 0.0}, "leaves 1 training sample"),
        (np.zeros((10, 2)), np.zeros(10), {"seed": -3}, "seed must be between 0"),
        (np.zeros(10), np.zeros(10), {}, "X must be a 2-D array"),
        (np.zeros((10, 2)), np.zeros((10, 1)), {}, "y must be a 1-D array"),
        (np.zeros((10, 2)), np.zeros(9), {}, "same number of rows. Got 10 and 9"),
    ],
)
def test_split_rejects_bad_arguments(X, y, kwargs, match):
    with pytest.raises(ValueError, match=match):
        split(X, y, **kwargs)


# --------------------------------------------------------------------------- standardize


def test_standardize_fits_on_train_only():
    rng = np.random.default_rng(0)
    X_train = rng.normal(3.0, 2.0, size=(200, 2))
    X_test = rng.normal(-5.0, 9.0, size=(50, 2))
    X_train_s, X_test_s, mean, scale = standardize(X_train, X_test)
    assert np.allclose(X_train_s.mean(axis=0), 0.0)
    assert np.allclose(X_train_s.std(axis=0), 1.0)
    assert np.array_equal(mean, X_train.mean(axis=0))
    assert np.array_equal(scale, X_train.std(axis=0))
    assert np.allclose(X_test_s, (X_test - X_train.mean(axis=0)) / X_train.std(axis=0))
    assert X_train_s.shape == (200, 2) and X_test_s.shape == (50, 2)


def test_standardize_constant_column_gets_scale_one():
    X_train = np.column_stack([np.full(7, 0.1), np.arange(7.0)])
    X_test = np.array([[0.1, 3.0], [1.1, 0.0]])
    X_train_s, X_test_s, mean, scale = standardize(X_train, X_test)
    assert scale[0] == 1.0
    assert mean[0] == 0.1
    assert np.all(X_train_s[:, 0] == 0.0)
    assert np.allclose(X_test_s[:, 0], [0.0, 1.0])
    assert np.isfinite(X_train_s).all()


def test_standardize_without_test_set_and_with_empty_test_set():
    X_train = np.array([[1.0, 2.0], [3.0, 6.0]])
    _, X_test_s, _, _ = standardize(X_train)
    assert X_test_s is None
    _, X_test_s, _, _ = standardize(X_train, np.zeros((0, 2)))
    assert X_test_s.shape == (0, 2)


@pytest.mark.parametrize(
    ("X_train", "X_test", "match"),
    [
        (np.zeros((0, 2)), None, "X_train must be a 2-D array with at least one row"),
        (np.zeros(5), None, "X_train must be a 2-D array"),
        (np.array([[1.0, np.nan], [2.0, 3.0]]), None, "NaN or infinite"),
        (np.ones((3, 2)), np.ones((3, 3)), "X_test must be a 2-D array with 2 columns"),
    ],
)
def test_standardize_rejects_bad_arrays(X_train, X_test, match):
    with pytest.raises(ValueError, match=match):
        standardize(X_train, X_test)


# --------------------------------------------------------------------------- CSV loading


def _as_source(kind: str, data: bytes, tmp_path: Path):
    """The same CSV bytes as bytes, a binary file object, a text file object or a path."""
    if kind == "bytes":
        return data
    if kind == "bytesio":
        return io.BytesIO(data)
    if kind == "stringio":
        return io.StringIO(data.decode("utf-8"))
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    return str(path) if kind == "str" else path


SIMPLE = b"x1,x2,label\n1.5,2,0\n-3,4e-1,1\n5,6,1\n"


@pytest.mark.parametrize("kind", ["bytes", "bytesio", "stringio", "str", "path"])
def test_load_csv_from_every_kind_of_source(kind, tmp_path):
    X, y, info = load_csv(_as_source(kind, SIMPLE, tmp_path), return_info=True)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert np.array_equal(X, [[1.5, 2.0], [-3.0, 0.4], [5.0, 6.0]])
    assert np.array_equal(y, [0, 1, 1])
    assert info == CSVInfo(
        feature_names=("x1", "x2"),
        label_name="label",
        classes=("0", "1"),
        columns=("x1", "x2", "label"),
        has_header=True,
        delimiter=",",
    )


def test_load_csv_without_return_info_gives_two_arrays():
    result = load_csv(SIMPLE)
    assert len(result) == 2


def test_an_uploaded_file_can_be_read_twice():
    upload = io.BytesIO(SIMPLE)
    assert read_csv_columns(upload) == ["x1", "x2", "label"]
    X, _ = load_csv(upload)
    assert X.shape == (3, 2)


def test_csv_without_header_gets_generated_names():
    data = b"1,2,3,0\n4,5,6,1\n"
    assert read_csv_columns(data) == ["x1", "x2", "x3", "label"]
    X, y, info = load_csv(data, return_info=True)
    assert not info.has_header
    assert np.array_equal(X, [[1, 2, 3], [4, 5, 6]])
    assert np.array_equal(y, [0, 1])


def test_header_and_no_header_give_the_same_data():
    rows = b"0.5,1,cat\n2,3,dog\n4,5,cat\n"
    X1, y1 = load_csv(rows)
    X2, y2 = load_csv(b"a,b,animal\n" + rows)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)


def test_header_with_numeric_names_is_found_by_its_label_name():
    _, y, info = load_csv(b"1,2,Class\n3,4,cat\n5,6,dog\n", return_info=True)
    assert info.has_header and info.columns == ("1", "2", "Class")
    assert info.classes == ("cat", "dog") and np.array_equal(y, [0, 1])


def test_utf8_bom_is_accepted():
    X1, y1 = load_csv(SIMPLE)
    X2, y2, info2 = load_csv(b"\xef\xbb\xbf" + SIMPLE, return_info=True)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert info2.columns == ("x1", "x2", "label")
    _, _, info3 = load_csv(io.StringIO("\ufeff" + SIMPLE.decode()), return_info=True)
    assert info3.columns[0] == "x1"


def test_semicolons_and_decimal_commas():
    X, y, info = load_csv(b"x1;x2;label\n1,5;2;0\n-3;0,25;1\n", return_info=True)
    assert info.delimiter == ";"
    assert np.array_equal(X, [[1.5, 2.0], [-3.0, 0.25]])
    assert np.array_equal(y, [0, 1])


def test_semicolons_without_header():
    X, _, info = load_csv(b"1,5;2,5;0\n3;4;1\n", return_info=True)
    assert info.delimiter == ";" and not info.has_header
    assert np.array_equal(X, [[1.5, 2.5], [3.0, 4.0]])


def test_tabs():
    X, _, info = load_csv(b"x1\tx2\tlabel\n1\t2\t0\n3\t4\t1\n", return_info=True)
    assert info.delimiter == "\t"
    assert np.array_equal(X, [[1, 2], [3, 4]])


def test_whitespace_crlf_blank_lines_and_spreadsheet_leftovers_are_fine():
    data = b"  x1 , x2 ,label,\r\n\r\n 1 , 2 , a ,\r\n3,4,b,\r\n,,,\r\n\r\n  \r\n"
    X, y, info = load_csv(data, return_info=True)
    assert info.columns == ("x1", "x2", "label")
    assert np.array_equal(X, [[1, 2], [3, 4]])
    assert info.classes == ("a", "b") and np.array_equal(y, [0, 1])


def test_trailing_empty_fields_in_data_rows_are_ignored():
    X, y = load_csv(b"x1,x2,label\n1,2,a,\n3,4,b,,\n")
    assert np.array_equal(X, [[1, 2], [3, 4]]) and np.array_equal(y, [0, 1])


def test_quoted_fields():
    X, _, info = load_csv(b'"x 1","x,2",label\n"1","2","a, b"\n3,4,c\n', return_info=True)
    assert info.columns == ("x 1", "x,2", "label")
    assert info.classes == ("a, b", "c")
    assert np.array_equal(X, [[1, 2], [3, 4]])


def test_pandas_index_column_without_name():
    _, _, info = load_csv(b",x1,x2,label\n0,1,2,a\n1,3,4,b\n", return_info=True)
    assert info.columns == ("column 1", "x1", "x2", "label")
    assert info.feature_names == ("column 1", "x1", "x2")


def test_string_labels_become_sorted_codes():
    _, y, info = load_csv(b"x1,x2,y\n0,0,dog\n1,1,cat\n2,2,bird\n3,3,cat\n", return_info=True)
    assert info.classes == ("bird", "cat", "dog")
    assert np.array_equal(y, [2, 1, 0, 1])
    assert np.array_equal(np.array(info.classes)[y], ["dog", "cat", "bird", "cat"])


def test_numeric_labels_sort_as_numbers():
    _, y, info = load_csv(
        b"x1,x2,label\n0,0,10\n1,1,9\n2,2,-1\n3,3,2.5\n4,4,9.0\n", return_info=True
    )
    assert info.classes == ("-1", "2.5", "9", "10")
    assert np.array_equal(y, [3, 2, 0, 1, 2])


@pytest.mark.parametrize("name", ["label", "Class", "TARGET"])
def test_label_column_found_by_name_anywhere(name):
    data = f"{name},x1,x2\nb,1,2\na,3,4\n".encode()
    X, y, info = load_csv(data, return_info=True)
    assert info.label_name == name
    assert np.array_equal(X, [[1, 2], [3, 4]])
    assert np.array_equal(y, [1, 0])


def test_label_column_given_by_name_or_index():
    data = b"a,b,c,d\n1,2,0,7\n3,4,1,8\n"
    for key in ["c", "C", 2, -2]:
        X, y, info = load_csv(data, label_column=key, return_info=True)
        assert info.label_name == "c" and info.feature_names == ("a", "b", "d")
        assert np.array_equal(X, [[1, 2, 7], [3, 4, 8]])
        assert np.array_equal(y, [0, 1])


def test_label_in_first_column_of_a_file_without_header():
    X, y, info = load_csv(b"cat,1,2\ndog,3,4\n", label_column=0, return_info=True)
    assert not info.has_header and info.label_name == "x1"
    assert np.array_equal(X, [[1, 2], [3, 4]]) and info.classes == ("cat", "dog")
    assert np.array_equal(y, [0, 1])


def test_picking_two_features_by_name_or_index():
    data = b"name,a,b,c,label\nann,1,2,3,0\nbob,4,5,6,1\n"
    X, _, info = load_csv(data, features=["c", "a"], return_info=True)
    assert np.array_equal(X, [[3, 1], [6, 4]])
    assert info.feature_names == ("c", "a")
    X_index, _ = load_csv(data, features=(3, 1))
    assert np.array_equal(X_index, X)


def test_guess_label_column():
    assert guess_label_column(["a", "b", "c"]) == "c"
    assert guess_label_column(["a", "Target", "c"]) == "Target"
    with pytest.raises(ValueError, match="no columns"):
        guess_label_column([])


def _rows(n: int) -> bytes:
    """n valid data rows (two classes) without header."""
    return b"".join(b"%d,%d,%d\n" % (i, 2 * i, i % 2) for i in range(n))


BAD_CSVS = [
    (b"", {}, "The file is empty"),
    (b"\n  \n\r\n", {}, "The file is empty"),
    (b"x1,x2,label\n", {}, "header row but no data rows"),
    (b"x1,x2,label\n1,2,0\n", {}, r"only 1 data row \(row 2\)"),
    (
        b"x1,x2,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n9,10,0\n1,abc,1\n",
        {},
        "Row 7, column 'x2': expected a number, got 'abc'",
    ),
    (b"x1,x2,label\n1,2,0\n\n,4,1\n", {}, "Row 4, column 'x1': expected a number, is empty"),
    (
        b"x1,x2,label\n1,2,0\n3,nan,1\n",
        {},
        "Row 3, column 'x2': expected a finite number, got 'nan'",
    ),
    (b"x1,x2,label\n1,2,0\n3,-inf,1\n", {}, "Row 3, column 'x2': expected a finite number"),
    (b"x1,x2,label\n1,2,0\n3,4,NaN\n", {}, "Row 3, column 'label': expected a finite number"),
    (b"x1,x2,label\n1,2,\n3,4,1\n", {}, "Row 2, column 'label': the label is empty"),
    (b"x1,x2,label\n1,2,1\n3,4,1\n", {}, "Every row has the same label '1'"),
    (b"x,label\n1,0\n2,1\n", {}, "besides the label 'label'; found 1 .* at least 3 columns"),
    (b"1 2 0\n3 4 1\n", {}, "At least 2 feature columns"),
    (b"x1,x2,label\n1,2,0\n3,4\n", {}, "Row 3 has 2 fields, expected 3 like row 1"),
    (b"x1,x2,label\n1,2,0\n3,4,1,9\n", {}, "Row 3 has 4 fields, expected 3"),
    (b"x1;x2;label\n1;2;0\n3;4\n", {}, "Row 3 has 2 fields, expected 3.*semicolon"),
    (b"x1,x2,label\n1,2,a\n3,4,caf\xe9\n", {}, "Row 3 is not valid UTF-8"),
    ("x1,x2,label\n1,2,0\n".encode("utf-16"), {}, "UTF-16"),
    (b"x,x,label\n1,2,0\n3,4,1\n", {}, "Two columns are named 'x'"),
    (SIMPLE, {"label_column": "y"}, "label_column: there is no column named 'y'"),
    (SIMPLE, {"label_column": 3}, "column index 3 is out of range; the file has 3 columns"),
    (SIMPLE, {"features": ["x1", "z"]}, "features: there is no column named 'z'"),
    (SIMPLE, {"features": ["x1", "label"]}, "'label' is the label column"),
    (SIMPLE, {"features": ["x1", 0]}, "'x1' is listed twice"),
    (SIMPLE, {"features": ["x1"]}, r"found 1 \('x1'\)\. Pick at least 2 feature columns"),
    (SIMPLE, {"features": []}, r"found 0 \(none\)"),
    (b"a,b,c\n1,2,0\n3,4,1\n5,6,2\n7,8,3\n", {"max_classes": 3}, "4 different labels; at most 3"),
    (b"name,x1,x2,label\nann,1,2,0\nbob,3,4,1\n", {}, "Row 2, column 'name': .* got 'ann'"),
]


@pytest.mark.parametrize("kind", ["bytes", "bytesio", "path"])
@pytest.mark.parametrize(("data", "kwargs", "match"), BAD_CSVS, ids=[m for _, _, m in BAD_CSVS])
def test_bad_csv_files_raise_clear_errors(kind, data, kwargs, match, tmp_path):
    with pytest.raises(ValueError, match=match):
        load_csv(_as_source(kind, data, tmp_path), **kwargs)


def test_structural_errors_already_show_when_reading_the_columns():
    with pytest.raises(ValueError, match="Row 3 has 2 fields"):
        read_csv_columns(b"x1,x2,label\n1,2,0\n3,4\n")


def test_a_missing_file_raises_value_error(tmp_path):
    with pytest.raises(ValueError, match="Could not read the file"):
        load_csv(tmp_path / "nope.csv")


@pytest.mark.parametrize(
    ("source", "kwargs"),
    [(42, {}), (SIMPLE, {"features": "x1"}), (SIMPLE, {"label_column": 1.0})],
)
def test_wrong_argument_types_raise_type_error(source, kwargs):
    with pytest.raises(TypeError):
        load_csv(source, **kwargs)


def test_more_rows_than_the_limit_are_refused():
    with pytest.raises(ValueError, match=r"more than 100,000 data rows \(row 100,001 is the first"):
        load_csv(_rows(MAX_CSV_ROWS + 1))


def test_the_row_limit_is_inclusive():
    # How long it takes: benchmarks/bench_io.py.
    data = b"x1,x2,label\n" + _rows(MAX_CSV_ROWS)
    X, y = load_csv(data)
    assert X.shape == (MAX_CSV_ROWS, 2) and y.shape == (MAX_CSV_ROWS,)
    assert np.array_equal(X[-1], [MAX_CSV_ROWS - 1, 2 * (MAX_CSV_ROWS - 1)])


# --------------------------------------------------------------------------- regression sets


def playground_label(name: str, x: float, y: float) -> float:
    """TF Playground's getLabel (src/dataset.ts), point by point in its own units."""
    if name == "plane":  # d3.scaleLinear().domain([-10, 10]).range([-1, 1]), not clamped
        return (x + y) / 10
    label = 0.0  # regressGaussian: the bump largest in absolute value
    for cx, cy, sign in [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1),
                         (4, -2.5, -1)]:  # fmt: skip
        d = math.hypot(x - cx, y - cy)
        new = sign * min(max(1 - d / 2, 0.0), 1.0)  # domain [0, 2] to range [1, 0], clamped
        if abs(new) > abs(label):
            label = new
    return label


@pytest.mark.parametrize("name", REGRESSION_DATASETS)
@pytest.mark.parametrize("n_samples", [10, 1000])
def test_regression_sets_shapes_dtypes_and_range(name, n_samples):
    X, y = make_dataset(name, n_samples, seed=0)
    assert X.shape == (n_samples, 2) and X.dtype == np.float64
    assert y.shape == (n_samples,) and y.dtype == np.float64
    assert np.abs(X).max() <= 1.0  # TF's [-6, 6] square divided by 6
    assert np.abs(y).max() <= (1.2 if name == "plane" else 1.0)


@pytest.mark.parametrize("name", REGRESSION_DATASETS)
def test_regression_sets_are_tf_playgrounds_labels(name):
    X, y = make_dataset(name, 3000, 0.0, seed=1)
    expected = [playground_label(name, 6 * a, 6 * b) for a, b in X]
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-12)
    assert y.min() < -0.9 and y.max() > 0.9  # the whole range is reached
    if name == "multi-gaussian":
        assert 0.2 < np.mean(y == 0) < 0.7  # much of the plane lies between the bumps


@pytest.mark.parametrize("name", REGRESSION_DATASETS)
def test_regression_sets_seeds_and_noise(name):
    X1, y1 = make_dataset(name, 500, 0.2, seed=7)
    X2, y2 = make_dataset(name, 500, 0.2, seed=7)
    X3, y3 = make_dataset(name, 500, 0.2, seed=8)
    assert X1.tobytes() == X2.tobytes() and y1.tobytes() == y2.tobytes()
    assert not np.array_equal(X1, X3) and not np.array_equal(y1, y3)
    # as in TF Playground, noise moves where a label is read, not the point
    X_clean, y_clean = make_dataset(name, 500, 0.0, seed=7)
    assert X_clean.tobytes() == X1.tobytes()
    assert not np.array_equal(y_clean, y1)
    _, y_default = make_dataset(name, 500, seed=7)
    assert np.array_equal(y_default, y_clean) and DEFAULT_NOISE[name] == 0.0  # TF's default
    if name == "plane":  # the label is read at x + u, u uniform in [-noise, noise]^2
        shift = (y1 - y_clean) / 0.6
        assert np.abs(shift).max() <= 2 * 0.2 and shift.std() == pytest.approx(
            0.2 * np.sqrt(2 / 3), rel=0.15
        )


def test_regression_sets_have_no_classes():
    with pytest.raises(ValueError, match=r"'plane' dataset is for regression.*n_classes"):
        make_dataset("plane", 100, n_classes=3)
    with pytest.raises(ValueError, match=r"moons.*\(classification\); plane, multi-gaussian"):
        make_dataset("planes", 100)


def test_load_regression_csv_keeps_the_numbers():
    data = b"x1;x2;price\n1;2;3,5\n4;5;-6\n7;8;0,25\n"
    X, y, info = load_regression_csv(data, return_info=True)
    np.testing.assert_array_equal(X, [[1, 2], [4, 5], [7, 8]])
    np.testing.assert_array_equal(y, [3.5, -6.0, 0.25])
    assert y.dtype == np.float64
    assert info.label_name == "price" and info.classes == () and info.feature_names == ("x1", "x2")
    X2, y2 = load_regression_csv(data, target_column="x1", features=["price", "x2"])
    np.testing.assert_array_equal(y2, [1, 4, 7])
    np.testing.assert_array_equal(X2[:, 0], [3.5, -6.0, 0.25])


BAD_REGRESSION_CSVS = [
    (b"x1,x2,y\n1,2,3\n4,5,high\n", {}, "Row 3, column 'y': expected a number to predict, got "
     "'high'. A regression target must be numeric.*load_csv"),
    (b"x1,x2,y\n1,2,nan\n4,5,6\n", {}, "Row 2, column 'y': expected a finite number, got 'nan'"),
    (b"x1,x2,y\n1,2,3\n4,5,inf\n", {}, "Row 3, column 'y': expected a finite number"),
    (b"x1,x2,y\n1,2,\n4,5,6\n", {}, "Row 2, column 'y': the target is empty"),
    (b"x1,x2,y\n1,2,3\n4,5,3\n", {}, "Every row has the same target value '3' in column 'y'"),
    (b"x1,x2,y\n1,2,3\n4,x,6\n", {}, "Row 3, column 'x2': expected a number, got 'x'"),
    (b"x1,x2,y\n1,2,3\n4,5,6\n", {"target_column": "z"}, "target_column: there is no column"),
    (b"x1,y\n1,3\n4,6\n", {}, "besides the target 'y'.*2 numeric features and a target"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "kwargs", "match"),
    BAD_REGRESSION_CSVS,
    ids=[m[:40] for _, _, m in BAD_REGRESSION_CSVS],
)
def test_bad_regression_csv_files_raise_clear_errors(data, kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_regression_csv(data, **kwargs)
