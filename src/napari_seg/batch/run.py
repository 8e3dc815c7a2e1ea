"""Run a batch on dask.distributed: a LocalCluster by default, or an existing scheduler.

Each case is one task (:func:`~napari_seg.batch.case.segment_case`). Outputs are
written atomically, so a case that dask retries after a worker died is safe, and a
stopped batch resumes: cases whose output exists are skipped. A failing case is
recorded with its error in ``OUTDIR/batch.json`` and the batch goes on.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .._errors import one_line
from .._files import write_text
from ..progress import Cancelled, ProgressCallback, StopCallback
from ..segment.methods import METHODS
from ..segment.registry import check_segment_options
from .cluster import completed, make_client
from .guard import check_batch_files, check_recipe, check_scheduler, output_lock, worker_count
from .inputs import batch_inputs, check_channel

__all__ = ["BatchResult", "segment_many"]


@dataclass
class BatchResult:
    """Per case: status (``done``, ``skipped``, ``failed``), seconds, worker, error, output."""

    cases: dict[str, dict[str, Any]] = field(default_factory=dict)
    workers: dict[str, int] = field(default_factory=dict)  # address -> checkpoints loaded
    seconds: float = 0.0
    report: Path | None = None
    notes: list[str] = field(default_factory=list)
    interrupted: bool = False
    recipe: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> list[str]:
        return [k for k, v in self.cases.items() if v["status"] == "failed"]


def _check(method: str, params: dict, cleanup: dict, unet: dict | None) -> None:
    """Refuse a bad method or option before any cluster starts (the CLI's check)."""
    if method == "unet":
        if not unet or not unet.get("checkpoint"):
            raise ValueError("--method unet needs --checkpoint")
        if not Path(unet["checkpoint"]).is_file():
            raise ValueError(f"--checkpoint {unet['checkpoint']}: no such file")
        if params:
            raise ValueError(f"{_flags(params)}: not for --method unet")
        check_segment_options(method, cleanup or {}, unet)
        return
    if method not in (*METHODS, "unet") and method not in _old_names():
        raise ValueError(f"--method {method!r}: choose one of {[*METHODS, 'unet']}")
    check_segment_options(method, params, unet)


def _flags(names) -> str:
    return ", ".join("--" + k.replace("_", "-") for k in sorted(names))


def _old_names() -> set[str]:
    return {a for spec in METHODS.values() for a in spec.aliases}


def segment_many(
    source: str | os.PathLike[str] | list[tuple[str, Path]],
    out_dir: str | os.PathLike[str],
    *,
    method: str = "otsu",
    params: dict[str, Any] | None = None,
    cleanup: dict[str, Any] | None = None,
    unet: dict[str, Any] | None = None,
    split: Literal["test", "train"] = "test",
    channel: int = 0,
    workers: int | None = None,
    scheduler: str | None = None,
    overwrite: bool = False,
    connect_timeout: float = 30.0,
    debug: bool = False,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
) -> BatchResult:
    """Segment every case of ``source`` into ``out_dir/<case>.nii.gz`` on dask.distributed.

    Parameters
    ----------
    source : path-like or list
        See :func:`~napari_seg.batch.inputs.batch_inputs`, or its result.
    out_dir : path-like
        Receives one labels file per case and ``batch.json``.
    method, params, cleanup, unet, channel
        As :func:`~napari_seg.batch.case.segment_case` (checked before anything starts).
    workers : int, optional
        Worker processes of the local cluster (default: one per core).
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``) instead of a local cluster.
    overwrite : bool
        Redo cases whose output exists (default: skip them, so a stopped batch resumes).
        Inputs are never overwritten: an output folder that is or holds an input is refused.
    connect_timeout : float
        Seconds to wait for ``scheduler`` and its first worker, and for a worker to come
        back when all are lost (default 30).
    debug : bool
        Let dask's worker logs through (default: kept off the terminal).
    progress, should_stop : callable, optional
        One step per finished case; a stop cancels the cases not yet done.

    Returns
    -------
    BatchResult
    """
    params, cleanup = dict(params or {}), dict(cleanup or {})
    _check(method, params, cleanup, unet)
    scheduler = check_scheduler(scheduler) if scheduler else None
    cases = source if isinstance(source, list) else batch_inputs(source, split=split)
    # absolute paths: a worker (maybe on another machine) has its own working folder
    cases = [(name, Path(os.path.abspath(image))) for name, image in cases]
    out = Path(os.path.abspath(out_dir))
    checkpoint = Path(unet["checkpoint"]) if unet and unet.get("checkpoint") else None
    given = None if isinstance(source, list) else Path(source)
    check_batch_files(given, cases, out, [checkpoint])
    if method != "unet":  # the network takes every channel; `segment` refuses the same
        check_channel(cases, channel)
    out.mkdir(parents=True, exist_ok=True)
    with output_lock(out):
        result = _segment_cases(
            cases, out, method, params, cleanup, unet, channel, workers, scheduler, overwrite,
            connect_timeout, debug, progress, should_stop,
        )  # fmt: skip
    if result.interrupted:
        raise KeyboardInterrupt
    if should_stop is not None and should_stop():
        raise Cancelled()
    return result


def _segment_cases(
    cases, out, method, params, cleanup, unet, channel, workers, scheduler, overwrite,
    connect_timeout, debug, progress, should_stop,
) -> BatchResult:  # fmt: skip
    result = BatchResult()
    t0 = time.perf_counter()
    before = _previous(out / "batch.json")
    result.recipe = {"method": method, "params": params, "cleanup": cleanup, "unet": unet}
    if not overwrite:  # skipping outputs of another recipe would mix two methods in one folder
        check_recipe(out, result.recipe, [out / f"{name}.nii.gz" for name, _ in cases])
    todo = []
    for name, image in cases:
        target = out / f"{name}.nii.gz"
        if target.exists() and not overwrite:  # done by an earlier run: keep what it recorded
            earlier = before.get(name)
            earlier = earlier if isinstance(earlier, dict) else {}  # a damaged entry: forget it
            result.cases[name] = {
                **earlier,
                "status": "skipped",
                "output": str(target),
                "image": str(image),
                "earlier": earlier.get("status"),
            }
        else:
            todo.append((name, image, target))
    result.report = out / "batch.json"
    try:
        if todo:
            largest = max(_payload_bytes(image) for _, image, _ in todo)
            n, note = worker_count(workers, len(todo), largest)
            if note:
                result.notes.append(note)
            client, cluster = make_client(n, scheduler, connect_timeout, debug)
            try:
                _run(todo, result, client, method, params, cleanup, unet, channel,
                     connect_timeout, progress, should_stop)  # fmt: skip
            finally:
                client.close()
                if cluster is not None:
                    cluster.close()
    except KeyboardInterrupt:  # Ctrl-C: keep what finished, then stop
        result.interrupted = True
    finally:  # batch.json records the finished cases whatever stopped the batch
        result.seconds = time.perf_counter() - t0
        for name, image, target in todo:
            result.cases.setdefault(
                name, {"status": "cancelled", "image": str(image), "output": str(target)}
            )
        _write_report(result, method)
    return result


def _payload_bytes(image: Path) -> int:
    """A rough size of a file's voxels (a gzip'd NIfTI inflates several times)."""
    try:
        size = image.stat().st_size
    except OSError:
        return 0
    return size * (6 if image.name.lower().endswith(".gz") else 1)


def _run(
    todo, result, client, method, params, cleanup, unet, channel, timeout, progress, should_stop
) -> None:
    from .case import segment_case

    futures = {
        client.submit(
            segment_case,
            str(image),
            str(target),
            method=method,
            params=params,
            cleanup=cleanup,
            unet=unet,
            channel=channel,
            pure=False,
            key=f"segment-{name}-{time.time_ns()}",
        ): (name, image, target)
        for name, image, target in todo
    }
    for done, future in enumerate(completed(client, futures, timeout), start=1):
        name, image, target = futures[future]
        result.cases[name] = _record(future, image, target, result)
        if progress is not None:
            progress(done, len(todo))
        if should_stop is not None and should_stop():
            for f in futures:
                f.cancel()
            break


def _record(future, image, target, result: BatchResult) -> dict[str, Any]:
    record: dict[str, Any] = {"image": str(image), "output": str(target)}
    if future.status == "finished":
        info = future.result()
        record.update(status="done", finished=time.time(), **info)
        result.workers[info["worker"]] = max(
            result.workers.get(info["worker"], 0), info["model_loads"]
        )
    elif future.status == "cancelled":
        record.update(status="cancelled")
    else:
        record.update(status="failed", error=one_line(future.exception()))
    return record


def _previous(report: Path) -> dict[str, dict[str, Any]]:
    """The cases an earlier ``batch.json`` recorded (none if it is missing or unreadable)."""
    try:
        cases = json.loads(report.read_text(encoding="utf-8")).get("cases", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return cases if isinstance(cases, dict) else {}


def _write_report(result: BatchResult, method: str) -> None:
    counts = {
        s: sum(1 for c in result.cases.values() if c["status"] == s)
        for s in ("done", "skipped", "failed", "cancelled")
    }
    report = {
        "method": method,
        "recipe": result.recipe,
        "seconds": result.seconds,
        "counts": counts,
        "model_loads_per_worker": result.workers,
        "cases": result.cases,
    }
    write_text(result.report, json.dumps(report, indent=2, default=str))
