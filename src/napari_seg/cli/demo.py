"""``napari-seg demo``: synthetic CT in, every demo recipe run, Dice/IoU table out.

The rows are the sample's named recipes (:data:`napari_seg.data.recipes.RECIPES`),
so each can be reproduced step by step in the widgets with the same values. It
writes NIfTI files so that the results can be opened in napari, 3D Slicer or
ITK-SNAP and checked by eye.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data.recipes import RECIPES
from ..data.synthetic import SyntheticCT, make_synthetic_ct
from ..io import save_nifti
from ..metrics import overlap_metrics
from ..progress import ProgressCallback, Steps, StopCallback
from ..segment.recipes import run_recipe

__all__ = ["DemoMethod", "DemoRow", "add_parser", "format_table", "run_demo"]

Spacing = tuple[float, float, float]


@dataclass(frozen=True)
class DemoMethod:
    """A demo row that is not a registry recipe (the trained U-Net): a function and its target."""

    fn: Callable[[np.ndarray, Spacing], np.ndarray]
    target: str | None = "spleen"


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
    extra: dict[str, DemoMethod] | None = None,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
) -> tuple[SyntheticCT, list[DemoRow]]:
    """Generate the sample, write it, run each recipe (and extra row), write and score it.

    Parameters
    ----------
    out_dir : path-like
        Folder for ``image.nii.gz``, ``spleen_gt.nii.gz``, ``lesions_gt.nii.gz``
        and one ``<method>.nii.gz`` per method (created if missing).
    shape : tuple of int
        Sample shape ``(Z, Y, X)``.
    seed : int
        Sample seed.
    extra : dict, optional
        Rows run after the recipes (name to :class:`DemoMethod`).
    progress, should_stop : callable, optional
        See :mod:`napari_seg.progress`.

    Returns
    -------
    sample : SyntheticCT
    rows : list of DemoRow
        Foreground Dice and IoU against the method's target ground truth
        (spleen or lesions; NaN when not scored), object count and run time.
    """
    methods: dict[str, DemoMethod] = {
        name: DemoMethod(
            lambda image, spacing, r=recipe: list(run_recipe(r, image, spacing=spacing).values())[
                -1
            ],
            recipe.target,
        )
        for name, recipe in RECIPES.items()
    }
    methods.update(extra or {})
    steps = Steps(len(methods) + 1, progress=progress, should_stop=should_stop)
    out = Path(out_dir)
    ct = make_synthetic_ct(shape, seed=seed)
    geometry = ct.geometry
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


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="run every demo recipe on the synthetic CT and print Dice/IoU",
        description="Write the synthetic CT and its ground truth as NIfTI into --out, run "
        "each demo recipe, write its labels, and print Dice and IoU per recipe.",
    )
    p.add_argument("--out", type=Path, default=Path("napari-seg-demo"), help="output folder")
    p.add_argument("--shape", type=int, nargs=3, metavar=("Z", "Y", "X"), default=(96, 192, 192))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--gui", action="store_true", help="open the results in napari")
    p.add_argument(
        "--no-unet",
        action="store_true",
        help="skip training and running the small U-Net (saves ~30 s)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    extra = {}
    if not args.no_unet:
        from .demo_unet import train_demo_unet

        print("training a small U-Net on 6 other synthetic cases (CPU)...", flush=True)
        extra["unet(fast)"] = DemoMethod(train_demo_unet(Path(args.out)))
    ct, rows = run_demo(args.out, shape=tuple(args.shape), seed=args.seed, extra=extra)
    print(f"synthetic CT {ct.image.shape} at {ct.spacing} mm, seed {ct.seed} -> {args.out}/")
    print("foreground Dice/IoU against each method's target ground truth:")
    print(format_table(rows))
    if args.gui:
        from .._napari._launch import show_demo

        show_demo(args.out, rows)
    return 0
