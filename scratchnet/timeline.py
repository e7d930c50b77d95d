"""Going back in time over a run: the weights at any epoch already trained, exactly.

Training is deterministic, so a run need not keep its weights at every epoch: a
``Checkpoint`` every ``EVERY`` epochs holds what the next epochs depend on (the weights,
the optimiser's memory, the shuffle generator's state, the rate in force), and the weights
at epoch k are those of the checkpoint before k trained on for the epochs between, the
changes made while the run went on (``scratchnet.live.Change``) applied at their steps.

Cost, at the Playground's defaults (2-64-2, batch 10, 937 training points): a checkpoint
is ~3 KB, so 10,000 epochs keep ~0.9 MB; going to an epoch trains at most ``EVERY - 1``
epochs, ~1.5 ms each without the evaluation a live epoch does (``benchmarks/bench_timeline.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scratchnet.training import Trainer

EVERY = 32  # epochs between checkpoints


@dataclass(frozen=True)
class Checkpoint:
    """What training from the end of epoch ``epoch`` on depends on."""

    epoch: int
    steps: int
    params: NDArray[np.float64]
    state: tuple[NDArray[np.float64], ...]  # the optimiser's arrays (momentum, Adam's moments)
    t: int  # Adam's step count (0 for the others)
    rng: dict  # the shuffle generator's bit_generator.state
    learning_rate: float

    @property
    def nbytes(self) -> int:
        """Bytes of its arrays (the generator's state is a few hundred more)."""
        return self.params.nbytes + sum(a.nbytes for a in self.state)


def checkpoint(trainer: Trainer) -> Checkpoint:
    """The trainer's state at the end of an epoch (no epoch under way)."""
    optimizer = trainer.optimizer
    return Checkpoint(
        epoch=trainer.epoch, steps=trainer.steps, params=trainer.net.flat_params.copy(),
        state=tuple(a.copy() for a in optimizer.state), t=getattr(optimizer, "t", 0),
        rng=trainer.shuffle_rng.bit_generator.state, learning_rate=trainer.learning_rate,
    )  # fmt: skip


def restore(trainer: Trainer, point: Checkpoint) -> None:
    """Put ``point`` into ``trainer`` (one of the same network and data)."""
    trainer.net.flat_params[...] = point.params
    for array, kept in zip(trainer.optimizer.state, point.state, strict=True):
        array[...] = kept
    if hasattr(trainer.optimizer, "t"):
        trainer.optimizer.t = point.t
    trainer.shuffle_rng.bit_generator.state = point.rng
    trainer.epoch, trainer.steps, trainer.learning_rate = (
        point.epoch,
        point.steps,
        point.learning_rate,
    )
    trainer.diverged = None
    trainer._pos = -1


class Timeline:
    """A run's checkpoints, one every ``every`` epochs (epoch 0 included)."""

    def __init__(self, every: int = EVERY):
        self.every = every
        self.checkpoints: list[Checkpoint] = []

    def note(self, trainer: Trainer) -> None:
        """Called at the end of each epoch (and at the start): keep a checkpoint when due
        (never when ``every`` is 0)."""
        if (
            self.every
            and trainer.epoch % self.every == 0
            and (not self.checkpoints or self.checkpoints[-1].epoch < trainer.epoch)
        ):
            self.checkpoints.append(checkpoint(trainer))

    @property
    def nbytes(self) -> int:
        return sum(c.nbytes for c in self.checkpoints)

    def before(self, epoch: int) -> Checkpoint:
        """The last checkpoint at or before ``epoch``."""
        index = np.searchsorted([c.epoch for c in self.checkpoints], epoch, side="right") - 1
        if index < 0:
            raise ValueError(f"No checkpoint at or before epoch {epoch}.")
        return self.checkpoints[index]

    def train_to(
        self,
        scratch: Trainer,
        epoch: int,
        changes: Sequence[Any] = (),
        apply: Callable[[Trainer, Any], None] | None = None,
    ) -> None:
        """Bring ``scratch`` (a trainer of the same network and training data) to the end of
        ``epoch``: from the checkpoint before it, ``changes`` (each with a ``step``) applied
        by ``apply(trainer, change)`` at their steps."""
        point = self.before(epoch)
        restore(scratch, point)
        for change in sorted((c for c in changes if c.step >= point.steps), key=lambda c: c.step):
            while scratch.steps < change.step and scratch.epoch < epoch:
                steps = change.step - scratch.steps
                scratch.run(epochs=epoch - scratch.epoch, max_steps=steps)
            if scratch.steps != change.step:
                break  # the change came after the epoch asked for
            apply(scratch, change)
        if scratch.epoch < epoch:
            scratch.run(epochs=epoch - scratch.epoch)
