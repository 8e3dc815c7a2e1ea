"""The demo's deep-learning row: train a small U-Net on other synthetic cases, then segment.

Training uses a synthetic Decathlon task made from different seeds than the demo
volume, so the score is on an unseen case. About 20-40 s on two CPU cores.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..data.synthetic import synthetic_geometry
from ..data.synthetic_task import make_synthetic_task

__all__ = ["train_demo_unet"]


def train_demo_unet(out_dir: Path, *, epochs: int = 40, seed: int = 1000):
    """Train the "fast" U-Net on 6 synthetic cases; return a demo method using it."""
    from ..deep.checkpoint import load_checkpoint
    from ..deep.inference import predict
    from ..deep.train import cpu_recipe, train

    task = make_synthetic_task(
        out_dir / "unet_task" / "Task90_SyntheticSpleen",
        cases=6,
        test_cases=0,
        shape=(64, 128, 128),
        spacing=(2.5, 1.2, 1.2),
        seed=seed,
    )
    cfg = cpu_recipe(epochs=epochs, val_every=5)
    result = train(task, out_dir / "unet_run", cfg)
    model, meta = load_checkpoint(result.best_checkpoint)

    def unet(image: np.ndarray, spacing: tuple[float, float, float]) -> np.ndarray:
        """U-Net (fast, trained above), sliding windows, largest component."""
        return predict(
            image,
            synthetic_geometry(image.shape, spacing),  # stored as the task's cases
            model,
            meta,
            device="cpu",
            overlap=0.25,
            largest=True,
        ).labels

    return unet
