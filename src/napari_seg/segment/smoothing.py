"""Spacing-aware smoothing: sigma in millimetres, not voxels."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import ndimage as ndi

from ._validate import SegmentationError, as_volume, check_filter_work, check_spacing

__all__ = ["ball_mm", "gaussian_mm", "gradient_mm", "median_mm", "smooth_mm"]


#: Largest footprint :func:`ball_mm` builds (voxels); 16 MB of bool.
MAX_BALL_VOXELS = 1 << 24


def ball_mm(radius_mm: float, spacing: Sequence[float], *, what: str = "radius") -> np.ndarray:
    """Ellipsoidal footprint (bool, odd shape, centred) of ``radius_mm`` on a ``spacing`` grid.

    Raises
    ------
    SegmentationError
        The footprint would exceed :data:`MAX_BALL_VOXELS` (``what`` names the option).
    """
    half = [int(np.floor(radius_mm / s + 1e-9)) for s in spacing]
    if float(np.prod([2.0 * h + 1 for h in half])) > MAX_BALL_VOXELS:
        raise SegmentationError(
            f"{what} {radius_mm:g} mm is ({', '.join(str(h) for h in half)}) voxels on this "
            f"grid: a footprint of more than {MAX_BALL_VOXELS:,} voxels; use a smaller value"
        )
    grids = np.ogrid[tuple(slice(-h, h + 1) for h in half)]
    return sum((g * s) ** 2 for g, s in zip(grids, spacing, strict=True)) <= radius_mm**2 + 1e-9


def gaussian_mm(
    image: np.ndarray, *, sigma_mm: float, spacing: Sequence[float] | None = None
) -> np.ndarray:
    """Gaussian smoothing with a physical ``sigma_mm`` on an anisotropic grid.

    Parameters
    ----------
    image : numpy.ndarray, shape (Y, X) or (Z, Y, X)
        Intensities; NaN voxels are replaced by the mean of the finite ones.
    sigma_mm : float
        Standard deviation of the Gaussian in mm (0 returns a float32 copy).
    spacing : sequence of float, optional
        Voxel size in mm per axis (default 1 mm).

    Returns
    -------
    numpy.ndarray of float32, same shape
    """
    img = as_volume(image)
    sp = check_spacing(spacing, img.ndim)
    out = img.astype(np.float32, copy=True)
    if out.size and not np.all(np.isfinite(out)):
        finite = np.isfinite(out)
        out[~finite] = out[finite].mean() if finite.any() else 0.0
    if sigma_mm <= 0:
        return out
    sigmas = [sigma_mm / s for s in sp]
    taps = sum(2 * int(4.0 * sg + 0.5) + 1 for sg in sigmas)  # scipy's truncate=4
    check_filter_work(taps, out.size, what="Gaussian sigma", size_mm=sigma_mm, spacing=sp)
    return _gaussian_in_slabs(out, sigmas)


_SLAB = 1 << 20  # voxels per filter call


def _gaussian_in_slabs(out: np.ndarray, sigmas: Sequence[float]) -> np.ndarray:
    """``ndi.gaussian_filter`` in place, one axis at a time, in slabs of ~1M voxels.

    The same arithmetic as one ``gaussian_filter`` call (separable 1-D passes,
    float32 between passes), so results are identical; but scipy.ndimage holds
    the GIL for a whole call (0.5 s on a 200x512x512 CT), and slabs let the
    GUI thread run between them while a worker smooths.
    """
    for axis, sigma in enumerate(sigmas):
        if sigma <= 1e-15:  # as gaussian_filter: no pass along this axis
            continue
        other = (axis + 1) % out.ndim
        step = max(1, out.shape[other] * _SLAB // max(out.size, 1))
        for start in range(0, out.shape[other], step):
            key = tuple(
                slice(start, start + step) if a == other else slice(None) for a in range(out.ndim)
            )
            ndi.gaussian_filter1d(out[key], sigma, axis=axis, output=out[key])
    return out


def median_mm(
    image: np.ndarray, *, radius_mm: float, spacing: Sequence[float] | None = None
) -> np.ndarray:
    """Median filter over an ellipsoid of ``radius_mm`` (per-axis voxels from ``spacing``).

    Parameters
    ----------
    image : numpy.ndarray, shape (Y, X) or (Z, Y, X)
        Intensities; NaN voxels are replaced as in :func:`gaussian_mm`.
    radius_mm : float
        Radius of the neighbourhood in mm; an axis whose voxels are larger
        than the radius is not filtered along (0 returns a float32 copy).
    spacing : sequence of float, optional
        Voxel size in mm per axis (default 1 mm).

    Returns
    -------
    numpy.ndarray of float32, same shape
    """
    out = gaussian_mm(image, sigma_mm=0.0, spacing=spacing)
    sp = check_spacing(spacing, out.ndim)
    if radius_mm <= 0:
        return out
    ball = ball_mm(radius_mm, sp, what="median radius")
    # a sort of the footprint per voxel
    work = ball.sum() * max(np.log2(ball.sum()), 1.0)
    check_filter_work(work, out.size, what="median radius", size_mm=radius_mm, spacing=sp)
    return ndi.median_filter(out, footprint=ball, output=np.float32)


def smooth_mm(
    image: np.ndarray,
    *,
    kind: str = "gaussian",
    size_mm: float,
    spacing: Sequence[float] | None = None,
) -> np.ndarray:
    """Gaussian (``size_mm`` = sigma) or median (``size_mm`` = radius) smoothing; float32.

    ``kind="none"`` or ``size_mm <= 0`` returns the image unchanged (no copy).
    """
    if kind == "none" or size_mm <= 0:
        return image
    if kind == "gaussian":
        return gaussian_mm(image, sigma_mm=size_mm, spacing=spacing)
    if kind == "median":
        return median_mm(image, radius_mm=size_mm, spacing=spacing)
    raise ValueError(f"unknown smoothing {kind!r}; choose none, gaussian or median")


def gradient_mm(
    image: np.ndarray, *, spacing: Sequence[float] | None = None
) -> tuple[list[np.ndarray], np.ndarray]:
    """Central-difference gradient in image units per mm, and its magnitude.

    Parameters
    ----------
    image : numpy.ndarray, shape (Y, X) or (Z, Y, X)
        Intensities (usually smoothed first with :func:`gaussian_mm`).
    spacing : sequence of float, optional
        Voxel size in mm per axis (default 1 mm).

    Returns
    -------
    grads : list of numpy.ndarray of float32
        One component per axis.
    magnitude : numpy.ndarray of float32
    """
    img = as_volume(image)
    sp = check_spacing(spacing, img.ndim)
    grads = [np.asarray(g, dtype=np.float32) for g in np.gradient(img.astype(np.float32), *sp)]
    magnitude = np.sqrt(sum(g * g for g in grads))
    return grads, magnitude
