"""Label efficiency: fine-tune with 1, 2, 4, 8 labelled cases, from scratch and from pre-training.

Both starts get the same budget (equal fine-tuning time in the wall-clock arm),
the same seeds, split, data and learning rate; the pre-trained start loads a
checkpoint from :func:`napari_seg.deep.pretrain.pretrain`. Per number of
labelled cases: Dice at the original spacing (mean ± SD over seeds) of each start,
and the paired difference (pre-trained - scratch) over validation cases with its
bootstrap CI and verdict.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

import numpy as np

from .compare_report import case_scores
from .config import Protocol, TrainConfig, checkpoint_info
from .job import Job
from .stats import paired_comparison

__all__ = ["compare_starts", "label_jobs", "label_markdown", "label_table"]


def label_jobs(
    cfg: TrainConfig, protocol: Protocol, lrs: dict[str, dict[str, float]], lr: float
) -> list[Job]:
    """Jobs of the study (budget arm when the protocol has one, else the steps arm).

    The learning rate is the one the grid picked for the network in that arm
    (``lrs[arm][network]``), else ``lr``.

    Raises
    ------
    ValueError
        ``labelled`` without a ``pretrained`` checkpoint (or one without napari-seg metadata).
    """
    if not protocol.pretrained:
        raise ValueError("--labelled: give --pretrained CHECKPOINT (from napari-seg pretrain)")
    info = checkpoint_info(protocol.pretrained)
    if not info:
        raise ValueError(f"--pretrained {protocol.pretrained}: not a napari-seg checkpoint")
    arm, budget = next((a for a in protocol.arms() if a[0] == "budget"), protocol.arms()[0])
    overrides = {k: v for k, v in info.get("overrides", {}).items() if k != "img_size"}
    lr = lrs.get(arm, {}).get(info["network"], lr)
    base = replace(cfg, model=info["network"], size=info["config"], overrides=overrides, lr=lr)
    return [
        Job(
            f"{info['network']}-{start}",
            replace(base, seed=seed, labelled=k, fold=protocol.folds[0]),
            arm,
            budget,
            protocol.evals,
            protocol.threads,
            init=str(protocol.pretrained) if start == "pretrained" else None,
            role="labelled",
            tags={"labelled": k},
            clock=protocol.clock,
        )
        for k in protocol.labelled
        for start in ("scratch", "pretrained")
        for seed in protocol.seeds
    ]


def label_table(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Per number of labelled cases: each start's Dice over seeds and the paired difference."""
    groups: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        groups[(r["tags"]["labelled"], "pretrained" if r["init"] else "scratch")].append(r)
    rows = []
    for k in sorted({key[0] for key in groups}):
        row: dict[str, Any] = {"labelled": k}
        for start in ("scratch", "pretrained"):
            runs = groups[(k, start)]
            per_seed = [float(np.mean(list(r["case_dice"].values()))) for r in runs]
            row[start] = {
                "mean": float(np.mean(per_seed)),
                "sd": float(np.std(per_seed, ddof=1)) if len(per_seed) > 1 else 0.0,
                "seeds": len(per_seed),
                "per_run": [{"seed": r["seed"], "case_dice": r["case_dice"]} for r in runs],
            }
        row["comparison"] = compare_starts(row)
        rows.append(row)
    first = results[0] if results else {}
    return {"arm": first.get("arm"), "budget": first.get("budget"), "clock": first.get("clock"),
            "rows": rows}  # fmt: skip


def compare_starts(row: dict[str, Any]) -> dict[str, Any]:
    """Pre-trained against scratch for one row, on the per-case, per-seed Dice of its runs."""
    return paired_comparison(
        case_scores(row["pretrained"]["per_run"]),
        case_scores(row["scratch"]["per_run"]),
        names=("pre-trained", "scratch"),
    )


def label_markdown(section: dict[str, Any]) -> str:
    """The label-efficiency table of ``compare.md``."""
    unit = (
        f"s ({section['clock']}) of fine-tuning"
        if section["arm"] == "budget"
        else "fine-tuning steps"
    )
    lines = [
        "",
        f"## Label efficiency: {section['budget']:g} {unit} per run, with and without "
        "denoising pre-training",
        "",
        "| labelled cases | scratch Dice | pre-trained Dice | mean ΔDice | 95 % CI | verdict |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for row in section["rows"]:
        c, s, p = row["comparison"], row["scratch"], row["pretrained"]
        lines.append(
            f"| {row['labelled']} | {s['mean']:.3f} ± {s['sd']:.3f} | "
            f"{p['mean']:.3f} ± {p['sd']:.3f} | {c['mean_difference']:+.4f} | "
            f"[{c['ci'][0]:+.4f}, {c['ci'][1]:+.4f}] | {c['verdict']} |"
        )
    return "\n".join(lines) + "\n"
