"""A generic Streamlit component: a live 2-D model chart that is updated, never rebuilt.

What it is. A picture (a PNG over a rectangle: a decision boundary, say) under labelled
points, beside loss and accuracy curves, kept alive in one iframe. Or, for a regression,
points coloured by a number on a continuous colour scale (with its colour bar), beside
losses and another score (R², say): the caller names the columns and the axes. It knows
nothing of the app that uses it: no import of it, no names of its own. The colours (or the
colour scale), the extent, the curves' columns, the frame route and the names of the link's
query parameters all come in as arguments; the Playground (``pages/playground.py``) is one
user, ``benchmarks/livechart_demo.py`` another.

``st.plotly_chart`` rebuilds its chart on every change: 3-4 visible updates a
second, and the user's zoom is lost. ``live_chart`` is a custom component
(``frontend/``: plain JS, no build step) that keeps ONE Plotly chart alive in
its iframe and, on each tick, only swaps the picture under the points
and extends the loss and accuracy curves. Each tick sends what changed:

* ``image``: PNG bytes (or a painter's input, see "Painters"), a few KB;
  skipped when it is byte-for-byte the one sent last (its number goes anyway).
* ``curves``: history rows the chart does not have yet, plus the last few it was
  sent, so a tick the browser skips loses nothing (the chart keeps one row per epoch).
* ``points``: sent only when the chart does not have revision ``points_rev``.

The handshake. The chart's value is ``{"points_rev": r, "synced": b, "session":
s}``: ``r`` the points revision it holds (0 for none), ``s`` a random id of the
iframe. It reports after its first render (``synced`` False: a new iframe lacks
what was sent before it existed), whenever it takes new points, whenever it
finds a gap (a curve row or an image that never reached it: the browser drops
a render now and then when ticks come fast) and when it is whole again.
``live_chart`` reads that value before each call; it sends the points while
``r != points_rev``, and while ``synced`` is False the whole of ``curves`` and
the current image. So pass the FULL history as ``curves`` to have the chart
rebuilt completely after a reload; passing only the new rows works too, minus
that. A report reruns the fragment once: a handful per chart, not one a tick.

Order. Every picture belongs to a training ``step`` of a run (``run_id``); the chart
keeps the step of the picture it shows and ignores any older one, from a render or a
frame: Streamlit re-sends the arguments of the page's last script run whenever the
iframe's size changes, and those are older than the frames fetched since. Curve rows are
keyed by epoch and only added. A new ``run_id`` starts the chart again from nothing.

Frames (optional). With ``frames_url`` and ``playing``, the chart fetches its own frames
instead of waiting for reruns: ``GET frames_url?epoch=E&steps=S`` (E the last curve
epoch it has, S the step of its picture, -1 for none), then asks again ``next_ms`` after
the request started. The answer (``encode_frame``) is 4 bytes (big-endian length of a
JSON header), the header, then the picture (a PNG, or the painter's input) or nothing
(it did not change). The header has ``next_ms``, and either ``busy: true`` or ``early:
true`` (nothing to take: the run was busy, or the chart asked before the pause it was
given) or ``run_id``, ``epoch``, ``steps`` (the picture's step), ``progress`` (optional:
epochs with the part under way), ``status`` (``"training"`` plays on; anything else
stops the fetching and reports ``stopped``) and ``rows`` (curve rows after E). Three 404
answers in a row mean the server does not know the page any more (it went away and a
balancer moved the page): the chart reloads the page from its link. ``server/frames.py``
serves this for the Playground.

Painters (optional). A picture need not be a PNG made by the server: with ``painter``,
``image`` (and each frame's picture) is whatever the painter reads, and the chart draws
it. The painter is the caller's JavaScript: ``scripts`` (URLs the chart loads once, in
order) define ``window[function](bytes, options)``, which returns ``{width, height,
data}`` (RGBA bytes, row 0 at the top, as the PNG would be). The Playground sends the
network's weights and draws the boundary with ``netview``'s forward pass: 2.6 KB of
numbers instead of a picture, and no picture for the server to make.

Overlay. Another frame of the same page may show a picture over the plane for a while,
under the points, in place of the boundary (which goes on updating beneath it): it posts
``{"type": "livechart:overlay", "source": image URL or None, "label": text, "extent":
[...]}`` to the page's frames. The Playground's network view does, for the neuron under
the mouse.

Session state: this module keeps one entry of its own per chart,
``st.session_state["_livechart_" + key]`` (what it last sent).
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import shutil
import struct
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

FRONTEND = Path(__file__).resolve().parent / "frontend"
PLOTLY_JS = FRONTEND / "plotly.min.js"

# Rows already sent that are sent again with each tick (see module docstring).
CURVE_OVERLAP = 8
CURVE_KEYS = ("epoch", "train_loss", "test_loss", "train_acc", "test_acc")  # the default curves
# Bytes a point takes on the wire: x, y as float32, a class (uint8) or a value (float32), a split
POINT_BYTES = {False: 10, True: 13}
STATE_PREFIX = "_livechart_"

# Colours of classes 0, 1, ... when the caller names none (Okabe-Ito, which stays apart
# under the common colour-vision deficiencies).
DEFAULT_COLORS = ("#E69F00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")

Points = tuple[ArrayLike, ArrayLike, ArrayLike | None, ArrayLike | None]

_component: Any = None


def ensure_plotly_js() -> Path:
    """Copy the plotly.min.js that the plotly package ships next to ``index.html``.

    The copy is gitignored; it is made when missing or when its size differs from
    the installed plotly's (an upgrade). Never a CDN: the app must work offline.
    """
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("livechart needs the plotly package (pip install plotly).")
    source = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"
    if not source.is_file():
        raise ImportError(f"The plotly package has no {source}; reinstall plotly.")
    if not PLOTLY_JS.is_file() or PLOTLY_JS.stat().st_size != source.stat().st_size:
        # Copy then rename: another process starting at the same time never sees half a file.
        partial = PLOTLY_JS.with_name(f".plotly.min.js.{os.getpid()}")
        try:
            shutil.copyfile(source, partial)
            os.replace(partial, PLOTLY_JS)
        except OSError as error:
            if not PLOTLY_JS.is_file():
                raise ImportError(
                    f"livechart could not copy {source} to {PLOTLY_JS} ({error}). "
                    "Copy it there by hand, or import livechart once as a user who may write there."
                ) from error
            warnings.warn(
                f"livechart keeps an outdated {PLOTLY_JS}: {error}", RuntimeWarning, stacklevel=2
            )
    return PLOTLY_JS


ensure_plotly_js()


def pack_points(
    X_train: ArrayLike,
    y_train: ArrayLike,
    X_test: ArrayLike | None = None,
    y_test: ArrayLike | None = None,
    *,
    values: bool = False,
) -> bytes:
    """The wire format of the points: 10 bytes a point (13 with ``values``), train first.

    Little-endian float32 ``x, y`` pairs for all n points (8n bytes), then one
    uint8 class label each (n bytes) or, with ``values``, one little-endian float32
    value each (4n bytes), then one uint8 split flag each, 0 train and 1 test (n bytes).

    X_train, X_test : arrays of shape (n, 2); y_train, y_test : class indices (n,)
    in 0..255, or with ``values`` finite numbers (n,) (coloured by ``live_chart``'s
    ``color_scale``).
    """
    parts_X, parts_y, parts_split = [], [], []
    for flag, (X, y) in enumerate(((X_train, y_train), (X_test, y_test))):
        if X is None:
            continue
        X = np.asarray(X, dtype="<f4")
        y = np.asarray(y).reshape(-1)
        if X.ndim != 2 or X.shape[1] != 2 or len(X) != len(y):
            raise ValueError(
                f"Points need X of shape (n, 2) and y of shape (n,). Got X {X.shape}, y {y.shape}."
            )
        if values:
            y = np.asarray(y, dtype="<f4")
            if not np.isfinite(y).all():
                raise ValueError("Point values must be finite numbers.")
        elif len(y) and (y.min() < 0 or y.max() > 255):
            raise ValueError("Class labels must be integers from 0 to 255.")
        parts_X.append(X)
        parts_y.append(y if values else y.astype(np.uint8))
        parts_split.append(np.full(len(y), flag, dtype=np.uint8))
    return b"".join(
        [np.concatenate(parts_X).tobytes(), *(a.tobytes() for a in parts_y + parts_split)]
    )


def encode_frame(header: Mapping[str, Any], png: bytes | None) -> bytes:
    """A frame as the chart reads it: 4 bytes (big-endian length of the JSON header), the
    JSON header, then the PNG (nothing when the picture did not change)."""
    data = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack(">I", len(data)) + data + (png or b"")


def decode_frame(body: bytes) -> tuple[dict, bytes]:
    """The inverse of ``encode_frame``: (header, png bytes; empty when no new picture)."""
    (size,) = struct.unpack(">I", body[:4])
    return json.loads(body[4 : 4 + size]), body[4 + size :]


def check_extent(extent: Sequence[float]) -> tuple[float, float, float, float]:
    """``extent`` as four floats, or a ValueError that says what is wrong with it."""
    try:
        xmin, xmax, ymin, ymax = (float(v) for v in extent)
    except (TypeError, ValueError):
        raise ValueError(
            f"An extent is four numbers (xmin, xmax, ymin, ymax). Got {extent!r}."
        ) from None
    if not all(map(math.isfinite, (xmin, xmax, ymin, ymax))) or xmin >= xmax or ymin >= ymax:
        raise ValueError(
            "An extent (xmin, xmax, ymin, ymax) needs finite numbers with xmin < xmax "
            f"and ymin < ymax. Got {extent!r}."
        )
    return xmin, xmax, ymin, ymax


def check_painter(painter: Mapping[str, Any] | None) -> dict | None:
    """``painter`` as the chart takes it (see "Painters"), or a ValueError saying what is wrong."""
    if painter is None:
        return None
    scripts, function = painter.get("scripts"), painter.get("function")
    if (
        not isinstance(scripts, list | tuple)
        or not scripts
        or not all(isinstance(s, str) and s for s in scripts)
        or not isinstance(function, str)
        or not function.isidentifier()
    ):
        raise ValueError(
            "A painter is {'scripts': [URL, ...], 'function': NAME, 'options': {...}}: at least "
            f"one script URL and the name of the function they define. Got {painter!r}."
        )
    return {"scripts": list(scripts), "function": function, "options": painter.get("options", {})}


def _number(value: Any) -> float | None:
    """A JSON-safe float rounded to 6 significant digits, None for missing or non-finite."""
    if value is None:
        return None
    value = float(value)
    return float(f"{value:.6g}") if math.isfinite(value) else None


def wire_row(row: Mapping[str, Any], columns: Sequence[str] = CURVE_KEYS[1:]) -> list:
    """A history row as ``[epoch, *columns]``: by default ``[epoch, train_loss, test_loss,
    train_acc, test_acc]``; the chart plots the first two as losses, the last two as scores."""
    return [int(row["epoch"]), *(_number(row.get(k)) for k in columns)]


def _rows_at(curves: Any, epoch: int, columns: Sequence[str]) -> list[list]:
    """The wire rows of epochs ``epoch - 1`` and ``epoch`` of ``curves`` (those it has):
    row i usually holds epoch i + 1, else a search finds it."""
    rows = []
    for e in (epoch - 1, epoch):
        row = curves[e - 1] if 1 <= e <= len(curves) else None
        if row is None or int(row["epoch"]) != e:
            row = next((r for r in curves if int(r["epoch"]) == e), None)
        if row is not None:
            rows.append(wire_row(row, columns))
    return rows


def _new_rows(curves: Any, after: float, columns: Sequence[str] = CURVE_KEYS[1:]) -> list[list]:
    """Rows of ``curves`` (list of dicts or DataFrame) with epoch > ``after``, oldest first."""
    if hasattr(curves, "iloc"):  # a DataFrame: find the new rows without converting the rest
        epochs = curves["epoch"].to_numpy()
        start = int(np.searchsorted(epochs, after, side="right")) if math.isfinite(after) else 0
        return [wire_row(r, columns) for r in curves.iloc[start:].to_dict("records")]
    new = []
    for row in reversed(curves):  # the new rows are at the end: stop at the first old one
        if row["epoch"] <= after:
            break
        new.append(wire_row(row, columns))
    new.reverse()
    return new


def _get_component() -> Any:
    """The declared component, kept once it is registered with a running Streamlit."""
    global _component
    if _component is None:
        from streamlit.components.v1 import declare_component
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        component = declare_component("livechart", path=str(FRONTEND))
        if get_script_run_ctx() is None:
            return component  # outside a script run it is not registered: do not keep it
        _component = component
    return _component


def plan_tick(
    state: dict,
    reported: Any,
    *,
    points: Points | bytes | None,
    points_rev: int,
    image: bytes | None,
    curves: Any,
    run_id: str | int,
    epoch: int,
    curve_columns: Sequence[str] = CURVE_KEYS[1:],
    values: bool = False,
) -> dict[str, Any]:
    """Decide what one tick sends to the chart; ``state`` remembers what was sent.

    state : this chart's memory between ticks, a dict (empty on the first tick),
        updated in place.
    reported : the chart's value, ``{"points_rev": r, "synced": bool, "session":
        s}``, or None before it reported.

    Returns the component arguments that change from tick to tick: ``points``
    (bytes or None) and ``points_n``; ``image`` (bytes or None) and ``image_id``
    (the number of the current image, sent on every tick so that the chart can
    tell it missed one); ``curves`` (rows ``[epoch, *curve_columns]``) and
    ``curves_full`` (True: ``curves`` replace what the chart shows from their first epoch
    on). ``values``: the points carry numbers (``pack_points(..., values=True)``).
    Pure Python: tests drive it tick by tick.
    """
    reported = reported if isinstance(reported, Mapping) else {}
    if not state:
        state.update(run_id=run_id, epoch=epoch, tail=[], image=None, image_id=0)
    if state["run_id"] != run_id or epoch < state["epoch"]:
        # A new run (the chart starts again when run_id changes): forget the old rows.
        state.update(run_id=run_id, tail=[])
    state["epoch"] = epoch

    # The chart asks for everything (synced False) when it is new, or when it finds
    # a gap: a row or an image that never reached it. It keeps asking until it
    # has applied a full update, so a full update the browser skips is sent again.
    full = reported.get("synced") is False
    tail = state["tail"]
    if full:
        given = _new_rows(curves, -math.inf, curve_columns)
        first = given[0][0] if given else math.inf
        rows = [r for r in tail if r[0] < first] + given
    else:
        rows = tail + _new_rows(curves, tail[-1][0] if tail else -math.inf, curve_columns)
    state["tail"] = rows[-CURVE_OVERLAP:]

    send_image = None
    if image is not None and image != state["image"]:
        state.update(image=bytes(image), image_id=state["image_id"] + 1)
        send_image = state["image"]
    elif full:
        send_image = state["image"]

    send_points = None
    if points is not None and reported.get("points_rev") != points_rev:
        size = POINT_BYTES[values]
        send_points = (
            points if isinstance(points, bytes | bytearray) else pack_points(*points, values=values)
        )
        if len(send_points) % size:
            raise ValueError(
                f"Packed points are {size} bytes each: use pack_points(values={values}) to "
                "make them."
            )
    return {
        "points": send_points,
        "points_n": len(send_points) // POINT_BYTES[values] if send_points is not None else 0,
        "image": send_image,
        "image_id": state["image_id"],
        "curves": rows,
        "curves_full": full,
    }


def live_chart(
    *,
    key: str,
    points: Points | bytes | None = None,
    points_rev: int = 0,
    image: bytes | None = None,
    extent: Sequence[float],
    curves: Any = (),
    run_id: str | int,
    epoch: int,
    step: int | None = None,
    lineage: str | None = None,
    replayed: bool = False,
    lecture: bool = False,
    show_test: bool = True,
    height: int = 420,
    colors: Sequence[str] = DEFAULT_COLORS,
    frames_url: str | None = None,
    playing: bool = False,
    status: str | None = None,
    link_epoch: str | None = None,
    link_playing: str | None = None,
    painter: Mapping[str, Any] | None = None,
    progress: float | None = None,
    class_names: Sequence[str] | None = None,
    rewind: int | None = None,
    pins: Sequence[Mapping[str, Any]] = (),
    color_scale: Mapping[str, Any] | None = None,
    value_name: str = "value",
    curve_columns: Sequence[str] = CURVE_KEYS[1:],
    loss_name: str = "loss",
    score_name: str = "accuracy",
    score_percent: bool = True,
    score_range: Sequence[float] = (0.0, 1.02),
) -> dict | None:
    """Show (first call) or update (later calls) the live boundary chart ``key``.

    Call it on every tick of a ``st.fragment(run_every=...)`` with the same ``key``.

    key : identifies the chart; keep it fixed for the life of the page.
    points : ``(X_train, y_train, X_test, y_test)`` (X of shape (n, 2), y class
        indices; the test pair may be None) or bytes from ``pack_points``. Pass them
        on every call: they are sent only when the chart lacks ``points_rev``.
    points_rev : an integer >= 1 that the page increases whenever the points
        change (new data set, noise, split). 0 means "no points".
    image : the boundary, PNG bytes of an image whose row 0 is ``ymax``
        (``encode_png(boundary_rgba(...))``), drawn over ``extent``; None keeps
        the current one.
    extent : (xmin, xmax, ymin, ymax) of the image and the initial axes. A new
        extent or points revision resets the user's zoom; nothing else does.
    curves : history rows, dicts with ``epoch`` and any of ``curve_columns`` (by default
        ``train_loss``, ``test_loss``, ``train_acc``, ``test_acc``, fractions), or a
        DataFrame with those columns; the full history or only the newest rows.
    run_id : changing it clears the chart (Reset): within one run ``step`` only grows.
    epoch : the number of epochs trained so far.
    step : the training step of ``image`` (default ``epoch``). A picture of an older step
        than the one the chart shows is ignored (see "Order" above).
    lineage, replayed : ``lineage`` names what the run's training follows from (its
        settings and changes, as text). A run marked ``replayed`` (rebuilt from the link
        after the page reconnected to another server) with the lineage of the run the chart
        shows continues it despite its new ``run_id``: the chart keeps its curves and
        picture, and its frames ask from the step it shows (the frame route trains the
        replay up to it), so nothing shown is drawn again.
    lecture : large fonts, thick lines and big markers for a projector.
    show_test : draw the test points (white with a ring of their class colour).
    height : pixel height of the boundary plot; the curves share it beside it.
    colors : one CSS colour per class (class c takes ``colors[c % len(colors)]``).
    frames_url, playing : while ``playing``, the chart fetches its frames itself from
        ``frames_url`` (see ``server/frames.py``) instead of waiting for Python to send
        them, and reports ``stopped`` (a counter) and ``epoch`` when the server says
        training stopped.
    status : when given ("paused", "done", ...), the chart shows a status line above the
        plots: "Epoch N", the status, and the latest losses and accuracies with their
        change (kept up to date by the frames while playing).
    link_epoch, link_playing : names of query parameters of the page's link that the chart
        keeps up to date while it fetches frames (about once a second): the epoch reached,
        and ``1`` while training (removed when it stops). None: the link is left alone.
    progress : how far training is, in epochs with the part of the epoch under way (3.25:
        a quarter into the fourth); the status line shows it while it is not whole, as
        frames do with their ``progress``. None: ``epoch``.
    class_names : what hovering a point calls its class (default "class 0", "class 1", ...).
    pins : other runs to compare with (at most a few): ``{"label": text, "curves": history
        rows}`` each; their test loss and test score are drawn dashed on the curves, in a
        colour each, named in the legend.
    rewind : an epoch of the past to show instead of the newest (a timeline): ``image`` and
        ``step`` are that epoch's, taken whatever the chart showed; the status line shows
        that epoch with its row of ``curves`` (which must hold it), and a line marks it on
        the curves. None again: the next ``image`` is taken as the newest.
    color_scale : points that carry numbers instead of classes (``pack_points(...,
        values=True)``, or ``points`` whose y are numbers), coloured on this continuous
        scale, Plotly's ``{"colorscale": [[0, colour], ..., [1, colour]], "cmin": low,
        "cmax": high}``, shown as a small colour bar beside the plot; ``colors`` then go
        unused. Hovering a point shows ``value_name`` and its number.
    curve_columns : the four history columns the curves plot: two losses (train, test),
        then two scores (train, test) on the second plot.
    loss_name, score_name : the two plots' axis titles, and the status line's names.
    score_percent : scores are fractions shown as percentages (accuracy); False: as plain
        numbers (R²).
    score_range : the score axis's (low, high); a score outside is off the plot (R² can
        go far below 0 before training).
    painter : draw the pictures in the browser (see "Painters" above):
        ``{"scripts": [url, ...], "function": name, "options": {...}}``; ``image`` and the
        frames then carry the painter's input instead of PNG bytes.

    Returns what the chart last reported (``{"points_rev", "synced", "session"}``)
    or None before its first report.
    """
    import streamlit as st

    if points is not None and (isinstance(points_rev, bool) or points_rev < 1):
        raise ValueError(
            f"points_rev must be an integer >= 1 when points are given. Got {points_rev!r}."
        )
    xmin, xmax, ymin, ymax = check_extent(extent)
    if height < 100:
        raise ValueError(f"height must be at least 100 pixels. Got {height}.")
    if not colors:
        raise ValueError("colors needs at least one colour.")
    if len(curve_columns) != 4:
        raise ValueError(
            "curve_columns names four history columns: train loss, test loss, train score, "
            f"test score. Got {curve_columns!r}."
        )
    low, high = (float(v) for v in score_range)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"score_range is (low, high) with low < high. Got {score_range!r}.")
    if color_scale is not None:
        color_scale = {k: color_scale[k] for k in ("colorscale", "cmin", "cmax")}

    painter = check_painter(painter)
    state = st.session_state.setdefault(STATE_PREFIX + key, {})
    tick = plan_tick(
        state,
        st.session_state.get(key),
        points=points,
        points_rev=points_rev,
        image=image,
        curves=curves,
        run_id=run_id,
        epoch=epoch,
        curve_columns=tuple(curve_columns),
        values=color_scale is not None,
    )
    return _get_component()(
        key=key,
        default=None,
        **tick,
        points_rev=points_rev,
        extent=[xmin, xmax, ymin, ymax],
        run_id=str(run_id),
        lineage=None if lineage is None else str(lineage),
        replayed=bool(replayed),
        epoch=int(epoch),
        step=int(epoch if step is None else step),
        lecture=bool(lecture),
        show_test=bool(show_test),
        height=int(height),
        colors=list(colors),
        frames_url=frames_url,
        playing=bool(playing and frames_url),
        status=status,
        link_epoch=link_epoch,
        link_playing=link_playing,
        painter=painter,
        progress=None if progress is None else round(float(progress), 4),
        class_names=[str(name) for name in class_names] if class_names else None,
        rewind=None if rewind is None else int(rewind),
        pins=[
            {
                "label": str(pin["label"]),
                "rows": [wire_row(r, curve_columns) for r in pin["curves"]],
            }
            for pin in pins
        ],
        rewind_rows=None if rewind is None else _rows_at(curves, rewind, curve_columns),
        color_scale=color_scale,
        value_name=str(value_name),
        loss_name=str(loss_name),
        score_name=str(score_name),
        score_percent=bool(score_percent),
        score_range=[low, high],
    )
