"""Click to segment: the connected region of similar intensity around one voxel."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import ndimage as ndi
from skimage.segmentation import flood

from ..segment._validate import SegmentationError, as_volume, check_spacing
from ..segment.smoothing import ball_mm
from ._points import clicked_voxel

__all__ = ["grow_region"]


def grow_region(
    image: np.ndarray,
    point: Sequence[float],
    *,
    spacing: Sequence[float] | None = None,
    tolerance: float | None = None,
    max_radius_mm: float | None = 60.0,
    fill_holes: bool = True,
) -> np.ndarray:
    """The connected region around ``point`` whose intensity stays near the clicked one.

    Parameters
    ----------
    image : numpy.ndarray, shape (Z, Y, X) or (Y, X)
        Intensities (HU for CT).
    point : sequence of float
        The clicked voxel ``(z, y, x)``.
    spacing : sequence of float, optional
        Voxel size in mm per axis.
    tolerance : float, optional
        Allowed difference from the reference intensity (image units). Default:
        2.5 robust standard deviations of a 3 mm ball around the click, at least
        1 % of the image's range: the click's own tissue, not its neighbours.
    max_radius_mm : float, optional
        The region stays within this distance of the click (None: unbounded).
    fill_holes : bool
        Fill enclosed holes (vessels, noise) of the region.

    Returns
    -------
    numpy.ndarray of bool, same shape as ``image``

    Raises
    ------
    SegmentationError
        The click is outside the volume, or a size is not positive.
    """
    img = as_volume(image)
    sp = np.asarray(check_spacing(spacing, img.ndim))
    p = clicked_voxel(img.shape, point)
    if max_radius_mm is not None and not max_radius_mm > 0:
        raise SegmentationError(f"max_radius_mm must be positive, got {max_radius_mm}")
    ball = ball_mm(3.0, tuple(sp))
    half = np.asarray(ball.shape) // 2
    lo = np.maximum(np.asarray(p) - half, 0)
    hi = np.minimum(np.asarray(p) + half + 1, img.shape)
    near = img[tuple(slice(a, b) for a, b in zip(lo, hi, strict=True))]
    crop = ball[
        tuple(slice(a - c + h, b - c + h) for a, b, c, h in zip(lo, hi, p, half, strict=True))
    ]
    values = near[crop].astype(np.float64)
    values = values[np.isfinite(values)]  # NaN voxels (outside a scan's field) never belong
    if not np.isfinite(img[p]) or values.size == 0:
        raise SegmentationError(f"the clicked voxel {tuple(p)} has no intensity (NaN)")
    reference = float(np.median(values))
    if tolerance is None:
        spread = 1.4826 * float(np.median(np.abs(values - reference)))
        sample = img[:: max(1, img.shape[0] // 8)]
        span = float(np.nanmax(sample)) - float(np.nanmin(sample))
        tolerance = max(2.5 * spread, 0.01 * span, 1e-6)
    box = tuple(slice(None) for _ in p)
    if max_radius_mm is not None:
        reach = np.ceil(max_radius_mm / sp).astype(int)
        box = tuple(
            slice(max(c - r, 0), min(c + r + 1, n))
            for c, r, n in zip(p, reach, img.shape, strict=True)
        )
    sub = img[box].astype(np.float64)
    seed = tuple(c - b.start for c, b in zip(p, box, strict=True))
    inside = (sub >= reference - tolerance) & (sub <= reference + tolerance)
    if max_radius_mm is not None:
        grids = np.ogrid[tuple(slice(0, n) for n in sub.shape)]
        d2 = sum(((g - s) * w) ** 2 for g, s, w in zip(grids, seed, sp, strict=True))
        inside &= d2 <= max_radius_mm**2
    region = flood(inside.view(np.uint8), seed, connectivity=1)
    if fill_holes:
        region = ndi.binary_fill_holes(region)
    out = np.zeros(img.shape, bool)
    out[box] = region
    return out
