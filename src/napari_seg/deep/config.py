"""Training settings as plain dataclasses: no torch, so the CLI and the widgets can build their
options from these defaults without importing torch (one set of defaults everywhere)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["NETWORK_NAMES", "DataConfig", "TrainConfig"]

#: Names in :data:`napari_seg.deep.networks.NETWORKS` (kept here so menus need no torch).
NETWORK_NAMES = ("attentionunet", "basicunet", "segresnet", "unet", "unetr")


@dataclass(frozen=True)
class DataConfig:
    """Preprocessing and sampling; spacing and ROI in napari order ``(z, y, x)``."""

    orientation: str = "RAS"
    target_spacing: tuple[float, float, float] = (2.0, 1.5, 1.5)
    window: tuple[float, float] = (-57.0, 164.0)
    roi: tuple[int, int, int] = (64, 64, 64)
    samples_per_volume: int = 2
    batch_size: int = 2
    cache: Literal["auto", "memory", "disk", "none"] = "auto"


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run (same config + seed = same run on CPU)."""

    model: str = "unet"
    size: Literal["fast", "standard"] = "fast"
    epochs: int = 5
    lr: float = 1e-3
    optimizer: Literal["adamw", "novograd"] = "adamw"
    val_every: int = 1
    fold: int = 0
    n_folds: int = 5
    seed: int = 0
    device: str = "auto"
    amp: bool = True
    data: DataConfig = field(default_factory=DataConfig)
