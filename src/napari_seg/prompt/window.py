"""The working window: a fixed-size cube of near-isotropic voxels around the prompts.

The network always sees ``crop`` voxels per axis. The window's voxel size
(the *working spacing*) is the larger of the model's base spacing, the image's
finest voxel, and what it takes for the prompts (and any previous mask) to fill
at most ``fill`` of the window; :func:`zoom_out` doubles it when the object runs
into the window's edge. Resampling is numpy/torch-free here except for the two
functions that take and return torch tensors (imported by the caller).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Window", "place_window"]


@dataclass(frozen=True)
class Window:
    """A box of the image grid resampled to ``crop`` voxels per axis.

    Attributes
    ----------
    lo : numpy.ndarray of int, shape (3,)
        First image voxel (z, y, x) of the box (may be negative: the box may
        extend beyond the image, which is padded with its edge values).
    size : numpy.ndarray of int, shape (3,)
        Box size in image voxels.
    crop : int
        Window voxels per axis.
    spacing : numpy.ndarray of float, shape (3,)
        Image voxel size (dz, dy, dx) in mm.
    """

    lo: np.ndarray
    size: np.ndarray
    crop: int
    spacing: np.ndarray

    @property
    def working_spacing(self) -> np.ndarray:
        """Window voxel size in mm (dz, dy, dx)."""
        return self.size * self.spacing / self.crop

    def to_window(self, points: np.ndarray) -> np.ndarray:
        """Image voxel indices ``(N, 3)`` -> fractional window voxel indices."""
        p = np.asarray(points, float).reshape(-1, 3)
        return (p - self.lo + 0.5) * self.crop / self.size - 0.5

    def clipped(self, shape: Sequence[int]) -> tuple[tuple[slice, ...], tuple[slice, ...]]:
        """(image slices, box slices) of the part of the box inside an image of ``shape``."""
        a = np.maximum(self.lo, 0)
        b = np.minimum(self.lo + self.size, shape)
        img = tuple(slice(int(x), int(y)) for x, y in zip(a, b, strict=True))
        box = tuple(slice(int(x - o), int(y - o)) for x, y, o in zip(a, b, self.lo, strict=True))
        return img, box

    def extract(self, volume: np.ndarray, *, pad: str = "edge") -> np.ndarray:
        """The box of ``volume`` ``(Z, Y, X)`` in image voxels, padded (``edge`` or
        ``constant`` zeros) where it leaves the image."""
        img, _ = self.clipped(volume.shape)
        part = volume[img]
        before = np.maximum(-self.lo, 0)
        after = np.maximum(self.lo + self.size - np.array(volume.shape), 0)
        if before.any() or after.any():
            part = np.pad(part, list(zip(before, after, strict=True)), mode=pad)
        return part

    def touches(self, shape: Sequence[int], face_mask: np.ndarray) -> bool:
        """Whether ``face_mask`` (window grid) is set on a face that lies inside the image."""
        for axis in range(3):
            if self.lo[axis] > 0 and face_mask.take(0, axis=axis).any():
                return True
            if (
                self.lo[axis] + self.size[axis] < shape[axis]
                and face_mask.take(-1, axis=axis).any()
            ):
                return True
        return False

    def covers(self, shape: Sequence[int]) -> bool:
        """Whether the box contains the whole image."""
        return bool(np.all(self.lo <= 0) and np.all(self.lo + self.size >= np.asarray(shape)))


def place_window(
    shape: Sequence[int],
    spacing: Sequence[float],
    points: np.ndarray,
    *,
    crop: int,
    base_mm: float,
    fill: float = 0.6,
    extent: np.ndarray | None = None,
    scale: float = 1.0,
) -> Window:
    """The window centred on ``points`` (image voxels, (N, 3)) at the coarsest needed spacing.

    Parameters
    ----------
    shape, spacing : sequence
        Image shape (Z, Y, X) and voxel size in mm.
    points : numpy.ndarray, shape (N, 3)
        Voxel indices the window must contain (positive clicks, a previous mask's box corners).
    crop : int
        Window voxels per axis.
    base_mm : float
        Finest working spacing (mm); the image's own finest voxel if coarser.
    fill : float
        At most this fraction of the window is spanned by ``points``.
    extent : numpy.ndarray, optional
        Extra ``(lo, hi)`` voxel bounds, shape (2, 3), to include (a previous mask).
    scale : float
        Multiplies the working spacing (zooming out).
    """
    sp = np.asarray(spacing, float)
    pts = np.asarray(points, float).reshape(-1, 3)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    if extent is not None:
        lo, hi = np.minimum(lo, extent[0]), np.maximum(hi, extent[1])
    span_mm = float(np.max((hi - lo + 1) * sp))
    fov_max = float(np.max(np.asarray(shape) * sp)) * 1.05
    work = max(base_mm, float(sp.min()), span_mm / (fill * crop)) * scale
    work = min(work, max(fov_max / crop, float(sp.min())))
    size = np.maximum(np.rint(work * crop / sp).astype(int), 1)
    centre = (lo + hi) / 2.0
    start = np.floor(centre + 0.5 - size / 2.0).astype(int)
    return Window(start, size, int(crop), sp)
