"""``napari-seg segment-batch``: many volumes, every method, on dask.distributed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..segment.methods import CLEANUP
from ._common import TerminalProgress, bounded
from .segment import UNET_OPTIONS, add_method_options, given, registry_options


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "segment-batch",
        help="segment a folder, a Decathlon task or a list of volumes on dask.distributed",
        description="Segment every volume of INPUT into OUTDIR/<case>.nii.gz with the same "
        "methods and options as `segment`. Runs on a local dask cluster (one worker process "
        "per core) or on an existing one (--scheduler). Cases whose output exists are "
        "skipped (a stopped batch resumes); a failing case is recorded in OUTDIR/batch.json "
        "and the batch goes on.",
    )
    p.add_argument(
        "input", type=Path,
        help="folder of NIfTI/NRRD files or of DICOM series, Decathlon task, or text file",
    )  # fmt: skip
    p.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    p.add_argument(
        "--split",
        choices=("test", "train"),
        default="test",
        help="images of a Decathlon task: imagesTs (test) or the training images",
    )
    p.add_argument("--workers", type=bounded(int, 1, 1024), help="local worker processes")
    p.add_argument("--scheduler", help="address of a running dask scheduler, tcp://host:8786")
    p.add_argument("--overwrite", action="store_true", help="redo cases whose output exists")
    p.add_argument("--channel", type=bounded(int, 0), default=0, help="channel of 4-D images")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_method_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..batch import segment_many

    if args.workers and args.scheduler:
        raise ValueError("--workers sizes a local cluster; an existing --scheduler has its own")
    unet = None
    cleanup = given(args, [q.name for q in CLEANUP])
    params = given(args, registry_options())
    if args.method == "unet":
        unet = given(args, UNET_OPTIONS)
        if "roi" in unet:
            unet["roi_size"] = unet.pop("roi")
        if "checkpoint" in unet:
            unet["checkpoint"] = str(unet["checkpoint"].resolve())
        params = {k: v for k, v in params.items() if k not in cleanup}  # refused by the core
    else:
        extra = [f"--{k.replace('_', '-')}" for k in given(args, UNET_OPTIONS)]
        if extra:
            raise ValueError(f"{', '.join(extra)}: only for --method unet")
    bar = TerminalProgress("cases", enabled=not args.quiet)
    result = segment_many(
        args.input,
        args.out,
        method=args.method,
        params=params,
        cleanup=cleanup if unet else None,
        unet=unet,
        split=args.split,
        channel=args.channel,
        workers=args.workers,
        scheduler=args.scheduler,
        overwrite=args.overwrite,
        progress=bar,
    )
    counts = {
        s: sum(1 for c in result.cases.values() if c["status"] == s)
        for s in ("done", "skipped", "failed")
    }
    print(
        f"{args.out}: {counts['done']} done, {counts['skipped']} skipped, "
        f"{counts['failed']} failed in {result.seconds:.1f} s; report {result.report}"
    )
    for name in result.failed:
        print(f"failed: {name}: {result.cases[name]['error']}", file=sys.stderr)
    return 1 if result.failed else 0
