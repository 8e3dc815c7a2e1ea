"""The robot user on working windows: clicks, network passes, Dice after every click.

Batched: every window of a batch gets its next click from its own error, and
one network pass serves the whole batch. Used by training (to simulate the
clicks before the step that learns from them) and by validation.
"""

from __future__ import annotations

import numpy as np
import torch

from .clicks import corrective_click, encode_clicks, first_click

__all__ = ["ClickState", "dice"]


def dice(a: np.ndarray, b: np.ndarray) -> float:
    """Dice of two boolean masks (1.0 when both are empty)."""
    s = int(a.sum()) + int(b.sum())
    return 1.0 if s == 0 else 2.0 * int(np.logical_and(a, b).sum()) / s


class ClickState:
    """Clicks and previous masks of a batch of windows.

    Parameters
    ----------
    samples : list of (image, target, spacing)
        Normalised window images, boolean targets, window voxel sizes (mm).
    sigma_mm : float
        Click Gaussian width in mm (at least one window voxel).
    rng : numpy.random.Generator, optional
        Jitter of the simulated clicks (None: always the deepest point).
    """

    def __init__(self, samples, *, sigma_mm: float, rng: np.random.Generator | None = None):
        self.samples, self.sigma_mm, self.rng = samples, sigma_mm, rng
        self.clicks: list[list[tuple[tuple[int, int, int], bool]]] = []
        for _, target, sp in samples:
            self.clicks.append([first_click(target, spacing=sp, rng=rng)])
        self.previous = [np.zeros(t.shape, bool) for _, t, _ in samples]

    def inputs(self) -> torch.Tensor:
        """Network input ``(B, 4, crop, crop, crop)``."""
        rows = []
        for (image, _, sp), clicks, prev in zip(
            self.samples, self.clicks, self.previous, strict=True
        ):
            sigma = np.maximum(self.sigma_mm / np.asarray(sp), 1.0)
            pos = np.array([p for p, s in clicks if s], float).reshape(-1, 3)
            neg = np.array([p for p, s in clicks if not s], float).reshape(-1, 3)
            rows.append(
                np.stack(
                    [
                        image,
                        encode_clicks(image.shape, pos, sigma_vox=sigma),
                        encode_clicks(image.shape, neg, sigma_vox=sigma),
                        prev.astype(np.float32),
                    ]
                )
            )
        x = torch.from_numpy(np.stack(rows).astype(np.float32))
        return x.contiguous(memory_format=torch.channels_last_3d)

    def predict(self, net: torch.nn.Module) -> list[np.ndarray]:
        """One pass (eval mode, no gradients); the predictions become the previous masks."""
        was = net.training
        net.eval()
        with torch.inference_mode():
            logits = net(self.inputs())[:, 0].numpy()
        net.train(was)
        self.previous = [lg > 0 for lg in logits]
        return self.previous

    def add_corrections(self) -> None:
        """One corrective click per window, at the largest error of its previous mask."""
        for (_, target, sp), clicks, prev in zip(
            self.samples, self.clicks, self.previous, strict=True
        ):
            click = corrective_click(target, prev, spacing=sp, rng=self.rng)
            if click is not None:
                clicks.append(click)

    def dices(self) -> list[float]:
        return [dice(p, t) for p, (_, t, _) in zip(self.previous, self.samples, strict=True)]


def robot_curve(net, samples, *, clicks: int, sigma_mm: float) -> np.ndarray:
    """Dice after 1..``clicks`` clicks for every window: shape (len(samples), clicks)."""
    state = ClickState(samples, sigma_mm=sigma_mm)
    out = []
    for k in range(clicks):
        if k:
            state.add_corrections()
        state.predict(net)
        out.append(state.dices())
    return np.array(out).T
