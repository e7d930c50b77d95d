"""Every Playground setting in one table: its default, its valid values, whether changing
it resets the network, and how it is written in the URL.

The widgets, the query string and the presets all go through this table, so a shared
link, a preset and a slider can never disagree about what a setting means. Plain Python:
no Streamlit here, so it is tested without a server.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scratchnet.activations import ACTIVATIONS
from scratchnet.datasets import DATASETS, REGRESSION_DATASETS
from scratchnet.features import LABELS as FEATURE_LABELS
from scratchnet.features import PLAIN, check_features
from scratchnet.losses import OUTPUTS
from scratchnet.network import INITS
from scratchnet.optimizers import OPTIMIZERS
from scratchnet.plots import PALETTES
from scratchnet.presets import PRESETS

PENALTIES = ("none", "l1", "l2")
# TensorFlow Playground's problem types: each has its data sets, and the first is where a
# switch to it starts. An uploaded CSV ("csv") serves both: its label is a class or a number.
PROBLEMS = ("classification", "regression")
PROBLEM_DATASETS = {"classification": DATASETS, "regression": REGRESSION_DATASETS}
MAX_SEED = 2**32 - 1
MAX_UI_NEURONS = 128
MAX_UI_LAYERS = 6
MAX_UI_SAMPLES = 10_000
MAX_UI_EPOCHS = 100_000
NO_EPOCH_LIMIT = 1_000_000  # what "never stop" trains to: the core's largest epoch count
# What a frame trains while playing: minibatch steps ("3s") or whole epochs ("1e"), each
# within the frame's time slice. At the defaults (94 steps an epoch, ~40 frames a second)
# "10s" learns the moons in two to three seconds: fast enough to see, slow enough to follow.
SPEEDS = ("1s", "3s", "10s", "30s", "1e", "3e", "10e")
# Link parameters the page reads itself (not settings): the preset, and where the run was.
PAGE_PARAMS = ("preset", "epoch", "play", "ch", "pins")
# Parameters that sharing tools, chat apps and ad trackers append to links: ignored silently.
TRACKING_PARAM = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|twclid|igshid|mc_cid|mc_eid"
    r"|_ga|_gl|ref|ref_src|si|s_cid|mkt_tok|trk|__hs\w+|_hs\w+|hsa_\w+|oly_\w+|vero_\w+)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Setting:
    """One control. ``kind`` is int, float, choice, bool, layers (a list of ints) or
    features (names from scratchnet.features)."""

    key: str
    default: Any
    kind: str
    low: float = 0
    high: float = 0
    choices: tuple = ()
    resets: bool = True  # a change rebuilds the network from its seeds

    def parse(self, text: str) -> Any:
        """The value written as ``text`` in a URL; ValueError if it is not a valid one."""
        if self.kind == "bool":
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError("expected 1 or 0")
        if self.kind == "choice":
            if text not in self.choices:
                raise ValueError(f"expected one of {', '.join(self.choices)}")
            return text
        if self.kind == "features":
            names = [p.strip() for p in text.split(",") if p.strip()]
            if not names:
                raise ValueError(f"expected input features from {', '.join(FEATURE_LABELS)}")
            return check_features(names)
        if self.kind == "layers":
            expected = (
                f"expected up to {MAX_UI_LAYERS} layer sizes from 1 to {MAX_UI_NEURONS}, like 8,4"
            )
            try:
                sizes = [int(p) for p in text.split(",") if p.strip()] if text else []
            except ValueError:
                raise ValueError(expected) from None
            if len(sizes) > MAX_UI_LAYERS or any(not 1 <= s <= MAX_UI_NEURONS for s in sizes):
                raise ValueError(expected)
            return tuple(sizes)
        whole = self.kind == "int"
        number = "a whole number" if whole else "a number"
        expected = f"expected {number} from {self.low:g} to {self.high:g}"
        try:
            value = int(text) if whole else float(text)
        except ValueError:
            raise ValueError(expected) from None
        if not (math.isfinite(value) and self.low <= value <= self.high):
            raise ValueError(expected)
        return value

    def write(self, value: Any) -> str:
        """``value`` as the URL writes it."""
        if self.kind == "bool":
            return "1" if value else "0"
        if self.kind == "layers":
            return ",".join(str(int(v)) for v in value)
        if self.kind == "features":
            return ",".join(value)
        if self.kind == "float":
            return f"{value:.6g}"
        return str(value)


SETTINGS: tuple[Setting, ...] = (
    # data
    Setting("problem", "classification", "choice", choices=PROBLEMS),
    Setting("dataset", "moons", "choice", choices=(*DATASETS, *REGRESSION_DATASETS, "csv")),
    Setting("n_samples", 1250, "int", 10, MAX_UI_SAMPLES),
    Setting("noise", 0.1, "float", 0.0, 1.0),
    Setting("classes", 2, "int", 2, 8),
    Setting("test_ratio", 0.25, "float", 0.0, 0.9),
    Setting("data_seed", 42, "int", 0, MAX_SEED),
    # network
    Setting("features", PLAIN, "features"),
    Setting("hidden", (64,), "layers"),
    Setting("activation", "relu", "choice", choices=tuple(ACTIVATIONS)),
    Setting("output", "softmax", "choice", choices=OUTPUTS),
    Setting("init", "he", "choice", choices=INITS),
    Setting("init_seed", 0, "int", 0, MAX_SEED),
    # training
    Setting("learning_rate", 0.1, "float", 1e-5, 10.0, resets=False),
    Setting("batch_size", 10, "int", 1, MAX_UI_SAMPLES),
    Setting("epochs", 0, "int", 0, MAX_UI_EPOCHS, resets=False),  # 0: never stop
    Setting("speed", "10s", "choice", choices=SPEEDS, resets=False),
    Setting("optimizer", "sgd", "choice", choices=OPTIMIZERS),
    Setting("penalty", "none", "choice", choices=PENALTIES),
    Setting("penalty_rate", 0.001, "float", 1e-6, 10.0),
    Setting("shuffle_seed", 0, "int", 0, MAX_SEED),
    # view
    Setting("show_test", True, "bool", resets=False),
    Setting("discrete", False, "bool", resets=False),
    Setting("palette", "playground", "choice", choices=tuple(PALETTES), resets=False),
    Setting("lecture", False, "bool", resets=False),
)
BY_KEY = {s.key: s for s in SETTINGS}
DEFAULTS: dict[str, Any] = {s.key: s.default for s in SETTINGS}
DATA_KEYS = ("dataset", "n_samples", "noise", "classes", "test_ratio", "data_seed")
# Short names keep shared links short; the long names are accepted too.
URL_NAMES = {
    "problem": "problem", "dataset": "data", "n_samples": "n", "noise": "noise", "classes": "k",
    "test_ratio": "test", "data_seed": "dseed", "hidden": "h", "activation": "act",
    "output": "out", "init": "init", "init_seed": "iseed", "learning_rate": "lr",
    "batch_size": "batch", "epochs": "epochs", "optimizer": "opt", "penalty": "reg",
    "penalty_rate": "rate", "shuffle_seed": "sseed", "show_test": "test_pts",
    "lecture": "lecture", "features": "f", "speed": "speed", "discrete": "disc", "palette": "pal",
}  # fmt: skip
FROM_URL = {short: key for key, short in URL_NAMES.items()} | {key: key for key in URL_NAMES}


def from_query(query: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Settings from a URL's query parameters, and a warning for each one that was not valid.

    A missing parameter takes its default; a nonsense one takes its default and is named in
    a warning; an unknown one is ignored with a warning that names the parameter it was
    probably meant to be, except those that sharing tools add (``utm_source``, ``fbclid``,
    ...), which are ignored silently. Never raises.
    """
    values, warnings = dict(DEFAULTS), []
    for name, raw in query.items():
        text = raw[-1] if isinstance(raw, list | tuple) else raw
        key = FROM_URL.get(name)
        if key is None:
            if name not in PAGE_PARAMS and not TRACKING_PARAM.match(name):
                warnings.append(unknown_parameter(name))
            continue
        setting = BY_KEY[key]
        try:
            values[key] = setting.parse(str(text).strip())
        except ValueError as error:
            shown = setting.write(setting.default)
            warnings.append(
                f"The link's {name}={text!r} is not valid ({error}); using the default, {shown}."
            )
    if not dataset_fits(values["problem"], values["dataset"]):
        fitting = problem_dataset(values["problem"])
        if any(FROM_URL.get(name) == "dataset" for name in query):
            warnings.append(
                f"The data set {values['dataset']!r} is not a {values['problem']} problem's; "
                f"using {fitting!r}."
            )
        values["dataset"] = fitting
    return values, warnings


