"""The headless demo: synthetic CT in, every available method run, Dice/IoU table out.

Used by ``napari-seg demo``; it writes NIfTI files so that the results can be
opened in napari, 3D Slicer or ITK-SNAP and checked by eye.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .data.synthetic import SyntheticCT, make_synthetic_ct
from .io import Geometry, save_nifti
from .metrics import overlap_metrics
from .progress import ProgressCallback, Steps, StopCallback
from .segment import fill_holes, keep_largest, threshold
from .segment.components import binary_opening
from .segment.smoothing import gaussian_mm

__all__ = ["DEMO_METHODS", "DemoRow", "format_table", "run_demo"]

Method = Callable[[np.ndarray, tuple[float, float, float]], np.ndarray]


def _otsu_largest(image: np.ndarray, spacing: tuple[float, float, float]) -> np.ndarray:
    """Otsu threshold, then the largest connected component (naive baseline)."""
    return keep_largest(threshold(image, method="otsu"))


def _spleen_window(image: np.ndarray, spacing: tuple[float, float, float]) -> np.ndarray:
    """Smooth 1.5 mm, keep the enhanced-organ window 105..150 HU, open 2 mm, largest, fill."""
    smooth = gaussian_mm(image, sigma_mm=1.5, spacing=spacing)
    mask = threshold(smooth, method="manual", low=105.0, high=150.0)
    mask = binary_opening(mask, radius_mm=2.0, spacing=spacing)
    return fill_holes(keep_largest(mask))


#: Methods the demo runs, in order: name -> function(image_hu, spacing_mm) -> labels.
DEMO_METHODS: dict[str, Method] = {
    "otsu+largest": _otsu_largest,
    "window+opening+largest": _spleen_window,
}


@dataclass
class DemoRow:
    """One method's result against the spleen ground truth."""

    method: str
    dice: float
    iou: float
    seconds: float
    path: Path | None = None
    extra: dict[str, float] = field(default_factory=dict)


def run_demo(
    out_dir: str | Path,
    *,
    shape: tuple[int, int, int] = (96, 192, 192),
    seed: int = 0,
    methods: dict[str, Method] | None = None,
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
        Dice and IoU of label 1 against the spleen ground truth, and run time.
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
    for name, fn in methods.items():
        t0 = time.perf_counter()
        labels = fn(ct.image, ct.spacing)
        seconds = time.perf_counter() - t0
        binary = (labels > 0).view(np.uint8)
        scores = overlap_metrics(binary, ct.spleen, labels=[1])["labels"]["1"]
        path = save_nifti(labels, geometry, out / f"{_safe(name)}.nii.gz", kind="labels")
        rows.append(DemoRow(name, scores["dice"], scores["iou"], seconds, path))
        steps.step()
    return ct, rows


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def format_table(rows: list[DemoRow]) -> str:
    """A fixed-width text table of the demo rows."""
    width = max([len("method"), *(len(r.method) for r in rows)])
    lines = [f"{'method':<{width}}  {'dice':>6}  {'iou':>6}  {'seconds':>8}"]
    lines.append("-" * len(lines[0]))
    for r in rows:
        lines.append(f"{r.method:<{width}}  {r.dice:6.3f}  {r.iou:6.3f}  {r.seconds:8.2f}")
    return "\n".join(lines)
