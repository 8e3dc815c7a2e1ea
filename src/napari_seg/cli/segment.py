"""``napari-seg segment``: the classical methods (and, with a checkpoint, the U-Net) headless."""

from __future__ import annotations

import argparse
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from ..io import load_nifti, save_nifti
from ..segment import canny, kmeans, seeded_watershed, split_touching, threshold
from ..segment.pipeline import Cleanup, cleanup_labels
from ..segment.threshold import CT_PRESETS
from ._common import TerminalProgress, load_input

THRESHOLD_METHODS = ("otsu", "multiotsu", "li", "yen", "triangle", "mean")
METHODS = ("threshold", *THRESHOLD_METHODS, "kmeans", "canny", "watershed", "unet")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "segment",
        help="segment a NIfTI volume or a Decathlon case into a labels NIfTI",
        description="Segment INPUT (a NIfTI file, or a Decathlon task folder with --case) "
        "and write labels with the input's geometry.",
    )
    p.add_argument("input", type=Path, help="NIfTI file or Decathlon task folder")
    p.add_argument("-o", "--out", type=Path, required=True, help="output .nii.gz/.nii")
    p.add_argument("--method", choices=METHODS, default="otsu")
    p.add_argument("--case", help="case name, when INPUT is a Decathlon task")
    p.add_argument("--channel", type=int, default=0, help="channel of a 4-D/multi-modal image")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    t = p.add_argument_group("threshold (--method threshold, and the watershed mask)")
    t.add_argument("--low", type=float, help="lower bound, image units (HU)")
    t.add_argument("--high", type=float, help="upper bound, image units (HU)")
    t.add_argument("--preset", choices=sorted(CT_PRESETS), help="CT window for --method threshold")
    t.add_argument("--classes", type=int, default=3, help="multi-Otsu classes")
    t.add_argument("--mask", type=Path, help="ROI NIfTI on the same grid (non-zero = inside)")
    k = p.add_argument_group("k-means")
    k.add_argument("--k", type=int, default=3, help="number of classes")
    k.add_argument("--seed", type=int, default=0)
    c = p.add_argument_group("canny")
    c.add_argument("--sigma-mm", type=float, default=1.0)
    c.add_argument("--canny-low", type=float, help="low threshold (quantile unless --absolute)")
    c.add_argument("--canny-high", type=float, help="high threshold (quantile unless --absolute)")
    c.add_argument("--absolute", action="store_true", help="thresholds in HU/mm, not quantiles")
    c.add_argument("--slices", action="store_true", help="2-D Canny per slice")
    w = p.add_argument_group("watershed")
    w.add_argument("--min-distance-mm", type=float, default=5.0)
    w.add_argument("--compactness", type=float, default=0.0)
    w.add_argument("--markers", type=Path, help="seed labels NIfTI: seeded watershed")
    u = p.add_argument_group("unet (a trained checkpoint)")
    u.add_argument("--checkpoint", type=Path, help=".safetensors (or .pt state dict)")
    u.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    u.add_argument("--roi", type=int, nargs=3, metavar=("Z", "Y", "X"), help="window size")
    u.add_argument("--overlap", type=float, default=0.5)
    u.add_argument("--sw-batch-size", type=int, default=4)
    u.add_argument("--cpu-bf16", action="store_true", help="bf16 autocast on the CPU")
    q = p.add_argument_group("clean-up (applied in this order)")
    q.add_argument("--open-mm", type=float, default=0.0)
    q.add_argument("--close-mm", type=float, default=0.0)
    q.add_argument("--min-size", type=int, default=0, help="remove objects below N voxels")
    q.add_argument("--min-mm3", type=float, default=0.0, help="remove objects below N mm³")
    q.add_argument("--fill-holes", action="store_true")
    q.add_argument("--largest", action="store_true", help="keep the largest object per label")
    q.add_argument("--components", action="store_true", help="instance labels 1..N")
    q.add_argument("--connectivity", type=int, choices=(6, 18, 26), default=26)
    p.set_defaults(func=run)


def _same_grid(path: Path, shape: tuple[int, ...], geometry: Any) -> np.ndarray:
    vol = load_nifti(path)
    if vol.data.shape != shape:
        raise ValueError(f"{path}: shape {vol.data.shape} differs from the input {shape}")
    geometry.check_same_grid(vol.geometry, what=f"{path} and the input")
    return vol.data


