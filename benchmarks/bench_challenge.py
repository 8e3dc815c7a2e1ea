"""The Challenge on a generated spleen task: unet, a size-matched unet and axialunet, both arms.

Small on purpose, so it needs about 10 minutes of one CPU core: 12 synthetic CTs
(48x96x96 at 2.5x1.6x1.6 mm, 6 train / 6 validation, fixed split), trained at
5x3.2x3.2 mm on 16x32x32 patches, one torch thread per run; an equal-steps arm
(STEPS optimizer steps) and an equal-time arm (BUDGET_S seconds of the process's
CPU time: the machine it was recorded on was shared, and CPU time is what other
work cannot steal; ``--clock wall`` is the default elsewhere), 3 seeds each,
learning rate from the grid {3e-3, 1e-2} on a separate seed. Writes compare.md,
compare.json and the plots into ``benchmarks/challenge/`` (the run folders with
their checkpoints stay in a temporary folder and are deleted).

Run: ``python benchmarks/bench_challenge.py [OUT]``. The numbers are a smoke-scale
check of the protocol, not a verdict on real spleen CT (see docs/deep.md for the
Task09_Spleen command).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from _common import machine

from napari_seg.data.synthetic_task import make_synthetic_task
from napari_seg.deep.compare import compare_models
from napari_seg.deep.config import DataConfig, Protocol, TrainConfig

STEPS = 80
BUDGET_S = 12.0
DATA = DataConfig(
    target_spacing=(5.0, 3.2, 3.2), roi=(16, 32, 32), samples_per_volume=2, batch_size=2,
    cache="memory",
)  # fmt: skip
CFG = TrainConfig(size="fast", n_folds=2, fold=0, seed=0, device="cpu", data=DATA)
PROTOCOL = Protocol(
    steps=STEPS, budget_s=BUDGET_S, seeds=(0, 1, 2), lr_grid=(3e-3, 1e-2), evals=4,
    threads=1, target_dice=0.7, match_size=True, clock="cpu",
)  # fmt: skip


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "challenge"
    print(machine())
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        task = make_synthetic_task(
            Path(tmp) / "Task90_SyntheticSpleen", cases=12, test_cases=2,
            shape=(48, 96, 96), spacing=(2.5, 1.6, 1.6), seed=0,
        )  # fmt: skip
        runs = Path(tmp) / "runs"
        compare_models(task, runs, ["unet", "axialunet"], CFG, PROTOCOL)
        out.mkdir(parents=True, exist_ok=True)
        for name in ("compare.md", "compare.json", "compare_steps.png", "compare_budget.png"):
            shutil.copy(runs / name, out / name)
    print((out / "compare.md").read_text(encoding="utf-8"))
    print(f"total wall time {time.perf_counter() - t0:.0f} s; wrote {out}")


if __name__ == "__main__":
    main()
