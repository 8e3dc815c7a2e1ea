"""Compare networks under a fair protocol: equal budgets, several seeds, paired statistics.

Every model sees the same fold split (fixed by ``split_seed``), preprocessing,
augmentation, loss, optimizer, patch and sliding-window validation; only the
network and its learning rate (picked from the same small grid for every
model, on a seed that is not one of the evaluation seeds) differ. Two arms: an
equal number of optimizer steps, and an equal training wall-clock with torch's
threads pinned. Writes ``compare.json``, ``compare.md`` and one PNG per arm.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from .._files import atomic_path
from ..progress import Cancelled, ProgressCallback, StopCallback
from .compare_report import aggregate, compare_rows, markdown, plot_arm, reproducibility
from .config import Protocol, TrainConfig, model_names
from .job import Job, run_job
from .label_efficiency import compare_starts, label_jobs, label_markdown, label_table

__all__ = [
    "Protocol",
    "cluster",
    "compare_models",
    "model_specs",
    "rewrite_report",
    "run_jobs",
]

#: Seed of the learning-rate grid runs (never one of the evaluation seeds' results).
LR_SEED = 10_007


def model_specs(
    models: Sequence[str], cfg: TrainConfig, protocol: Protocol, in_ch: int, out_ch: int
) -> dict[str, tuple[str, dict[str, Any]]]:
    """Report label -> (network, overrides); ``match_size`` adds ``unet-matched``.

    The matched U-Net is sized to the first model that is not the baseline.
    """
    specs = {m: (m, dict(cfg.overrides)) for m in model_names(list(models))}
    if protocol.match_size:
        from .cost import match_unet
        from .networks import build_network, count_parameters

        challengers = [m for m in specs if m != protocol.baseline]
        if not challengers:
            raise ValueError("--match-size: name a challenger besides the baseline unet")
        extra = (
            {"img_size": list(cfg.data.roi)} if challengers[0] in ("unetr", "axialunet") else {}
        )
        net = build_network(
            challengers[0],
            in_channels=in_ch,
            out_channels=out_ch,
            config=cfg.size,
            overrides=extra,
        )
        match = match_unet(
            count_parameters(net), size=cfg.size, in_channels=in_ch, out_channels=out_ch
        )
        specs["unet-matched"] = ("unet", match["overrides"])
    return specs


@contextmanager
def cluster(workers: int = 0, scheduler: str | None = None) -> Iterator[Any]:
    """A dask client when ``workers > 1`` or a ``scheduler`` is named, else None (sequential).

    Reuses segment-batch's client: a LocalCluster of ``workers`` processes with one
    thread each, or the scheduler at ``scheduler``.
    """
    if workers <= 1 and not scheduler:
        yield None
        return
    from ..batch.cluster import make_client

    # the batch's bounded connect: no scheduler or no worker is one line after 30 s
    client, local = make_client(workers, scheduler, timeout=30.0, debug=False)
    try:
        yield client
    finally:
        client.close()
        if local is not None:
            local.close()


def run_jobs(
    task_dir: str | os.PathLike[str],
    out: Path,
    jobs: Sequence[Job],
    *,
    client: Any = None,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
    on_point: Callable[[Job, dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Run ``jobs`` in this process, or one dask task per job when ``client`` is given.

    Results come back in job order, so both paths return the same list (a job's
    result depends only on the job: each reseeds and pins its own threads).
    """
    total, done = sum(j.evals for j in jobs), 0

    def point(j: Job, p: dict[str, Any]) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)
        if on_point is not None:
            on_point(j, p)

    if client is None:
        return [run_job(task_dir, out, j, on_point=point, should_stop=should_stop) for j in jobs]
    futures = [client.submit(run_job, str(task_dir), str(out), j, pure=False) for j in jobs]
    results = []
    try:
        for job, future in zip(jobs, futures, strict=True):
            results.append(future.result())
            for p in results[-1]["curve"]:
                point(job, p)
            if should_stop is not None and should_stop():
                raise Cancelled()
    finally:
        client.cancel(futures)
    return results


def _pick_lr(results: list[dict[str, Any]]) -> dict[str, float]:
    """Per label, the grid learning rate with the highest final validation Dice."""
    best: dict[str, tuple[float, float]] = {}
    for r in results:
        score = r["final_val_dice"]
        if r["label"] not in best or score > best[r["label"]][0]:
            best[r["label"]] = (score, r["lr"])
    return {label: lr for label, (_, lr) in best.items()}


