"""Grow from seeds and grow region: Dice and time against named baselines, synthetic and real.

Grow from seeds: scribbles on 3 axial slices of each target (inside: the target shrunk by
4 voxels; outside: a band 3-6 voxels around it), as a user draws them. Ours:
``napari_seg.edit.SeedGrower``; baseline in the same process: scikit-image ``random_walker``
(beta 130, ``cg_j``, on the image standardised over the same region: the scribbles' box
widened by 20 mm). Grow region: one click at the target's deepest voxel. Ours:
``napari_seg.edit.grow_region``; baseline: scikit-image ``flood`` with the same automatic
tolerance (2.5 robust SDs of a 3 mm ball around the click). Targets: the synthetic CT's
spleen; two real chest CTs' lung tumours (PyRadiomics); the Colin27 T1 MRI's brain and three
AAL deep grey nuclei (mricron-data) -- see ``_real.py``. Then the interactive target: the first
run and one more scribble on a 200x512x512 CT (synthetic, and the real chest CT resampled to
200 slices).

    .venv/bin/python benchmarks/bench_grow.py [--quick]
"""

from __future__ import annotations

import sys
import time

import _real
import edt
import numpy as np
from _common import machine
from scipy import ndimage as ndi
from skimage.segmentation import flood, random_walker

from napari_seg.data.synthetic import make_synthetic_ct
from napari_seg.edit import grow_region
from napari_seg.edit.seeds import SeedGrower, _region
from napari_seg.segment.smoothing import ball_mm


def scribble(truth: np.ndarray, slices) -> np.ndarray:
    seeds = np.zeros(truth.shape, np.uint8)
    for z in slices:
        organ = truth[z] != 0
        seeds[z][ndi.binary_erosion(organ, iterations=4)] = 1
        band = ndi.binary_dilation(organ, iterations=6) & ~ndi.binary_dilation(organ, iterations=3)
        seeds[z][band] = 2
    return seeds


def dice(result: np.ndarray, truth: np.ndarray) -> float:
    a, b = result == 1, truth != 0
    return float(2 * (a & b).sum() / max(a.sum() + b.sum(), 1))


def picks(truth: np.ndarray, fractions=(0.25, 0.5, 0.75)) -> list[int]:
    z = np.flatnonzero(truth.any(axis=(1, 2)))
    return [int(z[0] + f * (z[-1] - z[0])) for f in fractions]


def targets(quick: bool):
    ct = make_synthetic_ct(seed=0)
    yield "synthetic CT spleen", ct.image, ct.spleen != 0, ct.spacing
    for case in ("lung2", "lung1"):
        scan = _real.try_load(_real.ct_lung, case)
        if scan is not None:
            yield f"real CT {case} tumour", scan.image, scan.masks["tumour"], scan.spacing
    mri = _real.try_load(_real.mri_colin27)
    if mri is not None:
        if not quick:
            yield "real MRI Colin27 brain", mri.image, mri.masks["brain"], mri.spacing
        for label, name in ((77, "thalamus L"), (73, "putamen L"), (71, "caudate L")):
            yield f"real MRI AAL {name}", mri.image, mri.labels == label, mri.spacing


def seeds_row(name, image, truth, spacing) -> None:
    seeds = scribble(truth, picks(truth))
    box = _region(seeds, 20.0, np.asarray(spacing))
    t0 = time.perf_counter()
    ours = SeedGrower(image, spacing=spacing).grow(seeds)
    t_ours = time.perf_counter() - t0
    sub = image[box].astype(np.float32)
    t0 = time.perf_counter()
    rw = np.zeros_like(seeds)
    scaled = (sub - sub.mean()) / (sub.std() or 1.0)
    rw[box] = random_walker(scaled, seeds[box], beta=130, mode="cg_j", spacing=spacing)
    t_rw = time.perf_counter() - t0
    d_ours, d_rw = dice(ours, truth), dice(rw, truth)
    print(f"{name:28} {d_ours:6.3f} {t_ours:7.2f}   {d_rw:6.3f} {t_rw:7.2f}   "
          f"{d_ours - d_rw:+6.3f} {t_rw / t_ours:6.1f}x", flush=True)  # fmt: skip


