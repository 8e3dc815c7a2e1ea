"""One run of a comparison: a model, seed and fold trained for a number of steps or seconds.

The same data pipeline, loss, optimiser, patch and sliding-window validation as
:func:`napari_seg.deep.train.train` (it reuses its setup); what differs is the
budget. ``arm="steps"`` stops after ``budget`` optimizer steps, ``arm="budget"``
after ``budget`` seconds of training wall-clock (data loading included,
validation excluded), with torch's threads pinned. Validation Dice is measured
at ``evals`` evenly spaced points of the budget; at the end the final network
segments every validation case at its original spacing
(:func:`~napari_seg.deep.inference.predict`) and is scored per case.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..io import load_decathlon
from ..metrics.overlap import overlap_metrics
from ..progress import Cancelled, StopCallback
from .config import TrainConfig

__all__ = ["Job", "run_job"]

PointCallback = Callable[["Job", dict[str, Any]], None]


@dataclass(frozen=True)
class Job:
    """One training run of a comparison (picklable: it travels to dask workers)."""

    label: str  # the model's name in the report ("unet", "unet-matched", "axialunet")
    cfg: TrainConfig  # network, size, overrides, lr, seed, fold, split seed, labelled cases
    arm: Literal["steps", "budget"]
    budget: float  # optimizer steps, or training seconds
    evals: int = 8
    threads: int = 1
    init: str | None = None
    role: str = "main"  # "main", "lr-grid" or "labelled"
    clock: Literal["wall", "cpu"] = "wall"  # the budget arm's clock (cpu: process CPU time)
    tags: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """A folder name unique within a comparison."""
        c = self.cfg
        extra = "".join(f"-{k}{v}" for k, v in sorted(self.tags.items()))
        return f"{self.role}/{self.arm}/{self.label}{extra}/seed{c.seed}-fold{c.fold}-lr{c.lr:g}"


def _schedule(job: Job) -> list[float]:
    """Where validation runs: after these steps (steps arm) or training seconds (budget arm)."""
    n = max(1, job.evals)
    marks = [job.budget * (i + 1) / n for i in range(n)]
    return [max(1, round(m)) for m in marks] if job.arm == "steps" else marks


def _case_dice(task, cases, model, meta, device) -> dict[str, float]:
    """Mean foreground Dice per case, predicted and scored on each case's original grid."""
    from .inference import predict
    from .steps import VAL_OVERLAP

    fg = sorted(k for k in task.labels if k > 0)
    out = {}
    for case in cases:
        loaded = task.load_case(case)
        chans = loaded.channels
        image = chans[0].data if len(chans) == 1 else np.stack([c.data for c in chans])
        pred = predict(
            image, chans[0].geometry, model, meta, device=device, overlap=VAL_OVERLAP, amp=False
        )
        scores = overlap_metrics(pred.labels, loaded.label.data, labels=fg, empty_score=1.0)
        out[case.name] = float(scores["mean"]["dice"])
    return out


def run_job(
    task_dir: str | os.PathLike[str],
    out_root: str | os.PathLike[str],
    job: Job,
    *,
    on_point: PointCallback | None = None,
    should_stop: StopCallback | None = None,
) -> dict[str, Any]:
    """Train ``job`` into ``out_root/<job.key>/final.safetensors``; its curve and scores.

    Returns
    -------
    dict
        ``label``, ``arm``, ``clock``, ``seed``, ``fold``, ``lr``, ``role``, ``tags``,
        ``steps``, ``train_seconds`` (on the job's clock), ``seconds_per_step``, ``curve``
        (per evaluation: ``step``, ``seconds``, ``loss`` (mean training loss since the
        previous point), ``val_dice``), ``final_val_dice``, ``case_dice`` (case -> Dice at
        the original spacing), ``parameters``, ``flops_per_voxel``, ``peak_rss_mb``,
        ``baseline_rss_mb`` and ``threads``.

    Raises
    ------
    Cancelled
        ``should_stop()`` returned True (checked every step).
    """
    from .checkpoint import save_checkpoint
    from .cost import PeakMemory, flops_per_voxel, pinned_threads
    from .data import run_split
    from .networks import count_parameters
    from .seeding import restored_random_state

    cfg = job.cfg
    with restored_random_state(), pinned_threads(job.threads) as threads, PeakMemory() as mem:
        from .train import _Run

        run = _Run.setup(task_dir, Path(out_root) / job.key, cfg, None, job.init)
        flops = flops_per_voxel(run.model, run.meta.in_channels, cfg.data.roi)
        curve, steps, seconds = _loop(run, job, on_point, should_stop)
        final = Path(out_root) / job.key / "final.safetensors"
        save_checkpoint(run.model, run.meta, final)
        task = load_decathlon(task_dir)
        _, val = run_split(task, cfg)
        cases = _case_dice(task, val, run.model, run.meta, run.device)
    return {
        "label": job.label,
        "network": cfg.model,
        "arm": job.arm,
        "budget": job.budget,
        "clock": job.clock,
        "role": job.role,
        "tags": dict(job.tags),
        "seed": cfg.seed,
        "fold": cfg.fold,
        "lr": cfg.lr,
        "init": job.init,
        "steps": steps,
        "train_seconds": seconds,
        "seconds_per_step": seconds / max(steps, 1),
        "curve": curve,
        "final_val_dice": curve[-1]["val_dice"] if curve else float("nan"),
        "case_dice": cases,
        "parameters": count_parameters(run.model),
        "flops_per_voxel": flops,
        "peak_rss_mb": mem.peak_mb,
        "baseline_rss_mb": mem.baseline_mb,
        "threads": threads,
        "checkpoint": str(final),
    }


def _loop(run, job: Job, on_point, should_stop) -> tuple[list[dict[str, Any]], int, float]:
    """Train until the budget is spent; validate at the scheduled marks."""
    from monai.losses import DiceCELoss

    from .seeding import seed_epoch
    from .steps import train_step
    from .steps import validate as _validate

    marks = _schedule(job)
    loss_fn = DiceCELoss(to_onehot_y=True, softmax=True)
    curve: list[dict[str, Any]] = []
    steps, epoch, loss_sum, n, paused = 0, 0, 0.0, 0, 0.0
    now = time.perf_counter if job.clock == "wall" else time.process_time
    start = now()
    run.net.train()
    while marks:
        seed_epoch(run.train_loader.dataset, seed=job.cfg.seed, rank=0, epoch=epoch)
        for batch in run.train_loader:
            loss_sum += train_step(
                run.net, run.opt, loss_fn, run.scaler, batch, run.device, amp=run.amp
            )
            steps, n = steps + 1, n + 1
            clock = now() - start - paused
            if should_stop is not None and should_stop():
                raise Cancelled()
            if (steps if job.arm == "steps" else clock) < marks[0]:
                continue
            t0 = now()
            dice = _validate(run.model, run.val_loader, job.cfg.data.roi, run.device, run.amp)[0]
            point = {"step": steps, "seconds": clock, "loss": loss_sum / n, "val_dice": dice}
            curve.append(point)
            loss_sum, n = 0.0, 0
            marks.pop(0)
            if on_point is not None:
                on_point(job, point)
            paused += now() - t0  # validation and live plots are not training
            if not marks:
                break
        epoch += 1
    return curve, steps, now() - start - paused