def compare_models(
    task_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    models: Sequence[str],
    cfg: TrainConfig | None = None,
    protocol: Protocol | None = None,
    *,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
    on_point: Callable[[Job, dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Train every model under ``protocol`` (each arm, seed and fold); write the report.

    Parameters
    ----------
    task_dir : path-like
        Decathlon task folder.
    out_dir : path-like
        Receives ``compare.json``, ``compare.md``, ``compare_<arm>.png`` and one
        folder per run (``final.safetensors``).
    models : sequence of str
        Registered network names; the protocol's baseline (``unet``) is the reference.
    cfg : TrainConfig
        Shared data, optimizer, patch, fold and size settings (``epochs`` is unused).
    protocol : Protocol
        Arms, budgets, seeds, folds, learning-rate grid, size matching, workers.
    on_point : callable, optional
        ``on_point(job, point)`` at each validation point (sequential runs only).

    Returns
    -------
    dict
        The content of ``compare.json``.
    """
    from ..io import load_decathlon

    cfg, protocol = cfg or TrainConfig(), protocol or Protocol(steps=20)
    arms = protocol.arms()  # refuses a protocol without a budget, before any work
    task = load_decathlon(task_dir)
    specs = model_specs(models, cfg, protocol, len(task.modalities), max(task.labels) + 1)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    base = replace(cfg, split_seed=cfg.seed if cfg.split_seed is None else cfg.split_seed)

    runs = _run_all(task_dir, out, specs, base, protocol, progress, should_stop, on_point)
    tuned, results, rechecked, labelled = runs
    content = {
        "task": str(task_dir),
        "protocol": protocol.as_dict(),
        "config": json.loads(json.dumps(cfg, default=lambda o: o.__dict__)),
        "environment": _environment(results),
        "models": {label: {"network": n, "overrides": o} for label, (n, o) in specs.items()},
        "arms": {
            arm: aggregate(
                [r for r in results if r["arm"] == arm],
                [r for r in tuned if r["arm"] == arm],
                protocol,
            )
            for arm, _ in arms
        },
    }
    if rechecked:
        content["reproducibility"] = reproducibility(results, rechecked)
    if labelled:
        content["label_efficiency"] = label_table(labelled)
    _write(out, content)
    return content


def _run_all(task_dir, out, specs, base, protocol, progress, should_stop, on_point):
    """The learning-rate grid, then every arm x model x seed x fold, the rechecks, the study."""
    arms = protocol.arms()

    def job(label: str, arm: str, budget: float, seed: int, fold: Any, lr: float, role: str):
        network, overrides = specs[label]
        c = replace(base, model=network, overrides=overrides, seed=seed, fold=fold, lr=lr)
        return Job(label, c, arm, budget, protocol.evals, protocol.threads, role=role,
                   clock=protocol.clock)  # fmt: skip

    grid = list(protocol.lr_grid) or [base.lr]
    tune = [
        job(label, arm, budget, LR_SEED, protocol.folds[0], lr, "lr-grid")
        for arm, budget in arms
        for label in specs
        for lr in (grid if len(grid) > 1 else [])
    ]
    if protocol.labelled:
        label_jobs(base, protocol, {}, grid[0])  # a bad --pretrained fails before any training
    with cluster(protocol.workers, protocol.scheduler) as client:
        run = {"client": client, "should_stop": should_stop}
        tuned = run_jobs(task_dir, out, tune, **run)
        lrs = {arm: _pick_lr([r for r in tuned if r["arm"] == arm]) for arm, _ in arms}
        main = [
            job(label, arm, budget, seed, fold, lrs[arm].get(label, grid[0]), "main")
            for arm, budget in arms
            for label in specs
            for seed in protocol.seeds
            for fold in protocol.folds
        ]
        results = run_jobs(task_dir, out, main, progress=progress, on_point=on_point, **run)
        first = (protocol.seeds[0], protocol.folds[0])
        again = [replace(j, role="recheck") for j in main if (j.cfg.seed, j.cfg.fold) == first]
        rechecked = run_jobs(task_dir, out, again if protocol.recheck else [], **run)
        studies = label_jobs(base, protocol, lrs, grid[0]) if protocol.labelled else []
        labelled = run_jobs(task_dir, out, studies, progress=progress, on_point=on_point, **run)
    return tuned, results, rechecked, labelled


def rewrite_report(out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """Recompute the statistics of a finished comparison from its ``compare.json``.

    The runs are not repeated: the paired statistics are recomputed from the
    per-run, per-case Dice the JSON keeps, and the JSON, Markdown and plots are
    written again.
    """
    out = Path(out_dir)
    content = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    for section in content["arms"].values():
        section["comparisons"] = compare_rows(section["models"], content["protocol"]["baseline"])
    for row in content.get("label_efficiency", {}).get("rows", []):
        row["comparison"] = compare_starts(row)
    _write(out, content)
    return content


def _environment(results: list[dict[str, Any]]) -> dict[str, Any]:
    import torch

    threads = results[0]["threads"] if results else {}
    return {
        "torch": torch.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "threads": threads,
        "cuda": torch.cuda.is_available(),
    }


def _write(out: Path, content: dict[str, Any]) -> None:
    with atomic_path(out / "compare.json") as tmp:
        tmp.write_text(json.dumps(content, indent=2, allow_nan=True), encoding="utf-8")
    for arm, section in content["arms"].items():
        clock = content["protocol"].get("clock", "wall")
        plot_arm(section, out / f"compare_{arm}.png", title=f"{arm} arm", clock=clock)
    text = markdown(content)
    if "label_efficiency" in content:
        text += label_markdown(content["label_efficiency"])
    with atomic_path(out / "compare.md") as tmp:
        tmp.write_text(text, encoding="utf-8")