def region_row(name, image, truth, spacing) -> None:
    depth = edt.edt(truth.view(np.uint8), anisotropy=tuple(float(s) for s in spacing))
    click = np.unravel_index(int(np.argmax(depth)), truth.shape)
    t0 = time.perf_counter()
    ours = grow_region(image, click, spacing=spacing)
    t_ours = time.perf_counter() - t0
    ball = ball_mm(3.0, tuple(spacing))
    half = np.asarray(ball.shape) // 2
    lo, hi = np.maximum(np.asarray(click) - half, 0), np.asarray(click) + half + 1
    near = image[tuple(slice(a, b) for a, b in zip(lo, hi, strict=True))].astype(float)
    tol = max(2.5 * 1.4826 * float(np.median(np.abs(near - np.median(near)))), 1e-6)
    t0 = time.perf_counter()
    base = flood(image.astype(np.float32), click, tolerance=tol, connectivity=1)
    t_base = time.perf_counter() - t0
    d_ours, d_base = dice(ours.view(np.uint8), truth), dice(base.view(np.uint8), truth)
    print(f"{name:28} {d_ours:6.3f} {t_ours:7.2f}   {d_base:6.3f} {t_base:7.2f}", flush=True)


def interactive(name: str, image, truth, spacing) -> None:
    """First run and updates on a 200x512x512 CT (target 0.5 s per update)."""
    z = picks(truth, (0.0, 1.0))
    seeds = scribble(truth, picks(truth))
    grower = SeedGrower(image, spacing=spacing)
    t0 = time.perf_counter()
    first = grower.grow(seeds)
    t_first = time.perf_counter() - t0
    band = np.where(scribble(truth, picks(truth, (0.4,))) == 2, 2, seeds)
    t0 = time.perf_counter()
    grower.grow(band)
    t_band = time.perf_counter() - t0
    inside = np.argwhere(truth[z[0] + (z[1] - z[0]) // 3])[::97][:10]  # a short inside stroke
    dot = band.copy()
    dot[z[0] + (z[1] - z[0]) // 3][tuple(inside.T)] = 1
    t0 = time.perf_counter()
    grower.grow(dot)
    t_dot = time.perf_counter() - t0
    print(f"{name} {image.shape}: region {tuple(int(b.stop - b.start) for b in grower.box)}, "
          f"first run {t_first:.2f} s (Dice {dice(first, truth):.3f}); updates (target 0.5 s): "
          f"a background band on a 4th slice {t_band:.2f} s, a short inside stroke "
          f"{t_dot:.2f} s")  # fmt: skip


def main() -> None:
    quick = "--quick" in sys.argv
    print(f"{machine()}; scribbles on 3 axial slices; region = scribbles' box + 20 mm")
    print(f"\ngrow from seeds{'':13} {'ours':>6} {'s':>7}   {'RW':>6} {'s':>7}   "
          f"{'dDice':>6} {'faster':>7}")  # fmt: skip
    cases = list(targets(quick))
    for case in cases:
        seeds_row(*case)
    print(f"\ngrow region (1 click){'':7} {'ours':>6} {'s':>7}   {'flood':>6} {'s':>7}")
    for case in cases:
        region_row(*case)
    print()
    ct = make_synthetic_ct((200, 512, 512), seed=0)
    interactive("synthetic CT", ct.image, ct.spleen != 0, ct.spacing)
    big = _real.try_load(_real.ct_large)
    if big is not None:
        interactive("real CT lung2 (200 slices)", big.image, big.masks["tumour"], big.spacing)


if __name__ == "__main__":
    main()
