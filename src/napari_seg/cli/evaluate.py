"""``napari-seg evaluate``: score predictions against ground truth, one file or a whole task."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .._files import refuse_overwriting_inputs
from ..io import is_decathlon_path, load_decathlon, load_volume
from ..io.kinds import as_labels
from ..metrics import (
    align_to,
    evaluate,
    group_names,
    jsonable,
    merge_groups,
    parse_groups,
    table_rows,
    to_csv,
)
from ..metrics.overlap import finite_mean
from ._common import bounded, label_list
from ._params import Store


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evaluate",
        help="Dice, IoU, accuracy (and surface distances) of predictions against ground truth",
        description="PRED and GT are label files (NIfTI, NRRD, .seg.nrrd, DICOM SEG) on the "
        "same grid; or GT is a Decathlon "
        "task and PRED a folder of predictions named after its cases (<case>.nii.gz).",
    )
    p.add_argument("pred", type=Path)
    p.add_argument("gt", type=Path)
    p.add_argument(
        "--label-ids",
        "--labels",
        dest="labels",
        type=label_list,
        action=Store,
        help="comma-separated labels to report, e.g. 1,2; default all (old name: --labels)",
    )
    p.add_argument("--surface", action="store_true", help="add HD95, ASSD and NSD (mm)")
    p.add_argument(
        "--tolerance-mm", type=bounded(float, 0.0), default=1.0, help="NSD tolerance τ in mm"
    )
    p.add_argument("--instances", action="store_true", help="instance matching (F1, PQ)")
    p.add_argument(
        "--merge",
        type=parse_groups,
        default=[],
        help="label groups scored as one, e.g. 1+2 (liver including tumour); several: 1+2,3+4",
    )
    p.add_argument("--resample", action="store_true", help="resample PRED onto GT's grid")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--csv", type=Path, help="also write the table as CSV")
    p.set_defaults(func=run)


def _score(pred_path: Path, gt_path: Path, args, label_names=None) -> dict[str, Any]:
    pred, gt = load_volume(pred_path), load_volume(gt_path)
    if label_names is None and (gt.segments or pred.segments):
        label_names = {k: v["name"] for k, v in (gt.segments or pred.segments).items()}
    names = (str(pred_path), str(gt_path))
    pred_labels, gt_labels = as_labels(pred.data, pred_path), as_labels(gt.data, gt_path)
    data = align_to(
        pred_labels,
        pred.geometry,
        gt_labels.shape,
        gt.geometry,
        resample=args.resample,
        names=names,
    )
    labels = args.labels or None
    groups = getattr(args, "merge", [])
    if groups:
        data, gt_labels = merge_groups(data, groups), merge_groups(gt_labels, groups)
        label_names = group_names(label_names, groups)
    return evaluate(
        data,
        gt_labels,
        spacing=gt.geometry.spacing_mm,
        labels=labels,
        surface=args.surface,
        tolerance_mm=args.tolerance_mm,
        instances=args.instances,
        label_names=label_names,
        names=names,
    )


def _batch(args) -> dict[str, Any]:
    task = load_decathlon(args.gt)
    cases = [c for c in task.training if c.label is not None]
    if not cases:
        raise ValueError(f"{args.gt}: the task has no labelled case to evaluate against")
    missing = [c.name for c in cases if not (args.pred / f"{c.name}.nii.gz").is_file()]
    if missing:
        raise ValueError(
            f"{args.pred}: no prediction for case(s) {', '.join(missing[:10])} of task "
            f"{args.gt} (expected <case>.nii.gz)"
        )
    per_case = {
        c.name: _score(args.pred / f"{c.name}.nii.gz", c.label, args, task.labels) for c in cases
    }
    keys = [k for k in next(iter(per_case.values()))["mean"] if k != "left_out"]  # a dict
    mean = {k: finite_mean([r["mean"][k] for r in per_case.values()]) for k in keys}
    accuracy = finite_mean([r["pixel_accuracy"] for r in per_case.values()])
    return {"cases": per_case, "mean": mean, "pixel_accuracy": accuracy}


def _fmt(v: Any) -> str:
    return f"{v:.4f}" if isinstance(v, float) else str(v)


def _print_table(rows: list[dict[str, Any]]) -> None:
    cols = list(rows[0])
    widths = [max(len(c), *(len(_fmt(r.get(c, ""))) for r in rows)) for c in cols]
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)))
    for r in rows:
        print("  ".join(_fmt(r.get(c, "")).ljust(w) for c, w in zip(cols, widths, strict=True)))


def run(args: argparse.Namespace) -> int:
    if args.csv is not None:
        refuse_overwriting_inputs(args.csv, [args.pred, args.gt], option="--csv")
    if is_decathlon_path(args.gt):
        result = _batch(args)
        rows = [
            {
                "case": name,
                **{k: v for k, v in r["mean"].items() if k != "left_out"},
                "pixel_accuracy": r["pixel_accuracy"],
            }
            for name, r in result["cases"].items()
        ]
        rows.append({"case": "mean", **result["mean"], "pixel_accuracy": result["pixel_accuracy"]})
    else:
        result = _score(args.pred, args.gt, args)
        rows = table_rows(result)
    if args.csv is not None:
        to_csv(rows, args.csv)
    if args.json:
        print(json.dumps(jsonable(result), indent=2, allow_nan=False))
    else:
        _print_table(rows)
        if "pixel_accuracy" in result and "cases" not in result:
            print(f"pixel accuracy {result['pixel_accuracy']:.4f}")
        if "instances" in result:
            print(
                "instances " + " ".join(f"{k}={_fmt(v)}" for k, v in result["instances"].items())
            )
    return 0
