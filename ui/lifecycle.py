"""The Playground's run from a session's start to its reset: plain Python on a mapping.

``pages/playground.py`` draws widgets and shows messages; everything that decides what the
session holds lives here, on ``state``, any mutable mapping (``st.session_state`` in the
app, a ``dict`` in tests, which drive it without Streamlit):

* ``start``: a session's first run: the settings, preset and restore point from the link;
* ``toggle_play``, ``step``, ``reset``, ``new_init``, ``apply_preset``: what the buttons do;
* ``load_data`` and ``current_run``: the data and the network for the settings in force,
  the previous ones kept when the new settings give none;
* ``restore``: replaying a link's epoch; ``url_query``: the link for the page;
* ``remember_good`` and ``roll_back``: the last state that drew without an error, and going
  back to it when a page run fails (the page's edge catches, this module restores).

Each function that can refuse returns the message to show instead of raising.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import secrets
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any, TypeVar

import numpy as np

from scratchnet.datasets import load_csv, load_regression_csv, split, standardize
from scratchnet.features import check_features
from scratchnet.live import Change, LiveRun
from scratchnet.plots import PALETTES, VALUE_RANGE
from scratchnet.presets import PRESETS
from ui import keys as K
from ui.settings import (
    DATA_KEYS,
    DEFAULTS,
    MAX_SEED,
    MAX_UI_EPOCHS,
    MAX_UI_LAYERS,
    URL_NAMES,
    from_query,
    preset_values,
    problem_dataset,
    reset_signature,
    run_params,
    speed_of,
    to_query,
)

State = MutableMapping[str, Any]
T = TypeVar("T")
Data = tuple  # (signature, X_train, X_test, y_train, y_test, n_classes, class_names)
#               n_classes and class_names are None for a regression's data (y: numbers)

NO_PRESET = "(your own settings)"
# Widget parameters never change within a session (Streamlit would reset a widget whose
# options or bounds change), so these lists are fixed; a link's value outside them is
# added once, when the session starts.
LEARNING_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 3.0, 10.0)
PENALTY_RATES = (1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
HIDDEN_DEFAULT = 8  # neurons a newly added layer starts with
# What a page run needs to draw: kept from the last run that drew without an error.
GOOD_KEYS = (K.SETTINGS, K.DATA, K.RUN, K.RUN_SIGNATURE, K.CSV)


# -- a session's first run -------------------------------------------------------------------
def write_widgets(state: State, values: Mapping[str, Any]) -> None:
    """Put ``values`` into the widgets' keys (before the widgets are drawn)."""
    for key, value in values.items():
        if key == "hidden":
            set_widget(state, "layers", len(value))
            for i in range(MAX_UI_LAYERS):
                set_widget(state, f"h{i}", value[i] if i < len(value) else HIDDEN_DEFAULT)
        else:
            set_widget(state, key, value)


# -- widgets the app sets --------------------------------------------------------------------
# Streamlit's browser sends every widget's value with each message. A message it sent before
# it received a page run carries the values it showed before that run, and Streamlit puts
# them into the widgets' keys; a value the app had put into a widget in that run (a callback,
# a link) is then silently undone. ci41: a click on the input X2 in the network view turned
# it off, the page ran with X1 alone (and wrote f=x1 into the link); the chart's report, sent
# a moment before the browser got that run, came back with both features on: the fragment
# saw the page behind, and the page ran again with X1 and X2, the link still saying f=x1.
def set_widget(state: State, key: str, value: Any) -> None:
    """Put ``value`` into the widget of setting ``key``, and remember the value it had (what
    the browser still shows) until a page run draws it: see ``keep_set_widgets``."""
    wkey = K.widget(key)
    written = state.setdefault(K.WRITTEN, {})
    before = written[wkey][0] if wkey in written else state.get(wkey)
    written[wkey] = (before, value)
    state[wkey] = value


def page_draws_widgets(state: State) -> None:
    """At the start of a page run: what the app put into widgets since the last page run,
    this run draws; the browser may send the values before them back for a moment."""
    state[K.DRAWN_WRITES] = state.pop(K.WRITTEN, {})


def keep_set_widgets(state: State) -> None:
    """In a run of a fragment alone (the chart's report): a widget the last page run drew
    with a value the app put into it, sent back with the value it had before, came from a
    browser that had not yet got that run (its messages come in order, so a person's own
    change never looks like this): the app's value goes back in. Only a change back to the
    old value sent in the same moment as a report would be taken for one, and kept out."""
    if state.get(K.PAGE_RUNNING):
        return
    for wkey, (before, value) in state.get(K.DRAWN_WRITES, {}).items():
        if _same(state.get(wkey), before) and not _same(before, value):
            state[wkey] = value


