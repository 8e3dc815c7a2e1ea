"""Sliding-window inference of a checkpointed network, back on the input's exact grid.

Progress is reported per window batch and Cancel is checked before every
batch, so a cancelled run stops within one batch. A CUDA out-of-memory error
is retried with half the window batch, then with the stitching buffer on the
CPU (``device="cpu"``, ``sw_device="cuda"``); each fallback is reported in
:attr:`Prediction.notes` instead of crashing.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Literal

import numpy as np
import torch
from monai.data.utils import dense_patch_slices
from monai.inferers import SlidingWindowInferer

from .._memory import ensure_fits
from ..io import Geometry
from ..progress import Cancelled, ProgressCallback, StopCallback
from ..segment import keep_largest
from .checkpoint import CheckpointMeta
from .device import select_device
from .preprocess import frame_options, from_network_frame, to_network_frame

__all__ = ["InferenceError", "Prediction", "count_windows", "predict"]


class InferenceError(ValueError):
    """Input the network cannot take (channels, dimensions)."""


@dataclass
class Prediction:
    """Labels ``(Z, Y, X)`` on the input grid, optional probabilities ``(K, Z, Y, X)``, notes,
    and the checkpoint's class names ``{value: name}`` where the caller knows them."""

    labels: np.ndarray
    probabilities: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)
    label_names: dict[int, str] = field(default_factory=dict)


def count_windows(shape: Sequence[int], roi: Sequence[int], overlap: float) -> int:
    """Number of sliding windows MONAI uses for an image of ``shape`` (padded to ``roi``).

    The scan interval is MONAI's documented rule, ``int(roi * (1 - overlap))``
    (at least 1; the whole axis where the window spans it), and the windows are
    MONAI's public ``dense_patch_slices``; a test checks the count against the
    windows :class:`~monai.inferers.SlidingWindowInferer` actually runs.
    """
    padded = [max(s, r) for s, r in zip(shape, roi, strict=True)]
    interval = [
        r if r == s else max(int(r * (1 - overlap)), 1) for s, r in zip(padded, roi, strict=True)
    ]
    return len(dense_patch_slices(padded, roi, interval))


def _as_channels(image: np.ndarray, in_channels: int) -> np.ndarray:
    arr = np.asarray(image)
    if arr.ndim == 3:
        arr = arr[None]
    if arr.ndim != 4:
        raise InferenceError(f"expected a (Z, Y, X) or (C, Z, Y, X) image, got shape {arr.shape}")
    if arr.shape[0] != in_channels:
        raise InferenceError(
            f"the image has {arr.shape[0]} channel(s) but the network takes {in_channels}"
        )
    return arr


def _windows(model, x, roi, overlap, sw_batch, blend, amp, device, sw_device, report, stop):
    total = math.ceil(count_windows(x.shape[2:], roi, overlap) / sw_batch)
    done = 0

    def predictor(batch: torch.Tensor) -> torch.Tensor:
        nonlocal done
        if stop is not None and stop():
            raise Cancelled()
        with torch.autocast(device_type=sw_device.type, dtype=_amp_dtype(sw_device), enabled=amp):
            out = model(batch.to(sw_device))
        done += 1
        if report is not None:
            report(done, total)
        return out.float()

    inferer = SlidingWindowInferer(
        roi, sw_batch, overlap=overlap, mode=blend, sw_device=sw_device, device=device
    )
    return inferer(x, predictor)


def _check_fits(shape: Sequence[int], roi: Sequence[int], meta: CheckpointMeta) -> None:
    """MONAI pads the image up to the window: bound the padded input and output (float32)."""
    padded = math.prod(max(n, r) for n, r in zip(shape, roi, strict=True))
    ensure_fits(
        4 * padded * (meta.in_channels + 2 * meta.out_channels),
        f"a window of {tuple(roi)} voxels over an image of {tuple(shape)}",
    )


