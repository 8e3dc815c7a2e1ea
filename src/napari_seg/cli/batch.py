"""``napari-seg segment-batch``: many volumes, every method, on dask.distributed."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from ..segment.methods import CLEANUP
from ..segment.registry import check_segment_options
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
    p.add_argument(
        "--workers",
        type=bounded(int, 1, 1024),
        help="local worker processes (default one per core; capped by cores, cases and memory)",
    )
    p.add_argument("--scheduler", help="address of a running dask scheduler, tcp://host:8786")
    p.add_argument(
        "--connect-timeout",
        type=bounded(float, 0.0, 3600.0, above=True),
        default=None,
        metavar="S",
        help="seconds to wait for --scheduler and its first worker (default 30)",
    )
    p.add_argument("--overwrite", action="store_true", help="redo cases whose output exists")
    p.add_argument("--channel", type=bounded(int, 0), default=0, help="channel of 4-D images")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_method_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.workers and args.scheduler:
        raise ValueError("--workers sizes a local cluster; an existing --scheduler has its own")
    if args.connect_timeout is not None and not args.scheduler:
        raise ValueError("--connect-timeout: only with --scheduler")
    if not args.debug:  # dask's own log lines stay off the terminal; failures print one line each
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
    cleanup = given(args, [q.name for q in CLEANUP])
    unet = given(args, UNET_OPTIONS)
    params = {k: v for k, v in given(args, registry_options()).items() if k not in unet}
    check_segment_options(args.method, params, unet)  # the same check as `segment`'s
    if args.method == "unet":
        if "checkpoint" in unet:
            unet["checkpoint"] = str(unet["checkpoint"].resolve())
        params = {k: v for k, v in params.items() if k not in cleanup}
    else:
        unet = None
    bar = TerminalProgress("cases", enabled=not args.quiet)
    try:
        result = _segment_many(args, params, cleanup, unet, bar)
    except KeyboardInterrupt:
        print(
            f"napari-seg segment-batch: interrupted; {args.out / 'batch.json'} records the "
            "finished cases (run again to resume)",
            file=sys.stderr,
        )
        return 130
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
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


def _segment_many(args, params, cleanup, unet, bar):
    from ..batch import segment_many

    return segment_many(
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
        connect_timeout=30.0 if args.connect_timeout is None else args.connect_timeout,
        debug=args.debug,
        progress=bar,
    )
