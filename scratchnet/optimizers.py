"""Optimisers. Each owns the list of parameter arrays it updates and the state it
keeps for them (velocities, moments), lined up with that list, and updates the
arrays in place from a list of gradients laid out the same way, multiplied by the
optimiser's ``gradient_scale`` (the learning rate for plain SGD, else 1).

The update rules are scikit-learn's (``sklearn/neural_network/_stochastic_optimizers.py``),
so one plain SGD step matches ``MLPClassifier``'s to rounding.

The learning rate is a number, or an array that broadcasts against every parameter
array: a rate per weight. ``sweep.py`` trains many networks stacked in one vector and
gives each network's weights that network's rate; the rules are the same, elementwise.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

OPTIMIZERS = ("sgd", "momentum", "adam")


class SGD:
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    Plain:    w <- w - lr * g
    Momentum: v <- mu * v - lr * g;   w <- w + v
    Nesterov: v <- mu * v - lr * g;   w <- w + mu * v - lr * g

    ``learning_rate``: a number, or an array that broadcasts against each parameter.
    """

    def __init__(
        self,
        params: Sequence[Array],
        learning_rate: float | Array = 0.1,
        momentum: float = 0.0,
        nesterov: bool = False,
    ):
        self.params = list(params)
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocities = [np.zeros_like(W) for W in self.params] if momentum else []

    @property
    def gradient_scale(self) -> float | Array:
        """What ``step`` wants the gradients multiplied by: plain SGD takes lr * g
        straight from the backward pass (one subtraction a layer); the rest take g."""
        return 1.0 if self.momentum else self.learning_rate

    @property
    def state(self) -> list[Array]:
        """The arrays the optimiser keeps, lined up with ``params`` (none for plain SGD)."""
        return self.velocities

    def step(self, grads: Sequence[Array]) -> None:
        """Update every parameter in place from ``gradient_scale`` times the gradients.

        ``grads`` may be used as scratch space.
        """
        if not self.momentum:
            for W, G in zip(self.params, grads, strict=True):
                W -= G  # G is already lr * g
            return
        lr, mu = self.learning_rate, self.momentum
        for W, G, V in zip(self.params, grads, self.velocities, strict=True):
            V *= mu
            V -= lr * G
            if self.nesterov:
                W += mu * V - lr * G
            else:
                W += V

    def reset_state(self) -> None:
        """Forget the velocities (after the weights were replaced)."""
        for V in self.state:
            V[...] = 0.0


class Adam:
    """Adam (Kingma & Ba, 2015), with the bias correction folded into the step size.

    m <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g^2
    w <- w - lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)

    ``learning_rate``: a number, or an array that broadcasts against each parameter.
    """

    def __init__(
        self,
        params: Sequence[Array],
        learning_rate: float | Array = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
    ):
        self.params = list(params)
        self.learning_rate = learning_rate
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self.ms = [np.zeros_like(W) for W in self.params]
        self.vs = [np.zeros_like(W) for W in self.params]

    gradient_scale = 1.0

    @property
    def state(self) -> list[Array]:
        """The arrays the optimiser keeps, lined up with ``params``: first moments, then second."""
        return [*self.ms, *self.vs]

    def step(self, grads: Sequence[Array]) -> None:
        """Update every parameter in place."""
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        lr_t = self.learning_rate * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        for W, G, M, V in zip(self.params, grads, self.ms, self.vs, strict=True):
            M *= b1
            M += (1 - b1) * G
            V *= b2
            V += (1 - b2) * G * G
            W -= lr_t * M / (np.sqrt(V) + self.epsilon)

    def reset_state(self) -> None:
        """Forget the moments (after the weights were replaced)."""
        self.t = 0
        for A in self.state:
            A[...] = 0.0


def make_optimizer(
    name: str,
    params: Sequence[Array],
    learning_rate: float | Array,
    momentum: float = 0.9,
    nesterov: bool = False,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-8,
) -> SGD | Adam:
    """Build the optimiser called ``name``: "sgd", "momentum" or "adam"."""
    if name == "sgd":
        return SGD(params, learning_rate)
    if name == "momentum":
        return SGD(params, learning_rate, momentum=momentum, nesterov=nesterov)
    if name == "adam":
        return Adam(params, learning_rate, beta_1, beta_2, epsilon)
    choices = ", ".join(repr(o) for o in OPTIMIZERS)
    raise ValueError(f"The optimizer must be one of {choices}. Got {name!r}.")