def _same(a: Any, b: Any) -> bool:
    """Equal as a widget gives it back (a list for the tuple the app wrote)."""
    return _as_json(a) == _as_json(b)


def _as_json(value: Any) -> str:
    """A tuple the page wrote and the list a widget gives back compare equal as JSON."""
    return json.dumps(value, sort_keys=True, default=repr)


def start(state: State, query: Mapping[str, str]) -> None:
    """On a session's first run (a no-op after): the settings from the link's ``query``, its
    preset and restore point; every bad parameter named in a notice."""
    if K.SETTINGS in state:
        return
    values, notices = from_query(query)
    epoch, play = restore_point(query, notices)
    try:
        changes = changes_from_text(query.get("ch", ""))
    except ValueError as error:
        notices.append(f"{error} The run goes on without the changes the link recorded.")
        changes = []
    state[K.RESTORE] = (epoch, play, changes) if epoch or play or changes else None
    preset = query.get("preset")
    if preset in PRESETS:
        values = preset_values(preset, values)
    elif preset:
        notices.append(f"The link's preset={preset!r} is not one of {', '.join(PRESETS)}.")
    state[K.PINS], pin_notices = pins_from_text(query.get("pins", ""))
    notices += pin_notices
    state[K.SETTINGS] = values
    state[K.NOTICES] = notices
    state[K.ERRORS] = []
    # Run ids differ between sessions, not only within one: after a replica dies, Streamlit
    # reconnects the same page (and its chart) to a new session on another server, whose
    # first run must not pass for the old one (the chart would keep the old run's newest
    # step and refuse the replayed run's pictures as older).
    state[K.RUN_ID] = secrets.randbelow(2**31)
    state[K.POINTS_REV] = 0
    state[K.PLAYING] = False
    state[K.PRESET] = preset if preset in PRESETS else NO_PRESET
    state[K.OPTIONS] = {
        "learning_rate": tuple(sorted({*LEARNING_RATES, values["learning_rate"]})),
        "penalty_rate": tuple(sorted({*PENALTY_RATES, values["penalty_rate"]})),
    }
    write_widgets(state, values)


def restore_point(query: Mapping[str, str], notices: list[str]) -> tuple[int, bool]:
    """The epoch and play state a link carries: where a page was when its server went away
    (or when it was copied). Same settings and seeds: replaying to it gives the same weights."""
    text = query.get("epoch", "0")
    epoch = int(text) if text.isdigit() and int(text) <= MAX_UI_EPOCHS else 0
    if str(epoch) != text:
        notices.append(
            f"The link's epoch={text!r} is not a whole number up to {MAX_UI_EPOCHS}; "
            "starting at epoch 0."
        )
    return epoch, query.get("play") == "1"


def changes_to_text(changes: tuple[Change, ...]) -> str:
    """The changes of a run (``LiveRun.changes``) as the link's ``ch``: comma-separated
    ``step:lr:rate`` and ``step:w:layer:i:j:weight``, numbers written exactly (repr)."""

    def text(value: object) -> str:
        return repr(float(value)) if isinstance(value, float) else str(value)

    return ",".join(":".join([str(c.step), c.kind, *map(text, c.values)]) for c in changes)


def changes_from_text(text: str) -> list[Change]:
    """The link's ``ch`` read back; ValueError naming the first entry that is not one."""
    changes = []
    for entry in filter(None, text.split(",")):
        parts = entry.split(":")
        try:
            step, kind, *values = int(parts[0]), parts[1], *parts[2:]
            if kind == "lr" and len(values) == 1:
                changes.append(Change(step, kind, (float(values[0]),)))
            elif kind == "w" and len(values) == 4:
                layer, i, j = (int(v) for v in values[:3])
                changes.append(Change(step, kind, (layer, i, j, float(values[3]))))
            else:
                raise ValueError
            if step < 0:
                raise ValueError
        except (ValueError, IndexError):
            raise ValueError(
                f"The link's change {entry!r} is not 'step:lr:rate' or 'step:w:layer:i:j:weight'."
            ) from None
    return changes


# -- the buttons -----------------------------------------------------------------------------
def apply_preset(state: State) -> None:
    name = state[K.PRESET]
    if name in PRESETS:
        values = preset_values(name, state[K.SETTINGS])  # its rates are in the fixed lists
        state[K.SETTINGS] = values
        write_widgets(state, values)


