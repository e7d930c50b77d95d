"""Pictures of a network learning: its decision boundary and its learning curves.

Two kinds of output, both from pure functions a test can call without a server:

* Raw material for the live chart (``livechart/``): ``grid`` gives the points to
  ask the network about, ``boundary_rgba`` turns its class probabilities into an
  image (``value_rgba`` a regression network's predicted values, on the diverging
  scale ``value_scale`` describes) and ``encode_png`` makes that image a few
  kilobytes of PNG. NumPy and zlib only, about a millisecond per frame.
* Static Plotly figures (``boundary_figure``, ``loss_figure``,
  ``accuracy_figure``) for pages that are not live and for the README.

Nothing here imports Streamlit, and Plotly is imported inside the figure
builders only: importing this module costs no more than NumPy.

Image orientation. Row 0 of every image is the TOP of the plot (the largest y),
as in any picture, so a layout image placed with its top-left corner at
``(xmin, ymax)`` and sized ``(xmax - xmin, ymax - ymin)`` lands on the data.
``grid`` lists its points in that same order: row by row from the top, each
row from left to right, one point at the centre of each pixel.
"""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    import plotly.graph_objects as go

Extent = tuple[float, float, float, float]

# One colour for each class a data set can have (``load_csv`` accepts up to
# MAX_CSV_CLASSES). Classes 0 and 1 take TensorFlow Playground's orange and blue;
# classes 2-7 follow the Okabe-Ito palette, chosen to stay apart under the common
# colour-vision deficiencies (the yellow darkened a little so it shows on white).
# Past eight classes no palette stays apart for everyone; classes 8-19 take
# saturated colours from Kelly's list of maximally distinct colours, each kept
# dark enough to show on white and away from the first eight.
CLASS_COLORS: tuple[str, ...] = (
    "#F59322",  # orange
    "#0877BD",  # blue
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#D9B800",  # yellow
    "#666666",  # grey
    "#E6194B",  # red
    "#3CB44B",  # green
    "#4363D8",  # royal blue
    "#911EB4",  # purple
    "#800000",  # maroon
    "#000075",  # navy
    "#00CED1",  # turquoise
    "#9A6324",  # brown
    "#F032E6",  # magenta
    "#469990",  # teal
    "#9BC53D",  # lime
    "#000000",  # black
)
# Okabe and Ito's palette for every colour-vision type, as they published it, then the
# same extra colours past eight classes.
OKABE_ITO: tuple[str, ...] = (
    "#E69F00",  # orange
    "#0072B2",  # blue
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow (as published: darkened, it would sit too close to the orange)
    "#000000",  # black
    *CLASS_COLORS[8:19],
    "#666666",  # grey, in black's place
)
# The palettes a page offers: TensorFlow Playground's look, or Okabe-Ito's throughout.
PALETTES: dict[str, tuple[str, ...]] = {"playground": CLASS_COLORS, "okabe-ito": OKABE_ITO}

# A regression network's picture: its predicted value on a diverging scale, as TensorFlow
# Playground draws it: orange below 0, white at 0, blue above (classes 0 and 1's colours),
# full at -VALUE_RANGE and +VALUE_RANGE and clipped beyond. TF Playground's scale spans
# [-1, 1], the range its regression sets ("plane", "multi-gaussian") are drawn in; targets in
# other units (an uploaded CSV) take a range of their own (``value_rgba``'s value_range).
VALUE_RANGE = 1.0
VALUE_COLORS: tuple[str, str] = (CLASS_COLORS[0], CLASS_COLORS[1])  # (negative, positive)

# Train solid and dark, test dotted and orange; livechart/frontend/main.js uses the same.
CURVE_COLORS = {"train": "#333333", "test": "#E07B00"}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- grid


