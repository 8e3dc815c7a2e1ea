"""``napari-seg train``, ``compare`` and ``make-synthetic-task``."""

from __future__ import annotations

import argparse
import json
import math
import os
from pathlib import Path

from ._common import TerminalProgress, device_name
from ._params import add_params, with_defaults


def _common(p: argparse.ArgumentParser, *, epochs: bool = True) -> None:
    """Options of train, compare and pretrain, from the ``train`` operation's declarations
    (:data:`~napari_seg.deep.params.TRAIN_PARAMS`: the Train dock's limits and defaults)."""
    from ..deep.params import TRAIN_PARAMS

    p.add_argument("task", type=Path, help="Decathlon task folder")
    p.add_argument("--out", type=Path, required=True)
    shown = [q for q in TRAIN_PARAMS if epochs or q.name != "epochs"]
    add_params(p, shown, types={"device": device_name})
    if not epochs:  # compare/pretrain count steps or seconds: say so instead of "unrecognized"
        p.add_argument("--epochs", action=_NoEpochs, help=argparse.SUPPRESS)
    p.add_argument(
        "--fold",
        type=fold_value,
        default=0,
        help="validation fold 0..FOLDS-1, or all: train and validate on every labelled case; "
        "default 0",
    )
    p.add_argument("--quiet", action="store_true")


class _NoEpochs(argparse.Action):
    """``compare --epochs``: refused with the options that replaced it."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        parser.error(
            "--epochs does not apply here: runs are given equal budgets; use --steps N "
            "(optimizer steps) or --budget-s SECONDS"
        )


def _filled(args: argparse.Namespace) -> argparse.Namespace:
    """``args`` with every training option not given set to its declared default."""
    from ..deep.params import TRAIN_PARAMS

    for name, value in with_defaults(args, TRAIN_PARAMS).items():
        setattr(args, name, value)
    return args


def add_parsers(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser(
        "train",
        help="train a network on a Decathlon task",
        description="Writes DIR/best.safetensors, DIR/last.pt and DIR/metrics.json.",
    )
    _common(t)
    t.add_argument("--model", default=None, help="network name; default unet")
    t.add_argument("--resume", type=Path, help="a last.pt from an earlier run")
    t.add_argument(
        "--init",
        type=Path,
        help="start from this checkpoint's weights (fine-tuning); --model, --size, "
        "--intensity-window and --spacing default to the checkpoint's",
    )
    t.set_defaults(func=run_train)
    from . import compare as _compare
    from . import pretrain as _pretrain

    _compare.add_parser(sub, _common)
    _pretrain.add_parser(sub, _common)
    m = sub.add_parser("make-synthetic-task", help="write a Decathlon task of synthetic CTs")
    m.add_argument("out", type=Path, help="the new task folder (refused if it has a dataset.json)")
    m.add_argument("--cases", type=int, default=8, help="labelled training cases; default 8")
    m.add_argument("--test-cases", type=int, default=2, help="unlabelled test cases; default 2")
    m.add_argument("--shape", type=int, nargs=3, metavar=("Z", "Y", "X"), default=(48, 96, 96),
                   help="voxels per case, each >= 8; default 48 96 96")  # fmt: skip
    m.add_argument("--spacing", type=float, nargs=3, metavar=("DZ", "DY", "DX"),
                   default=(2.5, 1.6, 1.6),
                   help="voxel size (mm); default 2.5 1.6 1.6")  # fmt: skip
    m.add_argument("--modalities", type=int, default=1,
                   help="image channels (2+: a 4-D multi-modal task); default 1")  # fmt: skip
    m.add_argument("--seed", type=int, default=0, help="case i uses seed + i; default 0")
    m.set_defaults(func=run_make_task)


def _config(args: argparse.Namespace, model: str | None):
    _filled(args)
    low, high = args.intensity_window
    if not (math.isfinite(low) and math.isfinite(high) and high > low):
        raise ValueError(
            f"--intensity-window: need two finite numbers LOW < HIGH, got {low} {high}"
        )
    from ..deep.config import DataConfig, TrainConfig

    data = DataConfig(
        target_spacing=tuple(args.spacing),
        window=tuple(args.intensity_window),
        roi=tuple(args.roi_size),
        samples_per_volume=args.samples,
        batch_size=args.batch_size,
        cache=args.cache,
    )
    return TrainConfig(
        model=model or "unet",
        size=args.size,
        epochs=getattr(args, "epochs", None) or TrainConfig.epochs,
        lr=args.lr,
        optimizer=args.optimizer,
        val_every=args.val_every,
        fold=args.fold,
        n_folds=args.folds,
        seed=args.seed,
        device=args.device,
        data=data,
    )


def _print_epoch(prefix: str = ""):
    def show(r: dict) -> None:
        if os.environ.get("RANK", "0") != "0":  # under torchrun, rank 0 speaks for all
            return
        dice = "-" if r["val_dice"] is None else f"{r['val_dice']:.4f}"
        print(
            f"{prefix}epoch {r['epoch']}: loss {r['loss']:.4f}  val Dice {dice}  "
            f"{r['seconds']:.1f} s  peak {r['peak_memory_mb']:.0f} MB"
        )

    return show


def _init_distributed() -> bool:
    """Join the process group when launched by torchrun (WORLD_SIZE > 1)."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return False
    import torch
    import torch.distributed as dist

    dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    if torch.cuda.is_available():
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    return True