def switch_problem(state: State) -> None:
    """The problem type's widget changed: the data set becomes that problem's first (moons,
    plane), in the settings and in its widget; the new data resets the run."""
    problem = state[K.widget("problem")]
    dataset = state[K.SETTINGS]["dataset"]
    if dataset != "csv":  # an uploaded file serves both: its label column is read anew
        dataset = problem_dataset(problem)
    state[K.SETTINGS] |= {"problem": problem, "dataset": dataset}
    set_widget(state, "dataset", dataset)
    state[K.PLAYING] = False


def clicked(callback: Callable[..., T]) -> Callable[..., T]:
    """A button's callback, counted in ``K.CLICKS`` (part of ``page_inputs``): a click that
    comes in one message with the chart's report runs in a run of the fragment alone, and
    the page must then know that it is behind (ci39: the second of two quick Steps trained,
    but the link, the timeline and the network view stayed an epoch behind)."""

    @functools.wraps(callback)
    def counted(state: State, *args, **kwargs) -> T:
        state[K.CLICKS] = state.get(K.CLICKS, 0) + 1
        return callback(state, *args, **kwargs)

    return counted


@clicked
def toggle_play(state: State) -> None:
    """Play or Pause; Play refuses (with a notice) a run that cannot go on."""
    state.pop(K.REWIND, None)  # the timeline back at the newest epoch
    run: LiveRun | None = state.get(K.RUN)
    if state[K.PLAYING] or run is None:
        state[K.PLAYING] = False
    elif run.diverged:
        state[K.NOTICES].append("Training diverged. Lower the learning rate, then press Play.")
    elif run.epoch >= run.epochs:
        state[K.NOTICES].append(
            f"Reached the epoch limit ({run.epochs}). Raise it, or set it to 0 to never stop, "
            "then press Play."
        )
    else:
        state[K.PLAYING] = True


@clicked
def step(state: State, lock: contextlib.AbstractContextManager | None = None) -> None:
    """Pause and train one epoch. ``lock``: held while training, so that the frame route
    does not train the same run at the same time."""
    state.pop(K.REWIND, None)  # the timeline back at the newest epoch
    state[K.PLAYING] = False
    if K.RUN in state:
        with lock or contextlib.nullcontext():
            state[K.RUN].step_epoch()


@clicked
def reset(state: State) -> None:
    """Start again with the same seeds: the run replays exactly."""
    state.pop(K.REWIND, None)  # the timeline back at the newest epoch
    state[K.PLAYING] = False
    state[K.RUN_SIGNATURE] = None


@clicked
def new_init(state: State) -> None:
    """Start again from other initial weights (the next init seed)."""
    state.pop(K.REWIND, None)  # the timeline back at the newest epoch
    seed = (state[K.SETTINGS]["init_seed"] + 1) % (MAX_SEED + 1)
    state[K.SETTINGS]["init_seed"] = seed
    set_widget(state, "init_seed", seed)
    reset(state)


# -- data and run ----------------------------------------------------------------------------
def csv_data(csv: Mapping[str, Any], test_ratio: float, seed: int, regression: bool) -> tuple:
    """(X_train, X_test, y_train, y_test, n_classes, class_names) of an uploaded file,
    standardised on the training part (class_names: the label column's values, as text);
    for a ``regression`` the label column is a number to predict (``load_regression_csv``:
    n_classes and class_names None). ValueError when it gives no two features to draw or
    (a regression) its target is text, missing or the same in every row."""
    load = load_regression_csv if regression else load_csv
    X, y, info = load(csv["bytes"], csv["label"], list(csv["features"]), return_info=True)
    if X.shape[1] != 2:
        raise ValueError("Pick two feature columns to draw and train on.")
    X_train, X_test, y_train, y_test = split(X, y, test_ratio, seed)
    X_train, X_test, _, _ = standardize(X_train, X_test)
    if regression:
        return X_train, X_test, y_train, y_test, None, None
    names = tuple(str(name) for name in info.classes)
    return X_train, X_test, y_train, y_test, len(names), names


def value_range(data: Data) -> float:
    """The values a regression's picture spans (white at 0, full colour at +-this): TF
    Playground's [-1, 1] for its data sets (their targets lie in it); for an uploaded file
    the training targets' largest magnitude, so that the scale covers the file's values in
    its own units."""
    if data[0][0] != "csv":
        return VALUE_RANGE
    largest = float(np.max(np.abs(data[3])))
    return largest if largest > 0 else VALUE_RANGE


