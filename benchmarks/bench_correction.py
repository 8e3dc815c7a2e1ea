"""A simulated user: steps from a poor threshold of the spleen to Dice 0.95, tools vs brush.

Starts on the synthetic CT (96x192x192): a manual window of 100..160 HU with no
smoothing or clean-up (noisy, leaking), and the demo's window recipe (Dice 0.83).
Each step looks at the largest error blob (missed or extra voxels, 26-connected), as
a user reads the error overlay, then:

* tool user (ours): applies the one Correct-dock tool that helps most there: delete
  or keep the clicked object, remove islands below 200 mm³, close 2 mm, grow region
  from a click in a missed blob, grow the label 1 mm;
* paint-only user (baseline): one brush stroke, a 2-D disc on the blob's deepest
  voxel, as large as fits in the blob on that slice (1..10 px, up to 8 mm): painting
  the spleen (missed) or erasing (extra), a careful hand.

Clicks to a Dice target is how interactive tools are compared in the literature.

    .venv/bin/python benchmarks/bench_correction.py
"""

from __future__ import annotations

import time

import _real
import cc3d
import numpy as np
from _common import machine

from napari_seg import edit
from napari_seg.data.recipes import RECIPES
from napari_seg.data.synthetic import make_synthetic_ct
from napari_seg.metrics import overlap_metrics
from napari_seg.segment import threshold
from napari_seg.segment.recipes import run_recipe

TARGET = 0.95


def dice(labels: np.ndarray, truth: np.ndarray) -> float:
    scores = overlap_metrics((labels == 1).view(np.uint8), truth.view(np.uint8), labels=[1])
    return scores["labels"]["1"]["dice"]


def worst_blob(labels: np.ndarray, truth: np.ndarray) -> tuple[str, np.ndarray]:
    """('missed' or 'extra', voxel inside the largest error blob)."""
    best = ("missed", None, 0)
    for kind, wrong in (("missed", truth & (labels != 1)), ("extra", (labels == 1) & ~truth)):
        cc = cc3d.connected_components(wrong.view(np.uint8), connectivity=26)
        sizes = np.bincount(cc.reshape(-1))
        sizes[0] = 0
        if sizes.max() > best[2]:
            blob = cc == int(np.argmax(sizes))
            inside = edt_deepest(blob)
            best = (kind, inside, int(sizes.max()))
    return best[0], best[1]


def edt_deepest(mask: np.ndarray) -> np.ndarray:
    import edt

    depth = edt.edt(mask.view(np.uint8))
    return np.asarray(np.unravel_index(int(np.argmax(depth)), mask.shape))


