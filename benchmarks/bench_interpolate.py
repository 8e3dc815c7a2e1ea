"""Fill between slices: Dice to the full ground truth and time, against two baselines.

Data: the sample's spleen and its four lesions (96x192x192, 2.5 x 0.8 x 0.8 mm), with
only every 3rd / 5th / 10th axial slice kept, as a user who draws on a few slices.
Ours: ``napari_seg.edit.interpolate_slices``. Baselines in the same process:
ITK's ``MorphologicalContourInterpolator`` (PyPI ``itk-morphologicalcontourinterpolation``,
along the slice axis; skipped with a note when not installed) and a plain
signed-distance interpolation (scipy ``distance_transform_edt`` on whole slices, in
pixels, one label at a time).

    .venv/bin/python benchmarks/bench_interpolate.py
"""

from __future__ import annotations

import itertools
import os
import sys
import time

import _real
import numpy as np
from _common import machine
from scipy import ndimage as ndi

from napari_seg.data.synthetic import make_synthetic_ct
from napari_seg.edit import interpolate_slices
from napari_seg.metrics import overlap_metrics


def plain_sdf(sparse: np.ndarray) -> np.ndarray:
    """The textbook baseline: per label, blend whole-slice signed distances (pixels)."""
    out = sparse.copy()
    for label in [v for v in np.unique(sparse) if v]:
        idx = np.flatnonzero((sparse == label).any(axis=(1, 2)))
        for a, b in itertools.pairwise(idx):
            if b - a < 2:
                continue
            sd = []
            for k in (a, b):
                m = sparse[k] == label
                sd.append(ndi.distance_transform_edt(~m) - ndi.distance_transform_edt(m))
            for k in range(a + 1, b):
                t = (k - a) / (b - a)
                fill = ((1 - t) * sd[0] + t * sd[1] < 0) & (out[k] == 0)
                out[k][fill] = label
    return out


def itk_mci(sparse: np.ndarray) -> np.ndarray | None:
    try:
        import itk
    except ImportError:
        return None
    image = itk.image_from_array(np.ascontiguousarray(sparse.astype(np.uint8)))
    # ITK indexes (x, y, z): napari axis 0 (z) is ITK axis 2
    result = itk.morphological_contour_interpolator(image, axis=2)
    return itk.array_from_image(result)


def dice(pred: np.ndarray, truth: np.ndarray) -> float:
    ids = [int(v) for v in np.unique(truth) if v]
    scores = overlap_metrics(pred.astype(np.uint8), truth.astype(np.uint8), labels=ids)
    return float(np.mean([scores["labels"][str(i)]["dice"] for i in ids]))


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def main() -> None:
    itk_mci(np.zeros((3, 4, 4), np.uint8))  # ITK loads its modules on first use: not timed
    real()
    for shape in ((96, 192, 192), (200, 512, 512)):
        run(make_synthetic_ct(shape, seed=0))


def real() -> None:
    """Real scans (``_real.py``): drawn on every n-th slice along an axis, ours vs plain SDF."""
    print(f"\n{machine()}; real scans; axis 0 = axial, 1 = coronal (napari order)")
    print(f"{'target':34} {'axis':>4} {'every':>5}  {'ours':>14}  {'plain SDF':>14}")
    targets = []
    ct = _real.try_load(_real.ct_lung, "lung2")
    if ct is not None:
        targets.append(("CT lung2 tumour", ct.masks["tumour"].view(np.uint8), ct.spacing, (2, 3)))
    mri = _real.try_load(_real.mri_colin27)
    if mri is not None:
        targets.append(
            ("MRI Colin27 brain", mri.masks["brain"].view(np.uint8), mri.spacing, (5, 10))
        )
        nuclei = np.where(np.isin(mri.labels, (71, 73, 77)), mri.labels, 0).astype(np.uint8)
        targets.append(("MRI AAL caudate+putamen+thalamus", nuclei, mri.spacing, (3, 5)))
    for name, truth, spacing, steps in targets:
        for axis in (0, 1):
            moved = np.moveaxis(truth, axis, 0)
            z = np.flatnonzero(moved.any(axis=(1, 2)))
            for step in steps:
                sparse = np.zeros_like(moved)
                keep = np.arange(z[0], z[-1] + 1, step)
                sparse[keep] = moved[keep]
                sparse = np.moveaxis(sparse, 0, axis)
                ours, t_ours = timed(
                    lambda s, a=axis, sp=spacing: interpolate_slices(s, axis=a, spacing=sp), sparse
                )
                sdf, t_sdf = timed(
                    lambda s, a=axis: np.moveaxis(plain_sdf(np.moveaxis(s, a, 0)), 0, a), sparse
                )
                print(f"{name:34} {axis:>4} {step:>5}  {dice(ours, truth):.3f} {t_ours:6.2f} s  "
                      f"{dice(sdf, truth):.3f} {t_sdf:6.2f} s")  # fmt: skip


def run(ct) -> None:
    print(f"\n{machine()}; synthetic CT {ct.image.shape} at {ct.spacing} mm")
    print(f"{'target':8} {'every':>5}  {'ours':>14}  {'ITK MCI':>16}  {'plain SDF':>16}  speed-up")
    for name, truth in (("spleen", ct.spleen), ("lesions", ct.lesions)):
        for step in (3, 5, 10):
            z = np.flatnonzero(truth.any(axis=(1, 2)))
            sparse = np.zeros_like(truth)
            keep = np.arange(z[0], z[-1] + 1, step)
            sparse[keep] = truth[keep]
            ours, t_ours = timed(lambda s: interpolate_slices(s, spacing=ct.spacing), sparse)
            sdf, t_sdf = timed(plain_sdf, sparse)
            itk_out, t_itk = timed(itk_mci, sparse)
            itk_text = "n/a (not installed)"
            ratio = ""
            if itk_out is not None:
                itk_text = f"{dice(itk_out, truth):.3f} {t_itk:6.2f} s"
                ratio = f"{t_itk / t_ours:5.1f}x vs ITK, "
            print(
                f"{name:8} {step:>5}  {dice(ours, truth):.3f} {t_ours:6.2f} s  {itk_text:>16}  "
                f"{dice(sdf, truth):.3f} {t_sdf:6.2f} s  {ratio}{t_sdf / t_ours:5.1f}x vs SDF"
            )


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)  # ITK's objects can crash the interpreter's shutdown after the table
