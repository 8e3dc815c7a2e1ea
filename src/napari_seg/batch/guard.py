"""What a batch checks before it starts: inputs vs outputs, folder lock, scheduler, workers.

* The output folder must not be, or hold, an input; no case's output may be an input
  (``--overwrite`` redoes earlier outputs, never inputs).
* One batch at a time writes an output folder: ``OUTDIR/.napari-seg-batch.lock`` holds
  the writer's host and pid; a lock whose process is gone (same host) is stale and taken.
* ``--scheduler`` takes ``tcp://host:port`` (or ``host:port``); other schemes are refused.
* ``--workers`` is capped by the cores, the cases and the memory.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

from .._inputs import InputFiles
from .._memory import available_bytes, format_bytes

__all__ = [
    "LOCK_NAME",
    "check_batch_files",
    "check_recipe",
    "check_scheduler",
    "output_lock",
    "worker_count",
]

LOCK_NAME = ".napari-seg-batch.lock"

#: Memory a worker process holds besides its case (Python, numpy, dask, scipy).
WORKER_BASE_BYTES = 400 * 1024**2
#: A case's peak memory as a multiple of its largest input file's voxel payload.
CASE_COPIES = 8


def check_batch_files(
    source: Path | None, cases: list[tuple[str, Path]], out: Path, extra: list[Path | None]
) -> None:
    """Refuse an output folder that is or holds an input, and outputs that are inputs."""
    inputs = InputFiles().add(source).add_all(image for _, image in cases).add_all(extra)
    inputs.check_output_folder(out, option="-o/--out")
    for name, _ in cases:
        inputs.check_output(out / f"{name}.nii.gz", option="-o/--out")


def check_recipe(out: Path, recipe: dict, targets: list[Path]) -> None:
    """Refuse to resume into ``out`` when its existing outputs came from another recipe.

    ``batch.json`` records the method and options; a batch that would skip outputs
    made otherwise would leave two methods' labels in one folder under one name.
    """
    try:
        earlier = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return
    if not isinstance(earlier, dict) or not any(t.exists() for t in targets):
        return
    mine = json.loads(json.dumps(recipe, default=str))
    theirs = earlier.get("recipe")
    if not isinstance(theirs, dict):  # written before recipes were recorded: the method only
        if not isinstance(earlier.get("method"), str):
            return  # nothing recorded to compare with
        theirs, mine = {"method": earlier.get("method")}, {"method": recipe["method"]}
    if theirs != mine:
        raise ValueError(
            f"-o/--out {out}: its outputs were made by {_describe(theirs)} (batch.json), "
            f"this batch is {_describe(mine)}; choose another folder, or --overwrite to redo them"
        )


def _describe(recipe: dict) -> str:
    options = {k: v for k, v in recipe.items() if k != "method" and v}
    return f"method {recipe.get('method')!r}" + (f" with {options}" if options else "")


def check_scheduler(address: str) -> str:
    """``tcp://host:port`` for ``address``; ``ValueError`` for another scheme."""
    text = address.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text
    if scheme.lower() != "tcp" or not rest:
        raise ValueError(
            f"--scheduler {address}: only tcp://HOST:PORT is supported (got {scheme}://)"
        )
    return f"tcp://{rest}"


def worker_count(requested: int | None, n_cases: int, largest_bytes: int) -> tuple[int, str]:
    """Worker processes to start, and a note when fewer than requested (empty otherwise)."""
    cores = os.cpu_count() or 1
    per_worker = WORKER_BASE_BYTES + CASE_COPIES * max(0, largest_bytes)
    by_memory = max(1, int(0.8 * available_bytes()) // per_worker)
    limits = {"cores": cores, "cases": max(1, n_cases), "memory": by_memory}
    want = requested or cores
    n = min(want, *limits.values())
    if n < want and requested:
        why = min(limits, key=limits.get)
        extra = f" ({format_bytes(per_worker)} per worker)" if why == "memory" else ""
        return n, f"--workers {requested} capped to {n} by the {why}{extra}"
    return n, ""


def _alive(info: dict) -> bool:
    if info.get("host") != socket.gethostname():
        return True  # another machine's process: we cannot tell, so respect it
    try:
        pid = int(info.get("pid", -1))
    except (TypeError, ValueError):
        return False
    return pid > 0 and psutil.pid_exists(pid)


@contextmanager
def output_lock(out: Path) -> Iterator[Path]:
    """Hold ``out``'s batch lock in the ``with`` block; ``ValueError`` if a live batch holds it."""
    lock = out / LOCK_NAME
    me = {"host": socket.gethostname(), "pid": os.getpid()}
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                info = json.loads(lock.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                info = {}
            if not isinstance(info, dict):
                info = {}
            if _alive(info):
                raise ValueError(
                    f"-o/--out {out}: another batch (pid {info.get('pid')} on "
                    f"{info.get('host')}) is writing this folder; wait for it or remove {lock} "
                    "if it is no longer running"
                ) from None
            lock.unlink(missing_ok=True)  # stale: its process is gone
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(me, f)
        break
    else:  # pragma: no cover - two stale takers racing
        raise ValueError(f"-o/--out {out}: could not take the batch lock {lock}")
    try:
        yield lock
    finally:
        lock.unlink(missing_ok=True)
