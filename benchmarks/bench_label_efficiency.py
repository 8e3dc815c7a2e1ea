"""Label efficiency on a generated spleen task: fine-tuning the fast U-Net with 1, 2, 4, 8
labelled cases, from scratch and from denoising pre-training (DDeP), equal fine-tuning time.

16 synthetic CTs (8 train / 8 validation, fixed split) plus 2 test images; the
pre-training sees all 18 images (labels unused), PRETRAIN_STEPS steps. Each
fine-tuning run gets BUDGET_S seconds of process CPU time (one thread), 3 seeds.
Writes ``benchmarks/challenge/label_efficiency.md`` and ``.json``.

Run: ``python benchmarks/bench_label_efficiency.py [OUT]`` (about 10 minutes of one core).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from _common import machine
from bench_challenge import CFG

from napari_seg.data.synthetic_task import make_synthetic_task
from napari_seg.deep.compare import compare_models
from napari_seg.deep.config import Protocol
from napari_seg.deep.pretrain import pretrain

PRETRAIN_STEPS = 300
BUDGET_S = 12.0
LR = 1e-2


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "challenge"
    print(machine())
    t0 = time.perf_counter()
    cfg = replace(CFG, lr=LR)
    with tempfile.TemporaryDirectory() as tmp:
        task = make_synthetic_task(
            Path(tmp) / "Task90_SyntheticSpleen", cases=16, test_cases=2, seed=1
        )
        pre = pretrain(task, Path(tmp) / "pre", cfg, steps=PRETRAIN_STEPS)
        print(f"pre-training: {pre.steps} steps, {pre.seconds:.0f} s, loss "
              f"{pre.history[0]['loss']:.3f} -> {pre.history[-1]['loss']:.3f}")  # fmt: skip
        protocol = Protocol(
            budget_s=BUDGET_S, seeds=(0, 1, 2), evals=2, threads=1, clock="cpu",
            labelled=(1, 2, 4, 8), pretrained=str(pre.checkpoint),
        )  # fmt: skip
        runs = Path(tmp) / "runs"
        content = compare_models(task, runs, ["unet"], cfg, protocol)
        out.mkdir(parents=True, exist_ok=True)
        text = (runs / "compare.md").read_text(encoding="utf-8")
        study = text[text.index("## Label efficiency") :]
        note = (
            f"\nPre-training: {pre.steps} steps of DDeP denoising (sigma 0.22) on all 18 images "
            f"(16 training + 2 test, labels unused), {pre.seconds:.0f} s; noise L2 loss "
            f"{pre.history[0]['loss']:.3f} -> {pre.history[-1]['loss']:.3f}. Fine-tuning: fast "
            "U-Net, lr 1e-2, 16 synthetic cases split 8 train / 8 validation, the first N of the "
            "8 labelled; Dice at original spacing on the 8 validation cases, mean ± SD over "
            "seeds 0, 1, 2; CI: percentile bootstrap over cases (paired) and seeds.\n"
        )
        (out / "label_efficiency.md").write_text(study[1:] + note, encoding="utf-8")
        keep = {"protocol": content["protocol"], "label_efficiency": content["label_efficiency"],
                "pretrain": {"steps": pre.steps, "seconds": pre.seconds,
                             "loss_first": pre.history[0]["loss"],
                             "loss_last": pre.history[-1]["loss"]}}  # fmt: skip
        (out / "label_efficiency.json").write_text(json.dumps(keep, indent=2), encoding="utf-8")
        shutil.rmtree(runs)
    print((out / "label_efficiency.md").read_text(encoding="utf-8"))
    print(f"total wall time {time.perf_counter() - t0:.0f} s; wrote {out}")


if __name__ == "__main__":
    main()
