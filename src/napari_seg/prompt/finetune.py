"""Fine-tune the prompt network on the user's own objects (accepted or corrected masks).

The objects become training windows exactly as a labelled task's do (see
:class:`napari_seg.prompt.sources.TaskSource`), with simulated clicks. The
result is a new checkpoint ``<name>.ft<N>.safetensors`` in the folder given;
the starting weights (the shipped ones by default) are never replaced.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from ..deep.checkpoint import save_checkpoint
from ..deep.finetune import next_version
from ..deep.seeding import restored_random_state
from ..deep.steps import place_model
from ..progress import Cancelled, ProgressCallback, Steps, StopCallback
from .config import PromptTrainConfig
from .model import load_prompt_model
from .sources import TaskSource
from .train import _step

__all__ = ["finetune_prompt"]


def finetune_prompt(
    examples: Sequence[tuple[np.ndarray, np.ndarray, Sequence[float]]],
    folder: str | os.PathLike[str],
    *,
    init: str | os.PathLike[str] | None = None,
    steps: int = 60,
    lr: float = 3e-4,
    batch_size: int = 4,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
) -> Path:
    """Fine-tune on ``examples`` and write a new versioned checkpoint into ``folder``.

    Parameters
    ----------
    examples : sequence of (image, mask, spacing)
        ``(Z, Y, X)`` image, its object mask (nonzero; label values are objects of their
        own), voxel size in mm. Every label value of every example is a target.
    folder : path-like
        Where ``prompt.ft<N>.safetensors`` is written (created if missing).
    init : path-like, optional
        The prompt checkpoint to start from; None: the shipped weights.
    steps, lr, batch_size, seed : int, float, int, int
        Optimisation budget (simulated clicks as in training: up to 2 corrective rounds).

    Returns
    -------
    pathlib.Path
        The new checkpoint (its metadata records the parent, steps and examples).

    Raises
    ------
    ValueError
        No example with an object in it.
    """
    volumes = [(np.asarray(i), np.asarray(m).astype(np.int16), tuple(s)) for i, m, s in examples]
    start = load_prompt_model(init, device="cpu")
    source = TaskSource(volumes, crop=start.crop, base_mm=start.base_mm, class_agnostic=False)
    cfg = PromptTrainConfig(
        batch_size=batch_size,
        crop=start.crop,
        base_mm=start.base_mm,
        sigma_mm=start.sigma_mm,
        max_rounds=2,
        seed=seed,
    )
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = next_version(folder / "prompt.safetensors")
    counter = Steps(steps, progress=progress)
    t0 = time.perf_counter()
    with restored_random_state():
        torch.manual_seed(seed)
        net = place_model(start.net, torch.device("cpu")).train()
        opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
        rng = np.random.default_rng([seed, 77])
        for _ in range(steps):
            if should_stop is not None and should_stop():
                raise Cancelled()
            _step(net, opt, source, rng, cfg)
            counter.step()
    info = {
        **start.meta.training,
        "parent": str(start.path),
        "finetune_steps": steps,
        "finetune_examples": len(volumes),
        "finetune_seconds": round(time.perf_counter() - t0, 1),
    }
    save_checkpoint(net.eval(), replace(start.meta, training=info), path)
    return path
