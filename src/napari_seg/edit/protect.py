"""Which voxels a tool may change: napari's ``preserve_labels`` and locked labels."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

__all__ = ["protect"]


def protect(
    old: np.ndarray,
    new: np.ndarray,
    *,
    preserve_labels: bool = False,
    locked: Iterable[int] = (),
) -> np.ndarray:
    """``new`` with the voxels a tool must not change put back to ``old``.

    Parameters
    ----------
    old, new : numpy.ndarray of int, same shape
        The labels before and after a tool.
    preserve_labels : bool
        napari's *preserve labels*: a tool writes into background (0) only.
    locked : iterable of int
        Labels nothing may change: their voxels keep their value, and no other
        voxel is given their value.

    Returns
    -------
    numpy.ndarray
        A copy of ``new``, or ``new`` itself when nothing is protected.
    """
    if old.shape != new.shape:
        raise ValueError(f"old {old.shape} and new {new.shape} labels differ in shape")
    keep = np.zeros(old.shape, bool)
    if preserve_labels:
        keep |= old != 0
    locked = sorted({int(v) for v in locked})
    if locked:
        # a locked segment neither loses voxels nor gains any (as 3D Slicer's lock)
        keep |= np.isin(old, locked) | np.isin(new, locked)
    if not keep.any():
        return new
    out = new.copy()
    out[keep] = old[keep]
    return out
