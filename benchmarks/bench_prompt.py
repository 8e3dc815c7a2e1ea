"""Robot-user benchmark of click-to-segment against grow-from-seeds and the random walker.

    PYTHONPATH=src python benchmarks/bench_prompt.py [--clicks 10] [--model FILE] [--no-real]
        [--scenes 4 --cts 2]

A simulated user clicks first at the target's deepest point, then at the
deepest point of the largest error of the current result (positive on missed
object, negative on a false detection), up to ``--clicks`` times. Each method
gets its own clicks from its own errors (the NoC protocol): ours
(:func:`napari_seg.prompt.segment`, refining its previous result), and the
baselines fed every click so far as 2 mm balls: ``grow_from_seeds`` and
scikit-image's ``random_walker`` (both also get the region's border as
background, which they need when there is no negative click yet; the random
walker runs on a grid coarsened to <= 300k voxels). Prints Dice after 1, 3, 5, 10
clicks, NoC@85/90 (clicks to reach Dice 0.85/0.90; ">N" if never) and seconds
per click, per case and averaged over the generated and the real cases.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi

sys.path.insert(0, str(Path(__file__).parent))
from _prompt_cases import generated_cases, real_cases

from napari_seg.prompt.clicks import corrective_click, first_click


def _balls(shape, spacing, pos, neg, radius_mm=2.0) -> np.ndarray:
    seeds = np.zeros(shape, np.uint8)
    border = np.ones(shape, bool)
    border[1:-1, 1:-1, 1:-1] = False
    seeds[border] = 2
    r = np.ceil(radius_mm / np.asarray(spacing)).astype(int)
    for points, value in ((neg, 2), (pos, 1)):
        for p in points:
            lo, hi = np.maximum(np.array(p) - r, 0), np.minimum(np.array(p) + r + 1, shape)
            g = np.ogrid[tuple(slice(a, b) for a, b in zip(lo, hi, strict=True))]
            d = sum(((gi - c) * s) ** 2 for gi, c, s in zip(g, p, spacing, strict=True))
            box = tuple(slice(a, b) for a, b in zip(lo, hi, strict=True))
            seeds[box][d <= radius_mm**2] = value
    return seeds


def method_ours(model):
    from napari_seg.prompt import segment

    def run(image, spacing, pos, neg, prev):
        return segment(image, pos, neg, spacing=spacing, model=model, previous=prev) > 0

    return run


def method_grow(image, spacing, pos, neg, prev):
    from napari_seg.edit.seeds import grow_from_seeds

    seeds = _balls(image.shape, spacing, pos, neg)
    return grow_from_seeds(image, seeds, spacing=spacing, margin_mm=1000.0) == 1


def method_walker(image, spacing, pos, neg, prev):
    from skimage.segmentation import random_walker

    f = max(1, int(np.ceil((image.size / 3e5) ** (1 / 3))))
    small = image[::f, ::f, ::f].astype(np.float32)
    lo, hi = np.percentile(small, [1, 99])
    small = np.clip((small - lo) / max(hi - lo, 1e-6), 0, 1)
    sp = tuple(s * f for s in spacing)
    seeds = _balls(
        small.shape,
        sp,
        [tuple(np.array(p) // f) for p in pos],
        [tuple(np.array(p) // f) for p in neg],
    )
    lab = random_walker(small, seeds, beta=130, mode="cg_j", tol=1e-3, spacing=sp)
    big = lab == 1
    if f > 1:
        big = ndi.zoom(big.astype(np.uint8), f, order=0)[tuple(slice(0, n) for n in image.shape)]
        big = np.pad(
            big, [(0, n - b) for n, b in zip(image.shape, big.shape, strict=True)], mode="edge"
        )
    return big.astype(bool)


def dice(a, b) -> float:
    s = int(a.sum()) + int(b.sum())
    return 1.0 if s == 0 else 2 * int((a & b).sum()) / s


def robot(run, image, target, spacing, clicks: int):
    """Dice after each click (padded with the last value if the result became perfect), s/click."""
    pos, neg, pred, curve, seconds = [], [], None, [], []
    for k in range(clicks):
        c = (
            first_click(target, spacing=spacing)
            if k == 0
            else corrective_click(target, pred, spacing=spacing)
        )
        if c is None:
            curve.append(curve[-1])
            continue
        (pos if c[1] else neg).append(c[0])
        t0 = time.perf_counter()
        pred = run(image, spacing, pos, neg, pred)
        seconds.append(time.perf_counter() - t0)
        curve.append(dice(pred, target))
    return np.array(curve), float(np.mean(seconds))


def noc(curve, level) -> int:
    hit = np.flatnonzero(curve >= level)
    return int(hit[0]) + 1 if len(hit) else len(curve) + 1


def _row(name, method, curve, sec, clicks) -> str:
    at = [curve[min(k, clicks) - 1] for k in (1, 3, 5, 10)]
    n85, n90 = (noc(curve, t) for t in (0.85, 0.90))
    fmt = lambda n: f">{clicks}" if n > clicks else str(n)  # noqa: E731
    return (
        f"| {name} | {method} | "
        + " | ".join(f"{d:.3f}" for d in at)
        + f" | {fmt(n85)} | {fmt(n90)} | {sec:.2f} |"
    )


def _large(methods, clicks: int) -> None:
    """Seconds per click (and Dice) of each method on the 200x512x512 synthetic CT's spleen."""
    from _common import large_ct

    ct = large_ct()
    target = ct.spleen > 0
    for name, run in methods.items():
        curve, sec = robot(run, ct.image, target, ct.spacing, clicks)
        print(
            f"200x512x512 CT spleen | {name} | Dice@{clicks} {curve[-1]:.3f} | {sec:.2f} s/click"
        )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clicks", type=int, default=10)
    p.add_argument("--model", type=Path, help="prompt checkpoint (default: the shipped weights)")
    p.add_argument("--no-real", action="store_true")
    p.add_argument("--scenes", type=int, default=4, help="generated scenes (default 4)")
    p.add_argument("--cts", type=int, default=2, help="synthetic CTs (spleen + lesion each)")
    p.add_argument(
        "--methods",
        default="ours,grow_from_seeds,random_walker",
        help="comma-separated subset of ours, grow_from_seeds, random_walker",
    )
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--large", action="store_true", help="only: s/click on a 200x512x512 CT")
    args = p.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    from napari_seg.prompt.model import load_prompt_model

    chosen = args.methods.split(",")
    model = load_prompt_model(args.model, device="cpu") if "ours" in chosen else None
    every = {
        "ours": method_ours(model) if model else None,
        "grow_from_seeds": method_grow,
        "random_walker": method_walker,
    }
    methods = {k: every[k] for k in chosen}
    if args.large:
        return _large(methods, args.clicks)
    groups = {"generated": generated_cases(args.scenes, args.cts)}
    if not args.no_real:
        groups["real"] = real_cases()
    print(f"model {model.path if model else '-'}, {os.cpu_count()} cores, threads {args.threads}")
    print("| case | method | Dice@1 | Dice@3 | Dice@5 | Dice@10 | NoC@85 | NoC@90 | s/click |")
    print("|---|---|---|---|---|---|---|---|---|")
    summary = {}
    for group, cases in groups.items():
        for name, image, target, spacing in cases:
            for mname, run in methods.items():
                curve, sec = robot(run, image, target, spacing, args.clicks)
                summary.setdefault((group, mname), []).append((curve, sec))
                print(_row(name, mname, curve, sec, args.clicks), flush=True)
    print("\nMeans (NoC counts a miss as clicks+1):")
    for (group, mname), rows in summary.items():
        curves = np.array([c for c, _ in rows])
        mean = curves.mean(axis=0)
        n85 = np.mean([noc(c, 0.85) for c in curves])
        n90 = np.mean([noc(c, 0.90) for c in curves])
        at = [mean[min(k, args.clicks) - 1] for k in (1, 3, 5, 10)]
        print(
            f"| mean {group} ({len(rows)}) | {mname} | "
            + " | ".join(f"{d:.3f}" for d in at)
            + f" | {n85:.1f} | {n90:.1f} | {np.mean([s for _, s in rows]):.2f} |"
        )


if __name__ == "__main__":
    main()
