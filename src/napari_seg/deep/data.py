"""Training data from a Decathlon task: deterministic folds, MONAI transforms, cached datasets.

The transforms put every volume in the same frame inference uses
(:mod:`napari_seg.deep.preprocess`): reoriented to the checkpoint's axis codes,
resampled to its spacing, HU window mapped to 0..1, and arrays in napari order
``(C, Z, Y, X)``, so a network trained here reads its inputs as it was taught.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import psutil
from monai import transforms as T
from monai.data import CacheDataset, Dataset, PersistentDataset, ThreadDataLoader

from ..io import DecathlonError, DecathlonTask
from ..io.validate import read_header
from .config import DataConfig

__all__ = ["DataConfig", "fold_split", "make_loaders", "make_transforms", "run_split"]


def fold_split(task: DecathlonTask, *, fold: int | str = 0, n_folds: int = 5, seed: int = 0):
    """Training and validation cases: fold ``fold`` of a seeded permutation is validation.

    ``fold="all"`` trains and validates on every labelled case (nnU-Net's fold "all"),
    which is what a task with a single labelled case (a user's own correction) needs.

    Raises
    ------
    DecathlonError
        No labelled case, too few cases for the folds, or ``fold`` out of range.
    """
    cases = [c for c in task.training if c.label is not None]
    if not cases:
        raise DecathlonError(task.root, "the task has no labelled training case")
    if fold == "all":
        return list(cases), list(cases)
    if len(cases) < 2:
        raise DecathlonError(
            task.root,
            f"only {len(cases)} labelled case: folds need >= 2; use --fold all to train "
            "and validate on it",
        )
    if not isinstance(fold, int) or not 0 <= fold < n_folds:
        raise DecathlonError(task.root, f"--fold {fold}: choose 0..{n_folds - 1} or all")
    order = np.random.default_rng(seed).permutation(len(cases))
    val_idx = set(np.array_split(order, n_folds)[fold].tolist()) or {int(order[0])}
    train = [c for i, c in enumerate(cases) if i not in val_idx]
    val = [c for i, c in enumerate(cases) if i in val_idx]
    return train, val


def run_split(task: DecathlonTask, cfg: Any):
    """A run's (training, validation) cases: :func:`fold_split` with the config's split seed
    (``cfg.seed`` when ``cfg.split_seed`` is None), training cut to ``cfg.labelled`` cases."""
    seed = cfg.seed if cfg.split_seed is None else cfg.split_seed
    train, val = fold_split(task, fold=cfg.fold, n_folds=cfg.n_folds, seed=seed)
    if cfg.labelled is not None:
        if not 1 <= cfg.labelled <= len(train):
            raise DecathlonError(
                task.root, f"--labelled {cfg.labelled}: the split has {len(train)} training cases"
            )
        train = train[: cfg.labelled]
    return train, val


def make_transforms(cfg: DataConfig, *, train: bool, labels: bool = True) -> T.Compose:
    """MONAI transforms; the random ones come last so caching keeps the rest.

    ``labels=False`` handles images alone (denoising pre-training): random crops
    are then uniform instead of balanced between organ and background.
    """
    keys = ["image", "label"] if labels else ["image"]
    modes = ("bilinear", "nearest") if labels else "bilinear"
    steps: list[Any] = [
        T.LoadImaged(keys, image_only=True),
        T.EnsureChannelFirstd(keys),
        T.Orientationd(keys, axcodes=cfg.orientation, labels=(("L", "R"), ("P", "A"), ("I", "S"))),
        T.Spacingd(keys, pixdim=cfg.target_spacing[::-1], mode=modes),
        T.ScaleIntensityRanged("image", *cfg.window, 0.0, 1.0, clip=True),
        T.CropForegroundd(keys, source_key="image", allow_smaller=True),
        T.Transposed(keys, indices=(0, 3, 2, 1)),  # (C, X, Y, Z) -> napari (C, Z, Y, X)
        T.SpatialPadd(keys, spatial_size=cfg.roi),
        T.EnsureTyped(keys, track_meta=False),
    ]
    if train:
        n = cfg.samples_per_volume
        steps += [
            T.RandCropByPosNegLabeld(
                keys,
                label_key="label",
                spatial_size=cfg.roi,
                pos=1,
                neg=1,
                num_samples=n,
                image_key="image",
                image_threshold=0,
            )
            if labels
            else T.RandSpatialCropSamplesd(
                keys, roi_size=cfg.roi, num_samples=n, random_size=False
            ),
            T.RandFlipd(keys, prob=0.1, spatial_axis=0),
            T.RandFlipd(keys, prob=0.1, spatial_axis=1),
            T.RandFlipd(keys, prob=0.1, spatial_axis=2),
            T.RandRotate90d(keys, prob=0.1, max_k=3, spatial_axes=(1, 2)),
            T.RandScaleIntensityd("image", factors=0.1, prob=0.5),
            T.RandShiftIntensityd("image", offsets=0.1, prob=0.5),
        ]
    return T.Compose(steps)


def _estimated_bytes(cases, cfg: DataConfig) -> int:
    """Float32 bytes of the resampled volumes (from the headers; nothing is loaded)."""
    total = 0
    for c in cases:
        h = read_header(Path(c.image))
        zooms = h.get_zooms()[:3]
        dims = h.get_data_shape()
        n = math.prod(
            d * z / t for d, z, t in zip(dims[:3], zooms, cfg.target_spacing[::-1], strict=True)
        )
        channels = dims[3] if len(dims) > 3 else 1
        total += int(n * 4 * (channels + 1))
    return total


def _dataset(cases, transforms, cfg: DataConfig, cache_dir: Path, *, labels: bool = True):
    """In memory when the resampled volumes fit in 40 % of free memory, else on disk."""
    items = [{"image": str(c.image), **({"label": str(c.label)} if labels else {})} for c in cases]
    mode = cfg.cache
    if mode == "auto":
        fits = _estimated_bytes(cases, cfg) < 0.4 * psutil.virtual_memory().available
        mode = "memory" if fits else "disk"
    if mode == "memory":
        return CacheDataset(items, transforms, cache_rate=1.0, num_workers=0, progress=False)
    if mode == "disk":
        cache_dir.mkdir(parents=True, exist_ok=True)
        return PersistentDataset(items, transforms, cache_dir=cache_dir)
    return Dataset(items, transforms)


def make_loaders(
    train_cases, val_cases, cfg: DataConfig, *, cache_dir: Path, rank: int = 0, world: int = 1
):
    """(train loader, validation loader); with ``world > 1`` each rank gets its share."""
    mine = train_cases[rank::world] if world > 1 else train_cases
    train_ds = _dataset(mine, make_transforms(cfg, train=True), cfg, cache_dir / "train")
    val_ds = _dataset(val_cases, make_transforms(cfg, train=False), cfg, cache_dir / "val")
    train_loader = ThreadDataLoader(
        train_ds, batch_size=cfg.batch_size, shuffle=True, num_workers=0
    )
    val_loader = ThreadDataLoader(val_ds, batch_size=1, num_workers=0)
    return train_loader, val_loader