def data_extent(X: ArrayLike, margin: float = 0.5) -> Extent:
    """The box ``(xmin, xmax, ymin, ymax)`` around 2-D points, widened by ``margin``.

    X : array of shape (n_samples, 2).
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        raise ValueError(
            f"data_extent needs points of shape (n_samples, 2) with n_samples > 0. Got {X.shape}."
        )
    if not np.isfinite(margin) or margin < 0:
        raise ValueError(f"The margin must be a finite number >= 0. Got {margin}.")
    lo, hi = X.min(axis=0), X.max(axis=0)
    return (
        float(lo[0] - margin),
        float(hi[0] + margin),
        float(lo[1] - margin),
        float(hi[1] + margin),
    )


def check_extent(extent: Sequence[float]) -> Extent:
    """``extent`` as four floats, or a ValueError that says what is wrong with it."""
    try:
        xmin, xmax, ymin, ymax = (float(v) for v in extent)
    except (TypeError, ValueError):
        raise ValueError(
            f"An extent is four numbers (xmin, xmax, ymin, ymax). Got {extent!r}."
        ) from None
    if not all(np.isfinite([xmin, xmax, ymin, ymax])) or xmin >= xmax or ymin >= ymax:
        raise ValueError(
            "An extent (xmin, xmax, ymin, ymax) needs finite numbers with xmin < xmax "
            f"and ymin < ymax. Got {extent!r}."
        )
    return xmin, xmax, ymin, ymax


def grid(
    extent: Sequence[float], n: int = 100
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """An ``n`` x ``n`` grid of pixel centres over ``extent``, in image order.

    Pixel ``(i, j)`` covers column ``j`` from the left and row ``i`` from the TOP,
    so ``yy[0]`` is the highest row. Its centre is the point the network is asked
    about.

    Returns ``(xx, yy, points)``: ``xx`` and ``yy`` of shape (n, n), and
    ``points`` of shape (n * n, 2) listing the same centres row by row, ready for
    ``predict_proba``; its result goes straight into ``boundary_rgba``.
    """
    xmin, xmax, ymin, ymax = check_extent(extent)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"The grid size n must be an integer >= 2. Got {n!r}.")
    centres = (np.arange(n) + 0.5) / n
    xs = xmin + centres * (xmax - xmin)
    ys = ymax - centres * (ymax - ymin)
    xx, yy = np.meshgrid(xs, ys)
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


# ----------------------------------------------------------------------- boundary


def _rgb(color: str | Sequence[int]) -> tuple[int, int, int]:
    """'#RRGGBB' or an (r, g, b) triple as three ints."""
    if isinstance(color, str):
        text = color.lstrip("#")
        if len(text) == 6:
            try:
                return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))
            except ValueError:
                pass
        raise ValueError(f"A colour is '#RRGGBB' or an (r, g, b) triple. Got {color!r}.")
    r, g, b = (int(v) for v in color)
    return r, g, b


def _palette(colors: Sequence[str | Sequence[int]], k: int, shades: int, strength: float):
    """Table (k * (shades + 1), 4) uint8: row c * (shades + 1) + s is class c at level s."""
    if k > len(colors):
        raise ValueError(
            f"There are {k} classes but only {len(colors)} colours. Pass more colours "
            f"(CLASS_COLORS has {len(CLASS_COLORS)})."
        )
    rgb = np.array([_rgb(c) for c in colors[:k]], dtype=float)  # (k, 3)
    weight = strength * np.arange(shades + 1) / shades  # (shades + 1,)
    mixed = 255.0 + weight[None, :, None] * (rgb[:, None, :] - 255.0)  # white -> colour
    table = np.empty((k, shades + 1, 4), dtype=np.uint8)
    table[..., :3] = np.rint(mixed)
    table[..., 3] = 255
    return table.reshape(-1, 4)


def boundary_rgba(
    proba: ArrayLike,
    n: int,
    colors: Sequence[str | Sequence[int]] = CLASS_COLORS,
    *,
    shades: int = 15,
    strength: float = 0.75,
    discrete: bool = False,
) -> NDArray[np.uint8]:
    """Colour each grid pixel by its most probable class, paler where the network is unsure.

    As in TensorFlow Playground, a pixel is the class colour blended with white:
    fully white where the network cannot tell the classes apart, ``strength`` of
    the way to the class colour where it is certain. Certainty is the winning
    probability rescaled from its least possible value ``1/k`` to 1:
    ``(p_max - 1/k) / (1 - 1/k)``, so for two classes it is ``|2p - 1|``.
    Certainty is rounded to ``shades`` levels, TensorFlow Playground's stepped
    look, which also makes the PNG several times smaller. ``discrete``: every
    pixel takes its class's full colour however unsure the network is
    (TensorFlow Playground's "discretize output": hard class regions).

    proba : array of shape (n * n, k), class probabilities in ``grid`` order;
        shape (n * n,) or (n * n, 1) is read as the probability of class 1.
    n : the grid size used in ``grid(extent, n)``.

    Returns an RGBA image of shape (n, n, 4), uint8, row 0 at the top.
    """
    P = np.asarray(proba, dtype=float)
    if P.ndim == 1 or (P.ndim == 2 and P.shape[1] == 1):
        p1 = P.reshape(-1)
        P = np.column_stack([1.0 - p1, p1])
    if P.ndim != 2 or P.shape[0] != n * n:
        raise ValueError(
            f"proba must have shape (n * n, n_classes) = ({n * n}, k) for n = {n}. Got {P.shape}."
        )
    if isinstance(shades, bool) or not isinstance(shades, int | np.integer) or shades < 1:
        raise ValueError(f"shades must be an integer >= 1. Got {shades!r}.")
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength must be between 0 and 1. Got {strength!r}.")
    k = P.shape[1]
    table = _palette(colors, k, shades, strength)
    # Arg-max and max column by column: k is small, and NumPy's reductions over a
    # short last axis are several times slower than k vectorised comparisons.
    certainty = P[:, 0].copy()
    winner = np.zeros(len(P), dtype=np.intp)
    for j in range(1, k):
        column = P[:, j]
        winner[column > certainty] = j
        np.maximum(certainty, column, out=certainty)
    certainty -= 1.0 / k
    certainty *= k / (k - 1.0)
    # A diverged network (NaN probabilities) paints white rather than garbage.
    np.nan_to_num(certainty, copy=False, nan=0.0)
    np.clip(certainty, 0.0, 1.0, out=certainty)
    if discrete:  # full colour wherever one class wins (NaN, already 0, stays white)
        np.ceil(certainty, out=certainty)
    level = np.rint(certainty * shades).astype(np.intp)
    level += winner * (shades + 1)
    return table[level].reshape(n, n, 4)


# -------------------------------------------------------------------------- values


def check_value_range(value_range: float) -> float:
    """``value_range`` as a float > 0, or a ValueError."""
    ok = isinstance(value_range, int | float | np.number) and not isinstance(value_range, bool)
    if not ok or not np.isfinite(value_range) or value_range <= 0:
        raise ValueError(f"value_range must be a finite number > 0. Got {value_range!r}.")
    return float(value_range)


def value_rgba(
    values: ArrayLike,
    n: int,
    colors: Sequence[str | Sequence[int]] = VALUE_COLORS,
    *,
    value_range: float = VALUE_RANGE,
    shades: int = 15,
    strength: float = 0.75,
    discrete: bool = False,
) -> NDArray[np.uint8]:
    """Colour each grid pixel by the value a regression network predicts there.

    The diverging scale of TensorFlow Playground's regression: white at 0, blended towards
    ``colors[0]`` (orange) for negative values and towards ``colors[1]`` (blue) for
    positive ones, ``strength`` of the way at ``-value_range`` and ``+value_range``; values
    beyond clip to the end colours. The blend weight is ``|v| / value_range`` rounded to
    ``shades`` levels, as ``boundary_rgba`` rounds certainty (the same colour table: a
    value picture and a two-class boundary share their shades). ``discrete``: only the
    sign shows, every pixel the full end colour of its side (TensorFlow Playground's
    "discretize output"); 0 stays white. NaN (a diverged network) paints white.

    values : array of shape (n * n,) or (n * n, 1), the predicted values in ``grid`` order.
    n : the grid size used in ``grid(extent, n)``.
    colors : the (negative, positive) end colours; a palette's first two will do.

    Returns an RGBA image of shape (n, n, 4), uint8, row 0 at the top.
    """
    v = np.asarray(values, dtype=float)
    if v.ndim == 2 and v.shape[1] == 1:
        v = v[:, 0]
    if v.ndim != 1 or v.shape[0] != n * n:
        raise ValueError(
            f"values must have shape (n * n,) = ({n * n},) for n = {n}: one target's "
            f"values. Got {v.shape}."
        )
    value_range = check_value_range(value_range)
    if isinstance(shades, bool) or not isinstance(shades, int | np.integer) or shades < 1:
        raise ValueError(f"shades must be an integer >= 1. Got {shades!r}.")
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength must be between 0 and 1. Got {strength!r}.")
    if len(colors) < 2:
        raise ValueError(
            f"A value picture needs two colours, (negative, positive). Got {len(colors)}."
        )
    table = _palette(colors, 2, shades, strength)  # row s: orange at level s; shades+1+s: blue
    weight = np.abs(v / value_range)
    np.nan_to_num(weight, copy=False, nan=0.0)
    np.minimum(weight, 1.0, out=weight)
    if discrete:
        np.ceil(weight, out=weight)
    level = np.rint(weight * shades).astype(np.intp)
    level[v > 0] += shades + 1  # NaN > 0 is False: white is level 0 of either side
    return table[level].reshape(n, n, 4)


def _hex(rgb: Sequence[float]) -> str:
    """'#RRGGBB' of three numbers 0-255 (rounded as the pictures round)."""
    r, g, b = (int(np.rint(c)) for c in rgb)
    return f"#{r:02X}{g:02X}{b:02X}"


def value_scale(
    value_range: float = VALUE_RANGE,
    colors: Sequence[str | Sequence[int]] = VALUE_COLORS,
    *,
    strength: float = 1.0,
) -> dict[str, Any]:
    """The diverging value scale as Plotly takes it, for points coloured by their value and
    for a chart's legend (a colour bar).

    Returns ``{"colorscale": [[0.0, negative], [0.5, "#FFFFFF"], [1.0, positive]],
    "cmin": -value_range, "cmax": value_range}``: a marker given ``color=values`` and these
    keys takes the colour ``value_rgba`` blends (without its rounding to shades), since
    Plotly interpolates linearly from white. ``strength`` 1 gives the full colours the
    points take (as a class's points take its full colour); ``value_rgba``'s 0.75 gives
    the background's own.
    """
    value_range = check_value_range(value_range)
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength must be between 0 and 1. Got {strength!r}.")
    ends = [_hex([255 + strength * (c - 255) for c in _rgb(color)]) for color in colors[:2]]
    return {
        "colorscale": [[0.0, ends[0]], [0.5, "#FFFFFF"], [1.0, ends[1]]],
        "cmin": -value_range,
        "cmax": value_range,
    }


# ---------------------------------------------------------------------------- PNG


def _chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC of type + data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(image: ArrayLike, level: int = 6) -> bytes:
    """A PNG file of an RGBA (or RGB) uint8 image, written with zlib alone.

    image : array of shape (height, width, 4) or (height, width, 3), uint8, row 0
        at the top.
    level : zlib compression level 1-9; 6 takes about 0.3 ms for a 100 x 100
        boundary and gives 2-4 KB.

    Every row uses PNG filter 0 (none): the stepped boundary images compress
    better raw than as differences.
    """
    a = np.asarray(image)
    if a.dtype != np.uint8:
        raise TypeError(f"encode_png needs a uint8 image. Got dtype {a.dtype}.")
    if a.ndim != 3 or a.shape[2] not in (3, 4) or a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(
            f"encode_png needs an image of shape (height, width, 4) or (height, width, 3). "
            f"Got {a.shape}."
        )
    if not 1 <= level <= 9:
        raise ValueError(f"The zlib level must be between 1 and 9. Got {level}.")
    h, w, c = a.shape
    raw = np.empty((h, 1 + w * c), dtype=np.uint8)
    raw[:, 0] = 0  # filter type of each row: none
    raw[:, 1:] = a.reshape(h, w * c)
    color_type = 6 if c == 4 else 2  # RGBA or RGB, 8 bits per channel
    header = struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)
    return b"".join(
        (
            _PNG_SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(raw.tobytes(), level)),
            _chunk(b"IEND", b""),
        )
    )


def png_data_url(png: bytes) -> str:
    """``data:image/png;base64,...`` for a PNG, the form Plotly's layout images take."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# ------------------------------------------------------------------------ figures


def _style(lecture: bool) -> dict[str, float]:
    """Font size, marker size and line width for a laptop or a projector."""
    if lecture:
        return {"font": 20, "marker": 11, "line": 4, "outline": 2.5}
    return {"font": 13, "marker": 7, "line": 2, "outline": 1.5}


def _points(
    X: ArrayLike | None, y: ArrayLike | None, name: str, values: bool = False
) -> tuple[NDArray, NDArray]:
    """(X (n, 2) float, y (n,) checked: class indices as int, or with ``values`` the
    numbers a regression predicts as float), or two empty arrays for None."""
    if X is None:
        return np.empty((0, 2)), np.empty(0, dtype=float if values else np.intp)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float) if values else np.asarray(y).astype(np.intp, copy=False)
    y = y.reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) != len(y):
        raise ValueError(
            f"{name} points need X of shape (n, 2) and y of shape (n,). "
            f"Got X {X.shape} and y {y.shape}."
        )
    return X, y


