"""Learning check (not CI): a CPU training on a synthetic task of 10 cases reaches
validation Dice >= 0.85 for the spleen, and how long it takes.

Prints the epoch, wall time and Dice when the target is first reached (or the best
Dice when the time budget runs out). Run: ``python benchmarks/bench_learning.py [seconds]``.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import time
from pathlib import Path

from _common import machine

from napari_seg.data.synthetic_task import make_synthetic_task
from napari_seg.deep.train import cpu_recipe, train
from napari_seg.progress import Cancelled

TARGET = 0.85


def main() -> None:
    budget = float(sys.argv[1]) if len(sys.argv) > 1 else 600.0
    cfg = cpu_recipe(epochs=200)
    t0 = time.perf_counter()
    reached: list[dict] = []
    history: list[dict] = []

    def on_epoch(record: dict) -> None:
        history.append(record)
        print(
            f"epoch {record['epoch']:3d}  loss {record['loss']:.4f}  val Dice "
            f"{record['val_dice']:.4f}  {time.perf_counter() - t0:6.1f} s",
            flush=True,
        )
        if record["val_dice"] is not None and record["val_dice"] >= TARGET and not reached:
            reached.append(record)

    with tempfile.TemporaryDirectory() as tmp:
        root = make_synthetic_task(
            Path(tmp) / "Task90",
            cases=10,
            test_cases=0,
            shape=(64, 160, 160),
            spacing=(2.5, 1.0, 1.0),
        )
        print(f"# {machine()}; 10 cases 64x160x160 (8 train, 2 val), unet fast at 3.0x2.4x2.4 mm")
        with contextlib.suppress(Cancelled):
            train(
                root,
                Path(tmp) / "out",
                cfg,
                on_epoch=on_epoch,
                should_stop=lambda: bool(reached) or time.perf_counter() - t0 > budget,
            )
    best = max((r["val_dice"] for r in history if r["val_dice"] is not None), default=0.0)
    if reached:
        r = reached[0]
        print(
            f"reached val Dice {r['val_dice']:.3f} >= {TARGET} at epoch {r['epoch']} after "
            f"{r['elapsed']:.0f} s (data prep and caching included: "
            f"{time.perf_counter() - t0:.0f} s total)"
        )
    else:
        print(f"not reached in {budget:.0f} s; best val Dice {best:.3f}")


if __name__ == "__main__":
    main()
