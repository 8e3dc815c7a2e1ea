"""Input checks shared by the segmentation functions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "MAX_FILTER_WORK",
    "EmptyInputWarning",
    "SegmentationError",
    "as_volume",
    "check_filter_work",
    "check_mask",
    "check_spacing",
]

#: Multiply-adds one filter may cost (about a minute on one core): a sigma or a
#: radius in mm that is hundreds of voxels on a fine grid is refused up front
#: instead of hanging the worker (or allocating a terabyte footprint).
MAX_FILTER_WORK = 5e10


class SegmentationError(ValueError):
    """Input a segmentation method cannot work on (shape, dtype, seeds, spacing)."""


class EmptyInputWarning(UserWarning):
    """The input is empty or constant, so the result is empty labels."""


def as_volume(image: np.ndarray, *, name: str = "image") -> np.ndarray:
    """Return ``image`` as a 2-D or 3-D real array, or raise :class:`SegmentationError`."""
    arr = np.asarray(image)
    if arr.ndim not in (2, 3):
        raise SegmentationError(
            f"{name} must be 2-D (Y, X) or 3-D (Z, Y, X), got shape {arr.shape}; "
            "pick one channel or time point of a 4-D image first"
        )
    if arr.dtype == bool:
        return arr.view(np.uint8)
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise SegmentationError(f"{name} must be integer or float, got dtype {arr.dtype}")
    return arr


def check_mask(mask: np.ndarray | None, shape: tuple[int, ...], *, name: str = "mask"):
    """``None`` or a boolean array of ``shape``; raise :class:`SegmentationError` otherwise."""
    if mask is None:
        return None
    m = np.asarray(mask)
    if m.shape != tuple(shape):
        raise SegmentationError(f"{name} shape {m.shape} does not match the image {tuple(shape)}")
    return m if m.dtype == bool else m != 0


def check_spacing(spacing: Sequence[float] | None, ndim: int) -> tuple[float, ...]:
    """Voxel size in mm for ``ndim`` axes (default 1 mm), all finite and positive."""
    if spacing is None:
        return (1.0,) * ndim
    sp = tuple(float(s) for s in spacing)
    if len(sp) != ndim or not all(np.isfinite(sp)) or min(sp) <= 0:
        raise SegmentationError(f"spacing must be {ndim} positive mm values, got {spacing}")
    return sp


def check_filter_work(
    per_voxel: float, n_voxels: int, *, what: str, size_mm: float, spacing: Sequence[float]
) -> None:
    """Refuse a filter of ``per_voxel`` operations per voxel over ``n_voxels`` voxels.

    Raises
    ------
    SegmentationError
        Naming ``what`` (the option), its size in mm and in voxels on this grid.
    """
    if per_voxel * max(n_voxels, 1) > MAX_FILTER_WORK:
        vox = ", ".join(f"{size_mm / s:.0f}" for s in spacing)
        raise SegmentationError(
            f"{what} {size_mm:g} mm is ({vox}) voxels on this grid: too wide to compute "
            f"on {n_voxels:,} voxels; use a smaller value"
        )
