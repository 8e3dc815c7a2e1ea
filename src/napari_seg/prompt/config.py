"""Settings of a prompt training run (no torch import: the CLI builds its options from them)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PromptTrainConfig"]


@dataclass
class PromptTrainConfig:
    """Settings of a prompt training run (all plain values; stored in metrics.json)."""

    steps: int = 1500
    batch_size: int = 4
    lr: float = 2e-3
    crop: int = 48
    base_mm: float = 1.0
    sigma_mm: float = 2.0
    max_rounds: int = 3
    val_every: int = 100
    val_cases: int = 16
    class_agnostic: bool = True
    seed: int = 0
    threads: int = 0
    synthetic_ct: int = 0
