"""Instance matching: matched F1, mean matched IoU and panoptic quality."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["instance_metrics"]


def _pair_counts(pred: np.ndarray, gt: np.ndarray):
    """Sizes of each instance and intersections of each overlapping (gt, pred) pair."""
    p, g = pred.reshape(-1).astype(np.int64), gt.reshape(-1).astype(np.int64)
    both = (p > 0) & (g > 0)
    keys, inter = np.unique(g[both] * (int(p.max()) + 1) + p[both], return_counts=True)
    gid, pid = np.divmod(keys, int(p.max()) + 1)
    p_ids, p_sizes = np.unique(p[p > 0], return_counts=True)
    g_ids, g_sizes = np.unique(g[g > 0], return_counts=True)
    return p_ids, p_sizes, g_ids, g_sizes, gid, pid, inter


def instance_metrics(
    pred: np.ndarray, gt: np.ndarray, *, iou_threshold: float = 0.5
) -> dict[str, float]:
    """Match predicted to true instances by IoU and score the matching.

    Parameters
    ----------
    pred, gt : numpy.ndarray of int, same shape
        Instance labels (0 background, each object its own value).
    iou_threshold : float
        A pair matches when its IoU exceeds this (0..1). At 0.5 or more the
        matching is unique; below, an optimal one-to-one assignment
        (Hungarian, maximising total IoU) is used.

    Returns
    -------
    dict
        ``tp``, ``fp``, ``fn`` (counts), ``f1`` (matched F1), ``mean_matched_iou``,
        ``pq`` (panoptic quality = sum of matched IoU / (TP + FP/2 + FN/2)).
        NaN where undefined (no instance on either side).
    """
    if pred.shape != gt.shape:
        raise ValueError(f"prediction shape {pred.shape} differs from ground truth {gt.shape}")
    p_ids, p_sizes, g_ids, g_sizes, gid, pid, inter = _pair_counts(pred, gt)
    size_p = dict(zip(p_ids.tolist(), p_sizes.tolist(), strict=True))
    size_g = dict(zip(g_ids.tolist(), g_sizes.tolist(), strict=True))
    sizes = np.array([size_g[a] + size_p[b] for a, b in zip(gid, pid, strict=True)], np.int64)
    iou = inter / (sizes - inter) if inter.size else np.zeros(0)
    ok = iou > iou_threshold
    gid, pid, iou = gid[ok], pid[ok], iou[ok]
    if iou_threshold < 0.5 and iou.size:
        rows, r_idx = np.unique(gid, return_inverse=True)
        cols, c_idx = np.unique(pid, return_inverse=True)
        matrix = np.zeros((rows.size, cols.size))
        matrix[r_idx, c_idx] = iou
        r, c = linear_sum_assignment(-matrix)
        iou = matrix[r, c][matrix[r, c] > 0]
    tp = int(iou.size)
    fp, fn = len(size_p) - tp, len(size_g) - tp
    denom = tp + fp / 2 + fn / 2
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "f1": float(tp / denom) if denom else float("nan"),
        "mean_matched_iou": float(iou.mean()) if tp else float("nan"),
        "pq": float(iou.sum() / denom) if denom else float("nan"),
    }
