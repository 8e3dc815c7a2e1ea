"""k-means clustering of intensities into k classes, ordered dark to bright.

Intensities are one-dimensional, so the fit runs on a histogram: exact over
every voxel for integer images (one bin per value), and on a seeded random
sample of at most ``sample_size`` voxels for float images. Assignment then
needs only the k-1 midpoints between sorted centres: one ``digitize`` pass.
"""

from __future__ import annotations

import warnings

import fastremap
import numpy as np

from ..progress import ProgressCallback, Steps, StopCallback
from ._validate import EmptyInputWarning, SegmentationError, as_volume, check_mask
from .threshold import classes_from_cuts

__all__ = ["kmeans", "kmeans_centers"]


def _init_plus_plus(x: np.ndarray, w: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding on weighted 1-D points."""
    p = w / w.sum()
    centers = [x[rng.choice(x.size, p=p)]]
    for _ in range(1, k):
        d2 = np.min((x[:, None] - np.asarray(centers)[None, :]) ** 2, axis=1) * w
        total = d2.sum()
        centers.append(
            x[rng.choice(x.size, p=d2 / total)] if total > 0 else x[rng.integers(x.size)]
        )
    return np.sort(np.asarray(centers, dtype=np.float64))


def _lloyd(x: np.ndarray, w: np.ndarray, centers: np.ndarray, max_iter: int) -> np.ndarray:
    for _ in range(max_iter):
        cuts = (centers[1:] + centers[:-1]) / 2
        idx = np.searchsorted(cuts, x, side="right")
        mass = np.bincount(idx, weights=w, minlength=centers.size)
        sums = np.bincount(idx, weights=w * x, minlength=centers.size)
        new = np.where(mass > 0, sums / np.maximum(mass, 1e-300), centers)
        new.sort()
        if np.allclose(new, centers, rtol=0, atol=1e-9 * max(1.0, np.abs(centers).max())):
            return new
        centers = new
    return centers


def _distinct(img: np.ndarray, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Every distinct value of an integer image and its count (exact for any range:
    one outlier at 2^31-1 must not squash the other values into one histogram bin)."""
    values = img if mask is None else img[mask]
    if not values.dtype.isnative or values.dtype == np.int8:  # see threshold.histogram
        values = values.astype(np.int64)
    if values.size == 0:
        return np.zeros(0, np.float64), np.zeros(0, np.int64)
    uniq, n = fastremap.unique(np.ascontiguousarray(values), return_counts=True)
    return uniq.astype(np.float64), np.asarray(n, np.int64)


def kmeans_centers(
    image: np.ndarray,
    k: int,
    *,
    mask: np.ndarray | None = None,
    seed: int = 0,
    sample_size: int = 1_000_000,
    n_init: int = 4,
    max_iter: int = 100,
) -> np.ndarray:
    """Sorted k-means cluster centres of the intensities (see :func:`kmeans`)."""
    img = as_volume(image)
    mask = check_mask(mask, img.shape)
    if not 2 <= k <= 64:
        raise SegmentationError(f"k must be in 2..64, got {k}")
    rng = np.random.default_rng(seed)
    if np.issubdtype(img.dtype, np.integer):
        x, counts = _distinct(img, mask)
    else:
        values = img[mask] if mask is not None else img.reshape(-1)
        if values.size > sample_size:
            values = values[rng.choice(values.size, sample_size, replace=False)]
        values = values[np.isfinite(values)].astype(np.float64)
        x, counts = np.unique(values, return_counts=True)
    keep = counts > 0
    x, w = x[keep], counts[keep].astype(np.float64)
    if x.size < k:
        return np.full(k, np.nan)
    best, best_cost = None, np.inf
    for _ in range(n_init):
        c = _lloyd(x, w, _init_plus_plus(x, w, k, rng), max_iter)
        cuts = (c[1:] + c[:-1]) / 2
        cost = float(np.sum(w * (x - c[np.searchsorted(cuts, x, side="right")]) ** 2))
        if cost < best_cost:
            best, best_cost = c, cost
    return best


def kmeans(
    image: np.ndarray,
    k: int = 3,
    *,
    mask: np.ndarray | None = None,
    seed: int = 0,
    sample_size: int = 1_000_000,
    select_near: float | None = None,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
) -> np.ndarray:
    """Cluster intensities into ``k`` classes; label 1 is the darkest class.

    Parameters
    ----------
    image : numpy.ndarray, shape (Y, X) or (Z, Y, X)
        Intensities (HU for CT). NaN voxels are labelled 0.
    k : int
        Number of classes (2..64).
    mask : numpy.ndarray of bool, optional
        Only voxels inside the mask are clustered; the rest are labelled 0.
    seed : int
        Seed of the k-means++ initialisation and of the float sample: the same
        seed gives the same labels.
    sample_size : int
        Float images fit on a random sample of at most this many voxels
        (integer images always fit exactly on all voxels via their histogram).
    select_near : float, optional
        Keep only the class whose centre is nearest this intensity (HU), as
        label 1 (for example 120 HU for a contrast-enhanced spleen).
    progress, should_stop : callable, optional
        See :mod:`napari_seg.progress`.

    Returns
    -------
    numpy.ndarray of uint8, same shape as ``image``
        Labels ``1..k`` by increasing class mean, 0 outside the mask (with
        ``select_near``: 1 for the chosen class, else 0). All 0 when there are
        fewer than ``k`` distinct values.
    """
    steps = Steps(2, progress=progress, should_stop=should_stop)
    img = as_volume(image)
    mask = check_mask(mask, img.shape)
    centers = kmeans_centers(img, k, mask=mask, seed=seed, sample_size=sample_size)
    steps.step()
    if np.any(np.isnan(centers)):
        warnings.warn(
            f"k-means: fewer than {k} distinct values inside the mask; labels are empty",
            EmptyInputWarning,
            stacklevel=2,
        )
        return np.zeros(img.shape, np.uint8)
    labels = classes_from_cuts(img, (centers[1:] + centers[:-1]) / 2, mask=mask)
    if select_near is not None:
        chosen = 1 + int(np.argmin(np.abs(centers - float(select_near))))
        labels = (labels == chosen).view(np.uint8)
    steps.step()
    return labels
