"""Take a network home: its weights as JSON or ``.npz``, loaded back as an estimator.

Both files hold the same thing: the layer sizes, activation and output, the input
features the network was trained on (``scratchnet.features`` names: put a ``FeatureMap``
of them in front of the estimator to feed it (x1, x2) points), the classes (a
classifier's), the training parameters, and every weight and bias, exactly (JSON writes
each float64 so that it reads back to the same bits).

    model = load_model("network.json")          # a fitted ScratchNetClassifier
    model.predict(FeatureMap(features).fit_transform(X))
    model.partial_fit(X_features, y)             # training goes on from the weights
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from scratchnet.estimator import BaseScratchNet, ScratchNetClassifier, ScratchNetRegressor
from scratchnet.features import PLAIN, check_features
from scratchnet.losses import REGRESSION_OUTPUTS
from scratchnet.network import MLP
from scratchnet.training import DEFAULTS

FORMAT = "scratchnet-weights"
VERSION = 1


def model_dict(
    net: MLP,
    params: Mapping[str, Any],
    features: Sequence[str] = PLAIN,
    classes: Sequence[Any] | None = None,
) -> dict[str, Any]:
    """Everything a file holds about ``net`` (see the module docstring), as plain Python."""
    regression = net.output in REGRESSION_OUTPUTS
    if classes is None and not regression:
        n = 2 if net.output == "sigmoid" else net.layer_sizes[-1]
        classes = list(range(n))
    return {
        "format": FORMAT,
        "version": VERSION,
        "layer_sizes": [int(s) for s in net.layer_sizes],
        "activation": net.activation,
        "output": net.output,
        "features": list(check_features(features)),
        "classes": None if regression else [_plain(c) for c in classes],
        "params": {k: _plain(params[k]) for k in DEFAULTS if k in params},
        "coefs": [W.tolist() for W in net.coefs],
        "intercepts": [b.tolist() for b in net.intercepts],
    }


def _plain(value: Any) -> Any:
    """A NumPy scalar or tuple as the JSON-able Python value."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def to_json(model: Mapping[str, Any]) -> str:
    return json.dumps(model, indent=1)


def to_npz(model: Mapping[str, Any]) -> bytes:
    """The weights as arrays ``coef_0``, ``intercept_0``, ...; the rest as JSON in ``meta``."""
    meta = {k: v for k, v in model.items() if k not in ("coefs", "intercepts")}
    arrays = {f"coef_{i}": np.asarray(W) for i, W in enumerate(model["coefs"])}
    arrays |= {f"intercept_{i}": np.asarray(b) for i, b in enumerate(model["intercepts"])}
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.array(json.dumps(meta)), **arrays)
    return buffer.getvalue()


def read_model(source: str | Path | bytes | Mapping[str, Any]) -> dict[str, Any]:
    """A file written by ``to_json``/``to_npz`` (a path, its bytes or text) as a dict;
    ValueError saying what is wrong with anything else."""
    if isinstance(source, Mapping):
        model = dict(source)
    else:
        data = Path(source).read_bytes() if isinstance(source, Path) or (
            isinstance(source, str) and not source.lstrip().startswith("{")
        ) else source  # fmt: skip
        data = data.encode() if isinstance(data, str) else data
        try:
            if data[:2] == b"PK":  # a zip: .npz
                with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                    model = json.loads(str(npz["meta"]))
                    n = len(model["layer_sizes"]) - 1
                    model["coefs"] = [npz[f"coef_{i}"] for i in range(n)]
                    model["intercepts"] = [npz[f"intercept_{i}"] for i in range(n)]
            else:
                model = json.loads(data)
        except (ValueError, KeyError, OSError, zipfile.BadZipFile) as error:
            raise ValueError(f"This is not a scratchnet weights file ({error}).") from None
    if not isinstance(model, dict) or model.get("format") != FORMAT:
        raise ValueError(f"This is not a scratchnet weights file (no format {FORMAT!r}).")
    if model.get("version") != VERSION:
        raise ValueError(f"Weights file version {model.get('version')!r}; this reads {VERSION}.")
    sizes = model["layer_sizes"]
    for i, (W, b) in enumerate(zip(model["coefs"], model["intercepts"], strict=True)):
        if np.shape(W) != (sizes[i], sizes[i + 1]) or np.shape(b) != (sizes[i + 1],):
            raise ValueError(f"Layer {i + 1}'s weights do not have the shape its sizes say.")
    return model


def load_model(source: str | Path | bytes | Mapping[str, Any]) -> BaseScratchNet:
    """A fitted ``ScratchNetClassifier`` (or ``ScratchNetRegressor``) with the file's
    weights: ready to ``predict``, and to go on training with ``partial_fit``. Its inputs
    are the network's features (``model["features"]``: see ``FeatureMap``)."""
    model = read_model(source)
    regression = model["output"] in REGRESSION_OUTPUTS
    params = {**model["params"], "activation": model["activation"], "output": model["output"],
              "hidden_layer_sizes": tuple(model["layer_sizes"][1:-1])}  # fmt: skip
    estimator = (ScratchNetRegressor if regression else ScratchNetClassifier)(**params)
    estimator.n_features_in_ = model["layer_sizes"][0]
    if regression:
        estimator.n_outputs_ = model["layer_sizes"][-1]
    else:
        estimator.classes_ = np.asarray(model["classes"])
    estimator._start(model["layer_sizes"][-1])
    for W, coef, intercept in zip(
        estimator._trainer.net.params, model["coefs"], model["intercepts"], strict=True
    ):
        W[:-1], W[-1] = coef, intercept
    return estimator


def history_csv(history: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """One row per epoch (``Trainer.history``, a live run's ``History``) as CSV text with a
    header; an empty cell where a row has None (no test set), floats exactly (repr)."""
    lines = [",".join(columns)]
    for row in history:
        lines.append(",".join("" if row[c] is None else repr(row[c]) for c in columns))
    return "\n".join(lines) + "\n"
