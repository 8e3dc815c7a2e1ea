"""``napari-seg edit TOOL``: every Correct tool headless, built from the registry.

One subcommand per tool of :mod:`napari_seg.edit.tools` (the Correct dock's
tools, with the same options, limits and defaults). It reads a labels file (and
the image or other labels the tool needs, on the same grid), applies the tool with
the dock's protections (``--locked``, ``--preserve-labels``) and writes the labels
with the source geometry, atomically, never over an input.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from .._files import refuse_overwriting_inputs
from ..edit import protect
from ..edit.tools import edit_tools, run_edit
from ..io import load_volume, save_volume
from ..io.kinds import as_labels
from ..ops import Operation
from ..segment._validate import SegmentationError
from ..volume import Volume
from ._common import label_list
from ._params import add_params, given_params
from .segment import same_grid

__all__ = ["add_parser", "run"]

_POINT = "a clicked voxel Z Y X (array indices of LABELS)"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "edit",
        help="correct a labels file with one of the Correct dock's tools",
        description="Apply a Correct tool to LABELS and write the result to -o OUT with "
        "LABELS' geometry (the input is never overwritten). Click tools take --point Z Y X "
        "(voxel indices), as many as the tool needs.",
    )
    tools = p.add_subparsers(dest="tool", metavar="TOOL", required=True)
    for op in edit_tools().values():
        _add_tool(tools, op)


def _add_tool(tools: argparse._SubParsersAction, op: Operation) -> None:
    t = tools.add_parser(op.name, help=op.help.rstrip("."), description=op.help)
    t.add_argument("labels", type=Path, help="labels file: NIfTI, NRRD, .seg.nrrd, DICOM SEG")
    t.add_argument("-o", "--out", type=Path, required=True, help="output labels file")
    clicks = op.extra["clicks"]
    if clicks:
        t.add_argument(
            "--point",
            type=float,
            nargs=3,
            action="append",
            required=True,
            metavar=("Z", "Y", "X"),
            help=f"{_POINT}; give it {clicks} time(s)",
        )
    if "image" in op.extra["needs"]:
        t.add_argument("--image", type=Path, required=True, help="intensities on LABELS' grid")
    if "other" in op.extra["needs"]:
        what = "scribbles" if "image" in op.extra["needs"] else "the other operand"
        t.add_argument("--other", type=Path, required=True, help=f"labels on LABELS' grid: {what}")
    add_params(t, op.params)
    t.add_argument(
        "--locked",
        type=label_list,
        default=[],
        help="labels no tool may change, e.g. 2,3; default none",
    )
    t.add_argument("--preserve-labels", action="store_true", help="write into background (0) only")
    t.set_defaults(func=run, operation=op)


def run(args: argparse.Namespace) -> int:
    op: Operation = args.operation
    image, other = getattr(args, "image", None), getattr(args, "other", None)
    refuse_overwriting_inputs(args.out, [args.labels, image, other], option="-o/--out")
    points = getattr(args, "point", None) or []
    if len(points) != op.extra["clicks"]:
        raise ValueError(f"--point: {op.name} takes {op.extra['clicks']}, got {len(points)}")
    vol = load_volume(args.labels)
    labels = as_labels(vol.data, args.labels)
    like = Volume(labels, vol.geometry)
    try:
        new = run_edit(
            op.name,
            labels,
            points,
            spacing=vol.geometry.spacing_mm,  # options in mm, whatever the file's unit
            image=same_grid(image, like),  # `segment`'s check of --mask, --image
            other=same_grid(other, like),
            **given_params(args, op.params),
        )
    except SegmentationError as exc:  # "<file or option>: <reason>", as every command
        raise ValueError(f"{_culprit(args, points, str(exc))}: {exc}") from None
    new = protect(labels, new, preserve_labels=args.preserve_labels, locked=args.locked)
    out = save_volume(new, vol.geometry, args.out, kind="labels", segments=vol.segments)
    changed = int(np.count_nonzero(new != labels))
    print(f"{args.labels.name}: edit {op.name} -> {out} ({changed:,} voxel(s) changed)")
    return 0


def _culprit(args: argparse.Namespace, points: list, reason: str) -> str:
    """What a tool's refusal is about: the clicks, the label value, or else the labels file."""
    if "click" in reason:
        return " ".join("--point " + " ".join(f"{c:g}" for c in p) for p in points)
    if reason.startswith("label ") and getattr(args, "label", None) is not None:
        return f"--label {args.label}"
    return str(args.labels)
