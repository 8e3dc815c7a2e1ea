"""Train the shipped click-to-segment weights on generated data only (no real scan).

Usage (the command recorded in the model card)::

    PYTHONPATH=src python scripts/train_prompt_weights.py --out runs/prompt --steps 600 --seed 0

Writes the run (``best.safetensors``, ``last.pt``, ``metrics.json``) into ``--out``
and, with ``--install``, copies the best checkpoint to
``src/napari_seg/prompt/weights/prompt_default.safetensors``. The model card
(``weights/MODEL_CARD.md``) is written by hand from metrics.json and
``benchmarks/bench_prompt.py``. ``--max-minutes`` stops a run early (the best
checkpoint so far is kept and the card says how many steps were done).
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import torch

from napari_seg.prompt.model import default_weights
from napari_seg.prompt.train import PromptTrainConfig, train_prompt


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--steps", type=int, default=600)
    p.add_argument("--crop", type=int, default=48)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--synthetic-ct", type=int, default=4)
    p.add_argument("--max-minutes", type=float, default=0.0)
    p.add_argument("--resume", type=Path)
    p.add_argument("--init", type=Path, help="start from these prompt weights (fine-tune)")
    p.add_argument("--max-rounds", type=int, default=2, help="corrective-click rounds 0..N")
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--val-every", type=int, default=50)
    p.add_argument("--install", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    cfg = PromptTrainConfig(
        steps=args.steps,
        seed=args.seed,
        threads=args.threads,
        val_every=args.val_every,
        val_cases=12,
        max_rounds=args.max_rounds,
        lr=args.lr,
        synthetic_ct=args.synthetic_ct,
        crop=args.crop,
    )
    t0 = time.perf_counter()
    limit = args.max_minutes * 60

    def stop() -> bool:
        return bool(limit) and time.perf_counter() - t0 > limit

    def show(r: dict) -> None:
        print(
            f"step {r['step']}: loss {r['loss']:.3f} val Dice@1..5 {r['val_dice']} "
            f"{r['elapsed']:.0f} s",
            flush=True,
        )

    try:
        train_prompt(
            args.out, cfg, resume=args.resume, init=args.init, should_stop=stop, on_chunk=show
        )
    except Exception as exc:  # Cancelled by --max-minutes: keep the best so far
        print(f"stopped: {type(exc).__name__}")
    if args.install:
        dest = default_weights()
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(args.out / "best.safetensors", dest)
        print(f"installed {dest} ({dest.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
