"""``napari-seg snapshot`` with many labels: one Surface layer for all meshes vs one per label.

Ours: :func:`napari_seg._napari._snapshot.render_snapshot` (marching cubes on each label's
box, then every mesh in ONE Surface layer coloured per vertex). Baseline in the same
process: the same command with the old path, one Surface layer per label
(``show_surfaces``, as the Surfaces dock makes them), which napari adds at a growing cost.
Both read the files, mesh, add the layers, render the 3-D view and three slice views
and write the PNG (wall time, one run each: the baseline takes minutes, so it runs up
to ``--baseline-max`` labels).

Synthetic: ``--labels`` (default 30, 100, 300) ellipsoids in a 96x160x160 volume. Real scan: the
116-region AAL atlas over the Colin27 T1 MRI (181x217x181, Debian's ``mricron-data``).

    xvfb-run -a .venv/bin/python benchmarks/bench_snapshot.py [--labels 300 --baseline-max 300]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import machine
from _real import mri_colin27, try_load

from napari_seg._napari import _snapshot
from napari_seg.io import Geometry, save_nifti


def blobs(n: int, shape=(96, 160, 160), seed=0) -> np.ndarray:
    """``n`` random ellipsoids (radii 3-8 voxels), values 1..n (later ones on top)."""
    rng = np.random.default_rng(seed)
    lab = np.zeros(shape, np.uint16)
    z, y, x = np.ogrid[: shape[0], : shape[1], : shape[2]]
    for v in range(1, n + 1):
        c = rng.uniform([6, 10, 10], np.array(shape) - [6, 10, 10])
        r = rng.uniform(3, 8, 3)
        inside = ((z - c[0]) / r[0]) ** 2 + ((y - c[1]) / r[1]) ** 2 + ((x - c[2]) / r[2]) ** 2
        lab[inside <= 1] = v
    return lab


def _per_label_layers(viewer, source, meshes):
    """The old path: one Surface layer per label."""
    from napari_seg._napari._surface_layers import show_surfaces

    return show_surfaces(viewer, source, meshes)


def _render(image: Path, labels: Path, out: Path, *, baseline: bool) -> float:
    ours = _snapshot.add_surfaces_layer
    if baseline:
        _snapshot.add_surfaces_layer = _per_label_layers
    try:
        t0 = time.perf_counter()
        _snapshot.render_snapshot(image, labels, out, size=(900, 600))
        return time.perf_counter() - t0
    finally:
        _snapshot.add_surfaces_layer = ours


def row(name: str, image, labels, spacing, folder: Path, *, baseline: bool = True) -> None:
    geometry = Geometry.from_spacing(spacing)
    paths = folder / f"{name}_image.nii.gz", folder / f"{name}_labels.nii.gz"
    save_nifti(image, geometry, paths[0])
    save_nifti(labels, geometry, paths[1])
    n = len(np.unique(labels)) - 1
    t_ours = _render(*paths, folder / f"{name}_ours.png", baseline=False)
    print(f"{name}: {n} labels, {labels.shape}")
    print(f"  ours     {t_ours:7.1f} s  (one Surface layer for all meshes)", flush=True)
    if not baseline:
        print("  baseline not run (above --baseline-max: tens of minutes here)")
        return
    t_base = _render(*paths, folder / f"{name}_baseline.png", baseline=True)
    print(f"  baseline {t_base:7.1f} s  (one Surface layer per label, the old path)")
    print(f"  ratio    {t_base / t_ours:7.1f}x   pictures in {folder}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--labels", default="30,100,300", help="synthetic label counts")
    ap.add_argument("--baseline-max", type=int, default=120, help="largest count for the old path")
    ap.add_argument("--keep", type=Path, help="folder for the files and pictures")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_snapshot_"))
    folder.mkdir(parents=True, exist_ok=True)
    print(machine(), flush=True)
    for n in (int(v) for v in args.labels.split(",")):
        lab = blobs(n)
        rng = np.random.default_rng(1)
        image = (rng.normal(0, 10, lab.shape) + 40 * (lab > 0)).astype(np.float32)
        row(f"synthetic{n}", image, lab, (1.0, 1.0, 1.0), folder, baseline=n <= args.baseline_max)
    scan = try_load(mri_colin27)
    if scan is not None:
        row("aal", scan.image, scan.labels, scan.spacing, folder)


if __name__ == "__main__":
    main()
