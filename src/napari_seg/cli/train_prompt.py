"""``napari-seg train-prompt``: train the click-to-segment network (simulated clicks)."""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path

from ._common import TerminalProgress, bounded

#: Help and range of every PromptTrainConfig field that is a command-line option.
OPTIONS: dict[str, tuple[str, float, float | None]] = {
    "steps": ("optimisation steps", 1, 10**7),
    "batch_size": ("windows per step", 1, 256),
    "lr": ("peak learning rate (cosine decay)", 0.0, 10.0),
    "crop": ("working window, voxels per axis", 16, 256),
    "base_mm": ("finest working spacing in mm", 0.05, 20.0),
    "sigma_mm": ("click Gaussian width in mm", 0.1, 50.0),
    "max_rounds": ("most simulated corrective clicks before a step", 0, 20),
    "val_every": ("steps between held-out scores and checkpoints", 1, 10**6),
    "val_cases": ("held-out windows scored by the robot user", 1, 10_000),
    "seed": ("seed of every random choice", 0, 2**32 - 1),
    "threads": ("CPU threads (0: torch's default)", 0, 1024),
    "synthetic_ct": ("synthetic CT volumes mixed into generated training", 0, 1000),
}


def add_parser(sub: argparse._SubParsersAction) -> None:
    from ..prompt.config import PromptTrainConfig

    p = sub.add_parser(
        "train-prompt",
        help="train the click-to-segment network on a labelled task or generated scenes",
        description="TASK is a labelled Decathlon task folder (every object a target), or "
        "'generated' for made-up organs and lesions. Writes DIR/best.safetensors, DIR/last.pt "
        "and DIR/metrics.json.",
    )
    p.add_argument("task", help="Decathlon task folder, or 'generated'")
    p.add_argument("--out", type=Path, required=True)
    defaults = PromptTrainConfig()
    for f in fields(PromptTrainConfig):
        if f.name not in OPTIONS:
            continue
        text, low, high = OPTIONS[f.name]
        kind = type(getattr(defaults, f.name))
        p.add_argument(
            "--" + f.name.replace("_", "-"),
            type=bounded(kind, low, high, above=kind is float),
            default=getattr(defaults, f.name),
            help=f"{text} (default {getattr(defaults, f.name)})",
        )
    p.add_argument(
        "--per-label",
        action="store_true",
        help="each label value as a whole is a target (default: every connected component)",
    )
    p.add_argument("--resume", type=Path, help="a last.pt from an earlier run")
    p.add_argument("--init", type=Path, help="start from this prompt checkpoint (fine-tuning)")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..prompt.config import PromptTrainConfig
    from ..prompt.train import train_prompt

    task = None if args.task == "generated" else Path(args.task)
    if task is not None and not (task / "dataset.json").is_file():
        raise ValueError(
            f"{task}: not a Decathlon task folder (no dataset.json); or use 'generated'"
        )
    cfg = PromptTrainConfig(
        **{k: getattr(args, k) for k in OPTIONS}, class_agnostic=not args.per_label
    )

    def show(r: dict) -> None:
        if not args.quiet:
            print(
                f"step {r['step']}: loss {r['loss']:.4f}  held-out Dice after 1..5 clicks "
                f"{r['val_dice']}  {r['elapsed']:.0f} s"
            )

    train_prompt(
        args.out,
        cfg,
        task=task,
        resume=args.resume,
        init=args.init,
        progress=TerminalProgress("train-prompt", enabled=not args.quiet),
        on_chunk=show,
    )
    print(
        f"best checkpoint: {args.out / 'best.safetensors'}\nmetrics: {args.out / 'metrics.json'}"
    )
    return 0
