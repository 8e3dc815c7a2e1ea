"""The ``napari-seg`` command line: the same core functions the widgets call."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from .. import __version__
from .._errors import one_line
from . import batch as _batch
from . import demo as _demo
from . import edit as _edit
from . import evaluate as _evaluate
from . import finetune as _finetune
from . import inspect as _inspect
from . import segment as _segment
from . import train as _train
from . import train_prompt as _train_prompt
from ._quiet import one_line_warnings

__all__ = ["build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """argparse, but an option error is one line (no usage block), like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``napari-seg`` (exposed for documentation and tests)."""
    parser = _Parser(
        prog="napari-seg",
        description="Volumetric segmentation: NIfTI/Decathlon I/O, classical methods, "
        "U-Net inference and training, and metrics. Same core as the napari plugin.",
    )
    parser.add_argument("--version", action="version", version=f"napari-seg {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _demo.add_parser(sub)
    _segment.add_parser(sub)
    _batch.add_parser(sub)
    _evaluate.add_parser(sub)
    _train.add_parsers(sub)
    _inspect.add_parsers(sub)
    _train_prompt.add_parser(sub)
    _edit.add_parser(sub)
    _finetune.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``napari-seg`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    if not args.debug:
        one_line_warnings()
    try:
        return int(args.func(args) or 0)
    except Exception as exc:  # one line, exit 2; --debug shows the traceback
        if args.debug:
            raise
        print(f"napari-seg {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2


def _one_line(exc: BaseException) -> str:
    """What ``main`` prints for an error (tests patch it to see the exception type)."""
    return one_line(exc, hint=" (rerun with --debug for the traceback)")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
