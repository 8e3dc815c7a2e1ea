"""What a network costs: FLOPs per voxel, peak resident memory, pinned threads, size matching."""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psutil
import torch

from .networks import NETWORKS, build_network, count_parameters

__all__ = ["PeakMemory", "flops_per_voxel", "match_unet", "pinned_threads"]


def flops_per_voxel(model: torch.nn.Module, in_channels: int, roi: Sequence[int]) -> float:
    """Forward-pass FLOPs per input voxel, counted on one ``roi`` patch on the CPU.

    Counted by :class:`torch.utils.flop_counter.FlopCounterMode`: convolutions
    (transposed included), matrix products and attention einsums, a multiply-add
    counted as 2 FLOPs; normalisation, activations and softmax are left out (a
    few % of a convolutional network). A training step costs about 3x this.
    """
    from torch.utils.flop_counter import FlopCounterMode

    was_training = model.training
    model.eval()
    counter = FlopCounterMode(display=False)
    try:
        with torch.no_grad(), counter:
            model(torch.zeros(1, in_channels, *roi, device=next(model.parameters()).device))
    finally:
        model.train(was_training)
    return counter.get_total_flops() / math.prod(roi)


class PeakMemory:
    """Peak resident memory (RSS) of this process while the block runs, sampled every 20 ms.

    ``peak_mb`` is the highest RSS seen, ``baseline_mb`` the RSS on entry (the
    interpreter, torch and whatever ran before); their difference is what the
    block added at its peak.
    """

    def __init__(self, interval_s: float = 0.02) -> None:
        self.interval_s, self._proc = interval_s, psutil.Process()
        self.baseline_mb = self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self._proc.memory_info().rss / 2**20)
            time.sleep(self.interval_s)

    def __enter__(self) -> PeakMemory:
        self.baseline_mb = self.peak_mb = self._proc.memory_info().rss / 2**20
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.peak_mb = max(self.peak_mb, self._proc.memory_info().rss / 2**20)


@contextmanager
def pinned_threads(threads: int) -> Iterator[dict[str, Any]]:
    """Run the block with ``torch.set_num_threads(threads)``; yield what was set (recorded)."""
    before = torch.get_num_threads()
    torch.set_num_threads(max(1, int(threads)))
    try:
        yield {
            "torch_threads": torch.get_num_threads(),
            "interop_threads": torch.get_num_interop_threads(),
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
            "cpu_count": os.cpu_count(),
        }
    finally:
        torch.set_num_threads(before)


def _unet_parameters(size: str, overrides: dict[str, Any], in_ch: int, out_ch: int) -> int:
    with torch.device("meta"):  # shapes only: no memory, no initialisation time
        net = build_network(
            "unet", in_channels=in_ch, out_channels=out_ch, config=size, overrides=overrides
        )
    return count_parameters(net)


def match_unet(
    target: int, *, size: str = "fast", in_channels: int = 1, out_channels: int = 2,
    tolerance: float = 0.15,
) -> dict[str, Any]:  # fmt: skip
    """U-Net keywords (the ``size`` preset, widths scaled) within ``tolerance`` of ``target``.

    The preset's depth, strides and residual units are kept; the widths become
    ``w, 2w, 4w, ...`` with the integer base ``w`` whose parameter count is
    closest to ``target``.

    Raises
    ------
    ValueError
        No base width from 2 to 256 lands within the tolerance.
    """
    levels = len(NETWORKS["unet"].configs[size]["channels"])
    best: tuple[float, dict[str, Any], int] | None = None
    for base in range(2, 257):
        overrides = {"channels": [base * 2**i for i in range(levels)]}
        n = _unet_parameters(size, overrides, in_channels, out_channels)
        gap = abs(n - target) / target
        if best is None or gap < best[0]:
            best = (gap, overrides, n)
        if n > target:
            break
    assert best is not None
    if best[0] > tolerance:
        raise ValueError(
            f"no {size} U-Net within {tolerance:.0%} of {target:,} parameters "
            f"(closest {best[2]:,})"
        )
    return {"overrides": best[1], "parameters": best[2], "relative_gap": best[0]}