def _with_fallbacks(windows, sw_batch_size: int, device: torch.device, notes: list[str]):
    """``windows(sw_batch=..., device=...)``, retried on CUDA out-of-memory with half the
    batch, one window, then stitching on the CPU; each retry is noted in ``notes``."""
    plan = [(sw_batch_size, device)]
    plan += [(b, device) for b in (sw_batch_size // 2, 1) if 0 < b < sw_batch_size]
    plan += [(1, torch.device("cpu"))] if device.type == "cuda" else []
    for i, (batch, out_device) in enumerate(plan):
        try:
            return windows(sw_batch=batch, device=out_device)
        except torch.cuda.OutOfMemoryError:
            torch.cuda.empty_cache()
            if i == len(plan) - 1:
                raise
            nxt = plan[i + 1]
            notes.append(
                f"CUDA out of memory with window batch {batch}: retrying with "
                f"batch {nxt[0]}, stitching on {nxt[1].type}"
            )
    raise AssertionError("unreachable")  # pragma: no cover


def _amp_dtype(device: torch.device) -> torch.dtype:
    """bf16 where the hardware has it (CPU autocast supports only bf16), else fp16."""
    if device.type != "cuda" or torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float16


def _renamed(largest: bool, largest_component: bool | None) -> bool:
    """``largest``, or the old keyword's value with a DeprecationWarning."""
    if largest_component is None:
        return largest
    warnings.warn(
        "predict: 'largest_component' is renamed 'largest'", DeprecationWarning, stacklevel=3
    )
    return bool(largest_component)


def predict(
    image: np.ndarray,
    geometry: Geometry,
    model: torch.nn.Module,
    meta: CheckpointMeta,
    *,
    device: torch.device | str = "cpu",
    roi_size: Sequence[int] | None = None,
    overlap: float = 0.5,
    sw_batch_size: int = 4,
    blend: Literal["gaussian", "constant"] = "gaussian",
    amp: bool = True,
    cpu_bf16: bool = False,
    probabilities: bool = False,
    largest: bool = False,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
    largest_component: bool | None = None,
) -> Prediction:
    """Segment ``image`` with ``model`` and return labels on the input grid.

    Parameters
    ----------
    image : numpy.ndarray, shape (Z, Y, X) or (C, Z, Y, X)
        Intensities in the units the network was trained on (HU for CT).
    geometry : Geometry
        The image's placement; used to reorient and resample as in training.
    model : torch.nn.Module
        The network (moved to ``device`` here; evaluated under inference mode).
    meta : CheckpointMeta
        Preprocessing and label description of the checkpoint.
    device : torch.device or str
        Where the network runs (see :func:`~napari_seg.deep.device.select_device`).
    roi_size : sequence of int, optional
        Window ``(Z, Y, X)`` in voxels of the resampled image (default: the checkpoint's).
    overlap : float
        Window overlap fraction (0..1).
    sw_batch_size : int
        Windows per forward pass.
    blend : {"gaussian", "constant"}
        How overlapping windows are blended.
    amp : bool
        Mixed precision on CUDA (bf16 where supported, else fp16).
    cpu_bf16 : bool
        bf16 autocast on the CPU: about 1.7x faster on CPUs with native bf16
        (max |Δ probability| 1.6e-3 in ``benchmarks/bench_inference.py``), much
        slower on CPUs without it, so off by default.
    probabilities : bool
        Also return class probabilities ``(K, Z, Y, X)`` (float32).
    largest, largest_component : bool
        Keep only the largest object of each class (``largest_component``: old name).
    progress, should_stop : callable, optional
        Called per window batch; see :mod:`napari_seg.progress`.

    Returns
    -------
    Prediction
    """
    largest = _renamed(largest, largest_component)
    device = select_device(device)
    arr = _as_channels(image, meta.in_channels)
    roi = tuple(int(r) for r in (roi_size or meta.roi_size))
    model = model.to(device).eval()
    if device.type == "cpu":  # 1.25x on CPU convolutions, identical results
        model = model.to(memory_format=torch.channels_last_3d)
    notes: list[str] = []
    with torch.inference_mode():
        x, frame = to_network_frame(arr, geometry, device=device, **frame_options(meta))
        _check_fits(frame.resampled_shape, roi, meta)
        use_amp = (amp and device.type == "cuda") or (cpu_bf16 and device.type == "cpu")
        logits = _with_fallbacks(
            partial(_windows, model, x, roi, overlap, blend=blend, amp=use_amp,
                    sw_device=device, report=progress, stop=should_stop),
            sw_batch_size, device, notes,
        )  # fmt: skip
        probs = from_network_frame(torch.softmax(logits.float(), dim=1), frame)
    labels = probs.argmax(axis=0).astype(np.uint8 if probs.shape[0] <= 256 else np.uint16)
    if largest:
        labels = keep_largest(labels)
    return Prediction(labels, probs if probabilities else None, notes)
