"""How much a fine-tune on the user's own labelled objects closes the synthetic-to-real gap.

    PYTHONPATH=src python benchmarks/bench_prompt_finetune.py [--steps 60] [--seeds 0,1]

Fine-tunes the shipped prompt weights (:func:`napari_seg.prompt.finetune.finetune_prompt`)
on objects of real scans that are NOT evaluated: the right-hemisphere AAL deep
structures of the Colin27 T1 (caudate, putamen, pallidum, thalamus, hippocampus,
amygdala R) and the pyradiomics lung2 CT tumour and brain2 MR lesion. Then the
robot user (as in bench_prompt.py) scores the shipped and the fine-tuned weights
on held-out objects: caudate L, thalamus L, the lung1 tumour, the brain1 lesion,
and two generated scenes (to see forgetting).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _prompt_cases import _cut, _mricron, _pyradiomics, generated_cases
from bench_prompt import method_ours, noc, robot


def _cases():
    import nrrd

    from napari_seg.io import load_nifti

    train, test = [], []
    mri = _mricron()
    if mri is not None:
        t1 = load_nifti(mri / "ch2.nii.gz")
        aal, sp = load_nifti(mri / "aal.nii.gz").data, t1.geometry.spacing
        for v in (
            72,
            74,
            76,
            78,
            38,
            42,
        ):  # right caudate, putamen, pallidum, thalamus, hippocampus, amygdala
            _, im, m, s = _cut("", t1.data, aal == v, sp, margin_mm=40)
            train.append((im, m, s))
        test += [
            _cut("MRI caudate L", t1.data, aal == 71, sp),
            _cut("MRI thalamus L", t1.data, aal == 77, sp),
        ]
    rad = _pyradiomics()
    if rad is not None:

        def read(name):
            img, head = nrrd.read(str(rad / f"{name}_image.nrrd"))
            lab, _ = nrrd.read(str(rad / f"{name}_label.nrrd"))
            sp = np.linalg.norm(np.asarray(head["space directions"], float), axis=1)[::-1]
            return img.T, lab.T > 0, sp

        for name in ("lung2", "brain2"):
            _, im, m, s = _cut("", *read(name), margin_mm=40)
            train.append((im, m, s))
        test += [
            _cut("CT lung1 tumour", *read("lung1")),
            _cut("MRI brain1 lesion", *read("brain1")),
        ]
    return train, test + generated_cases(2, 0)


def _score(model, test, clicks: int) -> list[np.ndarray]:
    return [robot(method_ours(model), im, tg, sp, clicks)[0] for _, im, tg, sp in test]


def _line(name, label, curve, clicks) -> str:
    at = [curve[min(k, clicks) - 1] for k in (1, 3, 5)]
    return (
        f"| {name} | {label} | "
        + " | ".join(f"{d:.3f}" for d in at)
        + f" | {noc(curve, 0.85)} | {noc(curve, 0.90)} |"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--clicks", type=int, default=5)
    p.add_argument("--seeds", default="0", help="comma-separated fine-tune seeds")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    from napari_seg.prompt.finetune import finetune_prompt
    from napari_seg.prompt.model import load_prompt_model

    train, test = _cases()
    real = [not name.startswith("gen") for name, *_ in test]
    shipped = _score(load_prompt_model(device="cpu"), test, args.clicks)
    print("| case | weights | Dice@1 | Dice@3 | Dice@5 | NoC@85 | NoC@90 |")
    print("|---|---|---|---|---|---|---|")
    for (name, *_), curve in zip(test, shipped, strict=True):
        print(_line(name, "shipped", curve, args.clicks), flush=True)
    means = {"shipped": [np.mean([c[-1] for c, r in zip(shipped, real, strict=True) if r])]}
    for seed in (int(s) for s in args.seeds.split(",")):
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            path = finetune_prompt(train, tmp, steps=args.steps, seed=seed)
            curves = _score(load_prompt_model(path, device="cpu"), test, args.clicks)
        for (name, *_), curve in zip(test, curves, strict=True):
            print(_line(name, f"fine-tuned seed {seed}", curve, args.clicks), flush=True)
        means.setdefault("fine-tuned", []).append(
            np.mean([c[-1] for c, r in zip(curves, real, strict=True) if r])
        )
        gen = np.mean([c[-1] for c, r in zip(curves, real, strict=True) if not r])
        print(
            f"seed {seed}: {len(train)} objects, {args.steps} steps, "
            f"{time.perf_counter() - t0:.0f} s; generated Dice@{args.clicks} {gen:.3f}"
        )
    print(f"\nMean Dice@{args.clicks} over the {sum(real)} held-out real objects:")
    for label, vals in means.items():
        spread = (
            f" +- {np.std(vals, ddof=1):.3f} (sd over {len(vals)} seeds)" if len(vals) > 1 else ""
        )
        print(f"{label}: {np.mean(vals):.3f}{spread}")


if __name__ == "__main__":
    main()
