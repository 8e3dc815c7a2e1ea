"""The headless demo: synthetic CT in, every available method run, Dice/IoU table out.

Used by ``napari-seg demo``; it writes NIfTI files so that the results can be
opened in napari, 3D Slicer or ITK-SNAP and checked by eye.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .data.synthetic import SyntheticCT, make_synthetic_ct
from .io import Geometry, save_nifti
from .metrics import overlap_metrics
from .progress import ProgressCallback, Steps, StopCallback
from .segment import (
    binary_opening,
    canny,
    fill_holes,
    gaussian_mm,
    keep_largest,
    kmeans,
    split_touching,
    threshold,
)

__all__ = ["DEMO_METHODS", "DemoMethod", "DemoRow", "format_table", "run_demo"]

Method = Callable[[np.ndarray, tuple[float, float, float]], np.ndarray]
Spacing = tuple[float, float, float]


def _otsu_largest(image: np.ndarray, spacing: Spacing) -> np.ndarray:
    """Otsu threshold, then the largest connected component (naive baseline)."""
    return keep_largest(threshold(image, method="otsu"))


def _spleen_window(image: np.ndarray, spacing: Spacing) -> np.ndarray:
    """Smooth 1.5 mm, keep the enhanced-organ window 105..150 HU, open 2 mm, largest, fill."""
    smooth = gaussian_mm(image, sigma_mm=1.5, spacing=spacing)
    mask = threshold(smooth, method="manual", low=105.0, high=150.0)
    mask = binary_opening(mask, radius_mm=2.0, spacing=spacing)
    return fill_holes(keep_largest(mask))


def _kmeans_spleen(image: np.ndarray, spacing: Spacing) -> np.ndarray:
    """Smooth 1.5 mm, k-means (k=5) of 0..250 HU, class nearest 120 HU, open, largest."""
    smooth = gaussian_mm(image, sigma_mm=1.5, spacing=spacing)
    labels = kmeans(smooth, 5, mask=(smooth > 0) & (smooth < 250), seed=0)
    centres = [smooth[labels == c].mean() if (labels == c).any() else np.inf for c in range(1, 6)]
    cls = 1 + int(np.argmin(np.abs(np.asarray(centres) - 120.0)))
    mask = binary_opening(labels == cls, radius_mm=2.0, spacing=spacing)
    return fill_holes(keep_largest(mask))


def _liver_lesions(image: np.ndarray, spacing: Spacing) -> np.ndarray:
    """Liver by window 70..105 HU; lesions = its dark holes (per slice), split by watershed."""
    smooth = gaussian_mm(image, sigma_mm=1.5, spacing=spacing)
    liver = keep_largest(
        binary_opening(
            threshold(smooth, method="manual", low=70.0, high=105.0),
            radius_mm=3.0,
            spacing=spacing,
        )
    )
    holes = (fill_holes(liver, per_slice=True) != 0) & (liver == 0) & (smooth < 70)
    holes = binary_opening(holes, radius_mm=2.0, spacing=spacing)
    return split_touching(holes, spacing=spacing, min_distance_mm=6.0)


def _canny_edges(image: np.ndarray, spacing: Spacing) -> np.ndarray:
    """3-D Canny edges (sigma 1.5 mm); written out, not scored (edges are not regions)."""
    return canny(image, sigma_mm=1.5, spacing=spacing)


@dataclass(frozen=True)
class DemoMethod:
    """A demo method and the ground truth it is scored against (None: not scored)."""

    fn: Method
    target: str | None = "spleen"


#: Methods the demo runs, in order.
DEMO_METHODS: dict[str, DemoMethod] = {
    "otsu+largest": DemoMethod(_otsu_largest),
    "window+opening+largest": DemoMethod(_spleen_window),
    "kmeans(5)+largest": DemoMethod(_kmeans_spleen),
    "liver-holes+watershed": DemoMethod(_liver_lesions, "lesions"),
    "canny-3d": DemoMethod(_canny_edges, None),
}


@dataclass
class DemoRow:
    """One method's result against the spleen ground truth."""

    method: str
    target: str | None
    dice: float
    iou: float
    objects: int  # distinct non-zero label values (instances for watershed)
    seconds: float
    path: Path | None = None


def run_demo(
    out_dir: str | Path,
    *,
    shape: tuple[int, int, int] = (96, 192, 192),
    seed: int = 0,
    methods: dict[str, DemoMethod] | None = None,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
) -> tuple[SyntheticCT, list[DemoRow]]:
    """Generate the sample, write it, run each method, write and score its labels.

    Parameters
    ----------
    out_dir : path-like
        Folder for ``image.nii.gz``, ``spleen_gt.nii.gz``, ``lesions_gt.nii.gz``
        and one ``<method>.nii.gz`` per method (created if missing).
    shape : tuple of int
        Sample shape ``(Z, Y, X)``.
    seed : int
        Sample seed.
    methods : dict, optional
        Name to method; default :data:`DEMO_METHODS`.
    progress, should_stop : callable, optional
        See :mod:`napari_seg.progress`.

    Returns
    -------
    sample : SyntheticCT
    rows : list of DemoRow
        Foreground Dice and IoU against the method's target ground truth
        (spleen or lesions; NaN when not scored), object count and run time.
    """
    methods = DEMO_METHODS if methods is None else methods
    steps = Steps(len(methods) + 1, progress=progress, should_stop=should_stop)
    out = Path(out_dir)
    ct = make_synthetic_ct(shape, seed=seed)
    geometry = Geometry.from_spacing(ct.spacing)
    save_nifti(ct.image, geometry, out / "image.nii.gz", kind="image")
    save_nifti(ct.spleen, geometry, out / "spleen_gt.nii.gz", kind="labels")
    save_nifti(ct.lesions, geometry, out / "lesions_gt.nii.gz", kind="labels")
    steps.step()
    rows = []
    truths = {"spleen": ct.spleen, "lesions": ct.lesions}
    for name, method in methods.items():
        t0 = time.perf_counter()
        labels = method.fn(ct.image, ct.spacing)
        seconds = time.perf_counter() - t0
        dice = iou = float("nan")
        if method.target is not None:
            fg = (labels > 0).view(np.uint8)
            truth = (truths[method.target] > 0).view(np.uint8)
            scores = overlap_metrics(fg, truth, labels=[1])["labels"]["1"]
            dice, iou = scores["dice"], scores["iou"]
        objects = int(np.count_nonzero(np.unique(labels)))
        path = save_nifti(labels, geometry, out / f"{_safe(name)}.nii.gz", kind="labels")
        rows.append(DemoRow(name, method.target, dice, iou, objects, seconds, path))
        steps.step()
    return ct, rows


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def format_table(rows: list[DemoRow]) -> str:
    """A fixed-width text table of the demo rows."""
    width = max([len("method"), *(len(r.method) for r in rows)])
    head = (
        f"{'method':<{width}}  {'target':<8}  {'dice':>6}  {'iou':>6}  {'labels':>7}  "
        f"{'seconds':>7}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        d = "   n/a" if np.isnan(r.dice) else f"{r.dice:6.3f}"
        i = "   n/a" if np.isnan(r.iou) else f"{r.iou:6.3f}"
        target = r.target or "-"
        lines.append(
            f"{r.method:<{width}}  {target:<8}  {d}  {i}  {r.objects:>7}  {r.seconds:7.2f}"
        )
    return "\n".join(lines)