def tool_step(labels, truth, image, spacing) -> tuple[np.ndarray, str]:
    kind, at = worst_blob(labels, truth)
    p = tuple(at)
    candidates = {
        "remove islands": lambda: edit.remove_islands(
            labels, label=1, min_mm3=200, spacing=spacing
        ),
        "close 2 mm": lambda: edit.smooth_label(
            labels, label=1, method="closing", mm=2.0, spacing=spacing
        ),
        "margin +1 mm": lambda: edit.margin(labels, label=1, mm=1.0, spacing=spacing),
    }
    if kind == "extra":
        candidates["delete at click"] = lambda: edit.delete_object(labels, p)
        right = np.argwhere((labels == 1) & truth)
        if right.size and labels[p] == 1:  # split the leak off at its neck, then delete it
            q = tuple(right[len(right) // 2])

            def split_off():
                try:
                    parts = edit.split_object(labels, q, p, spacing=spacing)
                except Exception:  # the leak is not one object with the click: no help
                    return labels
                return np.where(parts == parts[p], 0, labels).astype(labels.dtype)

            candidates["split off + delete (3 clicks)"] = split_off
    else:

        def grow():
            region = edit.grow_region(image, p, spacing=spacing, max_radius_mm=40)
            return np.where(region & (labels == 0), 1, labels).astype(labels.dtype)

        candidates["grow region at click"] = grow
    if labels[p] == 1 or kind == "missed":
        inside = np.argwhere((labels == 1) & truth)
        if inside.size:
            centre = tuple(inside[len(inside) // 2])
            candidates["keep clicked island"] = lambda: edit.keep_island(labels, centre)
    scored = {name: fn() for name, fn in candidates.items()}
    name = max(scored, key=lambda n: dice(scored[n], truth))
    return scored[name], name


def brush_step(labels, truth, largest: int = 10) -> np.ndarray:
    import edt

    kind, at = worst_blob(labels, truth)
    z, y, x = at
    wrong = truth[z] & (labels[z] != 1) if kind == "missed" else (labels[z] == 1) & ~truth[z]
    radius = int(np.clip(edt.edt(wrong.view(np.uint8))[y, x], 1, largest))
    out = labels.copy()
    yy, xx = np.ogrid[: labels.shape[1], : labels.shape[2]]
    disc = (yy - y) ** 2 + (xx - x) ** 2 <= radius**2
    out[z][disc] = 1 if kind == "missed" else 0
    return out


def simulate(step, start, truth, limit: int, target: float = TARGET):
    """Steps until Dice >= ``target`` (or ``limit``): (steps, Dice, tools used)."""
    labels, used = start.copy(), []
    for n in range(limit + 1):
        score = dice(labels, truth)
        if score >= target:
            return n, score, used
        labels, name = step(labels)
        used.append(name)
    return limit, dice(labels, truth), used


def main() -> None:
    real()
    ct = make_synthetic_ct(seed=0)
    truth = ct.spleen != 0
    starts = {
        "noisy window 100..160 HU": threshold(ct.image, method="manual", low=100, high=160),
        "the demo's window recipe": run_recipe(
            RECIPES["window+opening+largest"], ct.image, spacing=ct.spacing
        )["spleen"],
    }
    print(f"{machine()}; CT {ct.image.shape}; target Dice {TARGET}")
    for name, start in starts.items():
        print(f"\nstart: {name} (Dice {dice(start, truth):.3f})")
        t0 = time.perf_counter()
        n_tool, d_tool, used = simulate(
            lambda lab: tool_step(lab, truth, ct.image, ct.spacing), start, truth, 30
        )
        t_tool = time.perf_counter() - t0
        n_brush, d_brush, _ = simulate(
            lambda lab: (brush_step(lab, truth), "stroke"), start, truth, 600
        )
        print(f"tool user (ours):  {n_tool:4d} steps to Dice {d_tool:.3f}  ({t_tool:.1f} s)")
        print(f"  tools used: {', '.join(used)}")
        reached = "" if d_brush >= TARGET else " (not reached: stopped at the limit)"
        print(f"paint-only user:   {n_brush:4d} steps to Dice {d_brush:.3f}{reached}")
        more = ">" if d_brush < TARGET else ""
        print(f"ratio: {more}{n_brush / max(n_tool, 1):.0f}x fewer steps with the tools")


def real(target: float = 0.90) -> None:
    """Real scans (``_real.py``): a leaky threshold around the target, tools vs brush."""
    print(f"{machine()}; real scans; target Dice {target}")
    cases = []
    ct = _real.try_load(_real.ct_lung, "lung2")
    if ct is not None:
        tumour = ct.masks["tumour"]
        box = _box(tumour, 20.0, ct.spacing)
        start = threshold(ct.image[box], method="manual", low=-300, high=300)
        name = "CT lung2 tumour, window -300..300 HU within 20 mm"
        cases.append((name, ct.image[box], tumour[box], ct.spacing, start))
    mri = _real.try_load(_real.mri_colin27)
    if mri is not None:
        start = threshold(mri.image, method="otsu")
        cases.append(("MRI Colin27 brain, Otsu threshold", mri.image, mri.masks["brain"],
                      mri.spacing, start))  # fmt: skip
    for name, image, truth, spacing, start in cases:
        start = (start != 0).view(np.uint8)
        print(f"\nstart: {name} (Dice {dice(start, truth):.3f})")
        t0 = time.perf_counter()
        n_tool, d_tool, used = simulate(
            lambda lab, i=image, t=truth, s=spacing: tool_step(lab, t, i, s), start, truth, 10,
            target,
        )  # fmt: skip
        t_tool = time.perf_counter() - t0
        n_brush, d_brush, _ = simulate(
            lambda lab, t=truth: (brush_step(lab, t), "stroke"), start, truth, 150, target
        )
        print(f"tool user (ours):  {n_tool:4d} steps to Dice {d_tool:.3f}  ({t_tool:.1f} s); "
              f"tools used: {', '.join(used)}")  # fmt: skip
        print(f"paint-only user:   {n_brush:4d} steps to Dice {d_brush:.3f}")
    print()


def _box(mask: np.ndarray, margin_mm: float, spacing) -> tuple[slice, ...]:
    """The mask's bounding box widened by ``margin_mm``."""
    idx = np.argwhere(mask)
    reach = np.ceil(margin_mm / np.asarray(spacing)).astype(int)
    lo = np.maximum(idx.min(axis=0) - reach, 0)
    hi = np.minimum(idx.max(axis=0) + reach + 1, mask.shape)
    return tuple(slice(int(a), int(b)) for a, b in zip(lo, hi, strict=True))


if __name__ == "__main__":
    main()