def dataset_fits(problem: str, dataset: str) -> bool:
    """True when ``dataset`` is one of ``problem``'s (an uploaded CSV fits both)."""
    return dataset == "csv" or dataset in PROBLEM_DATASETS[problem]


def problem_dataset(problem: str) -> str:
    """The data set a switch to ``problem`` starts with: TF Playground's first of its kind."""
    return PROBLEM_DATASETS[problem][0]


def unknown_parameter(name: str) -> str:
    """The warning for a link parameter that is not a setting: with the closest known
    name when there is one (a typo such as ``hiden``)."""
    known = [*FROM_URL, *PAGE_PARAMS]
    close = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.75)
    if close:
        return f"Ignored the unknown link parameter {name!r}. Did you mean {close[0]!r}?"
    return f"Ignored the unknown link parameter {name!r}."


def to_query(values: Mapping[str, Any]) -> dict[str, str]:
    """Query parameters for ``values``: only the settings that differ from their defaults."""
    return {
        URL_NAMES[s.key]: s.write(values[s.key])
        for s in SETTINGS
        if s.key in values and values[s.key] != s.default
    }


def classifier_params(values: Mapping[str, Any], n_train: int) -> dict[str, Any]:
    """``ScratchNetClassifier`` keyword arguments for these settings."""
    penalty, rate = values["penalty"], values["penalty_rate"]
    return {
        "hidden_layer_sizes": tuple(values["hidden"]),
        "activation": values["activation"],
        "output": values["output"],
        "init": values["init"],
        "optimizer": values["optimizer"],
        "learning_rate": values["learning_rate"],
        "batch_size": min(int(values["batch_size"]), max(n_train, 1)),
        "epochs": values["epochs"] or NO_EPOCH_LIMIT,
        "l1": rate if penalty == "l1" else 0.0,
        "l2": rate if penalty == "l2" else 0.0,
        "random_state": values["init_seed"],
        "shuffle_seed": values["shuffle_seed"],
    }


