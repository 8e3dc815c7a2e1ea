"""Train a registered network on a Decathlon task; save the best checkpoint and metrics.json.

Seeded and deterministic on the CPU: every epoch reseeds torch, numpy, Python
and the MONAI transforms from ``(seed, rank, epoch)``, so epoch N draws the same
crops and flips whether or not the run was interrupted before it, and a run
resumed from ``last.pt`` (weights, optimizer, GradScaler, epoch and history,
read with ``weights_only=True``) equals an uninterrupted one bit for bit. The
global RNG states and cuDNN flags are restored when training ends. AMP on
CUDA; progress per iteration and a cancel check between iterations. Under
``torchrun`` (``torch.distributed`` initialised), the network is wrapped in
``DistributedDataParallel``, each rank trains on its share of the cases,
every rank validates (MONAI's metric gathers across ranks) and rank 0 writes
the files.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import fastremap
import torch
import torch.distributed as dist
from monai.losses import DiceCELoss
from monai.optimizers import Novograd
from monai.utils import set_determinism

from .._lazy import make_callable
from ..io import DecathlonError, load_decathlon
from ..progress import ProgressCallback, Steps, StopCallback
from .budget import check_label_values, check_training_memory
from .checkpoint import CheckpointMeta, save_checkpoint
from .config import TrainConfig, cpu_recipe
from .data import make_loaders, run_split
from .device import select_device
from .networks import count_parameters
from .seeding import restored_random_state, seed_epoch
from .state import load_state, save_state, write_metrics
from .steps import (
    VAL_OVERLAP,
    check_step,
    loader_errors,
    peak_mb,
    place_model,
    train_step,
    validate,
)
from .warmstart import load_init

__all__ = ["TrainConfig", "TrainResult", "cpu_recipe", "place_model", "train", "train_step"]


@dataclass
class TrainResult:
    """Where the files went, the per-epoch history, and the trained network."""

    best_checkpoint: Path | None
    metrics_path: Path | None
    history: list[dict[str, Any]]
    parameters: int
    model: torch.nn.Module | None = None


def _meta(cfg: TrainConfig, task, in_channels: int) -> CheckpointMeta:
    overrides = dict(cfg.overrides)
    if cfg.model in ("unetr", "axialunet"):  # position tables sized by the patch
        overrides["img_size"] = list(cfg.data.roi)
    return CheckpointMeta(
        network=cfg.model,
        config=cfg.size,
        overrides=overrides,
        in_channels=in_channels,
        out_channels=max(task.labels) + 1,
        labels={str(k): v for k, v in task.labels.items()},
        intensity_window=cfg.data.window,
        target_spacing=cfg.data.target_spacing,
        orientation=cfg.data.orientation,
        roi_size=cfg.data.roi,
        training={
            "task": task.name,
            "seed": cfg.seed,
            "fold": cfg.fold,
            "epochs": cfg.epochs,
            "lr": cfg.lr,
            "optimizer": cfg.optimizer,
            "val_overlap": VAL_OVERLAP,
        },
    )


def _check_inputs(task, cfg: TrainConfig) -> tuple[list, list]:
    check_label_values(task)  # before the network: one output channel per label value
    _meta(cfg, task, 1).build()  # unknown model or keyword: fail before any data work
    train_cases, val_cases = run_split(task, cfg)
    named = set(task.labels)
    for c in (*train_cases, *val_cases):
        loaded = task.load_case(c)  # refuses mismatched image/label grids, before training
        found = {int(v) for v in fastremap.unique(loaded.label.data)}
        if found - named:  # a label the network would have no output channel for
            raise DecathlonError(
                task.root,
                f"case {c.name}: label values {sorted(found - named)} are not named in "
                f"dataset.json 'labels' ({sorted(named)})",
            )
    return train_cases, val_cases


def train(
    task_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    cfg: TrainConfig | None = None,
    *,
    resume: str | os.PathLike[str] | None = None,
    init: str | os.PathLike[str] | None = None,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
    on_epoch: Callable[[dict[str, Any]], None] | None = None,
) -> TrainResult:
    """Train ``cfg.model`` on a Decathlon task folder.

    Parameters
    ----------
    task_dir : path-like
        Decathlon task folder (``dataset.json``, ``imagesTr/``, ``labelsTr/``).
    out_dir : path-like
        Receives ``best.safetensors`` (the shared checkpoint format, best
        validation Dice), ``last.pt`` (to resume) and ``metrics.json``.
    cfg : TrainConfig, optional
        Model, budget, optimisation and data settings.
    resume : path-like, optional
        A ``last.pt`` written by an earlier run with the same ``cfg``.
    init : path-like, optional
        A checkpoint to start from (fine-tuning): its network and metadata must be this
        run's (checked before training, naming the options that differ).
    progress, should_stop : callable, optional
        Called per iteration; see :mod:`napari_seg.progress`.
    on_epoch : callable, optional
        Gets each epoch's record (loss, val_dice, seconds, elapsed, peak_memory_mb).

    Raises
    ------
    DecathlonError, NetworkError, CheckpointError
        No labels, mismatched geometry, an unknown model or an ``init`` checkpoint that
        does not fit: raised before training.
    """
    if resume is not None and init is not None:
        raise ValueError("--resume continues a run, --init starts a new one: give one")
    with restored_random_state():
        return _train(
            task_dir, out_dir, cfg or TrainConfig(), resume, init, progress, should_stop, on_epoch
        )


def _train(task_dir, out_dir, cfg, resume, init, progress, should_stop, on_epoch) -> TrainResult:
    run = _Run.setup(task_dir, out_dir, cfg, resume, init)
    total = (cfg.epochs - run.start) * len(run.train_loader)
    steps = Steps(total, progress=progress, should_stop=should_stop)
    t_start = time.perf_counter() - (run.history[-1]["elapsed"] if run.history else 0.0)
    for epoch in range(run.start, cfg.epochs):
        record = run.fit_epoch(epoch, steps)
        if (epoch + 1) % cfg.val_every == 0 or epoch + 1 == cfg.epochs:
            run.validate(record)
        run.close_epoch(record, t_start)
        if on_epoch is not None:
            on_epoch(record)
    return run.result()


@dataclass
class _Run:
    """The state of one training run (built by :meth:`setup`)."""

    cfg: TrainConfig
    meta: CheckpointMeta
    model: torch.nn.Module
    net: torch.nn.Module
    opt: torch.optim.Optimizer
    device: torch.device
    out: Path
    rank: int
    train_loader: Any
    val_loader: Any
    history: list[dict[str, Any]]
    start: int
    best: float
    scaler: torch.amp.GradScaler | None = None

    def __post_init__(self) -> None:
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.amp)

    @classmethod
    def setup(cls, task_dir, out_dir, cfg: TrainConfig, resume, init=None) -> _Run:
        task = load_decathlon(task_dir)
        train_cases, val_cases = _check_inputs(task, cfg)
        rank, world = (dist.get_rank(), dist.get_world_size()) if dist.is_initialized() else (0, 1)
        set_determinism(seed=cfg.seed + rank)
        device = select_device(cfg.device)
        meta = _meta(cfg, task, len(task.modalities))
        check_training_memory([*train_cases, *val_cases], cfg, meta, device)
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        loaders = make_loaders(
            train_cases, val_cases, cfg.data, cache_dir=out / "cache", rank=rank, world=world
        )
        model = meta.build()
        if init is not None:
            meta = replace(meta, training={**meta.training, "init": load_init(model, meta, init)})
        # channels-last only alone: DDP's gradient buckets expect the default layout
        model = place_model(model, device) if world == 1 else model.to(device)
        net = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model
        optimizer = Novograd if cfg.optimizer == "novograd" else torch.optim.AdamW
        opt = optimizer(net.parameters(), lr=cfg.lr)
        run = cls(cfg, meta, model, net, opt, device, out, rank, *loaders, [], 0, -1.0)
        run.history, run.start, run.best = load_state(resume, model, opt, run.scaler)
        return run

    @property
    def amp(self) -> bool:
        return self.cfg.amp and self.device.type == "cuda"

    def fit_epoch(self, epoch: int, steps: Steps) -> dict[str, Any]:
        seed_epoch(self.train_loader.dataset, seed=self.cfg.seed, rank=self.rank, epoch=epoch)
        loss_fn = DiceCELoss(to_onehot_y=True, softmax=True)
        self.net.train()
        t0, total, n = time.perf_counter(), 0.0, 0
        with loader_errors() as errors:  # a dying loader thread: one line, not a traceback
            for batch in self.train_loader:
                total += train_step(
                    self.net, self.opt, loss_fn, self.scaler, batch, self.device, amp=self.amp
                )
                n += 1
                check_step(epoch, n, total)
                steps.step()
            check_step(epoch, n, total, expected=len(self.train_loader), errors=errors)
        return {
            "epoch": epoch + 1,
            "loss": total / max(n, 1),
            "val_dice": None,
            "seconds": time.perf_counter() - t0,
        }

    def validate(self, record: dict[str, Any]) -> None:
        # every rank validates: MONAI's metric all-gathers, so all ranks agree on "best"
        dice, per_class, predicted = validate(
            self.model, self.val_loader, self.cfg.data.roi, self.device, self.amp
        )
        record["val_dice"] = dice
        if dice > self.best:
            self.best = dice
            if self.rank == 0:
                names = [
                    self.meta.labels.get(str(c + 1), str(c + 1)) for c in range(len(per_class))
                ]
                never = [n for n, p in zip(names, predicted, strict=False) if not p]
                info = {**self.meta.training, "best_epoch": record["epoch"], "val_dice": dice,
                        "val_dice_per_class": dict(zip(names, per_class, strict=True)),
                        "never_predicted": never}  # fmt: skip
                save_checkpoint(self.model, replace(self.meta, training=info), self.best_path)

    def close_epoch(self, record: dict[str, Any], t_start: float) -> None:
        record["elapsed"] = time.perf_counter() - t_start
        record["peak_memory_mb"] = peak_mb(self.device)
        self.history.append(record)
        if self.rank == 0:
            save_state(
                self.out / "last.pt",
                self.model,
                self.opt,
                self.scaler,
                record["epoch"],
                self.history,
                self.best,
            )
            write_metrics(
                self.out / "metrics.json",
                self.cfg,
                self.meta,
                self.history,
                count_parameters(self.model),
            )

    @property
    def best_path(self) -> Path:
        return self.out / "best.safetensors"

    def result(self) -> TrainResult:
        return TrainResult(
            self.best_path if self.best_path.exists() else None,
            self.out / "metrics.json" if self.rank == 0 else None,
            self.history,
            count_parameters(self.model),
            self.model,
        )


make_callable(__name__)  # napari_seg.deep.train(...) calls train()
