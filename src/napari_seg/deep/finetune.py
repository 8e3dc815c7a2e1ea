"""Fine-tune a checkpoint on one corrected case: the human-in-the-loop step.

After a user corrects a prediction, a short fine-tune on that case (optionally
mixed with cases of a task, *replay*, so the network does not forget them)
gives a new checkpoint beside the old one, ``<name>.ft<N>.safetensors``; the old
file is never touched, and the new one records its parent, the case and the
settings. The corrected labels are saved first (atomic NIfTI with the image's
geometry in ``<checkpoint folder>/corrections/``), so the correction is never lost.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from monai.losses import DiceCELoss

from .._files import sha256_of
from .._lazy import make_callable
from ..io import Geometry, load_decathlon, save_nifti
from ..progress import ProgressCallback, Steps, StopCallback
from ..volume import Volume, check_same_grid, takes_volumes
from .checkpoint import CheckpointError, CheckpointMeta, load_checkpoint, save_checkpoint
from .device import select_device
from .preprocess import _apply, frame_options, to_network_frame
from .seeding import restored_random_state
from .steps import TrainingError, place_model, train_step

__all__ = ["FinetuneResult", "finetune", "next_version"]


@dataclass
class FinetuneResult:
    """The new checkpoint, the loss of every step, where the correction was saved."""

    checkpoint: Path
    losses: list[float]
    correction: Path | None
    seconds: float


def next_version(path: str | os.PathLike[str]) -> Path:
    """``spleen.safetensors`` -> ``spleen.ft1.safetensors`` (then ``.ft2``, ...): a free name."""
    p = Path(path)
    stem = p.name.removesuffix(p.suffix)
    head, _, tail = stem.rpartition(".ft")
    base = head if head and tail.isdigit() else stem
    n = 1
    while (p.parent / f"{base}.ft{n}.safetensors").exists():
        n += 1
    return p.parent / f"{base}.ft{n}.safetensors"


def network_pair(
    image: np.ndarray, labels: np.ndarray, geometry: Geometry, meta: CheckpointMeta
) -> tuple[torch.Tensor, torch.Tensor]:
    """Image ``(C, Z', Y', X')`` and labels ``(Z', Y', X')`` in the network's frame (as inference
    sees the image: reoriented, resampled, windowed), padded to at least the ROI."""
    arr = image[None] if image.ndim == 3 else image
    x, frame = to_network_frame(arr, geometry, device=torch.device("cpu"), **frame_options(meta))
    y = np.ascontiguousarray(_apply(np.asarray(labels)[None], frame.transform))
    y = F.interpolate(
        torch.from_numpy(y.astype(np.float32))[None], size=frame.resampled_shape, mode="nearest"
    )[0, 0].long()
    x = x[0]
    pad = [max(0, r - s) for r, s in zip(meta.roi_size, y.shape, strict=True)]
    if any(pad):
        spec = [v for p in reversed(pad) for v in (0, p)]
        x, y = F.pad(x, spec), F.pad(y, spec)
    return x, y


def _crop(x: torch.Tensor, y: torch.Tensor, roi, rng: np.random.Generator):
    """A ROI crop centred on a labelled voxel half of the time (as MONAI's pos/neg sampling)."""
    shape = np.array(y.shape)
    fg = torch.nonzero(y)
    if len(fg) and rng.random() < 0.5:
        centre = fg[int(rng.integers(len(fg)))].numpy()
    else:
        centre = rng.integers(0, shape)
    start = np.clip(centre - np.array(roi) // 2, 0, shape - np.array(roi))
    box = tuple(slice(int(a), int(a) + r) for a, r in zip(start, roi, strict=True))
    return x[(slice(None), *box)], y[box]


def save_correction(labels: np.ndarray, geometry: Geometry, checkpoint: Path, case: str) -> Path:
    """The corrected labels as ``<checkpoint folder>/corrections/<case>[-N].nii.gz`` (atomic)."""
    folder = checkpoint.parent / "corrections"
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in case) or "case"
    path, n = folder / f"{safe}.nii.gz", 1
    while path.exists():
        n += 1
        path = folder / f"{safe}-{n}.nii.gz"
    return save_nifti(labels, geometry, path, kind="labels")


@takes_volumes
def finetune(
    checkpoint: str | os.PathLike[str],
    image: np.ndarray | Volume,
    labels: np.ndarray | Volume,
    geometry: Geometry | None = None,
    *,
    steps: int = 60,
    replay: str | os.PathLike[str] | None = None,
    replay_fraction: float = 0.5,
    replay_cases: int = 4,
    lr: float = 1e-4,
    batch_size: int = 2,
    seed: int = 0,
    device: str = "auto",
    case: str = "correction",
    keep_correction: bool = True,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
    on_step: Callable[[dict[str, Any]], None] | None = None,
) -> FinetuneResult:
    """Fine-tune ``checkpoint`` on one corrected case; write ``<name>.ft<N>.safetensors``.

    Parameters
    ----------
    checkpoint : path-like
        The network that made the prediction (never overwritten).
    image : numpy.ndarray, shape (Z, Y, X) or (C, Z, Y, X); or Volume
        The case's image, napari order.
    labels : numpy.ndarray of int, shape (Z, Y, X); or Volume
        The corrected labels on the image's grid; values < the network's classes.
    geometry : Geometry, optional
        The grid of both; taken from ``image`` when it is a
        :class:`~napari_seg.volume.Volume` (then ``labels`` is checked onto it).
    steps : int
        Optimisation steps (each a batch of ``batch_size`` ROI crops).
    replay : path-like, optional
        A Decathlon task: up to ``replay_cases`` of its labelled cases are mixed in,
        ``replay_fraction`` of the crops, so the network keeps what it knew.
    lr, batch_size, seed, device
        AdamW learning rate (small: it is a fine-tune), crops per step, seed, device.
    case : str
        Name of the corrected case (provenance and the saved correction's file name).
    keep_correction : bool
        Save the corrected labels before training (see :func:`save_correction`).
    progress, should_stop, on_step : callable, optional
        One step per optimisation step; ``on_step({"step", "loss"})`` for a live curve.
        A stop raises :class:`~napari_seg.progress.Cancelled` and writes no checkpoint.

    Raises
    ------
    CheckpointError, ValueError
        An unreadable checkpoint; labels that do not fit the image or the network.
    """
    if geometry is None:
        raise ValueError("give the image's geometry (or the image and labels as Volumes)")
    ckpt = Path(checkpoint)
    model, meta = load_checkpoint(ckpt)
    lab, img = np.asarray(labels), np.asarray(image)
    check_same_grid(Volume(lab, geometry), Volume(img, geometry), what="labels and image")
    history = _history(lab, meta, ckpt, steps, batch_size, replay_fraction)
    replayed = _replay_pairs(replay, replay_cases, meta) if replay else []  # refused: no copy
    correction = save_correction(lab, geometry, ckpt, case) if keep_correction else None
    pair = network_pair(img, lab, geometry, meta)
    t0 = time.perf_counter()
    losses = _fit(model, pair, replayed, meta, select_device(device), seed=seed, steps=steps,
                  lr=lr, batch_size=batch_size, replay_fraction=replay_fraction,
                  progress=progress, should_stop=should_stop, on_step=on_step)  # fmt: skip
    info = {
        "parent": ckpt.name,
        "parent_sha256": sha256_of(ckpt),
        **{"case": case, "steps": steps, "lr": lr, "batch_size": batch_size, "seed": seed},
        "final_loss": losses[-1],
        "replay": None
        if not replay
        else {"task": str(replay), "cases": len(replayed), "fraction": replay_fraction},
    }
    new_meta = replace(meta, training={**meta.training, "finetunes": [*history, info]})
    out = save_checkpoint(model.cpu().eval(), new_meta, next_version(ckpt))
    return FinetuneResult(out, losses, correction, time.perf_counter() - t0)


def _history(lab, meta: CheckpointMeta, ckpt: Path, steps, batch_size, fraction) -> list:
    """The checkpoint's earlier fine-tunes, once the options and labels are checked.

    Checked before the correction is saved, so a refused call writes nothing.
    """
    if not 0 <= fraction <= 1 or steps < 1 or batch_size < 1:
        raise ValueError("steps and batch_size must be >= 1, replay_fraction in [0, 1]")
    if lab.min() < 0 or lab.max() >= meta.out_channels:
        raise ValueError(
            f"label values {int(lab.min())}..{int(lab.max())} do not fit the network's "
            f"{meta.out_channels} classes ({ckpt.name})"
        )
    history = meta.training.get("finetunes", [])
    if not isinstance(history, list):
        raise CheckpointError(ckpt, f"metadata training.finetunes {history!r:.40} is not a list")
    return history


def _replay_pairs(
    task_dir, n: int, meta: CheckpointMeta
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    task = load_decathlon(task_dir)
    pairs = []
    for c in [c for c in task.training if c.label is not None][:n]:
        loaded = task.load_case(c)
        image = np.stack([v.data for v in loaded.channels])
        pairs.append(network_pair(image, loaded.label.data, loaded.label.geometry, meta))
    if not pairs:
        raise ValueError(f"{task_dir}: no labelled case to replay")
    return pairs


def _fit(
    model,
    pair,
    replayed,
    meta,
    device,
    *,
    seed,
    steps,
    lr,
    batch_size,
    replay_fraction,
    progress,
    should_stop,
    on_step,
) -> list[float]:
    """The fine-tune's optimisation steps, seeded; the caller's random state is restored."""
    with restored_random_state():
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        return _steps(model, pair, replayed, meta, device, rng, steps=steps, lr=lr,
                      batch_size=batch_size, replay_fraction=replay_fraction,
                      progress=progress, should_stop=should_stop, on_step=on_step)  # fmt: skip


def _steps(model, pair, replayed, meta, device, rng, *, steps, lr, batch_size, replay_fraction,
           progress, should_stop, on_step) -> list[float]:  # fmt: skip
    net = place_model(model, device).train()
    opt = torch.optim.AdamW(net.parameters(), lr=lr)
    loss_fn = DiceCELoss(to_onehot_y=True, softmax=True)
    scaler = torch.amp.GradScaler("cuda", enabled=False)
    counter = Steps(steps, progress=progress, should_stop=should_stop)
    losses = []
    for step in range(steps):
        crops = []
        for _ in range(batch_size):
            src = (
                replayed[int(rng.integers(len(replayed)))]
                if (replayed and rng.random() < replay_fraction)
                else pair
            )
            crops.append(_crop(*src, meta.roi_size, rng))
        batch = {
            "image": torch.stack([c[0] for c in crops]),
            "label": torch.stack([c[1] for c in crops])[:, None],
        }
        losses.append(train_step(net, opt, loss_fn, scaler, batch, device, amp=False))
        if not np.isfinite(losses[-1]):  # NaN voxels or a diverging step: keep the parent
            raise TrainingError(
                f"fine-tune step {step + 1}: the loss became {losses[-1]}; stopped, no "
                "checkpoint written (NaN voxels in the image? a smaller learning rate?)"
            )
        if on_step is not None:
            on_step({"step": step + 1, "loss": losses[-1]})
        counter.step()
    return losses


make_callable(__name__)  # napari_seg.deep.finetune(...) calls finetune()
