"""Canny edge detection in true 3-D (spacing-aware) or slice by slice.

3-D Canny: Gaussian smoothing with sigma in mm, gradient in HU/mm (central
differences with the real spacing), non-maximum suppression along the
gradient direction (trilinear interpolation of the magnitude one voxel-length
ahead and behind, measured in mm), then hysteresis between two thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from scipy import ndimage as ndi
from skimage import feature, filters

from ..progress import ProgressCallback, Steps, StopCallback
from ._validate import SegmentationError, as_volume, check_filter_work, check_spacing
from .smoothing import gaussian_mm, gradient_mm

__all__ = ["canny"]


def _thresholds(mag: np.ndarray, low: float | None, high: float | None, quantile: bool):
    if quantile:
        lo_q = 0.7 if low is None else low
        hi_q = 0.9 if high is None else high
        if not 0 <= lo_q <= hi_q <= 1:
            raise SegmentationError(f"need 0 <= low <= high <= 1 quantiles, got {lo_q}, {hi_q}")
        nz = mag[mag > 0]
        if nz.size == 0:
            return np.inf, np.inf
        return tuple(float(v) for v in np.quantile(nz, [lo_q, hi_q]))
    if low is None or high is None:
        raise SegmentationError("give both low and high gradient thresholds (HU/mm)")
    if low > high:
        raise SegmentationError(f"low threshold {low} is above high threshold {high}")
    return float(low), float(high)


def _nms(mag: np.ndarray, grads: list[np.ndarray], spacing: tuple[float, ...], low: float):
    """Keep voxels whose magnitude is a maximum along the gradient direction."""
    cand = np.argwhere(mag >= low)
    if cand.size == 0:
        return np.zeros(mag.shape, bool)
    g = np.stack([gr[tuple(cand.T)] for gr in grads], axis=1)  # HU/mm per axis
    norm = np.linalg.norm(g, axis=1, keepdims=True)
    unit_mm = g / np.maximum(norm, 1e-12)
    step_vox = unit_mm * min(spacing) / np.asarray(spacing)  # one smallest-voxel step, in voxels
    ahead = ndi.map_coordinates(mag, (cand + step_vox).T, order=1, mode="nearest")
    behind = ndi.map_coordinates(mag, (cand - step_vox).T, order=1, mode="nearest")
    centre = mag[tuple(cand.T)]
    keep = (centre >= ahead) & (centre > behind)
    out = np.zeros(mag.shape, bool)
    out[tuple(cand[keep].T)] = True
    return out


def canny(
    image: np.ndarray,
    *,
    sigma_mm: float = 1.0,
    spacing: Sequence[float] | None = None,
    low: float | None = None,
    high: float | None = None,
    use_quantiles: bool = True,
    mode: Literal["3d", "slices"] = "3d",
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
) -> np.ndarray:
    """Canny edges as a labels volume (1 = edge).

    Parameters
    ----------
    image : numpy.ndarray, shape (Y, X) or (Z, Y, X)
        Intensities (HU for CT).
    sigma_mm : float
        Gaussian smoothing in mm (converted per axis with ``spacing``).
    spacing : sequence of float, optional
        Voxel size in mm per axis (default 1 mm).
    low, high : float, optional
        Hysteresis thresholds: gradient magnitudes in image units per mm, or
        quantiles of the non-zero magnitudes when ``use_quantiles`` (defaults
        0.7 and 0.9).
    use_quantiles : bool
        Read ``low``/``high`` as quantiles.
    mode : {"3d", "slices"}
        ``"3d"`` detects surfaces in 3-D; ``"slices"`` runs 2-D Canny
        (scikit-image) on each ``Z`` slice with the in-plane spacing, which
        finds in-plane contours only and ignores edges between slices.
    progress, should_stop : callable, optional
        See :mod:`napari_seg.progress`.

    Returns
    -------
    numpy.ndarray of uint8, same shape as ``image``
    """
    img = as_volume(image)
    sp = check_spacing(spacing, img.ndim)
    if mode == "slices" and img.ndim == 3:
        return _canny_slices(img, sigma_mm, sp, low, high, use_quantiles, progress, should_stop)
    if mode not in ("3d", "slices"):
        raise SegmentationError(f"mode must be '3d' or 'slices', got {mode!r}")
    steps = Steps(4, progress=progress, should_stop=should_stop)
    smooth = gaussian_mm(img, sigma_mm=sigma_mm, spacing=sp)
    steps.step()
    grads, mag = gradient_mm(smooth, spacing=sp)
    steps.step()
    lo, hi = _thresholds(mag, low, high, use_quantiles)
    thin = _nms(mag, grads, sp, lo)
    steps.step()
    edges = filters.apply_hysteresis_threshold(np.where(thin, mag, 0), lo, hi)
    steps.step()
    return edges.view(np.uint8)


def _canny_slices(img, sigma_mm, sp, low, high, use_quantiles, progress, should_stop):
    steps = Steps(img.shape[0], progress=progress, should_stop=should_stop)
    out = np.zeros(img.shape, np.uint8)
    sigma_px = sigma_mm / float(np.mean(sp[1:]))
    taps = 2 * (2 * int(4.0 * sigma_px + 0.5) + 1)
    check_filter_work(taps, img.size, what="Canny sigma", size_mm=sigma_mm, spacing=sp[1:])
    if use_quantiles:
        low, high = (0.7 if low is None else low), (0.9 if high is None else high)
    elif low is None or high is None:
        raise SegmentationError("give both low and high gradient thresholds")
    for z in range(img.shape[0]):
        sl = img[z].astype(np.float32)
        if np.ptp(sl) > 0:
            out[z] = feature.canny(
                sl,
                sigma=sigma_px,
                low_threshold=low,
                high_threshold=high,
                use_quantiles=use_quantiles,
            )
        steps.step()
    return out
