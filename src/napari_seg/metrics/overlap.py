"""Overlap metrics from one confusion matrix: Dice, IoU, precision, recall, accuracy, volumes.

One pass over both volumes (in chunks, so the extra memory is a few MB) builds
the ``(K, K)`` confusion matrix; every per-label number is then derived from
its row and column sums, which costs nothing next to the pass.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import fastremap
import numpy as np

__all__ = [
    "MetricsError",
    "confusion_matrix",
    "finite_mean",
    "label_scores",
    "note_left_out",
    "overlap_metrics",
    "scores_from_confusion",
]

_CHUNK = 1 << 18  # 256k voxels: the uint16 keys and bincount temporaries stay in cache
#: A dense matrix over label values 0..max is used up to this many cells (32 MiB); beyond,
#: the matrix covers only the label values present (label 65535 would need 32 GiB).
DENSE_CELLS = 1 << 22


class MetricsError(ValueError):
    """Prediction and ground truth that cannot be compared (shape, dtype, values)."""


def _check_pair(pred: np.ndarray, gt: np.ndarray, names: tuple[str, str]) -> None:
    a, b = names
    if pred.shape != gt.shape:
        raise MetricsError(f"{a} shape {pred.shape} does not match {b} shape {gt.shape}")
    for arr, name in ((pred, a), (gt, b)):
        if not (np.issubdtype(arr.dtype, np.integer) or arr.dtype == bool):
            raise MetricsError(f"{name} must hold integer labels, got dtype {arr.dtype}")
        if np.issubdtype(arr.dtype, np.signedinteger) and arr.size and arr.min() < 0:
            raise MetricsError(f"{name} has negative labels (min {arr.min()})")


def confusion_matrix(
    pred: np.ndarray,
    gt: np.ndarray,
    *,
    n_labels: int | None = None,
    names: tuple[str, str] = ("prediction", "ground truth"),
) -> np.ndarray:
    """Confusion matrix ``C[g, p]``: voxels with ground truth ``g`` predicted as ``p``.

    Parameters
    ----------
    pred, gt : numpy.ndarray of int, same shape (any ndim)
        Non-negative integer labels.
    n_labels : int, optional
        Matrix size K (labels 0..K-1); default ``max(pred.max(), gt.max()) + 1``.
    names : tuple of str
        How error messages name the two inputs (for example their file names).

    Returns
    -------
    numpy.ndarray of int64, shape (K, K)
    """
    pred, gt = np.asarray(pred), np.asarray(gt)
    _check_pair(pred, gt, names)
    if n_labels is None:
        n_labels = int(max(pred.max(initial=0), gt.max(initial=0))) + 1
    return _dense(pred, gt, int(n_labels))


def _dense(pred: np.ndarray, gt: np.ndarray, k: int) -> np.ndarray:
    """The k x k matrix of checked labels below ``k``, counted in cache-sized chunks."""
    index_dtype = np.uint16 if k * k <= np.iinfo(np.uint16).max else np.int64
    cm = np.zeros(k * k, dtype=np.int64)
    p, g = pred.reshape(-1), gt.reshape(-1)
    for i in range(0, p.size, _CHUNK):
        gi = g[i : i + _CHUNK].astype(index_dtype)
        gi *= k
        np.add(gi, p[i : i + _CHUNK], out=gi, casting="unsafe")  # values < k: exact
        cm += np.bincount(gi, minlength=k * k)[: k * k]
    return cm.reshape(k, k)


def labelled_confusion(
    pred: np.ndarray,
    gt: np.ndarray,
    *,
    names: tuple[str, str] = ("prediction", "ground truth"),
) -> tuple[np.ndarray, np.ndarray | None]:
    """Confusion matrix and the label value of each row/column (None: row i is label i).

    Dense over 0..max label when that fits :data:`DENSE_CELLS`; otherwise over the
    label values present only, so its size is the number of distinct labels.
    """
    pred, gt = np.asarray(pred), np.asarray(gt)
    _check_pair(pred, gt, names)
    top = int(max(pred.max(initial=0), gt.max(initial=0))) + 1
    if top * top <= DENSE_CELLS:
        return _dense(pred, gt, top), None
    # uint64 labels stay uint64 (2^64-1 is not -1), everything else int64; every
    # comparison below is in that one dtype (numpy would compare int64 with uint64 as float)
    dtype = np.uint64 if np.uint64 in (pred.dtype.type, gt.dtype.type) else np.int64
    values = np.union1d(fastremap.unique(pred).astype(dtype), fastremap.unique(gt).astype(dtype))
    if values.size * values.size > DENSE_CELLS:
        raise MetricsError(
            f"{names[0]} and {names[1]} hold {values.size} distinct labels together; "
            f"at most {int(np.sqrt(DENSE_CELLS))} can be scored"
        )
    m = values.size
    cm = np.zeros(m * m, np.int64)
    p, g = pred.reshape(-1), gt.reshape(-1)
    for i in range(0, p.size, _CHUNK):
        pi = np.searchsorted(values, p[i : i + _CHUNK].astype(dtype, copy=False))
        gi = np.searchsorted(values, g[i : i + _CHUNK].astype(dtype, copy=False))
        cm += np.bincount(gi * m + pi, minlength=m * m)
    return cm.reshape(m, m), values


def _ratio(num: float, den: float, empty: float) -> float:
    return float(num / den) if den else float(empty)


def label_scores(t: float, g: float, p: float, *, empty_score: float) -> dict[str, float]:
    """Dice, IoU, precision and recall of one label from its voxel counts.

    Parameters
    ----------
    t, g, p : float
        True positives, ground-truth voxels and predicted voxels of the label.
    empty_score : float
        Every score of a label absent from both volumes (``g == p == 0``): there
        is nothing to measure. A label on one side only is an error, not an
        empty case: missed (``p == 0``) or extra (``g == 0``), it scores 0 on
        all four, so a missed label pulls the mean precision down.
    """
    if g == 0 and p == 0:
        return dict.fromkeys(("dice", "iou", "precision", "recall"), float(empty_score))
    return {
        "dice": float(2 * t / (g + p)),
        "iou": float(t / (g + p - t)),
        "precision": float(t / p) if p else 0.0,
        "recall": float(t / g) if g else 0.0,
    }


def scores_from_confusion(
    cm: np.ndarray,
    *,
    labels: Iterable[int] | None = None,
    spacing: Sequence[float] | None = None,
    empty_score: float = float("nan"),
    label_names: dict[int, str] | None = None,
    values: np.ndarray | None = None,
) -> dict[str, Any]:
    """Per-label and overall scores from a confusion matrix (see :func:`overlap_metrics`).

    ``values`` gives the label value of each row/column of a compact matrix
    (:func:`labelled_confusion`); None means row ``i`` is label ``i``.
    """
    tp = np.diag(cm).astype(np.float64)
    n_gt, n_pred = cm.sum(axis=1).astype(np.float64), cm.sum(axis=0).astype(np.float64)
    total = float(cm.sum())
    voxel_mm3 = float(np.prod(spacing)) if spacing is not None else 1.0
    if values is None:
        index = {v: v for v in range(cm.shape[0])}
        present = list(range(1, cm.shape[0]))
    else:
        index = {int(v): i for i, v in enumerate(values)}
        present = [int(v) for v in values if v != 0]
    wanted = present if labels is None else [int(v) for v in labels]
    per: dict[str, dict[str, Any]] = {}
    for v in wanted:
        i = index.get(v)
        t, g, p = (tp[i], n_gt[i], n_pred[i]) if i is not None else (0.0, 0.0, 0.0)
        per[str(v)] = {
            "name": (label_names or {}).get(v, str(v)),
            **label_scores(t, g, p, empty_score=empty_score),
            "volume_pred_mm3": p * voxel_mm3,
            "volume_gt_mm3": g * voxel_mm3,
            "volume_diff_mm3": (p - g) * voxel_mm3,
        }
    keys = ("dice", "iou", "precision", "recall")
    mean: dict[str, Any] = {k: finite_mean([row[k] for row in per.values()]) for k in keys}
    result = {"pixel_accuracy": _ratio(float(tp.sum()), total, empty_score), "labels": per}
    result["mean"] = mean
    note_left_out(result)
    return result


def note_left_out(result: dict[str, Any]) -> None:
    """Set ``result["mean"]["left_out"]``: per metric, which labels its mean skipped and why.

    A label skipped with NaN is "absent from both" only when neither volume has
    a voxel of it; an infinite surface distance means one side had no surface.
    """
    out: dict[str, str] = {}
    rows = result["labels"]
    absent = {k for k, r in rows.items() if not r["volume_gt_mm3"] and not r["volume_pred_mm3"]}
    for key in [k for k in result["mean"] if k != "left_out"]:
        bad = {k: r[key] for k, r in rows.items() if isinstance(r.get(key), float)}
        groups = (
            (
                [k for k, v in bad.items() if math.isnan(v) and k in absent],
                "absent from both (NaN)",
            ),
            ([k for k, v in bad.items() if math.isnan(v) and k not in absent], "undefined (NaN)"),
            (
                [k for k, v in bad.items() if math.isinf(v)],
                "with no surface to measure from (inf)",
            ),
        )
        why = [f"{', '.join(labels)} {what}" for labels, what in groups if labels]
        if why:
            out[key] = "labels " + "; ".join(why)
    result["mean"].pop("left_out", None)
    if out:
        result["mean"]["left_out"] = out


def finite_mean(values: Iterable[float]) -> float:
    """Mean of the finite values (NaN and inf left out); NaN when there is none."""
    finite = [float(v) for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


def overlap_metrics(
    pred: np.ndarray,
    gt: np.ndarray,
    *,
    labels: Iterable[int] | None = None,
    spacing: Sequence[float] | None = None,
    empty_score: float = float("nan"),
    label_names: dict[int, str] | None = None,
) -> dict[str, Any]:
    """Dice, IoU, precision, recall and volumes per label, plus pixel accuracy.

    Parameters
    ----------
    pred, gt : numpy.ndarray of int, same shape (Y, X) or (Z, Y, X)
        Predicted and ground-truth labels (0 is background).
    labels : iterable of int, optional
        Labels to report; default every non-zero label present in either.
    spacing : sequence of float, optional
        Voxel size in mm, for volumes in mm³ (default: voxel counts).
    empty_score : float
        Every score of a label absent from both prediction and ground truth
        (nothing to measure). NaN (the default) leaves it out of the means;
        1.0 counts agreement on absence as perfect. A label on one side only
        always scores 0 (precision of a missed label, recall of an extra one).
    label_names : dict of int to str, optional
        Names reported beside the label values.

    Returns
    -------
    dict
        ``{"pixel_accuracy": float, "labels": {"1": {"name", "dice", "iou",
        "precision", "recall", "volume_pred_mm3", "volume_gt_mm3",
        "volume_diff_mm3"}}, "mean": {"dice", "iou", "precision", "recall"}}``;
        the mean is over the reported labels (background excluded unless
        listed in ``labels``) and skips NaN; ``mean["left_out"]`` (only when
        something was skipped) says per metric which labels and why.
        Plain Python numbers, JSON-ready.

    Examples
    --------
    >>> import numpy as np
    >>> gt = np.array([[0, 1, 1, 0]]); pred = np.array([[0, 1, 0, 0]])
    >>> round(overlap_metrics(pred, gt)["labels"]["1"]["dice"], 4)
    0.6667
    """
    cm, values = labelled_confusion(pred, gt)
    return scores_from_confusion(
        cm,
        labels=labels,
        spacing=spacing,
        empty_score=empty_score,
        label_names=label_names,
        values=values,
    )
