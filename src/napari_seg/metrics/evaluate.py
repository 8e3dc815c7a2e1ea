"""One call for every metric, grid checks between volumes, and table/CSV/JSON output."""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from scipy import ndimage as ndi

from .._files import atomic_path
from ..io.geometry import Geometry, GeometryError
from ..progress import ProgressCallback, Steps, StopCallback
from ..volume import Volume, check_same_grid, is_volume
from .instances import instance_metrics
from .overlap import finite_mean, labelled_confusion, note_left_out, scores_from_confusion
from .surface import surface_metrics

__all__ = ["COLUMNS", "align_to", "evaluate", "jsonable", "table_rows", "to_csv"]

_RESAMPLE_HINT = "pass resample=True (--resample) to resample the prediction onto the ground truth"

#: Table columns, in order (surface columns only when computed).
COLUMNS = (
    "label",
    "name",
    "dice",
    "iou",
    "precision",
    "recall",
    "volume_pred_mm3",
    "volume_gt_mm3",
    "volume_diff_mm3",
    "hd95",
    "assd",
    "nsd",
)


def evaluate(
    pred: np.ndarray | Volume,
    gt: np.ndarray | Volume,
    *,
    spacing: Sequence[float] | None = None,
    labels: Iterable[int] | None = None,
    surface: bool = False,
    tolerance_mm: float = 1.0,
    instances: bool = False,
    iou_threshold: float = 0.5,
    empty_score: float = float("nan"),
    label_names: dict[int, str] | None = None,
    names: tuple[str, str] = ("prediction", "ground truth"),
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
) -> dict[str, Any]:
    """Overlap metrics per label, optionally surface distances (mm) and instance matching.

    Parameters
    ----------
    pred, gt : numpy.ndarray of int, same shape (Y, X) or (Z, Y, X); or Volume
        Predicted and ground-truth labels on the same grid. Two
        :class:`~napari_seg.volume.Volume` are checked to be on one grid
        (:func:`~napari_seg.volume.check_same_grid`; :func:`align_to` resamples) and
        give the spacing in mm.
    spacing : sequence of float, optional
        Voxel size in mm per axis (volumes in mm³, distances in mm); from the
        geometry when a Volume is given.
    labels : iterable of int, optional
        Labels to report (default: every non-zero label in either volume).
    surface : bool
        Add ``hd95``, ``assd`` and ``nsd`` per label (see :mod:`.surface`).
    tolerance_mm : float
        τ of the normalised surface Dice.
    instances : bool
        Add ``"instances"``: matching of the two volumes as instance labels.
    iou_threshold : float
        IoU above which two instances match.
    empty_score : float
        Score of a metric with nothing to measure: a label absent from both.
        A label in one volume only scores 0 (and HD95/ASSD inf).
    label_names : dict, optional
        Names of the label values (for example from ``dataset.json``).
    names : tuple of str
        How error messages name the two inputs.
    progress, should_stop : callable, optional
        See :mod:`napari_seg.progress`.

    Returns
    -------
    dict
        As :func:`~napari_seg.metrics.overlap_metrics`, plus surface keys per
        label and in ``"mean"``, and ``"instances"`` when asked.
    """
    pred, gt, spacing = _arrays(pred, gt, spacing, names)
    cm, values = labelled_confusion(pred, gt, names=names)
    wanted = _wanted(labels, values, cm.shape[0])
    steps = Steps(
        1 + (len(wanted) if surface else 0) + int(instances),
        progress=progress,
        should_stop=should_stop,
    )
    result = scores_from_confusion(
        cm,
        labels=wanted,
        spacing=spacing,
        empty_score=empty_score,
        label_names=label_names,
        values=values,
    )
    steps.step()
    if surface:
        _add_surface(result, pred, gt, wanted, steps, spacing, tolerance_mm, empty_score)
    if instances:
        result["instances"] = instance_metrics(pred, gt, iou_threshold=iou_threshold)
        steps.step()
    return result


def _wanted(labels: Iterable[int] | None, values, n: int) -> list[int]:
    """The labels to report: those asked for, else every non-zero one present."""
    if labels is not None:
        return [int(v) for v in labels]
    if values is None:
        return list(range(1, n))
    return [int(v) for v in values if v != 0]


