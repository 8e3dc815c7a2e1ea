"""Shared helpers for the benchmark scripts: timing, peak memory, the large CT."""

from __future__ import annotations

import platform
import time
import tracemalloc
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from napari_seg.data.synthetic import SyntheticCT, make_synthetic_ct

LARGE = (200, 512, 512)


@cache
def large_ct(shape: tuple[int, int, int] = LARGE) -> SyntheticCT:
    """The 200x512x512 CT-like volume every benchmark uses (seed 0)."""
    return make_synthetic_ct(shape, seed=0)


def best_of(fn: Callable[[], Any], *, repeat: int = 3) -> tuple[float, Any]:
    """Fastest wall time of ``repeat`` runs, and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def peak_bytes(fn: Callable[[], Any]) -> int:
    """Peak bytes allocated through Python/numpy while ``fn`` runs (tracemalloc)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def report(concern: str, ours: float, baseline: float, *, unit: str = "s", note: str = "") -> None:
    """Print one line: ours, baseline and the ratio baseline/ours (>1 means we are faster)."""
    ratio = baseline / ours if ours else float("inf")
    print(
        f"{concern:<44} ours {ours:8.3f} {unit}   baseline {baseline:8.3f} {unit}   "
        f"ratio {ratio:6.2f}x  {note}"
    )


def machine() -> str:
    import os

    return f"{platform.machine()} {os.cpu_count()} cores, numpy {np.__version__}"
