"""Tests for scratchnet.plots: grid orientation, boundary colours, the PNG writer, figures."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scratchnet.plots import (
    CLASS_COLORS,
    CURVE_COLORS,
    PALETTES,
    VALUE_COLORS,
    VALUE_RANGE,
    _rgb,
    accuracy_figure,
    boundary_figure,
    boundary_rgba,
    data_extent,
    encode_png,
    grid,
    loss_figure,
    png_data_url,
    value_rgba,
    value_scale,
)

ROOT = Path(__file__).resolve().parents[1]
EXTENT = (-2.0, 2.0, -1.0, 3.0)


def rgb(color: str) -> np.ndarray:
    return np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)])


def blend(color: str, weight: float) -> np.ndarray:
    """White blended towards ``color`` by ``weight``, rounded as the image is."""
    return np.rint(255 + weight * (rgb(color) - 255)).astype(int)


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))


# --------------------------------------------------------------------------- grid


def test_grid_points_are_pixel_centres_row_by_row_from_the_top():
    xx, yy, points = grid(EXTENT, n=4)
    assert xx.shape == yy.shape == (4, 4)
    assert points.shape == (16, 2)
    # Pixels are 1 wide (4 / 4): centres at -1.5, -0.5, 0.5, 1.5; from y = 3 down.
    np.testing.assert_allclose(xx[0], [-1.5, -0.5, 0.5, 1.5])
    np.testing.assert_allclose(yy[:, 0], [2.5, 1.5, 0.5, -0.5])
    np.testing.assert_allclose(points[0], [-1.5, 2.5])  # top-left
    np.testing.assert_allclose(points[3], [1.5, 2.5])  # top-right: row first
    np.testing.assert_allclose(points[-1], [1.5, -0.5])  # bottom-right
    np.testing.assert_allclose(points, np.column_stack([xx.ravel(), yy.ravel()]))


@pytest.mark.parametrize(
    ("extent", "n", "match"),
    [
        ((0, 1, 0), 10, "four numbers"),
        ((1, 0, 0, 1), 10, "xmin < xmax"),
        ((0, 1, 0, np.nan), 10, "finite"),
        ((0, 1, 0, 1), 1, "integer >= 2"),
        ((0, 1, 0, 1), 2.5, "integer >= 2"),
    ],
)
def test_grid_rejects_bad_input(extent, n, match):
    with pytest.raises(ValueError, match=match):
        grid(extent, n)


def test_data_extent_adds_the_margin():
    X = np.array([[0.0, -1.0], [2.0, 4.0], [1.0, 0.0]])
    assert data_extent(X, margin=0.5) == (-0.5, 2.5, -1.5, 4.5)
    assert data_extent(X, margin=0) == (0.0, 2.0, -1.0, 4.0)


@pytest.mark.parametrize(
    ("X", "margin", "match"),
    [
        (np.zeros((0, 2)), 0.5, "n_samples"),
        (np.zeros((3, 3)), 0.5, "shape"),
        (np.zeros((3, 2)), -1, "margin"),
    ],
)
def test_data_extent_rejects_bad_input(X, margin, match):
    with pytest.raises(ValueError, match=match):
        data_extent(X, margin)


# ----------------------------------------------------------------------- boundary


def test_top_row_of_the_image_is_max_y():
    # Class 1 exactly where y > 1 (the upper half of EXTENT): the image's upper
    # rows are blue and its lower rows orange, in every column.
    n = 20
    _, _, points = grid(EXTENT, n)
    p1 = (points[:, 1] > 1.0).astype(float)
    image = boundary_rgba(p1, n, strength=1.0)
    top, bottom = image[: n // 2, :, :3], image[n // 2 :, :, :3]
    assert (top == rgb(CLASS_COLORS[1])).all()
    assert (bottom == rgb(CLASS_COLORS[0])).all()
    assert (image[..., 3] == 255).all()


def test_left_column_of_the_image_is_min_x():
    n = 10
    _, _, points = grid(EXTENT, n)
    p1 = (points[:, 0] < 0.0).astype(float)
    image = boundary_rgba(p1, n, strength=1.0)
    assert (image[:, : n // 2, :3] == rgb(CLASS_COLORS[1])).all()
    assert (image[:, n // 2 :, :3] == rgb(CLASS_COLORS[0])).all()


def test_boundary_colours_follow_argmax_and_certainty():
    # An independent computation of every pixel: the colour of the arg-max class,
    # blended with white by the rounded certainty (p_max - 1/k) / (1 - 1/k).
    k, n, shades, strength = 4, 12, 10, 0.8
    P = np.random.default_rng(0).dirichlet(np.full(k, 0.5), size=n * n)
    image = boundary_rgba(P, n, shades=shades, strength=strength)
    assert image.shape == (n, n, 4)
    assert image.dtype == np.uint8
    flat = image.reshape(-1, 4)
    for i, p in enumerate(P):
        c = int(np.argmax(p))
        level = np.rint((p.max() - 1 / k) / (1 - 1 / k) * shades)
        expected = blend(CLASS_COLORS[c], strength * level / shades)
        np.testing.assert_array_equal(flat[i, :3], expected, err_msg=f"pixel {i}, p = {p}")


def test_unsure_pixels_are_white_and_sure_ones_take_the_class_colour():
    P = np.array([[0.5, 0.5], [1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    image = boundary_rgba(P, 2, strength=0.75).reshape(-1, 4)
    assert (image[0, :3] == 255).all()
    np.testing.assert_array_equal(image[1, :3], blend(CLASS_COLORS[0], 0.75))
    np.testing.assert_array_equal(image[2, :3], blend(CLASS_COLORS[1], 0.75))


def test_one_probability_column_means_class_one():
    p1 = np.array([0.9, 0.1, 0.7, 0.3])
    two = np.column_stack([1 - p1, p1])
    np.testing.assert_array_equal(boundary_rgba(p1, 2), boundary_rgba(two, 2))
    np.testing.assert_array_equal(boundary_rgba(p1[:, None], 2), boundary_rgba(two, 2))


def test_nan_probabilities_paint_white():
    P = np.array([[np.nan, np.nan], [1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    image = boundary_rgba(P, 2).reshape(-1, 4)
    assert (image[0, :3] == 255).all()


def test_custom_colours_as_rgb_triples():
    image = boundary_rgba(np.ones(4), 2, colors=[(0, 0, 0), (0, 0, 255)], strength=1.0)
    assert (image[..., :3] == [0, 0, 255]).all()


@pytest.mark.parametrize(
    ("proba", "n", "kwargs", "match"),
    [
        (np.zeros((10, 2)), 3, {}, r"\(9, k\)"),
        (np.full((4, 21), 1 / 21), 2, {}, "21 classes but only 20 colours"),
        (np.zeros((4, 2)), 2, {"shades": 0}, "shades"),
        (np.zeros((4, 2)), 2, {"strength": 1.5}, "strength"),
        (np.zeros((4, 2)), 2, {"colors": ["#12345", "#000000"]}, "RRGGBB"),
    ],
)
def test_boundary_rgba_rejects_bad_input(proba, n, kwargs, match):
    with pytest.raises(ValueError, match=match):
        boundary_rgba(proba, n, **kwargs)


# -------------------------------------------------------------------------- values


def test_the_value_scale_takes_the_first_two_classes_colours():
    assert (CLASS_COLORS[0], CLASS_COLORS[1]) == VALUE_COLORS  # orange < 0 < blue


@pytest.mark.parametrize("value_range", [VALUE_RANGE, 5.0])
def test_zero_is_white_and_the_ends_of_the_range_take_the_end_colours(value_range):
    strength = 0.75
    v = value_range * np.array([0.0, -1.0, 1.0, -0.0])
    image = value_rgba(v, 2, value_range=value_range, strength=strength).reshape(-1, 4)
    assert (image[:, 3] == 255).all()
    assert (image[0, :3] == 255).all() and (image[3, :3] == 255).all()
    np.testing.assert_array_equal(image[1, :3], blend(VALUE_COLORS[0], strength))
    np.testing.assert_array_equal(image[2, :3], blend(VALUE_COLORS[1], strength))


def test_values_blend_from_white_by_their_rounded_share_of_the_range():
    # An independent computation of every pixel, as boundary_rgba's test does for classes.
    n, shades, strength, value_range = 10, 12, 0.9, 2.5
    v = np.random.default_rng(0).uniform(-value_range, value_range, n * n)
    image = value_rgba(v, n, shades=shades, strength=strength, value_range=value_range)
    assert image.shape == (n, n, 4) and image.dtype == np.uint8
    for i, value in enumerate(v):
        level = np.rint(abs(value) / value_range * shades)
        color = VALUE_COLORS[1] if value > 0 else VALUE_COLORS[0]
        expected = blend(color, strength * level / shades)
        np.testing.assert_array_equal(image.reshape(-1, 4)[i, :3], expected, err_msg=str(value))


def test_values_beyond_the_range_clip_to_the_end_colours():
    beyond = value_rgba([-7.0, -1.0, 1.0, 7.0], 2, strength=1.0).reshape(-1, 4)[:, :3]
    np.testing.assert_array_equal(beyond[0], beyond[1])
    np.testing.assert_array_equal(beyond[2], beyond[3])
    np.testing.assert_array_equal(beyond[0], rgb(VALUE_COLORS[0]))
    np.testing.assert_array_equal(beyond[3], rgb(VALUE_COLORS[1]))
    wide = value_rgba([-7.0, -1.0, 1.0, 7.0], 2, value_range=7.0, strength=1.0).reshape(-1, 4)
    assert not np.array_equal(wide[1, :3], wide[0, :3])  # a wider range: no longer clipped


def test_discrete_values_show_only_their_sign():
    v = np.array([-0.9, -0.01, 0.0, 0.01, 0.5, 3.0, np.nan, -3.0, 0.3])
    image = value_rgba(v, 3, discrete=True).reshape(-1, 4)[:, :3]
    negative, positive = blend(VALUE_COLORS[0], 0.75), blend(VALUE_COLORS[1], 0.75)
    expected = [negative, negative, [255] * 3, positive, positive, positive, [255] * 3,
                negative, positive]  # fmt: skip
    np.testing.assert_array_equal(image, expected)
    soft = value_rgba(v, 3).reshape(-1, 4)[:, :3]
    assert not np.array_equal(soft, image)


def test_nan_values_paint_white_and_a_column_reads_as_values():
    image = value_rgba(np.array([[np.nan], [1.0], [-1.0], [0.25]]), 2).reshape(-1, 4)
    assert (image[0, :3] == 255).all()
    np.testing.assert_array_equal(image, value_rgba([np.nan, 1.0, -1.0, 0.25], 2).reshape(-1, 4))


def test_a_palettes_first_two_colours_paint_the_values():
    image = value_rgba([-1.0, 1.0, -1.0, 1.0], 2, PALETTES["okabe-ito"], strength=1.0)
    flat = image.reshape(-1, 4)[:, :3]
    np.testing.assert_array_equal(flat[0], rgb(PALETTES["okabe-ito"][0]))
    np.testing.assert_array_equal(flat[1], rgb(PALETTES["okabe-ito"][1]))


@pytest.mark.parametrize(
    ("values", "n", "kwargs", "match"),
    [
        (np.zeros(10), 3, {}, r"\(9,\)"),
        (np.zeros((4, 2)), 2, {}, "one target"),
        (np.zeros(4), 2, {"value_range": 0.0}, "value_range"),
        (np.zeros(4), 2, {"value_range": np.inf}, "value_range"),
        (np.zeros(4), 2, {"shades": 0}, "shades"),
        (np.zeros(4), 2, {"strength": -0.1}, "strength"),
        (np.zeros(4), 2, {"colors": ["#000000"]}, "two colours"),
    ],
)
def test_value_rgba_rejects_bad_input(values, n, kwargs, match):
    with pytest.raises(ValueError, match=match):
        value_rgba(values, n, **kwargs)


def test_value_scale_describes_the_pictures_colours_for_a_legend():
    scale = value_scale(2.0)
    assert scale == {
        "colorscale": [[0.0, VALUE_COLORS[0]], [0.5, "#FFFFFF"], [1.0, VALUE_COLORS[1]]],
        "cmin": -2.0,
        "cmax": 2.0,
    }
    # At the background's strength its end colours are value_rgba's at the ends of the range.
    background = value_scale(strength=0.75)["colorscale"]
    ends = value_rgba([-VALUE_RANGE, VALUE_RANGE, 0.0, 0.0], 2).reshape(-1, 4)[:2, :3]
    np.testing.assert_array_equal([rgb(background[0][1]), rgb(background[2][1])], ends)
    with pytest.raises(ValueError, match="value_range"):
        value_scale(-1.0)


def test_class_colors_cover_eight_classes_and_start_orange_blue():
    assert len(set(CLASS_COLORS)) >= 8
    r, g, b = rgb(CLASS_COLORS[0])
    assert r > g > b  # orange
    r, g, b = rgb(CLASS_COLORS[1])
    assert b > g > r  # blue


# ---------------------------------------------------------------------------- PNG


@pytest.mark.parametrize(("shape", "mode"), [((17, 23, 4), "RGBA"), ((5, 7, 3), "RGB")])
@pytest.mark.parametrize("level", [1, 6, 9])
def test_png_round_trips_exactly_through_pillow(shape, mode, level):
    pixels = np.random.default_rng(1).integers(0, 256, size=shape, dtype=np.uint8)
    decoded = Image.open(io.BytesIO(encode_png(pixels, level)))
    assert decoded.mode == mode
    assert decoded.size == (shape[1], shape[0])  # Pillow: (width, height)
    np.testing.assert_array_equal(np.asarray(decoded), pixels)


def test_boundary_png_keeps_its_orientation_and_stays_small():
    n = 100
    _, _, points = grid(EXTENT, n)
    p1 = 1 / (1 + np.exp(-3 * (points[:, 1] - 1.0)))
    image = boundary_rgba(p1, n)
    png = encode_png(image)
    np.testing.assert_array_equal(decode(png), image)
    assert len(png) < 12_000


def test_encode_png_rejects_what_is_not_an_8_bit_image():
    with pytest.raises(TypeError, match="uint8"):
        encode_png(np.zeros((2, 2, 4)))
    with pytest.raises(ValueError, match="shape"):
        encode_png(np.zeros((2, 2), dtype=np.uint8))
    with pytest.raises(ValueError, match="shape"):
        encode_png(np.zeros((2, 2, 2), dtype=np.uint8))
    with pytest.raises(ValueError, match="level"):
        encode_png(np.zeros((2, 2, 4), dtype=np.uint8), level=0)


def test_importing_plots_loads_neither_plotly_nor_streamlit():
    code = "import sys, scratchnet.plots; print(sorted({'plotly', 'streamlit'} & set(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------------ figures


@pytest.fixture
def points():
    rng = np.random.default_rng(2)
    X_train, X_test = rng.normal(size=(30, 2)), rng.normal(size=(10, 2))
    y_train, y_test = np.arange(30) % 3, np.arange(10) % 3
    return X_train, y_train, X_test, y_test


def test_boundary_figure_draws_points_over_the_boundary(points):
    X_train, y_train, X_test, y_test = points
    png = encode_png(boundary_rgba(np.full((16, 3), 1 / 3), 4))
    fig = boundary_figure(X_train, y_train, X_test, y_test, png, EXTENT)
    assert [t.name for t in fig.data] == ["train", "test", "train", "test"]
    train, test = fig.data[0], fig.data[1]
    np.testing.assert_allclose(train.x, X_train[:, 0])
    np.testing.assert_allclose(test.y, X_test[:, 1])
    assert list(train.marker.color) == [CLASS_COLORS[c] for c in y_train]
    assert test.marker.color == "white"  # test points are hollow...
    assert list(test.marker.line.color) == [CLASS_COLORS[c] for c in y_test]  # ...ringed
    assert [t.showlegend for t in fig.data] == [False, False, None, None]

    (image,) = fig.layout.images
    assert (image.x, image.y) == (EXTENT[0], EXTENT[3])  # top-left corner = row 0
    assert (image.sizex, image.sizey) == (4.0, 4.0)
    assert image.layer == "below"
    assert image.source == png_data_url(png)
    assert base64.b64decode(image.source.split(",", 1)[1]) == png
    assert tuple(fig.layout.xaxis.range) == (EXTENT[0], EXTENT[1])


def test_boundary_figure_options(points):
    X_train, y_train, X_test, y_test = points
    fig = boundary_figure(X_train, y_train, X_test, y_test, show_test=False)
    assert [t.name for t in fig.data] == ["train", "train"]
    assert fig.layout.images == ()
    assert tuple(fig.layout.xaxis.range) == data_extent(np.vstack([X_train, X_test]))[:2]
    big = boundary_figure(X_train, y_train, lecture=True)
    small = boundary_figure(X_train, y_train)
    assert big.layout.font.size > small.layout.font.size
    assert big.data[0].marker.size > small.data[0].marker.size


def test_boundary_figure_colours_a_regressions_points_by_their_value(points):
    X_train, _, X_test, _ = points
    y_train, y_test = np.linspace(-2, 2, 30), np.linspace(0.5, -0.5, 10)
    png = encode_png(value_rgba(np.linspace(-1, 1, 16), 4))
    fig = boundary_figure(X_train, y_train, X_test, y_test, png, EXTENT, values=True,
                          value_range=2.0)  # fmt: skip
    train, test = fig.data[0], fig.data[1]
    scale = value_scale(2.0)
    np.testing.assert_array_equal(train.marker.color, y_train)  # values, not classes
    assert [list(c) for c in train.marker.colorscale] == scale["colorscale"]
    assert (train.marker.cmin, train.marker.cmax) == (-2.0, 2.0)
    assert train.marker.showscale  # the scale's colour bar
    assert test.marker.color == "white"  # test points hollow, ringed by their value
    np.testing.assert_array_equal(test.marker.line.color, y_test)
    assert (test.marker.line.cmin, test.marker.line.cmax) == (-2.0, 2.0)
    assert "value" in train.hovertemplate
    np.testing.assert_array_equal(test.customdata, y_test)
    assert fig.layout.images[0].source == png_data_url(png)


def test_boundary_figure_rejects_mismatched_points():
    with pytest.raises(ValueError, match="Train points"):
        boundary_figure(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="21 classes"):
        boundary_figure(np.zeros((1, 2)), [20])


HISTORY = [
    {
        "epoch": e,
        "steps": 10 * e,
        "train_loss": 1.0 / e,
        "test_loss": 1.2 / e,
        "train_acc": 1 - 0.5 / e,
        "test_acc": 1 - 0.6 / e,
        "seconds": 0.01 * e,
    }
    for e in range(1, 6)
]


@pytest.mark.parametrize(("builder", "metric"), [(loss_figure, "loss"), (accuracy_figure, "acc")])
def test_curve_figures_plot_train_and_test_against_epoch(builder, metric):
    fig = builder(HISTORY)
    assert [t.name for t in fig.data] == ["train", "test"]
    for trace in fig.data:
        assert list(trace.x) == [1, 2, 3, 4, 5]
        assert list(trace.y) == [row[f"{trace.name}_{metric}"] for row in HISTORY]
        assert trace.line.color == CURVE_COLORS[trace.name]


def test_curve_figures_take_a_dataframe_and_skip_a_missing_test_curve():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(HISTORY).drop(columns=["test_loss"])
    frame["test_acc"] = np.nan
    assert [t.name for t in loss_figure(frame).data] == ["train"]
    assert [t.name for t in accuracy_figure(frame).data] == ["train"]
    np.testing.assert_allclose(loss_figure(frame).data[0].y, frame["train_loss"])


def test_accuracy_is_shown_as_percent_from_zero_to_one():
    fig = accuracy_figure(HISTORY)
    assert fig.layout.yaxis.tickformat == ".0%"
    assert tuple(fig.layout.yaxis.range) == (0, 1.02)


def test_curve_figures_of_an_empty_history_are_empty():
    assert [t.name for t in loss_figure([]).data] == ["train"]
    assert len(loss_figure([]).data[0].x) == 0


def test_curve_figures_reject_rows_that_are_not_dicts():
    with pytest.raises(TypeError, match="list of dicts"):
        loss_figure([(1, 0.5)])


@pytest.mark.parametrize("palette", list(PALETTES))
def test_every_class_a_csv_may_have_gets_its_own_colour(palette):
    from scratchnet.datasets import MAX_CSV_CLASSES

    colors = PALETTES[palette]
    assert len(colors) >= MAX_CSV_CLASSES
    rgb = np.array([_rgb(c) for c in colors[:MAX_CSV_CLASSES]], dtype=float)
    gaps = np.linalg.norm(rgb[:, None] - rgb[None, :], axis=-1)[np.triu_indices(len(rgb), 1)]
    assert gaps.min() > 50  # no two classes look alike (the closest pair: ~57 apart in RGB)
    assert (np.linalg.norm(255 - rgb, axis=1) > 100).all()  # each shows on a white page


def test_a_boundary_with_as_many_classes_as_a_csv_may_have():
    from scratchnet.datasets import MAX_CSV_CLASSES

    n, k = 20, MAX_CSV_CLASSES
    proba = np.full((n * n, k), 0.01)
    proba[np.arange(n * n), np.arange(n * n) % k] = 1.0  # pixel i is sure of class i % k
    image = boundary_rgba(proba, n, strength=1.0, shades=1)
    colours = {tuple(px) for px in image.reshape(-1, 4)[:, :3]}
    assert colours == {_rgb(c) for c in CLASS_COLORS[:k]}


def test_more_classes_than_colours_is_a_clear_error():
    with pytest.raises(ValueError, match="3 classes but only 2 colours"):
        boundary_rgba(np.full((4, 3), 1 / 3), 2, colors=CLASS_COLORS[:2])


def test_confusion_figure_shows_counts_and_each_classs_accuracy():
    from scratchnet.plots import confusion_figure

    C = np.array([[8, 2, 0], [0, 5, 0], [1, 0, 0]])
    fig = confusion_figure(C, "test", class_names=["a", "b", "c"])
    (heatmap,) = fig.data
    np.testing.assert_array_equal(heatmap.text, C)
    assert list(heatmap.y) == ["a (80%)", "b (100%)", "c (0%)"]
    np.testing.assert_allclose(heatmap.z[0], [0.8, 0.2, 0.0])  # shaded by row share
    with pytest.raises(ValueError, match="square"):
        confusion_figure(np.ones((2, 3)), "test")
