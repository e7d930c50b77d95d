"""The forward and backward pass of one point, with every number: what a student reads
to see the maths of ``network.py`` at work.

The notation is the README's. Layer ``l`` takes the activations ``a`` of the layer below
(the input features for the first), computes ``z = W^T a + b`` and outputs ``f(z)``: the
hidden activation, or softmax/sigmoid at the output (identity for regression). For one
point with target ``t`` the loss is the cross-entropy of the output (half the squared
error for regression); backward, the output delta is ``p - t``,
each layer below gets ``delta = (W delta_above) * f'(z)``, and a weight's gradient is
``dL/dW_ij = a_i delta_j`` (a bias's is ``delta_j``).

The numbers come from the network's own code, not from a second copy of it: the
activations from ``MLP.activations``, the gradients from ``MLP.backward`` on a batch of
this one point (for one point the bias gradient *is* the layer's delta); only
``z = W^T a + b``, the equation shown, is computed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scratchnet.gradcheck import analytic_gradients
from scratchnet.losses import LOSS_FUNCTIONS, REGRESSION_OUTPUTS
from scratchnet.network import MLP, with_ones

Array = NDArray[np.float64]


@dataclass(frozen=True)
class LayerPass:
    """One layer's part of the pass of one point.

    weights : (n_in, n_out), ``W``; bias : (n_out,), ``b``.
    inputs : (n_in,), ``a`` of the layer below (the features for the first layer).
    z : (n_out,), ``W^T a + b``; outputs : (n_out,), ``f(z)``.
    delta : (n_out,), ``dL/dz``. weight_grads : (n_in, n_out), ``dL/dW`` (with the L1/L2
    penalty's part when the network has one); bias_grads : (n_out,), ``dL/db``.
    """

    weights: Array
    bias: Array
    inputs: Array
    z: Array
    outputs: Array
    delta: Array
    weight_grads: Array
    bias_grads: Array


@dataclass(frozen=True)
class PointPass:
    """The forward and backward pass of one point through a network.

    features : (n_features,), the point as the network sees it.
    layers : one ``LayerPass`` a layer, the output layer last.
    target : the point's class (its values, (n_outputs,), for a regression network);
    loss : the output's loss for this point (the penalty
    excluded; ``penalty`` is the network's L1/L2 term, added once per minibatch).
    """

    features: Array
    layers: tuple[LayerPass, ...]
    target: int | Array
    loss: float
    penalty: float
    activation: str
    output: str

    @property
    def probabilities(self) -> Array:
        """The class probabilities (two for a sigmoid output: 1 - p and p); a regression
        network's predicted values."""
        p = self.layers[-1].outputs
        return np.array([1.0 - p[0], p[0]]) if self.output == "sigmoid" else p


def point_pass(net: MLP, features: Sequence[float], target: int | Sequence[float]) -> PointPass:
    """The pass of one point (its features as the network sees them) with class ``target``
    (or, for a regression network, the value(s) to predict).

    Runs the network's own forward and backward pass on a batch of this one point; the
    network's weights are not changed.
    """
    x = np.asarray(features, dtype=np.float64).reshape(1, -1)
    n_in, n_out = net.layer_sizes[0], net.layer_sizes[-1]
    if x.shape[1] != n_in:
        raise ValueError(f"This network takes {n_in} features; got {x.shape[1]}.")
    if net.output in REGRESSION_OUTPUTS:
        y = np.asarray(target, dtype=np.float64).reshape(1, -1)
        if y.shape[1] != n_out or not np.isfinite(y).all():
            raise ValueError(f"The target must be {n_out} finite number(s). Got {target!r}.")
    else:
        classes = 2 if net.output == "sigmoid" else n_out
        if isinstance(target, bool) or not isinstance(target, int | np.integer):
            raise ValueError(f"The target must be a class number. Got {target!r}.")
        if not 0 <= target < classes:
            raise ValueError(f"The target must be a class from 0 to {classes - 1}. Got {target}.")
        y = np.array([int(target)])
    outputs = net.activations(x)
    grads = analytic_gradients(net, x, y)
    layers = []
    inputs = x[0]
    for W, b, a, G in zip(net.coefs, net.intercepts, outputs, grads, strict=True):
        layers.append(
            LayerPass(
                weights=W.copy(), bias=b.copy(), inputs=inputs.copy(), z=inputs @ W + b,
                outputs=a[0].copy(), delta=G[-1].copy(), weight_grads=G[:-1].copy(),
                bias_grads=G[-1].copy(),
            )
        )  # fmt: skip
        inputs = a[0]
    loss = float(LOSS_FUNCTIONS[net.output](outputs[-1], y))
    return PointPass(
        features=x[0].copy(), layers=tuple(layers), loss=loss,
        target=y[0].copy() if y.ndim == 2 else int(y[0]), penalty=float(net.penalty()),
        activation=net.activation, output=net.output,
    )  # fmt: skip


def shown_units(values: Array, limit: int) -> NDArray[np.intp]:
    """Which units of a layer to write out when it has more than ``limit``: those with
    the largest ``|values|`` (the activations or deltas that matter most), in unit order."""
    values = np.abs(np.asarray(values, dtype=np.float64))
    if len(values) <= limit:
        return np.arange(len(values))
    return np.sort(np.argsort(-values, kind="stable")[:limit])


def minibatch_gradients(net: MLP, X: Array, T: Array) -> list[Array]:
    """The gradients a training step takes on the minibatch X (b, n_features) with targets
    T (b, n_outputs) (``Trainer.next_batch``): the mean over its points, the penalty's
    gradient included, laid out like ``net.params`` (copies). Plain SGD then moves every
    weight by exactly ``-learning_rate`` times these."""
    net.forward(with_ones(np.asarray(X, dtype=np.float64)))
    return [G.copy() for G in net.backward(np.asarray(T, dtype=np.float64))]
