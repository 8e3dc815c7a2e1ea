"""Clean-up of label images: the last stage of every registry method.

:func:`napari_seg.segment.methods.run_method` runs smoothing, a method and this
clean-up; it reports progress per stage and checks for cancel between stages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..progress import ProgressCallback, Steps, StopCallback
from .components import (
    binary_closing,
    binary_opening,
    connected_components,
    fill_holes,
    keep_largest,
    remove_small,
)

__all__ = ["Cleanup", "cleanup", "cleanup_labels"]


@dataclass(frozen=True)
class Cleanup:
    """Post-processing options, applied in this order.

    Attributes
    ----------
    open_mm : float
        Opening radius in mm (each label value on its own; 0 = off).
    close_mm : float
        Closing radius in mm (each label value on its own; 0 = off).
    min_voxels : int
        Remove objects with fewer voxels.
    min_mm3 : float
        Remove objects smaller than this volume in mm³.
    fill_holes : bool
        Fill enclosed holes of each label.
    holes_per_slice : bool
        With ``fill_holes``: fill the holes of each axial (Z) slice on its own,
        so a notch open at the top or bottom of an organ is filled too.
    largest : bool
        Keep only the largest object of each label.
    components : bool
        Turn the result into instance labels 1..N (connected components).
    connectivity : int
        6/18/26 (3-D) or 4/8 (2-D) for every step that counts objects.
    """

    open_mm: float = 0.0
    close_mm: float = 0.0
    min_voxels: int = 0
    min_mm3: float = 0.0
    fill_holes: bool = False
    holes_per_slice: bool = False
    largest: bool = False
    components: bool = False
    connectivity: int = 26

    @property
    def steps(self) -> int:
        return sum(
            (
                self.open_mm > 0,
                self.close_mm > 0,
                self.min_voxels > 0 or self.min_mm3 > 0,
                self.fill_holes,
                self.largest,
                self.components,
            )
        )


def cleanup(
    labels: np.ndarray,
    options: Cleanup,
    *,
    spacing: Sequence[float] | None = None,
    steps: Steps | None = None,
) -> np.ndarray:
    """Apply :class:`Cleanup` to ``labels`` (shape (Y, X) or (Z, Y, X)); returns new labels."""
    conn = options.connectivity
    out = labels
    for radius, op in ((options.open_mm, binary_opening), (options.close_mm, binary_closing)):
        if radius > 0:
            out = _per_label(out, lambda m, op=op, r=radius: op(m, radius_mm=r, spacing=spacing))
            _step(steps)
    if options.min_voxels > 0 or options.min_mm3 > 0:
        out = remove_small(
            out,
            min_voxels=options.min_voxels,
            min_mm3=options.min_mm3,
            spacing=spacing,
            connectivity=conn,
        )
        _step(steps)
    if options.fill_holes:
        out = fill_holes(out, per_slice=options.holes_per_slice)
        _step(steps)
    if options.largest:
        out = keep_largest(out, connectivity=conn)
        _step(steps)
    if options.components:
        out, _ = connected_components(out, connectivity=conn)
        _step(steps)
    return out


def _per_label(labels: np.ndarray, op) -> np.ndarray:
    """Apply a binary morphology ``op`` to each label value; earlier values win overlaps."""
    out = np.zeros_like(labels)
    for value in np.unique(labels):
        if value != 0:
            grown = op(labels == value) != 0
            out[grown & (out == 0)] = value
    return out


def cleanup_labels(
    labels: np.ndarray,
    options: Cleanup,
    *,
    spacing: Sequence[float] | None = None,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
) -> np.ndarray:
    """:func:`cleanup` with progress and cancel (see :mod:`napari_seg.progress`)."""
    steps = Steps(options.steps, progress=progress, should_stop=should_stop)
    return cleanup(labels, options, spacing=spacing, steps=steps)


def _step(steps: Steps | None) -> None:
    if steps is not None:
        steps.step()