def boundary_figure(
    X_train: ArrayLike,
    y_train: ArrayLike,
    X_test: ArrayLike | None = None,
    y_test: ArrayLike | None = None,
    png_bytes: bytes | None = None,
    extent: Sequence[float] | None = None,
    *,
    colors: Sequence[str] = CLASS_COLORS,
    show_test: bool = True,
    lecture: bool = False,
    height: int = 480,
    title: str | None = None,
    values: bool = False,
    value_range: float = VALUE_RANGE,
) -> go.Figure:
    """The data over the decision boundary, as a static Plotly figure.

    X_train, X_test : arrays of shape (n, 2); y_train, y_test : class indices (n,), or
        with ``values`` (a regression) the numbers to predict (n,).
    png_bytes : the boundary from ``encode_png(boundary_rgba(...))`` (a regression's
        ``encode_png(value_rgba(...))``), drawn under the points over ``extent``; None
        draws the points alone.
    extent : (xmin, xmax, ymin, ymax) of the boundary image and the axes; by
        default ``data_extent`` of all points.
    values, value_range : colour each point by its value on the diverging scale
        ``value_scale(value_range, colors)`` (a colour bar shows it) instead of by class.

    Train points are filled with their class colour (their value's); test points are
    white with a ring of that colour. Traces: the points "train" and (if shown) "test",
    then one grey legend entry of the same name for each.
    """
    import plotly.graph_objects as go

    Xtr, ytr = _points(X_train, y_train, "Train", values)
    Xte, yte = _points(X_test, y_test, "Test", values)
    if extent is None:
        extent = data_extent(np.vstack([Xtr, Xte]))
    xmin, xmax, ymin, ymax = check_extent(extent)
    s = _style(lecture)
    if values:
        scale = value_scale(value_range, colors)

        def colored(y: NDArray) -> dict:  # numbers Plotly maps through the scale
            return {"color": y.tolist(), **scale}

    else:
        k = int(max(ytr.max(initial=-1), yte.max(initial=-1))) + 1
        if k > len(colors):
            raise ValueError(f"There are {k} classes but only {len(colors)} colours.")
        palette = np.asarray(colors, dtype=object)

        def colored(y: NDArray) -> dict:
            return {"color": palette[y].tolist()}

    def train_marker(color: dict) -> dict:
        return {
            "size": s["marker"],
            **color,
            "line": {"color": "white", "width": s["outline"] / 2},
        }

    def test_marker(color: dict) -> dict:
        return {
            "size": s["marker"],
            "color": "white",
            "line": {**color, "width": s["outline"]},
        }

    splits = [("train", Xtr, ytr, train_marker)]
    if show_test and len(Xte):
        splits.append(("test", Xte, yte, test_marker))
    value = "<br>value %{customdata:.3f}" if values else ""
    fig = go.Figure()
    for name, X, y, marker in splits:
        style = marker(colored(y))
        if values and name == "train":  # the scale's colour bar, once
            style.update(showscale=True, colorbar={"title": {"text": "value"}, "thickness": 12})
        fig.add_trace(
            go.Scatter(
                x=X[:, 0],
                y=X[:, 1],
                mode="markers",
                name=name,
                legendgroup=name,
                showlegend=False,
                marker=style,
                customdata=y if values else None,
                hovertemplate=f"(%{{x:.2f}}, %{{y:.2f}}){value}<extra>{name}</extra>",
            )
        )
    # The legend shows each split in grey: a points trace's legend entry would take
    # the colour of its first point. Same legend group, so a click still hides it.
    for name, _, _, marker in splits:
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=name,
                legendgroup=name,
                marker=marker({"color": "#777777"}),
                hoverinfo="skip",
            )
        )
    images = []
    if png_bytes is not None:
        images.append(
            {
                "source": png_data_url(png_bytes),
                "xref": "x",
                "yref": "y",
                "x": xmin,
                "y": ymax,
                "sizex": xmax - xmin,
                "sizey": ymax - ymin,
                "sizing": "stretch",
                "layer": "below",
            }
        )
    axis = {"showgrid": False, "zeroline": False, "constrain": "domain"}
    fig.update_layout(
        images=images,
        xaxis={**axis, "range": [xmin, xmax]},
        yaxis={**axis, "range": [ymin, ymax], "scaleanchor": "x", "scaleratio": 1},
        height=height,
        margin={"l": 40, "r": 10, "t": 40 if title else 10, "b": 30},
        font={"size": s["font"]},
        plot_bgcolor="white",
        title=title,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
    )
    return fig


