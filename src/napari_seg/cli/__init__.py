"""The ``napari-seg`` command line: the same core functions the widgets call."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from . import evaluate as _evaluate
from . import segment as _segment
from . import train as _train

__all__ = ["build_parser", "main"]


def _add_demo(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="run every method on the synthetic CT and print Dice/IoU",
        description="Write the synthetic CT and its ground truth as NIfTI into --out, run "
        "each segmentation method, write its labels, and print Dice and IoU per method.",
    )
    p.add_argument("--out", type=Path, default=Path("napari-seg-demo"), help="output folder")
    p.add_argument("--shape", type=int, nargs=3, metavar=("Z", "Y", "X"), default=(96, 192, 192))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--gui", action="store_true", help="open the results in napari")
    p.add_argument(
        "--no-unet",
        action="store_true",
        help="skip training and running the small U-Net (saves ~30 s)",
    )
    p.set_defaults(func=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    from ..demo import DEMO_METHODS, DemoMethod, format_table, run_demo

    methods = dict(DEMO_METHODS)
    if not args.no_unet:
        from ..demo_unet import train_demo_unet

        print("training a small U-Net on 6 other synthetic cases (CPU)...", flush=True)
        methods["unet(fast)"] = DemoMethod(train_demo_unet(Path(args.out)))
    ct, rows = run_demo(args.out, shape=tuple(args.shape), seed=args.seed, methods=methods)
    print(f"synthetic CT {ct.image.shape} at {ct.spacing} mm, seed {ct.seed} -> {args.out}/")
    print("foreground Dice/IoU against each method's target ground truth:")
    print(format_table(rows))
    if args.gui:
        from .._napari._launch import show_demo

        show_demo(args.out, rows)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``napari-seg`` (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="napari-seg",
        description="Volumetric segmentation: NIfTI/Decathlon I/O, classical methods, "
        "U-Net inference and training, and metrics. Same core as the napari plugin.",
    )
    parser.add_argument("--version", action="version", version=f"napari-seg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_demo(sub)
    _segment.add_parser(sub)
    _evaluate.add_parser(sub)
    _train.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``napari-seg`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (ValueError, OSError) as exc:  # our error types subclass these
        print(f"napari-seg {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
