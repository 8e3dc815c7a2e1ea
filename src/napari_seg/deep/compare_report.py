"""Summaries of a comparison: per-model rows over seeds, paired statistics, Markdown and plots.

Pure numpy (no torch): it reads the dictionaries :func:`napari_seg.deep.job.run_job`
returns. Spread is the standard deviation over runs (seeds x folds); the paired
statistics resample both the cases and the seeds (:mod:`napari_seg.deep.stats`).
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from .._files import atomic_path
from .stats import paired_comparison, time_to_target

__all__ = [
    "aggregate",
    "case_scores",
    "compare_rows",
    "curve_bands",
    "markdown",
    "plot_arm",
    "reproducibility",
]

#: Largest Dice difference between two runs of the same seed and arm called reproducible.
REPRODUCIBLE = 0.005


def _mean_sd(values: list[float]) -> dict[str, float]:
    a = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if a.size == 0:
        return {"mean": math.nan, "sd": math.nan, "n": 0}
    return {
        "mean": float(a.mean()),
        "sd": float(a.std(ddof=1)) if a.size > 1 else 0.0,
        "n": int(a.size),
    }


def curve_bands(runs: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Mean and SD over runs of step, seconds, loss and validation Dice at each evaluation."""
    n = min((len(r["curve"]) for r in runs), default=0)
    out: dict[str, list[float]] = defaultdict(list)
    for i in range(n):
        for key in ("step", "seconds", "loss", "val_dice"):
            stats = _mean_sd([r["curve"][i][key] for r in runs])
            out[f"{key}_mean"].append(stats["mean"])
            out[f"{key}_sd"].append(stats["sd"])
    return dict(out)


def _row(runs: list[dict[str, Any]], target: float) -> dict[str, Any]:
    cases: dict[str, list[float]] = defaultdict(list)
    for r in runs:
        for name, dice in r["case_dice"].items():
            cases[name].append(dice)
    reach_s = [
        time_to_target(
            [p["seconds"] for p in r["curve"]], [p["val_dice"] for p in r["curve"]], target
        )
        for r in runs
    ]
    reach_n = [
        time_to_target(
            [p["step"] for p in r["curve"]], [p["val_dice"] for p in r["curve"]], target
        )
        for r in runs
    ]
    first = runs[0]
    return {
        "network": first["network"],
        "parameters": first["parameters"],
        "flops_per_voxel": first["flops_per_voxel"],
        "lr": first["lr"],
        "runs": len(runs),
        "seeds": sorted({r["seed"] for r in runs}),
        "steps": _mean_sd([r["steps"] for r in runs]),
        "train_seconds": _mean_sd([r["train_seconds"] for r in runs]),
        "seconds_per_step": _mean_sd([r["seconds_per_step"] for r in runs]),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "rss_added_mb": max(r["peak_rss_mb"] - r["baseline_rss_mb"] for r in runs),
        "final_val_dice": _mean_sd([r["final_val_dice"] for r in runs]),
        "dice_original_spacing": _mean_sd(
            [float(np.mean(list(r["case_dice"].values()))) for r in runs]
        ),
        "case_dice": {name: float(np.mean(v)) for name, v in sorted(cases.items())},
        "time_to_target_s": _mean_sd(reach_s),
        "time_to_target_steps": _mean_sd(reach_n),
        "reached_target": f"{sum(math.isfinite(t) for t in reach_s)}/{len(runs)}",
        "curve": curve_bands(runs),
        "per_run": [
            {
                k: r[k]
                for k in (
                    "seed",
                    "fold",
                    "steps",
                    "train_seconds",
                    "final_val_dice",
                    "case_dice",
                    "checkpoint",
                )
            }
            for r in runs
        ],
    }