def _columns(history: Any, names: Sequence[str]) -> dict[str, list]:
    """Columns of a history given as a DataFrame or a list of dicts; missing ones empty."""
    if hasattr(history, "to_dict"):  # a pandas DataFrame, without importing pandas
        data = history.to_dict("list")
        return {name: list(data.get(name, [])) for name in names}
    rows = list(history or [])
    for row in rows:
        if not isinstance(row, Mapping):
            raise TypeError(
                f"A history is a DataFrame or a list of dicts, one per epoch. Got a row {row!r}."
            )
    return {name: [row.get(name) for row in rows] for name in names}


def _has_values(values: list) -> bool:
    """True if any value is a finite number."""
    return any(v is not None and np.isfinite(v) for v in values)


def _curve_figure(
    history: Any, metric: str, title: str, lecture: bool, height: int, percent: bool
) -> go.Figure:
    """Train and test curves of ``metric`` ('loss' or 'acc') against epoch."""
    import plotly.graph_objects as go

    cols = _columns(history, ("epoch", f"train_{metric}", f"test_{metric}"))
    s = _style(lecture)
    fig = go.Figure()
    for split, dash in (("train", "solid"), ("test", "dot")):
        values = cols[f"{split}_{metric}"]
        if split == "test" and not _has_values(values):
            continue
        fig.add_trace(
            go.Scatter(
                x=cols["epoch"],
                y=values,
                mode="lines",
                name=split,
                line={"width": s["line"], "dash": dash, "color": CURVE_COLORS[split]},
            )
        )
    yaxis: dict[str, Any] = {"title": title, "rangemode": "tozero"}
    if percent:
        yaxis.update(range=[0, 1.02], tickformat=".0%")
    fig.update_layout(
        xaxis={"title": "epoch"},
        yaxis=yaxis,
        height=height,
        margin={"l": 50, "r": 10, "t": 10, "b": 40},
        font={"size": s["font"]},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        plot_bgcolor="white",
    )
    return fig


