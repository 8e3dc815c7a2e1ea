"""Fine-tune on one corrected case: Dice before/after, on it and on held-out cases.

A "fast" U-Net is trained on 6 synthetic cases (``cpu_recipe``, few epochs, so it is
imperfect, as a model meeting a new site is). Three unseen cases (other seeds): case A
is "corrected" (its ground truth stands in for the user's correction) and the model is
fine-tuned on it for at most 60 s (``napari_seg.deep.finetune``); B and C are held out.
Reported: Dice on A, B, C before and after, without and with replay of the 6 training
cases. Baseline in the same process: the model before fine-tuning. The number that
matters is the held-out one: a fine-tune that only memorises A would lower B and C.

    .venv/bin/python benchmarks/bench_finetune.py [--epochs 20] [--steps 200]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import machine

from napari_seg.data.synthetic import make_synthetic_ct
from napari_seg.data.synthetic_task import make_synthetic_task
from napari_seg.deep.checkpoint import load_checkpoint
from napari_seg.deep.finetune import finetune
from napari_seg.deep.inference import predict
from napari_seg.deep.train import cpu_recipe, train
from napari_seg.metrics import overlap_metrics

SHAPE, SPACING = (64, 128, 128), (2.5, 1.2, 1.2)


def dice(checkpoint: Path, case) -> float:
    model, meta = load_checkpoint(checkpoint)
    geo = case.geometry
    labels = predict(case.image, geo, model, meta, device="cpu", overlap=0.25).labels
    return overlap_metrics(labels, case.spleen.astype(labels.dtype), labels=[1])["labels"]["1"][
        "dice"
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--steps", type=int, default=200)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-finetune-"))
    task = make_synthetic_task(
        work / "Task90", cases=6, test_cases=0, shape=SHAPE, spacing=SPACING, seed=1000
    )
    t0 = time.perf_counter()
    base = train(task, work / "run", cpu_recipe(epochs=args.epochs, val_every=args.epochs))
    print(machine())
    took = time.perf_counter() - t0
    print(f"base model: fast U-Net, {args.epochs} epochs on 6 cases, {took:.0f} s")
    unseen = {
        k: make_synthetic_ct(SHAPE, spacing=SPACING, seed=s)
        for k, s in (("A (corrected)", 2001), ("B (held out)", 2002), ("C (held out)", 2003))
    }
    before = {k: dice(base.best_checkpoint, c) for k, c in unseen.items()}
    a = unseen["A (corrected)"]
    rows = []
    for label, replay in (("fine-tune on A", None), ("fine-tune on A + replay", task)):
        t0 = time.perf_counter()
        result = finetune(
            base.best_checkpoint,
            a.image,
            a.spleen.astype("uint8"),
            a.geometry,
            steps=args.steps,
            replay=replay,
            device="cpu",
            case="A",
            lr=3e-4,
        )
        seconds = time.perf_counter() - t0
        after = {k: dice(result.checkpoint, c) for k, c in unseen.items()}
        rows.append((label, seconds, after))
    print(f"{'':28}" + "".join(f"{k:>16}" for k in unseen))
    print(f"{'before (baseline)':28}" + "".join(f"{v:16.3f}" for v in before.values()))
    for label, seconds, after in rows:
        print(
            f"{label + f' ({seconds:.0f} s)':28}" + "".join(f"{v:16.3f}" for v in after.values())
        )
    held = [k for k in unseen if "held" in k]
    for label, _, after in rows:
        gain = sum(after[k] - before[k] for k in held) / len(held)
        print(f"{label}: held-out Dice change {gain:+.3f}")


if __name__ == "__main__":
    main()