def regressor_params(values: Mapping[str, Any], n_train: int) -> dict[str, Any]:
    """``ScratchNetRegressor`` keyword arguments for these settings: a classifier's, with
    the identity output (the value itself, half the squared error as its loss)."""
    return classifier_params(values, n_train) | {"output": "identity"}


def run_params(values: Mapping[str, Any], n_train: int) -> dict[str, Any]:
    """The estimator's keyword arguments for these settings' problem type."""
    if values["problem"] == "regression":
        return regressor_params(values, n_train)
    return classifier_params(values, n_train)


def speed_of(code: str) -> dict[str, int]:
    """``LiveRun.set_speed`` keywords for a speed of SPEEDS: "3s" -> {"steps": 3}."""
    count, unit = int(code[:-1]), code[-1]
    return {"steps": count} if unit == "s" else {"epochs": count}


def speed_label(code: str) -> str:
    """How a speed reads on the page: "3s" -> "3 steps a frame"."""
    count, unit = int(code[:-1]), "step" if code[-1] == "s" else "epoch"
    return f"{count} {unit}{'s' if count > 1 else ''} a frame"


def reset_signature(values: Mapping[str, Any]) -> tuple:
    """What identifies a run: two settings with the same signature train the same network."""
    return tuple(values[s.key] for s in SETTINGS if s.resets)


def preset_values(name: str, base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Settings that reproduce preset ``name`` (from ``scratchnet.presets.PRESETS``)."""
    if name not in PRESETS:
        raise ValueError(f"Unknown preset {name!r}. Choose one of {', '.join(PRESETS)}.")
    preset = PRESETS[name]
    data, params = preset["data"], preset["params"]
    values = dict(base or DEFAULTS)
    values.update(
        {key: data[key] for key in ("dataset", "n_samples", "noise", "test_ratio", "data_seed")}
    )
    values["problem"] = next(p for p, sets in PROBLEM_DATASETS.items() if data["dataset"] in sets)
    n_train = data["n_samples"] - math.ceil(data["test_ratio"] * data["n_samples"])
    batch = params["batch_size"]
    values.update(
        hidden=tuple(params["hidden_layer_sizes"]),
        activation=params["activation"],
        output=params["output"],
        init=params["init"],
        optimizer=params["optimizer"],
        learning_rate=params["learning_rate"],
        batch_size=n_train if batch == "full" else batch,
        epochs=params["epochs"],
        penalty="l1" if params.get("l1") else "l2" if params.get("l2") else "none",
        penalty_rate=params.get("l1") or params.get("l2") or DEFAULTS["penalty_rate"],
        classes=2,
    )
    return values


# -- the Experiments page (pages/experiments.py) ---------------------------------------------
# Its data and training widgets take their bounds from SETTINGS above (samples, noise, batch
# size) and its neuron counts from MAX_UI_NEURONS, as the Playground's; these are its own.
MAX_SWEEP_EPOCHS = 1_000
MAX_SWEEP_TRIALS = 1_000  # networks per hidden size
MAX_SWEEP_RUNS = 5_000  # repeated runs: scratchnet.sweep.MAX_NETWORKS, one network each
MAX_SWEEP_SECONDS = 600  # a sweep estimated to take longer is refused: run it from Python
SWEEP_CHUNK_SIZE = 32  # networks that finish together: what progress counts, Cancel keeps
MAX_SWEEP_WORKERS = 2  # processes of this machine that train sweeps, one sweep at a time
DASK_SCHEDULER_ENV = "SCRATCHNET_DASK_SCHEDULER"  # the server's Dask cluster, if any
DASK_CONNECT_SECONDS = 5.0  # a scheduler that does not answer within this is not used