def loss_figure(history: Any, *, lecture: bool = False, height: int = 260) -> go.Figure:
    """Train and test loss against epoch.

    history : a DataFrame or a list of dicts with ``epoch``, ``train_loss`` and
        optionally ``test_loss``. Traces: "train", then "test" if it has values.
    """
    return _curve_figure(history, "loss", "loss", lecture, height, percent=False)


def accuracy_figure(history: Any, *, lecture: bool = False, height: int = 260) -> go.Figure:
    """Train and test accuracy (fractions 0-1, shown as %) against epoch.

    history : a DataFrame or a list of dicts with ``epoch``, ``train_acc`` and
        optionally ``test_acc``. Traces: "train", then "test" if it has values.
    """
    return _curve_figure(history, "acc", "accuracy", lecture, height, percent=True)


def confusion_figure(
    matrix: ArrayLike,
    title: str,
    *,
    class_names: Sequence[str] | None = None,
    lecture: bool = False,
    height: int = 300,
) -> go.Figure:
    """A confusion matrix as a heatmap: rows the true class, columns the predicted one,
    each cell its count, each row shaded by its share of that class (so a small class reads
    as clearly as a big one), each row's label with the class's accuracy.

    matrix : (n_classes, n_classes) counts (``scratchnet.metrics.confusion_matrix``).
    """
    import plotly.graph_objects as go

    from scratchnet.metrics import per_class_accuracy

    C = np.asarray(matrix)
    k = C.shape[0]
    if C.ndim != 2 or C.shape != (k, k):
        raise ValueError(f"A confusion matrix is square (n_classes, n_classes). Got {C.shape}.")
    names = list(class_names or [f"class {i}" for i in range(k)])
    accuracy = per_class_accuracy(C)
    rows = [
        f"{n} ({a:.0%})" if a == a else f"{n} (none)" for n, a in zip(names, accuracy, strict=True)
    ]
    totals = np.maximum(C.sum(axis=1, keepdims=True), 1)
    s = _style(lecture)
    fig = go.Figure(
        go.Heatmap(
            z=C / totals,
            x=names,
            y=rows,
            text=C,
            texttemplate="%{text}",
            colorscale=[[0, "#FFFFFF"], [1, CLASS_COLORS[1]]],
            zmin=0,
            zmax=1,
            showscale=False,
            hovertemplate="true %{y}<br>predicted %{x}<br>%{text} points<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": title, "x": 0.5},
        xaxis={"title": "predicted", "side": "bottom"},
        yaxis={"title": "true (accuracy)", "autorange": "reversed"},
        height=height,
        margin={"l": 60, "r": 10, "t": 40, "b": 40},
        font={"size": s["font"]},
    )
    return fig