def _method_call(args: argparse.Namespace, image: np.ndarray, spacing, mask, geometry):
    """The chosen method with its options bound; call it with ``progress=``/``should_stop=``."""
    m = args.method
    if m == "threshold":
        if args.low is None and args.high is None and args.preset is None:
            raise ValueError("--method threshold needs --low and/or --high, or --preset")
        window = {"low": args.low, "high": args.high, "preset": args.preset}
        return _steps(partial(threshold, image, method="manual", mask=mask, **window))
    if m in THRESHOLD_METHODS:
        return _steps(partial(threshold, image, method=m, classes=args.classes, mask=mask))
    if m == "unet":
        return _unet_call(args, image, geometry)
    if m == "kmeans":
        return partial(kmeans, image, args.k, mask=mask, seed=args.seed)
    if m == "canny":
        mode = "slices" if args.slices else "3d"
        return partial(
            canny,
            image,
            sigma_mm=args.sigma_mm,
            spacing=spacing,
            low=args.canny_low,
            high=args.canny_high,
            use_quantiles=not args.absolute,
            mode=mode,
        )
    return _watershed_call(args, image, spacing, mask, geometry)


def _watershed_call(args: argparse.Namespace, image: np.ndarray, spacing, mask, geometry):
    """Seeded with ``--markers``, else split touching objects of the mask.

    The mask is ``--mask``, else the ``--low``/``--high`` window, else Otsu.
    """
    if mask is None:
        window = args.low is not None or args.high is not None
        method = "manual" if window else "otsu"
        mask = threshold(image, method=method, low=args.low, high=args.high) != 0
    options = {"spacing": spacing, "compactness": args.compactness}
    if args.markers is not None:
        markers = _same_grid(args.markers, image.shape, geometry)
        return _steps(partial(seeded_watershed, markers, image=image, mask=mask, **options))
    return partial(split_touching, mask, min_distance_mm=args.min_distance_mm, **options)


def _unet_call(args: argparse.Namespace, image: np.ndarray, geometry: Any):
    if args.checkpoint is None:
        raise ValueError("--method unet needs --checkpoint")
    from ..deep.cache import default_cache  # torch is imported only for this method
    from ..deep.inference import predict

    model, meta, device = default_cache.get(args.checkpoint, args.device)

    def run(progress=None, should_stop=None):
        result = predict(
            image,
            geometry,
            model,
            meta,
            device=device,
            roi_size=args.roi,
            overlap=args.overlap,
            sw_batch_size=args.sw_batch_size,
            cpu_bf16=args.cpu_bf16,
            progress=progress,
            should_stop=should_stop,
        )
        for note in result.notes:
            print(f"note: {note}")
        return result.labels

    return run


def _steps(fn):
    """Give a function without progress callbacks the ``progress``/``should_stop`` keywords."""

    def run(progress=None, should_stop=None):
        out = fn()
        if progress is not None:
            progress(1, 1)
        return out

    return run


def run(args: argparse.Namespace) -> int:
    channel = None if args.method == "unet" else args.channel  # the network takes every channel
    image, geometry, name = load_input(args.input, case=args.case, channel=channel)
    spacing = geometry.spacing
    mask = None if args.mask is None else _same_grid(args.mask, image.shape, geometry) != 0
    t0 = time.perf_counter()
    bar = TerminalProgress(args.method, enabled=not args.quiet)
    labels = _method_call(args, image, spacing, mask, geometry)(progress=bar)
    post = Cleanup(
        open_mm=args.open_mm,
        close_mm=args.close_mm,
        min_voxels=args.min_size,
        min_mm3=args.min_mm3,
        fill_holes=args.fill_holes,
        largest=args.largest,
        components=args.components,
        connectivity=args.connectivity,
    )
    labels = cleanup_labels(labels, post, spacing=spacing)
    out = save_nifti(labels, geometry, args.out, kind="labels")
    n = len(np.unique(labels)) - (1 if (labels == 0).any() else 0)
    print(f"{name}: {args.method} -> {out} ({n} label value(s), {time.perf_counter() - t0:.2f} s)")
    return 0
