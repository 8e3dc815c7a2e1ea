"""Helpers shared by the subcommands: input volumes, terminal progress."""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ..io import Geometry, is_decathlon_path, load_decathlon, load_volume

__all__ = ["Input", "TerminalProgress", "bounded", "device_name", "label_list", "load_input"]


class Input(NamedTuple):
    """What a command reads: voxels, geometry, a display name, and what the file carried.

    ``segments`` is the file's label table (``.seg.nrrd``, DICOM SEG), ``source`` the
    DICOM series the image came from (for a DICOM SEG output); either may be None.
    """

    data: np.ndarray
    geometry: Geometry
    name: str
    segments: dict[int, dict[str, Any]] | None = None
    source: dict[str, Any] | None = None


def load_input(
    path: Path, *, case: str | None = None, channel: int | None = 0, series: str | None = None
) -> Input:
    """A volume, its geometry and a display name from any volume format or a Decathlon case.

    NIfTI, NRRD/.nhdr, .seg.nrrd, a DICOM series (folder, DICOMDIR or one of its
    files; ``series`` picks one of several) or DICOM SEG (see
    :func:`napari_seg.io.load_volume`). ``channel`` picks one channel of a
    multi-channel image (``(Z, Y, X)`` out); None keeps them all (``(C, Z, Y, X)``
    for multi-channel, else ``(Z, Y, X)``).

    Raises
    ------
    ValueError
        A Decathlon task without ``case``, a missing channel, or a bad file.
    """
    if is_decathlon_path(path):
        task = load_decathlon(path)
        if case is None:
            names = ", ".join(c.name for c in task.cases[:5])
            raise ValueError(f"{path}: a Decathlon task needs --case NAME (for example {names})")
        loaded = task.load_case(case)
        if channel is None:
            vols = loaded.channels
            data = vols[0].data if len(vols) == 1 else np.stack([v.data for v in vols])
            return Input(data, vols[0].geometry, f"{task.name}/{case}")
        if not 0 <= channel < len(loaded.channels):
            raise ValueError(
                f"--channel {channel}: case {case} of {path} has {len(loaded.channels)} channel(s)"
            )
        vol = loaded.channels[channel]
        return Input(vol.data, vol.geometry, f"{task.name}/{case}")
    if case is not None:
        raise ValueError(f"--case {case}: {path} is a single volume, not a Decathlon task folder")
    vol = load_volume(path, series=series)
    data = vol.data
    n_channels = data.shape[0] if data.ndim == 4 else 1
    found = (vol.geometry, path.name, vol.segments, vol.source)
    if channel is None:
        return Input(data, *found)
    if not 0 <= channel < n_channels:
        raise ValueError(f"--channel {channel}: {path} has {n_channels} channel(s)")
    if data.ndim == 4:
        data = data[channel]
    return Input(data, *found)


class TerminalProgress:
    """``progress(done, total)`` callback drawing a one-line bar on stderr."""

    def __init__(self, label: str, *, enabled: bool = True) -> None:
        self.label, self.enabled, self.t0 = (
            label,
            enabled and sys.stderr.isatty(),
            time.perf_counter(),
        )

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        width = 30
        filled = int(width * done / total)
        elapsed = time.perf_counter() - self.t0
        bar = "#" * filled + "-" * (width - filled)
        print(f"\r{self.label} [{bar}] {done}/{total} {elapsed:5.1f}s", end="", file=sys.stderr)
        if done >= total:
            print(file=sys.stderr)


def bounded(kind: type, low: float, high: float | None = None, *, above: bool = False):
    """An argparse ``type`` that converts and range-checks (finite, >= or > low, <= high).

    argparse turns its ``ValueError`` into ``--option: invalid ... value`` and exit 2.
    """

    def convert(text: str):
        value = kind(text)
        if kind is float and not math.isfinite(value):
            raise ValueError(text)
        if value < low or (above and value == low) or (high is not None and value > high):
            raise ValueError(text)
        return value

    convert.__name__ = f"{kind.__name__} {'>' if above else '>='} {low}" + (
        f" and <= {high}" if high is not None else ""
    )
    return convert


def device_name(text: str) -> str:
    """An argparse ``type`` for ``--device``: the device must exist on this machine.

    torch is imported only when the option is given.
    """
    from ..deep.device import DeviceError, select_device

    try:
        select_device(text)
    except DeviceError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def label_list(text: str) -> list[int]:
    """An argparse ``type`` for ``--labels 1,2``: non-negative integers, at least one."""
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of labels"
        ) from None
    if not values or min(values) < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give label values >= 0, e.g. 1,2")
    return values
