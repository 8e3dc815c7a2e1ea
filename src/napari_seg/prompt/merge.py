"""Refining a previous result: a corrective click changes only the region it points at.

numpy and scipy only. Given the previous mask and the network's new one on the
same box, a click that contradicts the previous mask (a positive click outside
it, a negative one inside it) takes over the connected part of the change that
holds it; everything else of the previous mask stays. A negative click the
network did not follow still removes the object's connected part around it
(within half the distance to the nearest positive click).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import ndimage as ndi

__all__ = ["merge_clicks"]

#: Largest radius (mm) of what a negative click the network ignored removes.
MAX_REMOVE_MM = 10.0


def _ball_part(mask: np.ndarray, at: np.ndarray, radius_mm: float, spacing) -> np.ndarray:
    """The connected part of ``mask`` within ``radius_mm`` of voxel ``at`` that holds it."""
    sp = np.asarray(spacing, float)
    reach = np.ceil(radius_mm / sp).astype(int)
    lo = np.maximum(at - reach, 0)
    hi = np.minimum(at + reach + 1, mask.shape)
    box = tuple(slice(int(a), int(b)) for a, b in zip(lo, hi, strict=True))
    grid = np.ogrid[box]
    d2 = sum(((g - c) * s) ** 2 for g, c, s in zip(grid, at, sp, strict=True))
    lab, _ = ndi.label(mask[box] & (d2 <= radius_mm**2))
    out = np.zeros(mask.shape, bool)
    k = lab[tuple(at - lo)]
    if k:
        out[box] = lab == k
    return out


def merge_clicks(
    previous: np.ndarray,
    new: np.ndarray,
    positive: np.ndarray,
    negative: np.ndarray,
    *,
    spacing: Sequence[float],
) -> np.ndarray:
    """Previous mask updated only where clicks contradict it.

    Parameters
    ----------
    previous, new : numpy.ndarray of bool, shape (Z, Y, X)
        The earlier result and the network's result on the same box.
    positive, negative : numpy.ndarray of int, shape (N, 3)
        Clicks in the box's voxel indices (outside ones are ignored).
    spacing : sequence of 3 float
        Voxel size in mm.

    Returns
    -------
    numpy.ndarray of bool, shape (Z, Y, X)
        ``previous`` plus, per positive click outside it, the added region of
        ``new`` connected to the click, minus, per negative click inside it, the
        removed region connected to the click (or the object around the click
        when ``new`` keeps it). Clicks that agree with ``previous`` change nothing.
    """
    shape = np.asarray(previous.shape)
    inside = lambda p: p[np.all((p >= 0) & (p < shape), axis=1)]  # noqa: E731
    pos, neg = (
        inside(np.asarray(positive).reshape(-1, 3)),
        inside(np.asarray(negative).reshape(-1, 3)),
    )
    out = previous.copy()
    pos_new = [p for p in pos if not previous[tuple(p)]]
    neg_new = [n for n in neg if previous[tuple(n)]]
    if pos_new:
        lab, _ = ndi.label(new & ~previous)
        ks = {int(lab[tuple(p)]) for p in pos_new} - {0}
        out |= np.isin(lab, list(ks))
    if neg_new:
        lab, _ = ndi.label(previous & ~new)
        for n in neg_new:
            k = int(lab[tuple(n)])
            if k:
                out &= lab != k
            else:
                near = np.min(np.linalg.norm((pos - n) * spacing, axis=1)) if len(pos) else 2e9
                out &= ~_ball_part(out, n, min(near / 2.0, MAX_REMOVE_MM), spacing)
    out[tuple(pos.T)] = True
    out[tuple(neg.T)] = False
    return out