def fold_value(text: str) -> int | str:
    """An argparse ``type`` for ``--fold``: a fold number >= 0, or ``all``."""
    if text.strip().lower() == "all":
        return "all"
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: a fold number >= 0, or all") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: a fold number >= 0, or all")
    return value


def _init_defaults(args: argparse.Namespace) -> None:
    """Options not given take the --init checkpoint's values, validated before any is used.

    An option given on the command line (not None) always wins, even at its default
    value; a checkpoint that then does not fit the run is refused by ``load_init``.
    """
    from ..deep.checkpoint import CheckpointMeta
    from ..deep.config import checkpoint_info

    if not args.init.is_file():
        raise ValueError(f"--init {args.init}: no such file")
    info = checkpoint_info(args.init)
    if info is None:
        return  # no readable metadata: loading the checkpoint says why
    meta = CheckpointMeta.from_json(json.dumps(info), path=args.init)  # every value checked
    for option, value in (
        ("model", meta.network),
        ("size", meta.config),
        ("intensity_window", meta.intensity_window),
        ("spacing", meta.target_spacing),
    ):
        if value is not None and getattr(args, option, None) is None:
            setattr(args, option, list(value) if isinstance(value, tuple) else value)


def check_outputs(args: argparse.Namespace, names: tuple[str, ...]) -> None:
    """Refuse an ``--out`` whose files would overwrite the task's or the --init checkpoint."""
    from .._inputs import InputFiles

    inputs = InputFiles().add_all([args.task, getattr(args, "init", None)])
    for name in names:
        inputs.check_output(args.out / name, option="--out")


def run_train(args: argparse.Namespace) -> int:
    from ..deep.train import train

    check_outputs(args, ("best.safetensors", "last.pt", "metrics.json"))
    if args.init is not None:
        _init_defaults(args)
    distributed = _init_distributed()
    try:
        result = train(
            args.task,
            args.out,
            _config(args, args.model),
            resume=args.resume,
            init=args.init,
            progress=TerminalProgress("train", enabled=not args.quiet),
            on_epoch=_print_epoch(),
        )
    finally:
        if distributed:
            import torch.distributed as dist

            dist.destroy_process_group()
    if result.metrics_path is not None:
        print(f"best checkpoint: {result.best_checkpoint}\nmetrics: {result.metrics_path}")
    return 0


def run_make_task(args: argparse.Namespace) -> int:
    from ..data.synthetic_task import make_synthetic_task

    if (args.out / "dataset.json").exists() or (args.out / "dataset.json").is_symlink():
        raise ValueError(
            f"{args.out}: already a task (it has a dataset.json); choose a new folder"
        )
    root = make_synthetic_task(
        args.out,
        cases=args.cases,
        test_cases=args.test_cases,
        shape=tuple(args.shape),
        spacing=tuple(args.spacing),
        modalities=args.modalities,
        seed=args.seed,
    )
    print(f"wrote {root} ({args.cases} training, {args.test_cases} test cases)")
    return 0
