"""Clicks: their encoding as network channels and the simulated user who places them.

Everything here is numpy and scipy on one working window ``(Z, Y, X)``; no torch.
A simulated user (the robot user of training and of the benchmark) clicks

* first at the object's deepest interior point (largest distance to its
  boundary, in mm), jittered among the voxels at least half as deep;
* then at the centre (deepest point) of the largest error region: positive when
  the region is missed object, negative when it is a false detection.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import ndimage as ndi

__all__ = ["Click", "corrective_click", "deepest_point", "encode_clicks", "first_click"]

#: A click: voxel index (z, y, x) and whether it marks object (True) or background (False).
Click = tuple[tuple[int, int, int], bool]


def encode_clicks(
    shape: Sequence[int],
    points: np.ndarray,
    *,
    sigma_vox: float | Sequence[float] = 1.5,
) -> np.ndarray:
    """One channel of Gaussian blobs (peak 1, max where they overlap) at ``points``.

    Parameters
    ----------
    shape : sequence of int
        Window shape ``(Z, Y, X)``.
    points : numpy.ndarray of float, shape (N, 3)
        Click positions in window voxels (may be fractional; outside points are dropped).
    sigma_vox : float or sequence of 3 floats
        Gaussian width in window voxels (callers convert mm with the window spacing).

    Returns
    -------
    numpy.ndarray of float32, shape ``shape``
    """
    out = np.zeros(tuple(int(s) for s in shape), np.float32)
    sigma = np.broadcast_to(np.asarray(sigma_vox, float), (3,))
    reach = np.ceil(3 * sigma).astype(int)
    for p in np.asarray(points, float).reshape(-1, 3):
        c = np.rint(p).astype(int)
        if np.any(c < 0) or np.any(c >= out.shape):
            continue
        lo, hi = np.maximum(c - reach, 0), np.minimum(c + reach + 1, out.shape)
        axes = [
            np.exp(-0.5 * ((np.arange(a, b) - q) / s) ** 2).astype(np.float32)
            for a, b, q, s in zip(lo, hi, p, sigma, strict=True)
        ]
        blob = axes[0][:, None, None] * axes[1][None, :, None] * axes[2][None, None, :]
        box = tuple(slice(int(a), int(b)) for a, b in zip(lo, hi, strict=True))
        np.maximum(out[box], blob, out=out[box])
    return out


def deepest_point(
    mask: np.ndarray,
    *,
    spacing: Sequence[float] = (1.0, 1.0, 1.0),
    rng: np.random.Generator | None = None,
    depth: float = 1.0,
) -> tuple[int, int, int] | None:
    """A voxel of ``mask`` farthest from its boundary (mm), or one at least ``depth`` x as deep.

    ``rng`` with ``depth < 1`` picks at random among voxels at least ``depth``
    times the maximal depth (the jitter of a human click); None when ``mask`` is empty.
    """
    if not mask.any():
        return None
    box = ndi.find_objects(mask.astype(np.uint8))[0]
    lo = np.array([b.start for b in box])
    edt = ndi.distance_transform_edt(np.pad(mask[box], 1), sampling=spacing)[1:-1, 1:-1, 1:-1]
    if rng is None or depth >= 1.0:  # of the deepest voxels, the one nearest their middle
        top = np.argwhere(edt >= float(edt.max()) - 1e-6)
        mid = top[int(np.argmin(((top - top.mean(axis=0)) ** 2).sum(axis=1)))]
        return tuple(int(v) for v in lo + mid)
    candidates = np.argwhere(edt >= depth * float(edt.max()))
    return tuple(int(v) for v in lo + candidates[int(rng.integers(len(candidates)))])


def first_click(
    target: np.ndarray,
    *,
    spacing: Sequence[float] = (1.0, 1.0, 1.0),
    rng: np.random.Generator | None = None,
    jitter: float = 0.6,
) -> Click | None:
    """The first (positive) click on ``target``: its deepest point (jittered with ``rng``)."""
    p = deepest_point(target, spacing=spacing, rng=rng, depth=jitter if rng is not None else 1.0)
    return None if p is None else (p, True)


def corrective_click(
    target: np.ndarray,
    prediction: np.ndarray,
    *,
    spacing: Sequence[float] = (1.0, 1.0, 1.0),
    rng: np.random.Generator | None = None,
    jitter: float = 0.8,
    ignore: np.ndarray | None = None,
) -> Click | None:
    """A click at the deepest point of the largest error region of ``prediction``.

    Parameters
    ----------
    target, prediction : numpy.ndarray of bool, shape (Z, Y, X)
        Truth and the current result.
    spacing : sequence of float
        Voxel size in mm (the depth of an error region is measured in mm).
    rng : numpy.random.Generator, optional
        Jitter the click among the region's voxels at least ``jitter`` x as deep.
    ignore : numpy.ndarray of bool, optional
        Voxels never clicked (for example outside the image content).

    Returns
    -------
    Click or None
        ``((z, y, x), True)`` for missed object, ``(..., False)`` for a false
        detection; None when the prediction is perfect.
    """
    target, prediction = target.astype(bool), prediction.astype(bool)
    best: tuple[float, np.ndarray, bool] | None = None
    for region, positive in ((target & ~prediction, True), (prediction & ~target, False)):
        if ignore is not None:
            region &= ~ignore
        if not region.any():
            continue
        lab, _ = ndi.label(region)
        sizes = np.bincount(lab.ravel())[1:]
        k = int(np.argmax(sizes))
        if best is None or sizes[k] > best[0]:
            best = (float(sizes[k]), lab == k + 1, positive)
    if best is None:
        return None
    p = deepest_point(best[1], spacing=spacing, rng=rng, depth=jitter if rng is not None else 1.0)
    return p, best[2]
