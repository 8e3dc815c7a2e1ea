"""Seeding for training runs: per-epoch seeds (exact resume) and restored global state.

Epoch ``e`` of a run draws its crops, flips and shuffles from a seed made of
``(seed, rank, e)`` alone, so it is the same whether or not the run was
interrupted before it. The global RNGs and cuDNN flags that seeding touches are
restored when training ends, so a napari session or a script that trains keeps
its own random state.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch
from monai.data.utils import set_rnd
from monai.utils import set_determinism

__all__ = ["restored_random_state", "seed_epoch"]


def seed_epoch(dataset, *, seed: int, rank: int, epoch: int) -> int:
    """Seed torch, numpy, Python and ``dataset``'s MONAI transforms for one epoch."""
    value = (seed * 1_000_003 + rank * 10_007 + epoch) % 2**31
    set_determinism(seed=value)
    set_rnd(dataset, value)
    return value


@contextmanager
def restored_random_state() -> Iterator[None]:
    """Restore the global RNG states and cuDNN flags on exit, whatever happened inside."""
    legacy = np.random  # MONAI's set_determinism seeds the legacy global RNG
    states = (torch.get_rng_state(), legacy.get_state(), random.getstate())
    flags = (torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark)
    try:
        yield
    finally:
        torch.set_rng_state(states[0])
        legacy.set_state(states[1])
        random.setstate(states[2])
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = flags
