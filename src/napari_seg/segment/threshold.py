"""Global thresholds (manual window, Otsu, multi-Otsu, Li, Yen, Triangle, Mean).

Every automatic method works on one histogram of the finite voxels inside the
optional mask: exact (one bin per integer value) for integer images, as in
scikit-image, and 256 bins for float images (4096 for Li). Integer histograms
come from one ``fastremap.unique`` pass (about 3x faster than scikit-image's
bincount on a 200x512x512 CT); float ones are built in chunks. Multi-Otsu sums
an integer histogram down to 256 bins and searches it by dynamic programming
(:mod:`._multiotsu`), so its cost is bounded for every number of classes.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import fastremap
import numpy as np
from skimage import filters

from ..progress import Cancelled, ProgressCallback, Steps, StopCallback
from ._multiotsu import multiotsu_or_nan
from ._validate import EmptyInputWarning, as_volume, check_mask

__all__ = ["CT_PRESETS", "THRESHOLD_METHODS", "histogram", "threshold", "threshold_value"]

Method = Literal["manual", "otsu", "multiotsu", "li", "yen", "triangle", "mean"]
#: The global threshold methods (every registered method: :data:`.methods.METHODS`).
THRESHOLD_METHODS: tuple[str, ...] = (
    "manual", "otsu", "multiotsu", "li", "yen", "triangle", "mean",
)  # fmt: skip

#: HU ranges ``(low, high)`` for the manual method, as CT viewers use them.
CT_PRESETS: dict[str, tuple[float, float]] = {
    "soft_tissue": (-100.0, 300.0),
    "bone": (300.0, 3071.0),
    "lung": (-1000.0, -400.0),
}

_CHUNK = 1 << 22  # voxels per float-histogram chunk
#: An integer image spanning more values than this is binned like a float image.
MAX_INT_BINS = 1 << 20


def histogram(
    image: np.ndarray, *, mask: np.ndarray | None = None, nbins: int = 256
) -> tuple[np.ndarray, np.ndarray]:
    """Histogram of the finite voxels of ``image`` inside ``mask``.

    Parameters
    ----------
    image : numpy.ndarray
        Any shape and real dtype.
    mask : numpy.ndarray of bool, optional
        Same shape as ``image``; voxels outside it are ignored.
    nbins : int
        Number of bins for float images; integer images get one bin per value
        (counted with ``fastremap.unique``: one pass, no full-size temporary)
        when they span at most :data:`MAX_INT_BINS` values (an outlier voxel at
        2^31 must not allocate gigabytes), else ``nbins`` bins like a float image.

    Returns
    -------
    counts : numpy.ndarray of int64
    centers : numpy.ndarray of float64
        Bin centres in the image's units; empty arrays if no voxel counts.
    """
    if image.dtype == bool:
        image = image.view(np.uint8)
    if not image.dtype.isnative:  # a big-endian .nii, memory-mapped as stored
        image = image.astype(image.dtype.newbyteorder("="))
    if image.dtype == np.int8:  # fastremap miscounts int8 (and can corrupt the heap)
        image = image.astype(np.int16)
    if np.issubdtype(image.dtype, np.integer):
        values = image if mask is None else image[mask]
        if values.size == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float64)
        lo, hi = (int(v) for v in fastremap.minmax(values))
        if hi - lo < MAX_INT_BINS:  # else: binned like a float image, never 2^31 bins
            uniq, n = fastremap.unique(np.ascontiguousarray(values), return_counts=True)
            counts = np.zeros(hi - lo + 1, np.int64)
            counts[uniq.astype(np.int64) - lo] = n
            return counts, np.arange(lo, hi + 1, dtype=np.float64)
    flat = image.reshape(-1)
    flat_mask = None if mask is None else mask.reshape(-1)
    chunks = [
        (flat[i : i + _CHUNK], None if flat_mask is None else flat_mask[i : i + _CHUNK])
        for i in range(0, flat.size, _CHUNK)
    ]
    lo, hi = np.inf, -np.inf
    for values, m in chunks:
        v = values if m is None else values[m]
        v = v[np.isfinite(v)]
        if v.size:
            lo, hi = min(lo, float(v.min())), max(hi, float(v.max()))
    if lo > hi:
        return np.zeros(0, np.int64), np.zeros(0, np.float64)
    edges = np.linspace(lo, hi, nbins + 1) if hi > lo else np.array([lo - 0.5, lo + 0.5])
    counts = np.zeros(edges.size - 1, np.int64)
    for values, m in chunks:
        v = values if m is None else values[m]
        counts += np.histogram(v[np.isfinite(v)], bins=edges)[0]
    return counts, (edges[:-1] + edges[1:]) / 2


def _li(counts: np.ndarray, centers: np.ndarray) -> float:
    """Li's minimum cross-entropy threshold on a histogram (scikit-image's iteration)."""
    lo = centers[0]
    x = centers - lo
    w = counts.astype(np.float64)
    tol = 0.5 if np.allclose(np.diff(centers), 1.0) else np.min(np.diff(centers)) / 2
    t_next, t_curr = np.average(x, weights=w), -np.inf
    while abs(t_next - t_curr) > tol:
        t_curr = t_next
        fore = x > t_curr
        mean_fore = np.average(x[fore], weights=w[fore])
        mean_back = np.average(x[~fore], weights=w[~fore])
        if mean_back == 0:
            break
        t_next = (mean_back - mean_fore) / (np.log(mean_back) - np.log(mean_fore))
    return float(t_next + lo)


def _triangle(counts: np.ndarray, centers: np.ndarray) -> float:
    """Triangle (Zack) threshold on a histogram, as scikit-image computes it."""
    nbins = counts.size
    peak = int(np.argmax(counts))
    low, high = np.flatnonzero(counts)[[0, -1]]
    flip = peak - low < high - peak
    hist = counts[::-1] if flip else counts
    if flip:
        low, peak = nbins - high - 1, nbins - peak - 1
    width = peak - low
    x1 = np.arange(width)
    norm = np.hypot(float(hist[peak]), float(width))
    length = hist[peak] / norm * x1 - width / norm * hist[x1 + low]
    level = int(np.argmax(length)) + low
    return float(centers[nbins - level - 1 if flip else level])


def classes_from_cuts(
    image: np.ndarray, cuts: np.ndarray, *, mask: np.ndarray | None = None
) -> np.ndarray:
    """Labels ``1..len(cuts)+1`` between increasing ``cuts``; 0 for NaN and outside ``mask``."""
    labels = (np.digitize(image, cuts) + 1).astype(np.uint8)
    if image.dtype.kind == "f":
        labels[~np.isfinite(image)] = 0
    if mask is not None:
        labels[~mask] = 0
    return labels


def threshold_value(
    image: np.ndarray,
    *,
    method: Method = "otsu",
    mask: np.ndarray | None = None,
    classes: int = 3,
    should_stop: StopCallback | None = None,
) -> float | np.ndarray:
    """Threshold(s) an automatic method picks for ``image`` (in the image's units).

    Parameters
    ----------
    image : numpy.ndarray, shape (Y, X) or (Z, Y, X)
        Intensities (HU for CT). NaN voxels are ignored.
    method : {"otsu", "multiotsu", "li", "yen", "triangle", "mean"}
        The automatic method.
    mask : numpy.ndarray of bool, optional
        Only voxels inside the mask count.
    classes : int
        Number of classes for multi-Otsu (2..10), found on at most 256 bins
        in ``(classes - 1) * 257²`` steps (a few milliseconds).
    should_stop : callable, optional
        Polled after the histogram and once per multi-Otsu class; True raises
        :class:`~napari_seg.progress.Cancelled`.

    Returns
    -------
    float or numpy.ndarray
        One threshold, or ``classes - 1`` increasing thresholds for multi-Otsu.
        NaN when no voxel counts or all have one value.
    """
    image = as_volume(image)
    mask = check_mask(mask, image.shape)
    nbins = 4096 if method == "li" and not np.issubdtype(image.dtype, np.integer) else 256
    counts, centers = histogram(image, mask=mask, nbins=nbins)
    if should_stop is not None and should_stop():
        raise Cancelled()
    if np.count_nonzero(counts) < 2:
        return np.full(classes - 1, np.nan) if method == "multiotsu" else float("nan")
    if method == "otsu":
        return float(filters.threshold_otsu(hist=(counts, centers)))
    if method == "multiotsu":
        if not 2 <= classes <= 10:
            raise ValueError(f"multi-Otsu needs 2..10 classes, got {classes}")
        return multiotsu_or_nan(counts, centers, classes, should_stop=should_stop)
    if method == "yen":
        return float(filters.threshold_yen(hist=(counts, centers)))
    if method == "li":
        return _li(counts, centers)
    if method == "triangle":
        return _triangle(counts, centers)
    if method == "mean":
        return float(np.average(centers, weights=counts))
    raise ValueError(f"unknown threshold method {method!r}; choose one of {THRESHOLD_METHODS}")


def threshold(
    image: np.ndarray,
    *,
    method: Method = "otsu",
    low: float | None = None,
    high: float | None = None,
    preset: str | None = None,
    classes: int = 3,
    mask: np.ndarray | None = None,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
) -> np.ndarray:
    """Semantic labels from a global threshold.

    Parameters
    ----------
    image : numpy.ndarray, shape (Y, X) or (Z, Y, X)
        Intensities (HU for CT). NaN voxels are labelled 0.
    method : str
        ``"manual"`` keeps ``low <= v <= high`` (either bound may be None, or
        taken from ``preset``); ``"multiotsu"`` gives labels ``1..classes``
        from darkest to brightest; the other methods give 1 above the threshold.
    low, high : float, optional
        Manual window bounds, in image units (HU).
    preset : {"soft_tissue", "bone", "lung"}, optional
        Manual window from :data:`CT_PRESETS`; explicit ``low``/``high`` win.
    classes : int
        Number of multi-Otsu classes.
    mask : numpy.ndarray of bool, optional
        Voxels outside the mask (ROI) are labelled 0 and do not count.
    progress, should_stop : callable, optional
        Two steps (threshold, labels); see :mod:`napari_seg.progress`.

    Returns
    -------
    numpy.ndarray of uint8, same shape as ``image``
        Empty (all 0) with an :class:`EmptyInputWarning` when the image is
        constant or has no finite voxel in the mask.
    """
    image = as_volume(image)
    mask = check_mask(mask, image.shape)
    steps = Steps(2, progress=progress, should_stop=should_stop)
    if method == "manual":
        if preset is not None:
            if preset not in CT_PRESETS:
                raise ValueError(f"unknown preset {preset!r}; choose one of {list(CT_PRESETS)}")
            p_lo, p_hi = CT_PRESETS[preset]
            low, high = (p_lo if low is None else low), (p_hi if high is None else high)
        out = np.ones(image.shape, dtype=bool) if low is None else image >= low
        if high is not None:
            out &= image <= high
    else:
        t = threshold_value(
            image, method=method, mask=mask, classes=classes, should_stop=should_stop
        )
        steps.step()
        if np.any(np.isnan(t)):
            warnings.warn(
                f"{method}: the image is constant or empty inside the mask; labels are empty",
                EmptyInputWarning,
                stacklevel=2,
            )
            return np.zeros(image.shape, dtype=np.uint8)
        if method == "multiotsu":
            labels = classes_from_cuts(image, np.asarray(t), mask=mask)
            steps.step(2)
            return labels
        out = image > t
    if mask is not None:
        out &= mask
    steps.step(2)
    return out.view(np.uint8)


def __getattr__(name: str) -> Any:
    """``METHODS``, the old name of :data:`THRESHOLD_METHODS`, with a DeprecationWarning."""
    if name == "METHODS":
        warnings.warn(
            "napari_seg.segment.threshold.METHODS is deprecated: use THRESHOLD_METHODS "
            "(the registry of every method is napari_seg.segment.methods.METHODS)",
            DeprecationWarning,
            stacklevel=2,
        )
        return THRESHOLD_METHODS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