def load_data(
    state: State, values: Mapping[str, Any], toy_data: Callable[..., tuple]
) -> tuple[Data | None, str | None]:
    """(data, message) for the settings: ``data`` is (signature, X_train, X_test, y_train,
    y_test, n_classes, class_names) (class_names None for a toy data set; n_classes and
    class_names None for a regression's), the previous data when the settings give none
    (the message says why) and it is of the same problem type; None before a CSV has been
    uploaded. ``toy_data(*signature)`` makes a toy data set."""
    regression = values["problem"] == "regression"
    current = state.get(K.DATA)
    if current is not None and (current[5] is None) != regression:
        current = None  # a classification's data does not do for a regression, nor back
    if values["dataset"] == "csv":
        csv = state.get(K.CSV)
        if csv is None or "label" not in csv:
            return current, "Upload a CSV file in the sidebar to train on your own data."
        signature = ("csv", csv["digest"], csv["label"], csv["features"], values["problem"])
        signature += (values["test_ratio"], values["data_seed"])
    else:
        signature = tuple(values[k] for k in DATA_KEYS)
    if current is not None and current[0] == signature:
        return current, None
    message = None
    try:
        if values["dataset"] == "csv":
            parts = csv_data(csv, values["test_ratio"], values["data_seed"], regression)
        else:
            parts = toy_data(*signature)
    except (ValueError, TypeError) as error:
        if current is not None:
            return current, f"{error} The previous data is kept."
        message = f"{error} Showing the default data instead."
        defaults = DEFAULTS | {"dataset": problem_dataset(values["problem"])}
        signature = tuple(defaults[k] for k in DATA_KEYS)
        parts = toy_data(*signature)
    if regression:  # numbers to predict: no classes
        parts = (*parts[:4], None, None)
    state[K.DATA] = (signature, *parts)
    state[K.POINTS_REV] += 1
    return state[K.DATA], message


def current_run(
    state: State, values: Mapping[str, Any], data: Data
) -> tuple[LiveRun | None, str | None, bool]:
    """(run, error, restarted) for these settings: the same run (with a new learning rate,
    epoch limit, speed or view applied live), or a new one when the data or the network
    changed (``restarted`` when it replaced one); the previous run and an error when the
    settings make no valid network."""
    signature = (data[0], reset_signature(values))
    run: LiveRun | None = state.get(K.RUN)
    if run is None or state.get(K.RUN_SIGNATURE) != signature:
        try:
            new = new_run(values, data)
        except ValueError as error:
            return run, f"{error} The previous network is kept.", False
        restarted = run is not None and state.get(K.RUN_SIGNATURE) is not None
        state[K.RUN], state[K.RUN_SIGNATURE] = new, signature
        state[K.RUN_ID] += 1
        apply_live_settings(new, values, len(data[1]))
        return new, None, restarted
    apply_live_settings(run, values, len(data[1]))
    return run, None, False


def new_run(values: Mapping[str, Any], data: Data) -> LiveRun:
    """A fresh run of these settings on ``data``; ValueError for settings that make no
    valid network."""
    _, X_train, X_test, y_train, y_test, n_classes, _ = data
    params = run_params(values, len(X_train))
    if n_classes is None:  # a regression: the value of one target over the plane
        return LiveRun(
            X_train, y_train, X_test, y_test, params, features=values["features"],
            task="regression", value_range=value_range(data),
        )  # fmt: skip
    return LiveRun(X_train, y_train, X_test, y_test, params, n_classes, features=values["features"])


# -- pinned runs, to compare with ---------------------------------------------------------------
MAX_PINS = 3
# Settings that change how a run looks, not what it trains: no part of what differs.
LOOK_KEYS = ("lecture", "show_test", "discrete", "palette", "speed", "epochs")


@clicked
def pin(state: State, lock: contextlib.AbstractContextManager | None = None) -> None:
    """Keep a copy of the run as it is (its settings and weights) to compare with."""
    pins = state.setdefault(K.PINS, [])
    if len(pins) >= MAX_PINS:
        state[K.NOTICES].append(f"Up to {MAX_PINS} pinned runs: remove one to pin this one.")
        return
    with lock or contextlib.nullcontext():
        run = copy.deepcopy(state[K.RUN])
    pins.append({"settings": dict(state[K.SETTINGS]), "run": run})


@clicked
def unpin(state: State, index: int) -> None:
    pins = state.get(K.PINS, [])
    if 0 <= index < len(pins):
        del pins[index]


