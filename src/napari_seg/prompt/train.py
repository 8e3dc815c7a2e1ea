"""Train the prompt network with simulated clicks (the DeepEdit/DeepGrow recipe).

Each step takes a batch of working windows (generated scenes or objects of a
labelled task), places a first click at each target's deepest point (jittered),
then runs 0..``max_rounds`` rounds of the current network, each adding a
corrective click at the centre of the largest error; the step learns from the
last clicks and the previous mask. Training runs in chunks of ``val_every``
steps; each chunk reseeds from ``(seed, chunk)``, so a run resumed from
``last.pt`` draws what an uninterrupted one would. After each chunk the robot
user scores held-out windows (Dice after 1..5 clicks); the best mean is saved as
``best.safetensors`` (the project's checkpoint format) with ``last.pt`` and
``metrics.json``.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from monai.losses import DiceLoss

from ..deep.checkpoint import save_checkpoint
from ..deep.seeding import restored_random_state
from ..deep.state import load_state, save_state, write_metrics
from ..deep.steps import place_model
from ..progress import Cancelled, ProgressCallback, Steps, StopCallback
from .config import PromptTrainConfig
from .model import new_meta
from .robot import ClickState, robot_curve
from .sources import (
    GeneratedSource,
    MixedSource,
    TaskSource,
    load_task_volumes,
    synthetic_ct_volumes,
)

__all__ = ["PromptTrainConfig", "train_prompt"]


def _sources(task, cfg: PromptTrainConfig):
    """(training source, held-out windows): generated scenes, or a task's cases split 80/20."""
    val_rng = np.random.default_rng([cfg.seed, 10**6])
    if task is None:
        src = GeneratedSource(crop=cfg.crop)
        val = GeneratedSource(crop=cfg.crop, pool_size=cfg.val_cases).batch(val_rng, cfg.val_cases)
        if cfg.synthetic_ct:  # also organs and lesions of the synthetic CT (held-out: its last)
            vols = synthetic_ct_volumes(cfg.synthetic_ct + 1, seed=cfg.seed)
            kw = dict(crop=cfg.crop, base_mm=cfg.base_mm, class_agnostic=True)
            src = MixedSource(src, TaskSource(vols[:-1], **kw))
            val += TaskSource(vols[-1:], **kw).batch(val_rng, max(cfg.val_cases // 4, 1))
        return src, val
    vols = load_task_volumes(task)
    if not vols:
        raise ValueError(f"{task}: no labelled training case")
    n_val = max(1, len(vols) // 5) if len(vols) > 1 else 0
    train_vols, val_vols = vols[n_val:], (vols[:n_val] or vols)
    kw = dict(crop=cfg.crop, base_mm=cfg.base_mm, class_agnostic=cfg.class_agnostic)
    return TaskSource(train_vols, **kw), TaskSource(val_vols, **kw).batch(val_rng, cfg.val_cases)


def _loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return DiceLoss(sigmoid=True)(logits, target) + F.binary_cross_entropy_with_logits(
        logits, target
    )


def _step(net, opt, src, rng, cfg: PromptTrainConfig) -> float:
    samples = src.batch(rng, cfg.batch_size)
    state = ClickState(samples, sigma_mm=cfg.sigma_mm, rng=rng)
    for _ in range(int(rng.integers(0, cfg.max_rounds + 1))):
        state.predict(net)
        state.add_corrections()
    x = state.inputs()
    y = torch.from_numpy(np.stack([t for _, t, _ in samples])[:, None].astype(np.float32))
    opt.zero_grad(set_to_none=True)
    loss = _loss(net(x), y)
    loss.backward()
    opt.step()
    return float(loss.detach())


def train_prompt(
    out_dir: str | os.PathLike[str],
    cfg: PromptTrainConfig | None = None,
    *,
    task: str | os.PathLike[str] | None = None,
    resume: str | os.PathLike[str] | None = None,
    init: str | os.PathLike[str] | None = None,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
    on_chunk=None,
) -> dict[str, Any]:
    """Train a prompt network; returns ``{"best", "history", "seconds"}``.

    Parameters
    ----------
    out_dir : path-like
        Receives ``best.safetensors``, ``last.pt`` and ``metrics.json``.
    cfg : PromptTrainConfig, optional
        Steps, batch, learning rate, window size, click rounds, seed.
    task : path-like, optional
        A labelled Decathlon task (every object of every case a target); None trains
        on generated scenes.
    resume : path-like, optional
        A ``last.pt`` of an earlier run with the same settings.
    init : path-like, optional
        A prompt checkpoint to start from (fine-tuning).
    progress, should_stop : callable, optional
        Per step; see :mod:`napari_seg.progress`.
    on_chunk : callable, optional
        Gets each chunk's record (step, loss, val Dice after 1..5 clicks, seconds).
    """
    cfg = cfg or PromptTrainConfig()
    if resume is not None and init is not None:
        raise ValueError("--resume continues a run, --init starts a new one: give one")
    with restored_random_state():
        return _train(Path(out_dir), cfg, task, resume, init, progress, should_stop, on_chunk)


def _train(out, cfg, task, resume, init, progress, should_stop, on_chunk) -> dict[str, Any]:
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    out.mkdir(parents=True, exist_ok=True)
    meta = new_meta(
        crop=cfg.crop,
        base_mm=cfg.base_mm,
        sigma_mm=cfg.sigma_mm,
        seed=cfg.seed,
        task=str(task) if task else "generated",
    )
    net = meta.build()
    if init is not None:
        from .model import load_prompt_model

        net.load_state_dict(load_prompt_model(init, device="cpu").net.state_dict())
        meta = replace(meta, training={**meta.training, "init": str(init)})
    net = place_model(net, torch.device("cpu")).train()
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=1e-4)
    scaler = torch.amp.GradScaler("cuda", enabled=False)
    history, done, best = load_state(resume, net, opt, scaler)
    src, val = _sources(task, cfg)
    chunks = -(-cfg.steps // cfg.val_every)
    steps = Steps(cfg.steps - done, progress=progress)  # cancel: before a step, after a save
    t0 = time.perf_counter() - (history[-1]["elapsed"] if history else 0.0)
    for chunk in range(done // cfg.val_every, chunks):
        rng = np.random.default_rng([cfg.seed, chunk])
        src.reset()
        n = min(cfg.val_every, cfg.steps - chunk * cfg.val_every)
        losses = []
        for k in range(n):  # cosine decay over the whole run
            for g in opt.param_groups:
                g["lr"] = float(
                    cfg.lr * 0.5 * (1 + np.cos(np.pi * (chunk * cfg.val_every + k) / cfg.steps))
                )
            if should_stop is not None and should_stop():
                raise Cancelled()
            losses.append(_step(net, opt, src, rng, cfg))
            steps.step()
        curve = robot_curve(net, val, clicks=5, sigma_mm=cfg.sigma_mm).mean(axis=0)
        record = {
            "step": chunk * cfg.val_every + n,
            "loss": float(np.mean(losses)),
            "val_dice": [round(float(d), 4) for d in curve],
            "elapsed": time.perf_counter() - t0,
        }
        history.append(record)
        score = float(curve.mean())
        if score > best:
            best = score
            info = {**meta.training, "step": record["step"], "val_dice_1to5": record["val_dice"]}
            save_checkpoint(net, replace(meta, training=info), out / "best.safetensors")
        save_state(out / "last.pt", net, opt, scaler, record["step"], history, best)
        write_metrics(
            out / "metrics.json", cfg, meta, history, sum(p.numel() for p in net.parameters())
        )
        if on_chunk is not None:
            on_chunk(record)
    return {"best": out / "best.safetensors", "history": history, "config": asdict(cfg)}
