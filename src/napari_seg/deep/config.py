"""Training settings as plain dataclasses: no torch, so the CLI and the widgets can build their
options from these defaults without importing torch (one set of defaults everywhere)."""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "CHECKPOINT_SUFFIXES",
    "NETWORK_NAMES",
    "DataConfig",
    "Protocol",
    "TrainConfig",
    "checkpoint_info",
    "cpu_recipe",
    "model_names",
]

#: File endings a checkpoint may have (``.safetensors``, or a plain ``.pt``/``.pth`` state dict).
CHECKPOINT_SUFFIXES = (".safetensors", ".pt", ".pth")
_MAX_HEADER = 100 * 2**20

#: Names in :data:`napari_seg.deep.networks.NETWORKS` (kept here so menus need no torch).
NETWORK_NAMES = ("attentionunet", "axialunet", "basicunet", "segresnet", "unet", "unetr")


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
    fold: int | Literal["all"] = 0  # "all": train and validate on every labelled case
    n_folds: int = 5
    seed: int = 0
    device: str = "auto"
    amp: bool = True
    data: DataConfig = field(default_factory=DataConfig)
    #: Network keywords beyond the size preset (plain data, checked by the registry).
    overrides: dict[str, Any] = field(default_factory=dict)
    #: Seed of the fold split (None: ``seed``); ``compare`` fixes it so every seed sees one split.
    split_seed: int | None = None
    #: Train on only the first N labelled training cases of the split (None: all of them).
    labelled: int | None = None


@dataclass(frozen=True)
class Protocol:
    """How ``compare`` makes a fair comparison (see :mod:`napari_seg.deep.compare`).

    ``steps`` (equal optimizer steps) and ``budget_s`` (equal training seconds,
    torch pinned to ``threads`` threads) are the two arms; give one or both.
    """

    steps: int | None = None
    budget_s: float | None = None
    seeds: tuple[int, ...] = (0, 1, 2)
    folds: tuple[int | str, ...] = (0,)
    lr_grid: tuple[float, ...] = ()  # empty: the config's lr for every model
    evals: int = 8  # validation points per run (the curves)
    threads: int = 1
    target_dice: float = 0.8
    match_size: bool = False
    baseline: str = "unet"
    workers: int = 0
    scheduler: str | None = None
    #: What the budget arm counts: "wall" (wall-clock) or "cpu" (this process's CPU time, for
    #: a shared machine where other work would steal wall-clock from the runs).
    clock: Literal["wall", "cpu"] = "wall"
    recheck: bool = False  # run the first seed of each model and arm twice (reproducibility)
    labelled: tuple[int, ...] = ()  # label-efficiency study: labelled training cases per run
    pretrained: str | None = None  # its pre-trained start (napari-seg pretrain)

    def arms(self) -> list[tuple[str, float]]:
        """``[("steps", N), ("budget", S)]``, those given; refuses a protocol without one."""
        arms = [("steps", self.steps), ("budget", self.budget_s)]
        arms = [(name, float(v)) for name, v in arms if v is not None]
        if not arms:
            raise ValueError("compare: give --steps N and/or --budget-s SECONDS (the budget)")
        if self.clock not in ("wall", "cpu"):
            raise ValueError(f"--clock {self.clock!r}: choose wall or cpu")
        if any(v <= 0 for _, v in arms) or not self.seeds or self.evals < 1:
            raise ValueError("compare: budgets and --evals must be > 0, and --seeds not empty")
        return arms

    def as_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.__dict__.items()}


def checkpoint_info(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """A checkpoint's napari-seg metadata (JSON) without torch: read from the file header.

    For ``.safetensors`` the metadata entry ``napari_seg`` of the header; for
    ``.pt``/``.pth`` the ``<file>.json`` sidecar. None when there is none or the
    header is not readable (the full check happens when the checkpoint loads).
    """
    p = Path(path)
    try:
        if p.suffix == ".safetensors":
            with p.open("rb") as f:
                (n,) = struct.unpack("<Q", f.read(8))
                if not 0 < n <= _MAX_HEADER:
                    return None
                header = json.loads(f.read(n))
            text = (header.get("__metadata__") or {}).get("napari_seg")
        else:
            sidecar = p.with_suffix(p.suffix + ".json")
            text = sidecar.read_text(encoding="utf-8") if sidecar.is_file() else None
        info = json.loads(text) if text else None
    except (OSError, ValueError, struct.error, AttributeError, RecursionError):
        return None
    return info if isinstance(info, dict) else None


def model_names(text: str | list[str]) -> list[str]:
    """Model names from ``"unet,segresnet"`` (or a list), every one checked before any trains.

    Raises
    ------
    ValueError
        No name, an unknown name, or one named twice.
    """
    names = [m.strip() for m in (text.split(",") if isinstance(text, str) else text)]
    names = [m for m in names if m]
    if not names:
        raise ValueError(f"--models: name at least one of {', '.join(NETWORK_NAMES)}")
    unknown = [m for m in names if m not in NETWORK_NAMES]
    if unknown:
        raise ValueError(
            f"--models: unknown {', '.join(unknown)}; choose from {', '.join(NETWORK_NAMES)}"
        )
    if len(set(names)) != len(names):
        raise ValueError(f"--models: a model is named twice in {', '.join(names)}")
    return names


def cpu_recipe(*, epochs: int, lr: float = 3e-3, val_every: int = 1, seed: int = 0) -> TrainConfig:
    """A small CPU training: the "fast" U-Net at 3.0x2.4x2.4 mm on 32x48x48 patches.

    It learns the synthetic spleen in seconds to minutes on two cores (the demo and
    ``benchmarks/bench_learning.py`` use it).
    """
    data = DataConfig(
        target_spacing=(3.0, 2.4, 2.4),
        roi=(32, 48, 48),
        samples_per_volume=4,
        batch_size=2,
        cache="memory",
    )
    return TrainConfig(
        model="unet",
        size="fast",
        epochs=epochs,
        lr=lr,
        val_every=val_every,
        seed=seed,
        device="cpu",
        data=data,
    )