def aggregate(
    results: list[dict[str, Any]], tuned: list[dict[str, Any]], protocol: Any
) -> dict[str, Any]:
    """One arm's section of ``compare.json``: rows per model, the grid, paired statistics."""
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        by_label[r["label"]].append(r)
    rows = {label: _row(runs, protocol.target_dice) for label, runs in by_label.items()}
    grid: dict[str, list[dict[str, float]]] = defaultdict(list)
    for r in tuned:
        grid[r["label"]].append({"lr": r["lr"], "final_val_dice": r["final_val_dice"]})
    comparisons = compare_rows(rows, protocol.baseline)
    budget = results[0]["budget"] if results else math.nan
    return {"budget": budget, "models": rows, "lr_grid": dict(grid), "comparisons": comparisons}


def reproducibility(
    results: list[dict[str, Any]], again: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each rerun beside its first run: steps, mean case Dice and their difference."""
    key = lambda r: (r["arm"], r["label"], r["seed"], r["fold"])  # noqa: E731
    first = {key(r): r for r in results}
    out = []
    for r in again:
        a = first[key(r)]
        dice = [float(np.mean(list(x["case_dice"].values()))) for x in (a, r)]
        diff = abs(dice[0] - dice[1])
        steps = [a["steps"], r["steps"]]
        out.append(
            {"arm": r["arm"], "label": r["label"], "seed": r["seed"], "steps": steps,
             "dice": dice, "difference": diff, "reproducible": diff <= REPRODUCIBLE}
        )  # fmt: skip
    return out


def case_scores(per_run: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Case -> its Dice in each run (seeds in run order), from runs' ``case_dice``."""
    out: dict[str, list[float]] = defaultdict(list)
    for r in per_run:
        for name, dice in r["case_dice"].items():
            out[name].append(dice)
    return dict(out)


def compare_rows(rows: dict[str, dict[str, Any]], baseline: str) -> list[dict[str, Any]]:
    """Each model against ``baseline``: :func:`~napari_seg.deep.stats.paired_comparison`
    on the per-case, per-seed Dice of the rows' runs (none when the baseline is absent)."""
    if baseline not in rows:
        return []
    base = case_scores(rows[baseline]["per_run"])
    return [
        paired_comparison(case_scores(row["per_run"]), base, names=(label, baseline), seed=0)
        for label, row in rows.items()
        if label != baseline
    ]


def _fmt(stats: dict[str, float], digits: int = 3) -> str:
    if not math.isfinite(stats["mean"]):
        return "–"
    return f"{stats['mean']:.{digits}f} ± {stats['sd']:.{digits}f}"


def markdown(content: dict[str, Any]) -> str:
    """``compare.md``: protocol, one table and the paired statistics per arm, the verdicts."""
    p, env = content["protocol"], content["environment"]
    lines = [
        "# Model comparison",
        "",
        f"Task `{Path(content['task']).name}`; seeds {p['seeds']}, folds {p['folds']}; "
        f"torch {env['torch']}, {env['threads'].get('torch_threads')} thread(s) pinned "
        f"({env['processor']}, CUDA {'yes' if env['cuda'] else 'no'}); learning-rate grid "
        f"{p['lr_grid'] or 'none (one lr)'}; target Dice {p['target_dice']}.",
        "Dice at original spacing: the final network segments each validation case on its own "
        "grid; mean ± SD over seeds. FLOPs: one forward pass per input voxel (torch "
        "FlopCounterMode: convolutions and matrix products). Peak RSS: the process's highest "
        "resident memory during a run (sampled every 20 ms), in brackets what the run added. "
        "CI: percentile bootstrap of the mean Dice difference over 10,000 resamples of the "
        "cases (paired) and, per model, of the seeds; Wilcoxon on the seed-averaged "
        "per-case differences.",
    ]
    for arm, section in content["arms"].items():
        clock = "wall-clock" if p.get("clock", "wall") == "wall" else "process CPU time"
        unit = "optimizer steps" if arm == "steps" else f"s of training ({clock})"
        lines += ["", f"## {arm} arm: {section['budget']:g} {unit} per run", ""]
        lines += [
            "| model | parameters | FLOPs/voxel | s/step | steps | lr | peak RSS MB (+run) | "
            "val Dice | Dice (original spacing) | time to target (s) | reached |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for label, r in section["models"].items():
            lines.append(
                f"| {label} | {r['parameters']:,} | {r['flops_per_voxel']:,.0f} | "
                f"{_fmt(r['seconds_per_step'], 3)} | {r['steps']['mean']:.0f} | {r['lr']:g} | "
                f"{r['peak_rss_mb']:.0f} (+{r['rss_added_mb']:.0f}) | "
                f"{_fmt(r['final_val_dice'])} | {_fmt(r['dice_original_spacing'])} | "
                f"{_fmt(r['time_to_target_s'], 1)} | {r['reached_target']} |"
            )
        if section["comparisons"]:
            lines += [
                "",
                "| challenger − baseline | cases | mean ΔDice | 95 % bootstrap CI | Wilcoxon p "
                "| verdict |",
                "|---|---:|---:|---:|---:|---|",
            ]
            for c in section["comparisons"]:
                lo, hi = c["ci"]
                lines.append(
                    f"| {c['challenger']} − {c['baseline']} | {c['n_cases']} | "
                    f"{c['mean_difference']:+.4f} | [{lo:+.4f}, {hi:+.4f}] | "
                    f"{c['wilcoxon_p']:.3g} | {c['verdict']} |"
                )
        if section["lr_grid"]:
            grid = "; ".join(
                f"{label}: " + ", ".join(f"{g['lr']:g} → {g['final_val_dice']:.3f}" for g in runs)
                for label, runs in section["lr_grid"].items()
            )
            lines += ["", f"Learning-rate grid (validation Dice of the grid seed): {grid}."]
    if content.get("reproducibility"):
        lines += [
            "",
            f"Reproducibility (a seed run twice; reproducible: |ΔDice| <= {REPRODUCIBLE}):",
        ]
        lines += [
            f"- {r['arm']} {r['label']} seed {r['seed']}: Dice {r['dice'][0]:.4f} vs "
            f"{r['dice'][1]:.4f} (|Δ| {r['difference']:.4f}; steps {r['steps'][0]} vs "
            f"{r['steps'][1]}): {'yes' if r['reproducible'] else 'NO'}"
            for r in content["reproducibility"]
        ]
    return "\n".join(lines) + "\n"


def plot_arm(
    section: dict[str, Any], path: str | os.PathLike[str], *, title: str = "", clock: str = "wall"
) -> Path:
    """Validation Dice and training loss against wall-clock seconds and steps, mean ± SD band."""
    # the object API: no pyplot state and no backend switch inside a napari process
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 7), constrained_layout=True)
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 2)
    panels = [("seconds", "val_dice"), ("step", "val_dice"), ("seconds", "loss"), ("step", "loss")]
    for label, row in section["models"].items():
        c = row["curve"]
        for ax, (x, y) in zip(axes.flat, panels, strict=True):
            xs, mean, sd = (
                np.asarray(c.get(k, []), float) for k in (f"{x}_mean", f"{y}_mean", f"{y}_sd")
            )
            (line,) = ax.plot(xs, mean, marker="o", ms=3, label=label)
            ax.fill_between(xs, mean - sd, mean + sd, color=line.get_color(), alpha=0.2)
    names = {
        "seconds": "training wall-clock (s)" if clock == "wall" else "training CPU time (s)",
        "step": "optimizer steps",
        "val_dice": "validation Dice",
        "loss": "training loss",
    }
    for ax, (x, y) in zip(axes.flat, panels, strict=True):
        ax.set_xlabel(names[x])
        ax.set_ylabel(names[y])
        ax.grid(alpha=0.3)
    axes[0, 0].legend(title="mean ± SD over seeds")
    fig.suptitle(title)
    out = Path(path)
    with atomic_path(out) as tmp:
        fig.savefig(tmp, dpi=90, format="png")
    return out
