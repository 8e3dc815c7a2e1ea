"""Where a prediction is wrong: an error map, the worst slice and the worst error blob."""

from __future__ import annotations

import cc3d
import numpy as np

from .overlap import _check_pair

__all__ = ["ERROR_NAMES", "error_map", "worst_component", "worst_slice"]

#: Values of :func:`error_map`.
ERROR_NAMES = {1: "extra (wrong label predicted)", 2: "missed"}


def error_map(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """uint8 map: 1 where a label was predicted but is wrong, 2 where a label was missed.

    Parameters
    ----------
    pred, gt : numpy.ndarray of int, same shape (Z, Y, X) or (Y, X)
    """
    _check_pair(pred, gt, ("prediction", "ground truth"))
    errors = np.zeros(pred.shape, np.uint8)
    errors[(pred != gt) & (pred > 0)] = 1
    errors[(gt > 0) & (pred == 0)] = 2
    return errors


def worst_slice(pred: np.ndarray, gt: np.ndarray) -> int:
    """Index along axis 0 of the slice with the most wrong voxels (0 when all are right)."""
    _check_pair(pred, gt, ("prediction", "ground truth"))
    return int(np.argmax((pred != gt).reshape(pred.shape[0], -1).sum(axis=1)))


def worst_component(pred: np.ndarray, gt: np.ndarray) -> np.ndarray | None:
    """Voxel centroid of the largest 26-connected blob of wrong voxels; None when there is none."""
    _check_pair(pred, gt, ("prediction", "ground truth"))
    cc = cc3d.connected_components((pred != gt).view(np.uint8), connectivity=26, binary_image=True)
    stats = cc3d.statistics(cc)
    if len(stats["voxel_counts"]) < 2:
        return None
    biggest = 1 + int(np.argmax(stats["voxel_counts"][1:]))
    return np.asarray(stats["centroids"][biggest])