def _arrays(pred, gt, spacing, names: tuple[str, str]):
    """Arrays and spacing (mm) from Volumes, checked onto one grid; arrays as they are."""
    vols = [v for v in (gt, pred) if is_volume(v)]
    if not vols:
        return pred, gt, spacing
    if len(vols) == 2:
        check_same_grid(pred, gt, what=f"{names[0]} and {names[1]}", hint=_RESAMPLE_HINT)
    mm = vols[0].geometry.spacing_mm
    if spacing is not None and not np.allclose(spacing, mm):
        raise ValueError(f"spacing {tuple(spacing)} contradicts the volumes' {mm} mm")
    p, g = (np.asarray(v.data) if is_volume(v) else v for v in (pred, gt))
    return p, g, mm


def _add_surface(result, pred, gt, wanted, steps, spacing, tolerance_mm, empty_score) -> None:
    """HD95, ASSD and NSD of each wanted label into ``result``, their means, and the notes."""
    for v in wanted:
        result["labels"][str(v)].update(
            surface_metrics(
                pred == v, gt == v, spacing=spacing, tolerance_mm=tolerance_mm,
                empty_score=empty_score,
            )
        )  # fmt: skip
        steps.step()
    for key in ("hd95", "assd", "nsd"):
        result["mean"][key] = finite_mean(r[key] for r in result["labels"].values())
    note_left_out(result)  # the surface means skip labels too


def align_to(
    pred: np.ndarray,
    pred_geometry: Geometry,
    gt_shape: tuple[int, ...],
    gt_geometry: Geometry,
    *,
    resample: bool = False,
    atol: float = 1e-3,
    names: tuple[str, str] = ("prediction", "ground truth"),
) -> np.ndarray:
    """``pred`` on the ground truth's grid: unchanged if the grids match, else an error.

    With ``resample=True`` a different grid is resampled (nearest neighbour,
    through both affines) instead; nothing is ever flipped to make it fit.

    Raises
    ------
    GeometryError
        The shapes or affines differ (beyond ``atol`` mm) and ``resample`` is False.
    """
    gt_like = Volume(np.broadcast_to(np.False_, tuple(gt_shape)), gt_geometry)
    try:
        check_same_grid(
            Volume(pred, pred_geometry),
            gt_like,
            what=f"{names[0]} and {names[1]}",
            hint="" if resample else _RESAMPLE_HINT,
            atol=atol,
        )
        return pred
    except GeometryError:
        if not resample:
            raise
    # napari-order voxel of gt -> world -> napari-order voxel of pred
    m = np.linalg.inv(pred_geometry.napari_affine()) @ gt_geometry.napari_affine()
    return ndi.affine_transform(
        pred,
        m[:3, :3],
        offset=m[:3, 3],
        output_shape=tuple(gt_shape),
        order=0,
        mode="constant",
        cval=0,
    )


def table_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per label plus a ``mean`` row, with the :data:`COLUMNS` present."""
    rows = [{"label": k, **v} for k, v in result["labels"].items()]
    rows.append({"label": "mean", "name": "mean", **result["mean"]})
    return [{c: r[c] for c in COLUMNS if c in r} for r in rows]


def to_csv(
    rows: list[dict[str, Any]],
    path: str | os.PathLike[str] | None = None,
    *,
    columns: Sequence[str] = COLUMNS,
) -> str:
    """Rows as CSV text (also written to ``path`` when given).

    Keys not in ``columns`` (for example ``case`` in batch mode) come first in
    first-seen order, then the known ``columns`` (default :data:`COLUMNS`) in theirs.
    """
    seen = list(dict.fromkeys(k for r in rows for k in r))
    cols = [k for k in seen if k not in columns] + [c for c in columns if c in seen]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    if path is not None:
        with atomic_path(path) as tmp:
            tmp.write_text(buf.getvalue(), encoding="utf-8", newline="")
    return buf.getvalue()


def jsonable(obj: Any) -> Any:
    """Strict JSON: NaN becomes null, ±inf the strings ``"inf"``/``"-inf"`` (an HD95 of
    inf, a label missed entirely, is not the same as NaN, a label absent from both);
    numpy scalars become Python numbers."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and math.isinf(obj):
        return "inf" if obj > 0 else "-inf"
    if isinstance(obj, float) and math.isnan(obj):
        return None
    return obj
