"""``napari-seg compare``: networks under one fair protocol (equal budgets, seeds, statistics)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from ..deep.params import COMPARE_PARAMS
from ._common import TerminalProgress, bounded
from ._params import add_params, with_defaults

__all__ = ["add_parser", "number_list", "run_compare"]


def number_list(kind: type, low: float = 0) -> Callable[[str], tuple]:
    """An argparse ``type`` for ``0,1,2`` or ``1e-3,3e-3``: numbers >= ``low``, at least one."""
    check = bounded(kind, low)

    def convert(text: str) -> tuple:
        try:
            values = tuple(check(v.strip()) for v in text.split(",") if v.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r}: comma-separated {kind.__name__} values >= {low}"
            ) from None
        if not values:
            raise argparse.ArgumentTypeError(f"{text!r}: give at least one value")
        if len(set(values)) != len(values):
            raise argparse.ArgumentTypeError(f"{text!r}: a value is given twice")
        return values

    return convert


def add_parser(sub: argparse._SubParsersAction, common: Callable[..., None]) -> None:
    from ..deep.config import Protocol

    p = Protocol()
    c = sub.add_parser(
        "compare",
        help="compare networks under equal budgets, several seeds and paired statistics",
        description="Writes DIR/compare.json, DIR/compare.md and DIR/compare_<arm>.png. "
        "Every model gets the same split (--seed), preprocessing, augmentation, loss, patch "
        "and sliding-window validation.",
    )
    common(c, epochs=False)
    c.add_argument("--models", default="unet,axialunet", help="comma-separated names")
    c.add_argument("--seeds", type=number_list(int), default=p.seeds, help="e.g. 0,1,2")
    c.add_argument("--cross-validate", action="store_true", help="run every fold, not only --fold")
    c.add_argument(
        "--lr-grid",
        type=number_list(float, 1e-9),
        default=p.lr_grid,
        help="learning rates tried for every model (on a separate seed); default: --lr only",
    )
    add_params(c, COMPARE_PARAMS)  # steps, budget, evals, ... as the Train dock declares them
    c.add_argument("--scheduler", help="address of a running dask scheduler")
    c.add_argument(
        "--labelled",
        type=number_list(int, 1),
        default=(),
        help="label-efficiency study: labelled training cases per run, e.g. 1,2,4,8",
    )
    c.add_argument("--pretrained", type=Path, help="the pre-trained start of --labelled")
    c.set_defaults(func=run_compare)


def run_compare(args: argparse.Namespace) -> int:
    from .._inputs import InputFiles
    from ..deep.config import Protocol, model_names
    from .train import _config, _filled

    _filled(args)
    for name, value in with_defaults(args, COMPARE_PARAMS).items():
        setattr(args, name, value)

    models = model_names(args.models)  # every name checked before anything else
    inputs = InputFiles().add_all([args.task, args.pretrained])  # never replaced by the report
    for name in ("compare.json", "compare.md", "compare_steps.png", "compare_budget.png"):
        inputs.check_output(args.out / name, option="--out")
    protocol = Protocol(
        steps=args.steps,
        budget_s=args.budget_s,
        seeds=tuple(args.seeds),
        folds=tuple(range(args.folds)) if args.cross_validate else (args.fold,),
        lr_grid=tuple(args.lr_grid),
        evals=args.evals,
        threads=args.threads,
        target_dice=args.target_dice,
        match_size=args.match_size,
        workers=args.workers,
        scheduler=args.scheduler,
        clock=args.clock,
        recheck=args.recheck,
        labelled=tuple(args.labelled),
        pretrained=str(args.pretrained) if args.pretrained else None,
    )
    protocol.arms()  # no budget: one line, before any import of torch
    from ..deep.compare import compare_models

    def show(job, point) -> None:
        if not args.quiet:
            print(
                f"{job.arm} {job.label} seed {job.cfg.seed}: step {point['step']} "
                f"{point['seconds']:.1f} s  loss {point['loss']:.4f}  val Dice "
                f"{point['val_dice']:.4f}"
            )

    compare_models(
        args.task,
        args.out,
        models,
        _config(args, models[0]),
        protocol,
        progress=TerminalProgress("compare", enabled=not args.quiet),
        on_point=show,
    )
    out = Path(args.out)
    print((out / "compare.md").read_text(encoding="utf-8"))
    print(f"wrote {out / 'compare.json'}, {out / 'compare.md'} and the compare_<arm>.png plots")
    return 0
