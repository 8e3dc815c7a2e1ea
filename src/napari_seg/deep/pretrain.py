"""Denoising pre-training (after DDeP, Brempong et al. 2022) on a task's images, labels unused.

Every image of the task (``imagesTr`` and ``imagesTs``) goes through the training
preprocessing; random patches ``x`` in ``[0, 1]`` are noised as
``x~ = (x + sigma * eps) / sqrt(1 + sigma**2)`` with Gaussian ``eps``, and the
segmentation network itself learns to predict ``eps`` from ``x~`` (its first
``in_channels`` outputs; L2 loss). The result is an ordinary checkpoint of the
same network, preprocessing and classes, so ``train --init`` and ``compare
--pretrained`` fine-tune from it. With ``decoder_only`` the encoder is frozen
(start it from a trained checkpoint with ``init``, as DDeP does).
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch
from monai.data import ThreadDataLoader

from .._lazy import make_callable
from ..io import DecathlonError, load_decathlon
from ..progress import Cancelled, ProgressCallback, StopCallback
from .checkpoint import save_checkpoint
from .config import TrainConfig
from .data import _dataset, make_transforms
from .device import select_device
from .seeding import restored_random_state, seed_epoch
from .steps import place_model

__all__ = ["PretrainResult", "encoder_parameter_names", "noisy", "pretrain"]

SIGMA = 0.22


@dataclass
class PretrainResult:
    checkpoint: Path
    history: list[dict[str, float]]
    steps: int
    seconds: float


def noisy(x: torch.Tensor, sigma: float, generator: torch.Generator | None = None):
    """``(x~, eps)``: ``x~ = (x + sigma * eps) / sqrt(1 + sigma**2)`` with ``eps ~ N(0, 1)``."""
    eps = torch.randn(x.shape, generator=generator, dtype=x.dtype).to(x.device)
    return (x + sigma * eps) / math.sqrt(1.0 + sigma**2), eps


def encoder_parameter_names(model: torch.nn.Module, network: str) -> set[str]:
    """Names of the encoder's (downsampling path and bottleneck) parameters.

    Raises
    ------
    ValueError
        A network whose encoder is not known here (only ``unet`` and ``axialunet``).
    """
    names = {n for n, _ in model.named_parameters()}
    if network == "axialunet":
        return {n for n in names if n.startswith(("down.", "attn."))}
    if network == "unet":  # MONAI: model = [down, SkipConnection([down, ..., up]), up]
        out = set()
        for n in names:
            rest = n.removeprefix("model.")
            while rest.startswith("1.submodule."):
                rest = rest.removeprefix("1.submodule.")
            if not rest.startswith("2."):  # "0." a down block, anything else the bottom
                out.add(n)
        return out
    raise ValueError(f"--decoder-only: supported for unet and axialunet, not {network}")


def _images(task_dir, cfg: TrainConfig, out: Path):
    task = load_decathlon(task_dir)
    cases = task.cases
    if not cases:
        raise DecathlonError(task.root, "the task has no image to pre-train on")
    ds = _dataset(cases, make_transforms(cfg.data, train=True, labels=False), cfg.data,
                  out / "cache", labels=False)  # fmt: skip
    return task, ThreadDataLoader(ds, batch_size=cfg.data.batch_size, shuffle=True, num_workers=0)


def pretrain(
    task_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    cfg: TrainConfig | None = None,
    *,
    steps: int | None = None,
    budget_s: float | None = None,
    sigma: float = SIGMA,
    decoder_only: bool = False,
    init: str | os.PathLike[str] | None = None,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
) -> PretrainResult:
    """Denoising pre-training of ``cfg.model``; writes ``out_dir/pretrained.safetensors``.

    Parameters
    ----------
    steps, budget_s : int or float
        Stop after this many optimizer steps or seconds of training (give one).
    sigma : float
        Noise level (DDeP: 0.22 for images in ``[0, 1]``).
    decoder_only : bool
        Freeze the encoder (load it first with ``init``).
    init : path-like, optional
        A checkpoint of the same network and preprocessing to start from.

    Raises
    ------
    ValueError
        No budget or both, ``sigma <= 0``, more image channels than network outputs.
    """
    if (steps is None) == (budget_s is None):
        raise ValueError("pretrain: give exactly one of --steps N or --budget-s SECONDS")
    if not (math.isfinite(sigma) and sigma > 0):
        raise ValueError(f"--sigma {sigma}: need a finite value > 0")
    cfg = cfg or TrainConfig()
    with restored_random_state():
        return _pretrain(task_dir, Path(out_dir), cfg, steps, budget_s, sigma, decoder_only,
                         init, progress, should_stop)  # fmt: skip


def _pretrain(task_dir, out, cfg, steps, budget_s, sigma, decoder_only, init, progress, stop):
    from .train import _meta
    from .warmstart import load_init

    out.mkdir(parents=True, exist_ok=True)
    task, loader = _images(task_dir, cfg, out)
    meta = _meta(cfg, task, len(task.modalities))
    if meta.out_channels < meta.in_channels:
        raise ValueError(f"pretrain: {meta.in_channels} channels but {meta.out_channels} outputs")
    seed_epoch(loader.dataset, seed=cfg.seed, rank=0, epoch=0)
    model = meta.build()
    info: dict[str, Any] = {"pretrain": "ddep", "sigma": sigma, "decoder_only": decoder_only,
                            "images": len(task.cases), "seed": cfg.seed, "lr": cfg.lr}  # fmt: skip
    if init is not None:
        info["init"] = load_init(model, meta, init)
    frozen = encoder_parameter_names(model, cfg.model) if decoder_only else set()
    for name, p in model.named_parameters():
        p.requires_grad_(name not in frozen)
    device = select_device(cfg.device)
    model = place_model(model, device).train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.lr)
    gen = torch.Generator().manual_seed(cfg.seed)
    history, done, epoch, start = [], 0, 0, time.perf_counter()
    total = steps if steps is not None else 0
    while True:
        seed_epoch(loader.dataset, seed=cfg.seed, rank=0, epoch=epoch)
        for batch in loader:
            x = batch["image"].to(device)
            x_noisy, eps = noisy(x, sigma, gen)
            opt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.mse_loss(model(x_noisy)[:, : x.shape[1]], eps.to(device))
            loss.backward()
            opt.step()
            done += 1
            elapsed = time.perf_counter() - start
            history.append({"step": done, "seconds": elapsed, "loss": float(loss.detach())})
            if progress is not None:
                progress(done, total)
            if stop is not None and stop():
                raise Cancelled()
            if (steps is not None and done >= steps) or (
                budget_s is not None and elapsed >= budget_s
            ):
                meta = replace(meta, training={**meta.training, **info, "steps": done})
                path = save_checkpoint(model, meta, out / "pretrained.safetensors")
                return PretrainResult(path, history, done, elapsed)
        epoch += 1


make_callable(__name__)  # napari_seg.deep.pretrain(...) calls pretrain()
