"""The promptable network: its checkpoint metadata, the shipped weights, and one forward pass.

This module imports torch; :mod:`napari_seg.prompt` imports it only when a
function needs it. The network is a registered MONAI U-Net (see
:mod:`napari_seg.deep.networks`) taking four channels (image, positive clicks,
negative clicks, previous mask) on a ``crop``-cube window and giving one logit
per voxel. Weights are stored in the project's checkpoint format (safetensors
plus JSON, see :mod:`napari_seg.deep.checkpoint`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..deep.checkpoint import CheckpointError, CheckpointMeta, load_checkpoint
from ..deep.device import select_device
from .clicks import encode_clicks
from .window import Window

__all__ = ["PromptModel", "default_weights", "load_prompt_model", "new_meta", "window_input"]

#: The shipped weights' file name inside ``napari_seg/prompt/weights``.
DEFAULT_WEIGHTS = "prompt_default.safetensors"
#: Mirrorings of the window averaged per network pass (none, z, y, x): test-time augmentation.
MIRRORS: tuple[tuple[int, ...], ...] = ((), (2,), (3,), (4,))
#: Network sizes of the prompt model (small enough for 1 s per click on 2 CPU cores).
NETWORK = {"channels": [8, 16, 32, 64], "strides": [2, 2, 2], "num_res_units": 0, "norm": "batch"}


def new_meta(
    *, crop: int = 48, base_mm: float = 1.0, sigma_mm: float = 2.0, **training
) -> CheckpointMeta:
    """Metadata of an untrained prompt network (``training`` holds the prompt settings)."""
    return CheckpointMeta(
        network="unet",
        config="fast",
        overrides=dict(NETWORK),
        in_channels=4,
        out_channels=1,
        labels={"0": "background", "1": "object"},
        intensity_window=None,
        target_spacing=(base_mm,) * 3,
        roi_size=(crop,) * 3,
        training={"kind": "prompt", "sigma_mm": sigma_mm, **training},
    )


@dataclass
class PromptModel:
    """A loaded prompt network in eval mode, its metadata, device and source file."""

    net: torch.nn.Module
    meta: CheckpointMeta
    device: torch.device
    path: Path | None = None

    @property
    def crop(self) -> int:
        return int(self.meta.roi_size[0])

    @property
    def base_mm(self) -> float:
        return float((self.meta.target_spacing or (1.0,))[0])

    @property
    def sigma_mm(self) -> float:
        return float(self.meta.training.get("sigma_mm", 2.0))

    def logits(self, x: np.ndarray, *, mirrors: int | None = None) -> np.ndarray:
        """Network logits ``(crop,)*3`` for one input ``(4, crop, crop, crop)``, averaged
        over the first ``mirrors`` of :data:`MIRRORS` (None: all; 1: a single pass)."""
        t = torch.from_numpy(np.ascontiguousarray(x, np.float32))[None].to(self.device)
        flips = MIRRORS[: len(MIRRORS) if mirrors is None else max(int(mirrors), 1)]
        batch = torch.cat([torch.flip(t, f) if f else t for f in flips])
        with torch.inference_mode():
            y = self.net(batch)
        y = sum(torch.flip(y[i : i + 1], f) if f else y[i : i + 1] for i, f in enumerate(flips))
        return (y[0, 0] / len(flips)).float().cpu().numpy()


def default_weights() -> Path:
    """Path of the shipped weights (inside the installed package)."""
    return Path(str(resources.files("napari_seg.prompt").joinpath("weights", DEFAULT_WEIGHTS)))


def load_prompt_model(
    path: str | os.PathLike[str] | None = None, *, device: str = "auto"
) -> PromptModel:
    """Load prompt weights (None: the shipped ones) onto ``device``.

    Raises
    ------
    CheckpointError
        Missing, unsafe or malformed file, or a checkpoint that is not a prompt network.
    """
    p = default_weights() if path is None else Path(path)
    net, meta = load_checkpoint(p)
    if meta.training.get("kind") != "prompt" or meta.in_channels != 4 or meta.out_channels != 1:
        raise CheckpointError(p, "not a prompt (click-to-segment) checkpoint")
    dev = select_device(device)
    return PromptModel(net.to(dev).eval(), meta, dev, p)


def resample(block: np.ndarray, crop: int, *, mode: str = "linear") -> np.ndarray:
    """``block`` (any 3-D shape) -> ``(crop,)*3``: block means to shrink, linear to grow."""
    t = torch.from_numpy(np.ascontiguousarray(block, np.float32))[None, None]
    shrink = [min(int(s), crop) for s in t.shape[2:]]
    if any(s > c for s, c in zip(t.shape[2:], shrink, strict=True)):
        t = F.adaptive_avg_pool3d(t, shrink)
    if any(s < crop for s in t.shape[2:]):
        t = F.interpolate(t, size=(crop,) * 3, mode="trilinear" if mode == "linear" else "nearest")
    return t[0, 0].numpy()


def upsample(logits: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Window logits ``(crop,)*3`` -> the window box in image voxels (trilinear)."""
    t = torch.from_numpy(np.ascontiguousarray(logits, np.float32))[None, None]
    return F.interpolate(t, size=tuple(int(s) for s in size), mode="trilinear")[0, 0].numpy()


def normalise(x: np.ndarray) -> np.ndarray:
    """Zero mean, unit standard deviation over the window, clipped to +-5."""
    x = x.astype(np.float32, copy=False)
    std = float(x.std()) or 1.0
    return np.clip((x - float(x.mean())) / std, -5.0, 5.0)


def window_input(
    image: np.ndarray,
    window: Window,
    positive: np.ndarray,
    negative: np.ndarray,
    previous: np.ndarray | None,
    *,
    sigma_mm: float,
) -> np.ndarray:
    """The network input ``(4, crop, crop, crop)`` of float32 for one window of the image."""
    crop = window.crop
    img = normalise(resample(window.extract(image), crop))
    sigma = np.maximum(sigma_mm / window.working_spacing, 1.0)
    pos = encode_clicks((crop,) * 3, window.to_window(positive), sigma_vox=sigma)
    neg = encode_clicks((crop,) * 3, window.to_window(negative), sigma_vox=sigma)
    if previous is None:
        prev = np.zeros((crop,) * 3, np.float32)
    else:
        prev = (
            resample(window.extract(previous, pad="constant").astype(np.float32), crop) > 0.5
        ).astype(np.float32)
    return np.stack([img, pos, neg, prev])
