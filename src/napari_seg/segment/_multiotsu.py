"""Multi-Otsu thresholds by dynamic programming on a histogram of at most 256 bins.

scikit-image's ``threshold_multiotsu`` searches every combination of
``classes - 1`` thresholds: ``C(bins - 1, classes - 1)`` candidates, so its cost
grows as ``bins ** (classes - 1)``. On an integer image it also keeps one bin
per value (4096 for a CT), where 4 classes already take minutes.

The between-class variance is a sum of one term per class,
``S_k ** 2 / W_k`` (``W_k`` the class's share of voxels, ``S_k`` its intensity
sum), so the best split into ``c`` classes of the first ``b`` bins extends the
best split into ``c - 1`` classes of some first ``a < b`` bins. That dynamic
programme finds the same optimum as the exhaustive search in
``(classes - 1) * (bins + 1) ** 2`` steps: at most 9 x 257² ≈ 0.6 M for the
allowed 2..10 classes on :data:`MAX_BINS` bins, a few milliseconds whatever
the image.
"""

from __future__ import annotations

import numpy as np

from ..progress import Steps, StopCallback

__all__ = ["MAX_BINS", "multiotsu", "multiotsu_or_nan", "rebin"]

#: Bins of the multi-Otsu histogram (scikit-image's default for float images).
MAX_BINS = 256


def rebin(
    counts: np.ndarray, centers: np.ndarray, nbins: int = MAX_BINS
) -> tuple[np.ndarray, np.ndarray]:
    """A histogram with more than ``nbins`` bins summed into ``nbins`` equal-width bins.

    The edges are ``linspace(centers[0], centers[-1], nbins + 1)``, as
    :func:`numpy.histogram` would use on the values themselves, so an integer
    image gives the same histogram as its float copy. Smaller histograms are
    returned unchanged.
    """
    if counts.size <= nbins:
        return counts, centers
    edges = np.linspace(centers[0], centers[-1], nbins + 1)
    index = np.clip(np.searchsorted(edges, centers, side="right") - 1, 0, nbins - 1)
    summed = np.bincount(index, weights=counts, minlength=nbins)
    return np.rint(summed).astype(np.int64), (edges[:-1] + edges[1:]) / 2


def multiotsu(
    counts: np.ndarray,
    centers: np.ndarray,
    classes: int,
    *,
    should_stop: StopCallback | None = None,
) -> np.ndarray:
    """The ``classes - 1`` thresholds maximising the between-class variance of a histogram.

    Parameters
    ----------
    counts, centers : numpy.ndarray, shape (B,)
        Histogram counts and bin centres, with at least ``classes`` non-empty
        bins; ``B`` above :data:`MAX_BINS` is first summed down (:func:`rebin`).
    classes : int
        Number of classes, at least 2.
    should_stop : callable, optional
        Polled once per class; True raises :class:`~napari_seg.progress.Cancelled`.

    Returns
    -------
    numpy.ndarray of float64, shape (classes - 1,)
        Increasing thresholds, each the centre of the last bin of the class below
        it (scikit-image's convention).
    """
    counts, centers = rebin(np.asarray(counts), np.asarray(centers, np.float64))
    steps = Steps(classes, should_stop=should_stop)
    p = counts.astype(np.float64) / counts.sum()
    w = np.concatenate([[0.0], np.cumsum(p)])
    s = np.concatenate([[0.0], np.cumsum(p * centers)])
    n = p.size
    # score[a, b]: the term of one class made of bins a..b-1 (-inf unless a < b)
    dw = w[None, :] - w[:, None]
    ds = s[None, :] - s[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(dw > 0, ds * ds / dw, 0.0)
    score[np.tril_indices(n + 1)] = -np.inf
    best = score[0].copy()  # best[b]: one class over bins 0..b-1
    back = []
    for _ in range(classes - 1):
        steps.step()
        total = best[:, None] + score
        back.append(np.argmax(total, axis=0))
        best = total[back[-1], np.arange(n + 1)]
    ends, b = [], n
    for arg in reversed(back):
        b = int(arg[b])
        ends.append(b)
    return centers[np.asarray(ends[::-1]) - 1]


def multiotsu_or_nan(
    counts: np.ndarray,
    centers: np.ndarray,
    classes: int,
    *,
    should_stop: StopCallback | None = None,
) -> np.ndarray:
    """:func:`multiotsu`, or ``classes - 1`` NaN when fewer than ``classes`` bins are filled
    (after summing down to :data:`MAX_BINS`)."""
    counts, centers = rebin(counts, centers)
    if np.count_nonzero(counts) < classes:
        return np.full(classes - 1, np.nan)
    return multiotsu(counts, centers, classes, should_stop=should_stop)
