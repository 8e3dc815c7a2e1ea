"""Train several networks on the same data, seed and budget; write JSON, a PNG and Markdown."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from .._files import atomic_path
from ..progress import ProgressCallback, StopCallback
from .config import model_names
from .train import TrainConfig, train

__all__ = ["compare_models", "plot_comparison", "summarise"]


def summarise(name: str, history: list[dict[str, Any]], parameters: int) -> dict[str, Any]:
    """One model's row: curves plus seconds per epoch, peak memory and time to best Dice."""
    dice = [
        (r["val_dice"], r["elapsed"], r["epoch"]) for r in history if r["val_dice"] is not None
    ]
    best = max(dice, default=(math.nan, math.nan, 0))
    return {
        "model": name,
        "parameters": parameters,
        "epochs": [r["epoch"] for r in history],
        "train_loss": [r["loss"] for r in history],
        "val_dice": [r["val_dice"] for r in history],
        "elapsed_s": [r["elapsed"] for r in history],
        "seconds_per_epoch": sum(r["seconds"] for r in history) / max(len(history), 1),
        "peak_memory_mb": max((r["peak_memory_mb"] for r in history), default=math.nan),
        "best_val_dice": best[0],
        "best_epoch": best[2],
        "time_to_best_s": best[1],
    }


def plot_comparison(rows: Sequence[dict[str, Any]], path: str | os.PathLike[str]) -> Path:
    """Training loss and validation Dice against epoch and against wall time, side by side."""
    # the object API: no pyplot state and no backend switch inside a napari process
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 7), constrained_layout=True)
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 2)
    for row in rows:
        dice = [
            (e, t, d)
            for e, t, d in zip(row["epochs"], row["elapsed_s"], row["val_dice"], strict=True)
            if d is not None
        ]
        axes[0, 0].plot(row["epochs"], row["train_loss"], marker="o", label=row["model"])
        axes[0, 1].plot(row["elapsed_s"], row["train_loss"], marker="o", label=row["model"])
        axes[1, 0].plot([d[0] for d in dice], [d[2] for d in dice], marker="o", label=row["model"])
        axes[1, 1].plot([d[1] for d in dice], [d[2] for d in dice], marker="o", label=row["model"])
    for ax, (x, y) in zip(
        axes.flat,
        [
            ("epoch", "training loss"),
            ("wall time (s)", "training loss"),
            ("epoch", "validation Dice"),
            ("wall time (s)", "validation Dice"),
        ],
        strict=True,
    ):
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.grid(alpha=0.3)
    axes[0, 0].legend()
    out = Path(path)
    with atomic_path(out) as tmp:
        fig.savefig(tmp, dpi=100, format="png")
    return out


def _markdown(rows: Sequence[dict[str, Any]]) -> str:
    head = (
        "| model | parameters | final loss | best val Dice | best epoch | s/epoch | "
        "time to best (s) | peak memory (MB) |\n|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['parameters']:,} | {r['train_loss'][-1]:.4f} | "
            f"{r['best_val_dice']:.4f} | {r['best_epoch']} | {r['seconds_per_epoch']:.2f} | "
            f"{r['time_to_best_s']:.1f} | {r['peak_memory_mb']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def compare_models(
    task_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    models: Sequence[str],
    cfg: TrainConfig | None = None,
    *,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
    on_epoch: Callable[[str, dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Train each model with ``cfg`` (same data, seed, budget) into ``out_dir/<model>/``.

    Writes ``out_dir/compare.json`` (per model: parameters, per-epoch training
    loss, validation Dice, seconds per epoch, peak memory, time to the best
    validation Dice), ``compare.png`` and ``compare.md``; returns the JSON content.
    """
    models = model_names(list(models))  # every name checked before the first trains
    cfg = cfg or TrainConfig()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, name in enumerate(models):

        def report(done: int, total: int, i: int = i) -> None:
            if progress is not None:
                progress(i * total + done, len(models) * total)

        callback = None if on_epoch is None else (lambda r, n=name: on_epoch(n, r))
        result = train(
            task_dir,
            out / name,
            replace(cfg, model=name),
            progress=report,
            should_stop=should_stop,
            on_epoch=callback,
        )
        rows.append(summarise(name, result.history, result.parameters))
    content = {"task": str(task_dir), "seed": cfg.seed, "epochs": cfg.epochs, "models": rows}
    (out / "compare.json").write_text(json.dumps(content, indent=2), encoding="utf-8")
    plot_comparison(rows, out / "compare.png")
    (out / "compare.md").write_text(_markdown(rows), encoding="utf-8")
    return content