def pin_label(settings: Mapping[str, Any], current: Mapping[str, Any]) -> str:
    """What differs from the current settings, as the link names them: "lr 0.1 → 3"."""

    def text(value: Any) -> str:
        if isinstance(value, tuple | list):
            return ",".join(map(str, value))
        return f"{value:g}" if isinstance(value, float) else str(value)

    differ = [k for k, v in settings.items() if k not in LOOK_KEYS and current.get(k) != v]
    parts = [f"{URL_NAMES.get(k, k)} {text(settings[k])} → {text(current.get(k))}" for k in differ]
    return ", ".join(parts) or "the same settings"


def pin_at(pin: dict, epoch: int, toy_data: Callable[..., tuple], data: Data) -> LiveRun | None:
    """The pinned run trained (deterministically) up to ``epoch`` if it is behind: built
    from its settings on first use (a link's pins); None when its data cannot be made
    (a CSV that is not the current data)."""
    run = pin.get("run")
    if run is None:
        settings = pin["settings"]
        if settings["dataset"] == "csv":
            if data is None or data[0][0] != "csv":
                return None
            pin_data = data
        else:
            signature = tuple(settings[k] for k in DATA_KEYS)
            pin_data = (signature, *toy_data(*signature))
        run = pin["run"] = new_run(settings, pin_data)
    if run.epoch < min(epoch, run.epochs):
        run.replay_to(min(epoch, run.epochs))
    return run


def pins_to_text(pins: list[dict]) -> str:
    """The pins' settings for the link: each as its changed settings "k:v;k:v" (or "-")."""
    return "|".join(
        ";".join(f"{k}:{v}" for k, v in to_query(pin["settings"]).items()) or "-" for pin in pins
    )


def pins_from_text(text: str) -> tuple[list[dict], list[str]]:
    """The link's pins back as settings (their runs made on first use), and notices."""
    pins, notices = [], []
    for part in [p for p in text.split("|") if p][:MAX_PINS]:
        query = dict(item.split(":", 1) for item in part.split(";") if ":" in item)
        settings, problems = from_query(query)
        notices += [f"A pinned run: {problem}" for problem in problems]
        pins.append({"settings": settings, "run": None})
    return pins, notices


def apply_live_settings(run: LiveRun, values: Mapping[str, Any], n_train: int) -> None:
    """The settings that change a run without resetting it: learning rate, epoch limit,
    speed and the picture's look."""
    params = run_params(values, n_train)
    if run.params["learning_rate"] != params["learning_rate"]:
        run.set_learning_rate(params["learning_rate"])
    if run.epochs != params["epochs"]:
        run.set_epochs(params["epochs"])
    run.set_speed(**speed_of(values["speed"]))
    run.discrete = values["discrete"]
    run.colors = PALETTES[values["palette"]]


def restore(
    state: State,
    run: LiveRun,
    waiting: Callable[[int], contextlib.AbstractContextManager] | None = None,
) -> None:
    """Once per session: train up to the link's epoch (a reconnect after a server went away),
    inside ``waiting(epoch)`` (a spinner in the app), and play on if the link was playing."""
    point = state.pop(K.RESTORE, None)
    if point is None or run.epoch:
        return
    epoch, play, changes = point
    if epoch or changes:
        with (waiting or (lambda _: contextlib.nullcontext()))(epoch):
            try:
                run.replay_changes(changes, min(epoch, run.epochs))
            except ValueError as error:  # a change this network cannot take: none are
                state[K.NOTICES].append(f"{error} The link's changes were left out.")
                run.replay_to(min(epoch, run.epochs))
    state[K.PLAYING] = play and not run.finished
    state[K.REPLAYED] = state[K.RUN_ID]


def replayed(state: State) -> bool:
    """The run is the one ``restore`` rebuilt from the link (no reset since): after a
    reconnect to another server, the page's chart may show it further on than the link
    said, and the chart's frames bring it there (``server.frames``)."""
    return state.get(K.REPLAYED) == state.get(K.RUN_ID)


def lineage(state: State, run: LiveRun) -> str:
    """What the run's training follows from, as text: the data and network it was built
    from (``RUN_SIGNATURE``), its learning rate and the changes recorded on it. A replay of
    the run on another server has the same lineage: the chart takes it as the same run."""
    rate = run.params["learning_rate"]
    return f"{state.get(K.RUN_SIGNATURE)!r}|lr={rate!r}|ch={changes_to_text(run.changes)}"


