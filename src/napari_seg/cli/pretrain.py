"""``napari-seg pretrain``: denoising pre-training (DDeP) on every image of a task."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from ._common import TerminalProgress, bounded

__all__ = ["add_parser", "run_pretrain"]


def add_parser(sub: argparse._SubParsersAction, common: Callable[..., None]) -> None:
    from ..deep.pretrain import SIGMA

    p = sub.add_parser(
        "pretrain",
        help="denoising pre-training on a task's images (labels unused)",
        description="Writes DIR/pretrained.safetensors: the network learns to predict the "
        "noise eps in (x + sigma*eps)/sqrt(1 + sigma^2) on every image of the task, imagesTs "
        "included. Fine-tune it with train --init or compare --pretrained.",
    )
    common(p, epochs=False)
    p.add_argument("--model", default="unet")
    budget = p.add_mutually_exclusive_group(required=True)
    budget.add_argument("--steps", type=bounded(int, 1, 10_000_000), help="optimizer steps")
    budget.add_argument(
        "--budget-s", type=bounded(float, 0.0, 1e7, above=True), help="seconds of training"
    )
    p.add_argument("--sigma", type=bounded(float, 0.0, 10.0, above=True), default=SIGMA)
    p.add_argument(
        "--decoder-only", action="store_true", help="freeze the encoder (load it with --init)"
    )
    p.add_argument("--init", type=Path, help="start from this checkpoint's weights")
    p.set_defaults(func=run_pretrain)


def run_pretrain(args: argparse.Namespace) -> int:
    from ..deep.pretrain import pretrain
    from .train import _config

    result = pretrain(
        args.task,
        args.out,
        _config(args, args.model),
        steps=args.steps,
        budget_s=args.budget_s,
        sigma=args.sigma,
        decoder_only=args.decoder_only,
        init=args.init,
        progress=TerminalProgress("pretrain", enabled=not args.quiet),
    )
    last = result.history[-1]["loss"]
    print(f"{result.steps} steps in {result.seconds:.1f} s, final noise L2 loss {last:.4f}")
    print(f"checkpoint: {result.checkpoint}")
    return 0
