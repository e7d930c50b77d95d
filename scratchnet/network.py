"""The multi-layer perceptron: parameters, a forward pass that keeps what backward
needs, and a backward pass written out by hand.

Layout. Layer ``i`` has one matrix ``W[i]`` of shape ``(n_in + 1, n_out)``: the first
``n_in`` rows are the weights and the last row is the bias. Every layer's input
carries a trailing column of ones, so ``A @ W`` is ``A @ weights + bias`` in one
call. ``coefs``/``intercepts`` give the usual scikit-learn views of the same memory.
All the matrices are views into one flat vector, ``flat_params`` (and the gradients
into ``flat_grads``), so an optimiser updates every layer in one call.

Speed. A minibatch of 10 costs almost nothing in arithmetic; what it costs is the
number of NumPy calls, about half a microsecond each. So activations live in buffers
allocated once per batch size, every operation writes in place (``out=``), and
scalars go in as 0-d arrays (a Python float costs a ufunc call ~0.4 us more to
convert). The code below is the code that trains: there is no second, faster copy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from scratchnet.activations import ACTIVATIONS, DERIVATIVES, check_name
from scratchnet.losses import (
    LOSS_FUNCTIONS,
    OUTPUT_FUNCTIONS,
    OUTPUTS,
    REGRESSION_OUTPUTS,
    add_penalty_gradient,
    class_probabilities,
    penalty,
)

Array = NDArray[np.float64]

INITS = ("he", "glorot", "normal")
MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 256

# A weight this large means the steps overshot: the outputs saturate, and a few more
# steps overflow float64 (inf - inf = nan). Trained networks here stay below ~1e3.
MAX_WEIGHT = 1e6
PREDICT_CHUNK = 4096  # predict_output keeps buffers for at most this many rows
TRAIN_ZEROS_UP_TO = 256  # batches up to this size get a zeros buffer for relu (see _Buffers)


def init_layer(rng: np.random.Generator, n_in: int, n_out: int, init: str) -> Array:
    """One layer's ``(n_in + 1, n_out)`` matrix, the bias in the last row.

    he:     weights ~ N(0, 2 / n_in), bias 0 (suits relu).
    glorot: weights ~ U(-r, r) with r = sqrt(6 / (n_in + n_out)), bias 0 (suits tanh).
    normal: weights and bias ~ N(0, 1), drawn weights first, as both seed write-ups do.
    """
    W = np.zeros((n_in + 1, n_out))
    if init == "he":
        W[:-1] = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))
    elif init == "glorot":
        bound = np.sqrt(6.0 / (n_in + n_out))
        W[:-1] = rng.uniform(-bound, bound, size=(n_in, n_out))
    else:
        W[:-1] = rng.standard_normal((n_in, n_out))
        W[-1] = rng.standard_normal(n_out)
    return W


def with_ones(X: NDArray) -> Array:
    """``X`` (n_samples, n_features) with a column of ones appended: (n_samples, n_features + 1)."""
    X1 = np.empty((X.shape[0], X.shape[1] + 1))
    X1[:, :-1] = X
    X1[:, -1] = 1.0
    return X1


class _Buffers:
    """Activations and deltas for one batch size, allocated once.

    Inside the network a layer's values are stored one column per sample,
    (units, n_samples), so that the rows of a layer are contiguous and ``np.dot``
    can write straight into them. Hidden layers carry an extra last row of ones.
    """

    def __init__(self, n: int, sizes: Sequence[int]):
        self.inputs = np.ones((n, sizes[0] + 1))  # a caller's X, copied in, plus ones
        self.acts = [np.ones((h + 1, n)) for h in sizes[1:-1]] + [np.empty((sizes[-1], n))]
        self.sizes = sizes
        self._deltas: list[Array] | None = None  # only batches that are trained need them
        self.layer_inputs: list[Array] = [self.inputs.T, *self.acts[:-1]]  # [0] set per pass
        self.hidden = [A[:-1] for A in self.acts[:-1]]  # hidden activations without the ones
        self.n = n
        # What relu compares with. np.maximum against a 0-d zero broadcasts, which costs a
        # small batch more than the comparison; a same-shape zeros block does not. Large
        # (prediction) buffers broadcast: there the arithmetic dominates and memory counts.
        block = np.zeros((max(sizes[1:-1], default=0), n if n <= TRAIN_ZEROS_UP_TO else 1))
        self.zeros = [block[:h] for h in sizes[1:-1]]  # one per hidden layer
        self.scale = np.zeros(())  # backward's scale / n, as a 0-d array
        self.scratch = np.empty((sizes[-1], n))  # for the output function

    @property
    def deltas(self) -> list[Array]:
        if self._deltas is None:
            n = self.inputs.shape[0]
            self._deltas = [np.empty((h, n)) for h in self.sizes[1:]]
        return self._deltas


class MLP:
    """A fully connected network for classification or regression.

    Parameters
    ----------
    layer_sizes : [n_features, hidden_1, ..., hidden_k, n_outputs]
        ``n_outputs`` is the number of classes for ``output="softmax"``, 1 for
        ``output="sigmoid"``, and the number of targets for ``output="identity"``.
    activation : one of ``ACTIVATIONS`` (relu, tanh, sigmoid, linear, leaky_relu).
    output : "softmax" (cross-entropy) or "sigmoid" (binary cross-entropy) to classify;
        "identity" (half the squared error) to regress.
    init : "he", "glorot" or "normal".
    seed : seeds the network's own ``numpy.random.Generator`` for the initial weights.
    l1, l2 : penalty rates on the weights (not the biases): the loss gains
        ``l1 * sum|w| + l2 / 2 * sum w**2``.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activation: str = "relu",
        output: str = "softmax",
        init: str = "he",
        seed: int | None = None,
        l1: float = 0.0,
        l2: float = 0.0,
    ):
        self.layer_sizes = [int(s) for s in layer_sizes]
        self.activation = check_name("activation", activation, ACTIVATIONS)
        self.output = check_name("output", output, OUTPUTS + REGRESSION_OUTPUTS)
        self.l1, self.l2 = float(l1), float(l2)
        rng = np.random.default_rng(seed)
        init = check_name("init", init, INITS)
        pairs = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=False))
        self.flat_params = np.zeros(sum((n_in + 1) * n_out for n_in, n_out in pairs))
        self.flat_grads = np.zeros_like(self.flat_params)
        self._bind()
        for W, (n_in, n_out) in zip(self.params, pairs, strict=True):
            W[...] = init_layer(rng, n_in, n_out, init)
        self._activate = ACTIVATIONS[self.activation]
        self._derivative = DERIVATIVES[self.activation]
        self._output = OUTPUT_FUNCTIONS[self.output]

    def _bind(self) -> None:
        """Lay the per-layer matrices out as views of ``flat_params``/``flat_grads``."""
        self.params: list[Array] = []
        self.grads: list[Array] = []
        start = 0
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=False):
            stop = start + (n_in + 1) * n_out
            self.params.append(self.flat_params[start:stop].reshape(n_in + 1, n_out))
            self.grads.append(self.flat_grads[start:stop].reshape(n_in + 1, n_out))
            start = stop
        self._weights = [W[:-1] for W in self.params]  # without the bias row, for backward
        self._weight_grads = [G[:-1] for G in self.grads]  # and their gradients
        self._buffers: dict[int, _Buffers] = {}
        self._last: _Buffers | None = None  # the buffers of the last forward pass

    def __getstate__(self) -> dict:
        # Views do not survive pickling (each would become its own copy): keep the flat
        # vectors only, and lay the views out again on loading.
        drop = ("params", "grads", "_weights", "_weight_grads", "_buffers", "_last")
        return {k: v for k, v in self.__dict__.items() if k not in drop}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        # Own writable copies: unpickled arrays may be read-only (joblib memory-maps them).
        self.flat_params = np.array(self.flat_params)
        self.flat_grads = np.array(self.flat_grads)
        self._bind()

    # -- scikit-learn's layout, as views ------------------------------------------------
    @property
    def coefs(self) -> list[Array]:
        """Weights, ``coefs[i]`` of shape (n_in, n_out): views into ``params``."""
        return [W[:-1] for W in self.params]

    @property
    def intercepts(self) -> list[Array]:
        """Biases, ``intercepts[i]`` of shape (n_out,): views into ``params``."""
        return [W[-1] for W in self.params]

    def _buffers_for(self, n: int) -> _Buffers:
        buffers = self._buffers.get(n)
        if buffers is None:
            if len(self._buffers) >= 8:  # batch, last batch, train, test, grid, ...
                self._buffers.clear()
            buffers = self._buffers[n] = _Buffers(n, self.layer_sizes)
        return buffers

    # -- forward -------------------------------------------------------------------------
    def forward(self, X1: Array) -> Array:
        """Output of the network for inputs that already end in a column of ones.

        X1 : ndarray of shape (n_samples, n_features + 1), see ``with_ones``.
        Returns shape (n_samples, n_outputs): a view of a buffer that the next forward
        pass of the same size overwrites, so copy it to keep it. Each layer's input
        (activations plus the row of ones) is kept for ``backward``.
        """
        buffers = self._buffers.get(X1.shape[0]) or self._buffers_for(X1.shape[0])
        self._last = buffers
        A = buffers.layer_inputs[0] = X1.T  # (n_features + 1, n_samples): a sample a column
        params, activate, zeros = self.params, self._activate, buffers.zeros
        for i, Z in enumerate(buffers.hidden):
            np.dot(params[i].T, A, out=Z)  # Z = W^T A: weights and bias in one product
            activate(Z, zeros[i])  # in place; the row of ones below Z stays
            A = buffers.acts[i]
        P = buffers.acts[-1]
        np.dot(params[-1].T, A, out=P)
        self._output(P, buffers.scratch)
        return P.T

    def predict_output(self, X: NDArray) -> Array:
        """The raw output (a fresh array) for plain inputs X of shape (n_samples, n_features).

        Up to ``PREDICT_CHUNK`` rows go through buffers kept for that size (the training
        and test sets of a live run); more rows (a boundary grid) go through in chunks of
        that size with buffers that are freed afterwards, so memory stays small.
        """
        n = X.shape[0]
        if n <= PREDICT_CHUNK:
            buffers = self._buffers_for(n)
            buffers.inputs[:, :-1] = X
            return self.forward(buffers.inputs).copy()
        out = np.empty((n, self.layer_sizes[-1]))
        kept, self._buffers = self._buffers, {}
        try:
            for start in range(0, n, PREDICT_CHUNK):
                stop = min(start + PREDICT_CHUNK, n)
                out[start:stop] = self.predict_output(X[start:stop])
        finally:
            self._buffers, self._last = kept, None
        return out

    def predict_proba(self, X: NDArray) -> Array:
        """Class probabilities, shape (n_samples, n_classes), rows summing to 1."""
        return class_probabilities(self.predict_output(X), self.output)

    def activations(self, X: NDArray) -> list[Array]:
        """What every neuron outputs for each row of X: the pictures of the network view.

        X : ndarray of shape (n_samples, n_features).
        Returns one array per layer after the inputs, ``[hidden_1, ..., hidden_k, output]``,
        each of shape (n_samples, units): column j is neuron j's activation, the output
        layer's after softmax or sigmoid (``predict_output``).
        """
        A = np.asarray(X, dtype=np.float64)
        layers = []
        for i, W in enumerate(self.params):
            Z = A @ W[:-1] + W[-1]  # z = W^T a + b, for every sample at once
            if i < len(self.params) - 1:
                self._activate(Z)
            else:
                Z = np.ascontiguousarray(Z.T)  # the output functions take a sample a column
                self._output(Z)
                Z = Z.T
            layers.append(Z)
            A = Z
        return layers

    # -- backward ------------------------------------------------------------------------
    def backward(self, T: Array, scale: float = 1.0) -> list[Array]:
        """Mean gradient of the loss over the batch of the last ``forward``, times ``scale``.

        T : ndarray of shape (n_samples, n_outputs), the targets: one-hot rows for
            softmax, a column of 0/1 for sigmoid, the numbers to predict for identity.
        scale : plain SGD passes its learning rate, so that its update is just W -= G.
        Fills and returns ``self.grads``, laid out like ``self.params``.
        """
        buffers = self._last
        if buffers is None or buffers.n != len(T):
            raise ValueError("backward(T) needs a forward pass on a batch of the same size first.")
        # The output delta dL/dZ is P - T for both outputs. Softmax with cross-entropy:
        # dL/dp_k = -t_k / p_k and dp_k/dz_j = p_k (1[k=j] - p_j); the product summed
        # over k is p_j * sum(t) - t_j = p_j - t_j, since the one-hot row sums to 1.
        # Sigmoid with binary cross-entropy: dL/dp = (p - t) / (p (1 - p)) and
        # dp/dz = p (1 - p), which cancel to p - t. Identity with half the squared error:
        # dL/dp = p - t (the half cancels the square's 2) and dp/dz = 1, so again p - t,
        # one column per output, none averaged over the outputs (as scikit-learn's
        # MLPRegressor steps). Dividing by n makes it a mean; every
        # gradient below is linear in delta, so ``scale`` applied here scales them all.
        deltas = buffers.deltas
        delta = deltas[-1]
        np.subtract(buffers.acts[-1], T.T, out=delta)
        buffers.scale.fill(scale / buffers.n)
        np.multiply(delta, buffers.scale, out=delta)
        inputs, hidden, zeros = buffers.layer_inputs, buffers.hidden, buffers.zeros
        weights, grads = self._weights, self.grads
        for i in range(len(grads) - 1, -1, -1):
            np.dot(inputs[i], delta.T, out=grads[i])  # dL/dW = A delta^T (ones give the bias)
            if i:
                below = deltas[i - 1]
                np.dot(weights[i], delta, out=below)  # back through the weights (not the bias)
                self._derivative(hidden[i - 1], below, zeros[i - 1])  # and the activation
                delta = below
        if self.l1 or self.l2:  # the penalty's gradient, on the weights (not the biases)
            add_penalty_gradient(self._weight_grads, self._weights, self.l1, self.l2, scale)
        return self.grads

    # -- loss ----------------------------------------------------------------------------
    def penalty(self) -> float:
        """``l1 * sum|w| + l2 / 2 * sum w**2`` over all weights (biases excluded)."""
        return penalty(self._weights, self.l1, self.l2)

    def loss(self, X: NDArray, y: NDArray) -> float:
        """Mean loss of the whole network on X (n_samples, n_features), including the
        penalty: the function the gradients are of. y : class indices (n_samples,) to
        classify; to regress, targets (n_samples, n_outputs), or (n_samples,) for one."""
        return LOSS_FUNCTIONS[self.output](self.predict_output(X), y) + self.penalty()

    def targets(self, y: NDArray) -> Array:
        """Targets for ``backward``: one-hot (n, n_classes), a 0/1 column for sigmoid, and
        for identity the numbers to predict as (n, n_outputs) float64."""
        if self.output in REGRESSION_OUTPUTS:
            return np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        if self.output == "sigmoid":
            return y.reshape(-1, 1).astype(np.float64)
        T = np.zeros((len(y), self.layer_sizes[-1]))
        T[np.arange(len(y)), y] = 1.0
        return T

    def is_sane(self) -> bool:
        """True while every weight and bias is finite and below ``MAX_WEIGHT`` in size.

        (``nan < x`` is False, so one comparison catches nan, inf and blow-ups alike.)
        """
        return bool(np.maximum.reduce(np.abs(self.flat_params)) < MAX_WEIGHT)
