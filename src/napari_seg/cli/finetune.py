"""``napari-seg finetune``: the U-Net dock's "fine-tune on this correction", headless.

Options come from the ``finetune`` operation (:data:`~napari_seg.deep.params.FINETUNE_PARAMS`),
as the dock's. The checkpoint is never overwritten: the result is the next free
``<name>.ft<N>.safetensors`` beside it, and the correction is saved first (atomic
NIfTI in ``<checkpoint folder>/corrections/``) unless ``--no-keep-correction``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..deep.params import FINETUNE_PARAMS
from ..io import load_volume
from ..io.kinds import as_labels
from ._common import TerminalProgress, device_name
from ._params import add_params, with_defaults

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "finetune",
        help="fine-tune a checkpoint on one corrected case (writes <name>.ft<N>.safetensors)",
        description="Fine-tune CHECKPOINT on IMAGE with the corrected LABELS (same grid), "
        "optionally mixing in cases of a --replay task; writes the next free "
        "<name>.ft<N>.safetensors beside CHECKPOINT (never over it) and saves the correction "
        "in <checkpoint folder>/corrections/ first.",
    )
    p.add_argument("checkpoint", type=Path, help="the network that made the prediction")
    p.add_argument("image", type=Path, help="the case's image: NIfTI, NRRD or a DICOM series")
    p.add_argument("labels", type=Path, help="the corrected labels on the image's grid")
    p.add_argument("--replay", type=Path, help="a Decathlon task whose cases are mixed in")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_params(p, [q for q in FINETUNE_PARAMS if q.name != "case"], types={"device": device_name})
    p.add_argument("--case", metavar="STR", help="Name of the corrected case (provenance, file "
                   "name); default: the LABELS file's name")  # fmt: skip
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.checkpoint.is_file():
        raise ValueError(f"{args.checkpoint}: no such checkpoint file")
    image = load_volume(args.image)
    vol = load_volume(args.labels)
    labels = as_labels(vol.data, args.labels)
    if labels.shape != image.data.shape[-3:]:
        raise ValueError(
            f"{args.labels}: shape {labels.shape} differs from the image {image.data.shape[-3:]}"
        )
    image.geometry.check_same_grid(vol.geometry, what=f"{args.labels} and {args.image}")
    options = with_defaults(args, FINETUNE_PARAMS)
    if args.case is None:  # the corrected file names the case (and its saved copy)
        options["case"] = args.labels.name.split(".")[0] or "correction"
    from ..deep.finetune import finetune  # torch loads only now

    result = finetune(
        args.checkpoint,
        image.data,
        labels,
        image.geometry,
        replay=args.replay,
        progress=TerminalProgress("finetune", enabled=not args.quiet),
        **options,
    )
    if result.correction is not None:
        print(f"correction saved: {result.correction}")
    print(
        f"{args.checkpoint.name}: {len(result.losses)} steps in {result.seconds:.1f} s, "
        f"final loss {result.losses[-1]:.4f} -> {result.checkpoint}"
    )
    return 0
