"""Click to segment: the connected region of similar intensity around one voxel."""

from __future__ import annotations

from collections.abc import Sequence

import edt
import numpy as np
from scipy import ndimage as ndi
from skimage.segmentation import flood

from ..segment._validate import SegmentationError, as_volume, check_spacing
from ..segment.smoothing import ball_mm
from ..volume import takes_volumes
from ._points import clicked_voxel

__all__ = ["grow_region"]


@takes_volumes
def grow_region(
    image: np.ndarray,
    point: Sequence[float],
    *,
    spacing: Sequence[float] | None = None,
    tolerance: float | None = None,
    max_radius_mm: float | None = 60.0,
    fill_holes: bool = True,
    cut_leaks_mm: float = 1.5,
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
    cut_leaks_mm : float
        Cut bridges thinner than twice this (an opening in mm, kept to the piece
        holding the click): where the organ touches a neighbour of similar intensity
        through a thin gap, the region stops there. 0 turns it off.

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
    reference, tolerance = _reference(img, p, sp, tolerance)
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
    if cut_leaks_mm > 0:
        region = _cut_leaks(region, seed, sp, cut_leaks_mm)
    if fill_holes:
        region = ndi.binary_fill_holes(region)
    out = np.zeros(img.shape, bool)
    out[box] = region
    return out


def _reference(img: np.ndarray, p: tuple[int, ...], sp: np.ndarray, tolerance: float | None):
    """The clicked tissue's intensity (median of a 3 mm ball) and the tolerance around it.

    Default tolerance: 2.5 robust standard deviations of the ball, at least 1 % of the
    image's range.
    """
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
    return reference, tolerance


def _cut_leaks(region: np.ndarray, seed: tuple[int, ...], sp: np.ndarray, mm: float) -> np.ndarray:
    """``region`` opened by a ball of ``mm`` (distance maps in mm), keeping the clicked piece.

    The core (deeper than ``mm`` inside) is split at thin bridges; the piece at the
    click (or the nearest one) is grown back by ``mm`` within the region.
    """
    found = ndi.find_objects(region.view(np.uint8))
    if not found or found[0] is None:
        return region
    box = tuple(slice(max(s.start - 1, 0), s.stop + 1) for s in found[0])
    part = np.ascontiguousarray(region[box])
    core = edt.edt(part, anisotropy=tuple(float(v) for v in sp), black_border=True) > mm
    if not core.any():
        return region  # thinner than the cut everywhere: leave it
    pieces, _ = ndi.label(core)
    at = tuple(c - b.start for c, b in zip(seed, box, strict=True))
    piece = pieces[at]
    if piece == 0:  # the click is in the rim: take the nearest piece
        _, near = ndi.distance_transform_edt(pieces == 0, sampling=sp, return_indices=True)
        piece = pieces[tuple(i[at] for i in near)]
    back = edt.edt(~(pieces == piece), anisotropy=tuple(float(v) for v in sp)) <= mm
    out = np.zeros_like(region)
    out[box] = back & part
    return out
