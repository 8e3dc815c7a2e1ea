"""The deep operations' declarations: U-Net inference, training, comparison, fine-tuning.

Declared here, without importing torch (this module imports only the torch-free
:mod:`~napari_seg.deep.config`), so the command line, the docks and the docs read
the options, limits and defaults of :func:`~napari_seg.deep.inference.predict`,
:func:`~napari_seg.deep.train.train` and :func:`~napari_seg.deep.finetune.finetune`
without loading torch; the functions are imported when an operation runs.
"""

from __future__ import annotations

from ..ops import Operation, register
from ..segment.params import Param
from .config import DataConfig, Protocol, TrainConfig

__all__ = ["COMPARE_PARAMS", "FINETUNE_PARAMS", "TRAIN_PARAMS", "UNET_PARAMS"]

_T, _D, _P = TrainConfig(), DataConfig(), Protocol()

DEVICE = Param("device", str, "auto", "Device: auto (CUDA, then Apple MPS, then the CPU), cpu, "
               "cuda, cuda:N or mps.")  # fmt: skip
SEED = Param("seed", int, 0, "Random seed (split, initialisation, crops).", low=0,
             high=2**32 - 1)  # fmt: skip

#: Options of :func:`~napari_seg.deep.inference.predict` (``napari-seg segment --method unet``).
UNET_PARAMS: tuple[Param, ...] = (
    DEVICE,
    Param("roi_size", int, None, "Sliding-window size (z, y, x); none = the checkpoint's "
          "training patch.", unit="voxels", low=8, high=1024, optional=True, count=3,
          aliases=("roi",)),
    Param("overlap", float, 0.5, "Overlap of neighbouring windows.", low=0.0, high=0.95,
          step=0.05),
    Param("sw_batch_size", int, 4, "Windows per forward pass (more: faster, more memory).",
          low=1, high=256, aliases=("sw_batch",)),
    Param("cpu_bf16", bool, False, "bfloat16 on the CPU (faster on recent CPUs)."),
)  # fmt: skip

#: Options of training (``napari-seg train`` and the Train dock), from the dataclasses' defaults.
TRAIN_PARAMS: tuple[Param, ...] = (
    Param("epochs", int, _T.epochs, "Passes over the training cases.", low=1, high=100_000),
    Param("lr", float, _T.lr, "Learning rate of the optimizer.", low=1e-6, high=1.0,
          step=1e-4),
    Param("size", str, _T.size, "Network size preset (fast: small, for CPUs; standard: the "
          "tutorial sizes).", choices=("fast", "standard"), aliases=("config",)),
    DEVICE,
    SEED,
    Param("folds", int, _T.n_folds, "Number of cross-validation folds.", low=2, high=100),
    Param("optimizer", str, _T.optimizer, "Optimizer.", choices=("adamw", "novograd")),
    Param("val_every", int, _T.val_every, "Validate every this many epochs.", low=1,
          high=100_000),
    Param("roi_size", int, _D.roi, "Random training patch (z, y, x) after resampling.",
          unit="voxels", low=8, high=1024, count=3, aliases=("roi",)),
    Param("spacing", float, _D.target_spacing, "Target spacing (z, y, x) the images are "
          "resampled to.", unit="mm", low=1e-3, high=100.0, count=3),
    Param("intensity_window", float, _D.window, "Intensity window (low, high) mapped to "
          "0..1 (HU on a CT).", low=-1e9, high=1e9, count=2, aliases=("window",)),
    Param("batch_size", int, _D.batch_size, "Patches per optimizer step.", low=1, high=1024),
    Param("samples", int, _D.samples_per_volume, "Random crops per volume.", low=1, high=1024),
    Param("cache", str, _D.cache, "Where preprocessed cases are kept.",
          choices=("auto", "memory", "disk", "none")),
)  # fmt: skip

#: The comparison protocol's scalar options (``napari-seg compare``, the Train dock's compare).
COMPARE_PARAMS: tuple[Param, ...] = (
    Param("steps", int, None, "Equal-steps arm: optimizer steps per run.", low=1,
          high=10_000_000, optional=True),
    Param("budget_s", float, None, "Equal-time arm: seconds of training per run.", unit="s",
          low=1e-3, high=1e7, optional=True),
    Param("evals", int, _P.evals, "Validation points per run (the curves).", low=1, high=1000),
    Param("threads", int, _P.threads, "CPU threads per run.", low=1, high=1024),
    Param("clock", str, _P.clock, "Budget arm: wall-clock, or this process's CPU time.",
          choices=("wall", "cpu")),
    Param("target_dice", float, _P.target_dice, "Dice a run must reach to count as "
          "converged.", low=0.0, high=1.0),
    Param("match_size", bool, _P.match_size, "Add a U-Net within 15 % of the challenger's "
          "parameters."),
    Param("workers", int, _P.workers, "> 1: run the jobs on a dask LocalCluster of this many "
          "processes.", low=0, high=1024),
    Param("recheck", bool, _P.recheck, "Run each model's first seed twice and compare."),
)  # fmt: skip

#: Options of :func:`~napari_seg.deep.finetune.finetune` (``napari-seg finetune``, U-Net dock).
FINETUNE_PARAMS: tuple[Param, ...] = (
    Param("steps", int, 60, "Optimisation steps on crops of the corrected case (about 1 s per "
          "10 on a CPU).", low=1, high=100_000, step=10),
    Param("replay_fraction", float, 0.5, "Share of crops from the replay task's cases.",
          low=0.0, high=1.0, step=0.05),
    Param("replay_cases", int, 4, "Labelled cases of the replay task mixed in.", low=1,
          high=10_000),
    Param("lr", float, 1e-4, "Learning rate (small: it is a fine-tune).", low=1e-6, high=1.0,
          step=1e-5),
    Param("batch_size", int, 2, "Crops per step.", low=1, high=1024),
    SEED,
    DEVICE,
    Param("case", str, "correction", "Name of the corrected case (provenance, file name)."),
    Param("keep_correction", bool, True, "Save the corrected labels next to the checkpoint "
          "first."),
)  # fmt: skip

register(
    Operation(
        "unet",
        "U-Net",
        "Segment with a trained checkpoint (sliding window on the "
        "checkpoint's grid, labels back on the input grid).",
        "napari_seg.deep.inference:predict",
        UNET_PARAMS,
        group="deep",
        command="segment --method unet --checkpoint CKPT",
        signature=True,
    )
)
register(
    Operation(
        "train",
        "Train",
        "Train a network on a Decathlon task.",
        "napari_seg.deep.train:train",
        TRAIN_PARAMS,
        group="deep",
        command="train TASK --out DIR",
    )
)
register(
    Operation(
        "compare",
        "Compare",
        "Compare networks under equal budgets, several seeds and paired statistics.",
        "napari_seg.deep.compare:compare_models",
        COMPARE_PARAMS,
        group="deep",
        command="compare TASK --out DIR",
    )
)
register(Operation("finetune", "Fine-tune", "Fine-tune a checkpoint on one corrected case; "
                   "writes <name>.ft<N>.safetensors beside it.",
                   "napari_seg.deep.finetune:finetune", FINETUNE_PARAMS, group="deep",
                   command="finetune CKPT IMAGE LABELS", signature=True))  # fmt: skip
