"""One network training live, for a UI that draws between slices of training.

``LiveRun`` holds the data, a ``Trainer`` and the grid the decision boundary is drawn
on. ``tick`` trains one epoch or a bounded time slice, whichever ends first, so that
batch 1 on 10,000 points still returns in time to draw; ``boundary_png`` paints the
class probabilities over the plane. NumPy only: a page calls this and draws the bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scratchnet.plots import boundary_rgba, data_extent, encode_png, grid
from scratchnet.training import Trainer, check_params

GRID_SIZE = 100  # the boundary is drawn on GRID_SIZE x GRID_SIZE points
TICK_SECONDS = 0.03  # the longest a tick trains before it returns to draw


class LiveRun:
    """A network, its data, and the picture of its decision boundary.

    X_train : (n_train, 2); y_train : (n_train,) class indices 0..n_classes-1.
    X_test, y_test : the held-out points (may be empty).
    params : ``ScratchNetClassifier`` keyword arguments; ``epochs`` is where ``tick``
        stops (raise it and training continues).
    """

    def __init__(
        self,
        X_train: NDArray,
        y_train: NDArray[np.integer],
        X_test: NDArray,
        y_test: NDArray[np.integer],
        params: Mapping[str, Any],
        n_classes: int | None = None,
        grid_size: int = GRID_SIZE,
    ):
        self.params = check_params(params)
        self.X_train, self.y_train = np.asarray(X_train, float), np.asarray(y_train, np.intp)
        self.X_test, self.y_test = np.asarray(X_test, float), np.asarray(y_test, np.intp)
        if self.X_train.ndim != 2 or self.X_train.shape[1] != 2:
            raise ValueError(f"A live run draws two features; got X of shape {self.X_train.shape}.")
        labels = np.concatenate([self.y_train, self.y_test])
        self.n_classes = int(n_classes or labels.max() + 1)
        self.trainer = Trainer.from_params(self.params, 2, self.n_classes)
        self.trainer.set_data(self.X_train, self.y_train, self.X_test, self.y_test)
        self.extent = data_extent(np.vstack([self.X_train, self.X_test]))
        self.grid_size = grid_size
        self._grid = grid(self.extent, grid_size)[2]
        self._png: tuple[int, bytes] | None = None  # (steps, picture) of the last drawing

    # -- state ------------------------------------------------------------------------------
    @property
    def epoch(self) -> int:
        return self.trainer.epoch

    @property
    def history(self) -> list[dict]:
        return self.trainer.history

    @property
    def diverged(self) -> str | None:
        return self.trainer.diverged

    @property
    def epochs(self) -> int:
        """Where training stops."""
        return self.params["epochs"]

    @property
    def finished(self) -> bool:
        """True once ``epochs`` epochs are done, or training diverged."""
        return self.trainer.epoch >= self.epochs or self.trainer.diverged is not None

    def set_learning_rate(self, learning_rate: float) -> None:
        """Change the rate of the running network from the next step on (no reset)."""
        self.params = check_params({**self.params, "learning_rate": learning_rate})
        self.trainer.learning_rate = self.params["learning_rate"]
        self.trainer.clear_divergence()  # a lower rate may well go on

    def set_epochs(self, epochs: int) -> None:
        """Move the stopping point; raising it lets a finished run continue."""
        self.params = check_params({**self.params, "epochs": epochs})

    # -- training ---------------------------------------------------------------------------
    def tick(self, max_seconds: float = TICK_SECONDS) -> list[dict]:
        """Train one epoch, or for ``max_seconds`` if that ends first. Returns new history rows."""
        if self.finished:
            return []
        return self.trainer.run(epochs=1, max_seconds=max_seconds)

    def step_epoch(self) -> list[dict]:
        """Finish the epoch under way (or train a whole one), however long it takes."""
        if self.trainer.diverged is not None:
            return []
        return self.trainer.run(epochs=1)

    def replay_to(self, epoch: int) -> None:
        """Train until ``epoch`` epochs are done: with the same seeds, the same weights
        bit for bit as a run that got there live (a restarted server rebuilds this way)."""
        while self.trainer.epoch < epoch and self.trainer.diverged is None:
            self.trainer.run(epochs=epoch - self.trainer.epoch)

    # -- drawing ----------------------------------------------------------------------------
    def probabilities(self) -> NDArray[np.float64]:
        """Class probabilities over the grid, (grid_size**2, n_classes), in image order."""
        return self.trainer.net.predict_proba(self._grid)

    def boundary_png(self) -> bytes:
        """The decision boundary as PNG bytes (drawn again only after training moved)."""
        if self._png is None or self._png[0] != self.trainer.steps:
            rgba = boundary_rgba(self.probabilities(), self.grid_size)
            self._png = (self.trainer.steps, encode_png(rgba, level=1))
        return self._png[1]

    def metrics(self) -> dict[str, float | int | None]:
        """The latest history row (zeros of training before the first epoch ends)."""
        if self.trainer.history:
            return self.trainer.history[-1]
        train_loss, train_acc = self.trainer.evaluate(self.X_train, self.y_train)
        test_loss = test_acc = None
        if len(self.X_test):
            test_loss, test_acc = self.trainer.evaluate(self.X_test, self.y_test)
        return {"epoch": 0, "steps": 0, "train_loss": train_loss, "test_loss": test_loss,
                "train_acc": train_acc, "test_acc": test_acc}  # fmt: skip