def url_query(state: State, values: Mapping[str, Any], run: LiveRun) -> dict[str, str]:
    """The link for this page: the settings that differ from the defaults, the epoch
    reached, and whether it is playing."""
    query = to_query(values)
    if run.epoch:
        query["epoch"] = str(run.epoch)
    if run.changes:
        query["ch"] = changes_to_text(run.changes)
    if state.get(K.PINS):
        query["pins"] = pins_to_text(state[K.PINS])
    if state[K.PLAYING]:
        query["play"] = "1"
    return query


# -- clicks in the network view ---------------------------------------------------------------
def apply_view_event(
    state: State,
    event: Mapping[str, Any] | None,
    lock: contextlib.AbstractContextManager | None = None,
) -> None:
    """A click in the network view (``netview.network_view``'s value), once: a link's new
    weight, set in the paused run (``lock`` held: the frame route may hold the run), or an
    input feature switched on or off (a new network). What cannot be done is a notice."""
    if not event or event.get("nonce") == state.get(K.VIEW_SEEN):
        return
    state[K.VIEW_SEEN] = event.get("nonce")
    if "edit" in event:
        run: LiveRun | None = state.get(K.RUN)
        if state[K.PLAYING] or run is None:
            state[K.NOTICES].append("Pause first, then click a link to change its weight.")
            return
        layer, i, j, weight = event["edit"]
        try:
            with lock or contextlib.nullcontext():
                run.set_weight(int(layer), int(i), int(j), weight)
        except (TypeError, ValueError) as error:
            state[K.NOTICES].append(f"{error} The weight is unchanged.")
    elif "feature" in event:
        features = set(state[K.SETTINGS]["features"]) ^ {event["feature"]}
        if not features:
            state[K.NOTICES].append("The network needs at least one input feature.")
            return
        try:
            chosen = check_features(features)
        except ValueError as error:
            state[K.NOTICES].append(str(error))
            return
        state[K.SETTINGS]["features"] = chosen
        set_widget(state, "features", list(chosen))


# -- the last good state ---------------------------------------------------------------------
def page_inputs(state: State) -> str:
    """What a whole page run draws from: playing or not, the run, the network view's last
    click, the buttons' clicks and the widgets' values."""
    widgets = {key: state[key] for key in state if str(key).startswith(K.WIDGET_PREFIX)}
    inputs = (
        state.get(K.PLAYING),
        state.get(K.RUN_ID),
        state.get(K.VIEW),
        state.get(K.CLICKS),
        widgets,
    )
    return _as_json(inputs)


def page_is_behind(state: State) -> bool:
    """True in a run of a fragment alone when something the page draws from changed since
    the page last ran. Streamlit's frontend sends the changes of one moment in one message,
    and when a fragment's widget changed too (the live chart's report), as a rerun of that
    fragment only: a Play clicked then ran its callback, but the page that relabels it and
    tells the frame route to play did not run. The fragment then reruns the page."""
    return not state.get(K.PAGE_RUNNING) and state.get(K.PAGE_INPUTS) != page_inputs(state)


def remember_good(state: State) -> None:
    """A page run drew without an error: what it drew becomes the state ``roll_back``
    returns to, and a later failure may roll back again."""
    state[K.GOOD] = {key: state.get(key) for key in GOOD_KEYS}
    state[K.GOOD]["settings_copy"] = dict(state[K.SETTINGS])
    state[K.ROLLED_BACK] = False


def roll_back(state: State, message: str) -> bool:
    """After a page run failed: put back the last good state (its settings into the
    widgets on the next run), pause, and keep ``message`` to show. False when there is no
    good state to return to, or the failure came right after a roll-back (it would loop)."""
    state.setdefault(K.ERRORS, []).append(message)
    good = state.get(K.GOOD)
    if good is None or state.get(K.ROLLED_BACK):
        return False
    failed_csv = state.get(K.CSV)
    for key in GOOD_KEYS:
        state[key] = good[key]
    state[K.SETTINGS] = dict(good["settings_copy"])
    if failed_csv is not None and failed_csv is not good[K.CSV]:  # refuse that file from now on
        state[K.CSV_REFUSED] = failed_csv["digest"]
    state[K.PLAYING] = False
    state[K.ROLLED_BACK] = True
    state[K.REWRITE_WIDGETS] = True
    return True


def after_roll_back(state: State) -> None:
    """At the start of the run after a roll-back: the good settings back into the widgets."""
    if state.pop(K.REWRITE_WIDGETS, False):
        write_widgets(state, state[K.SETTINGS])
