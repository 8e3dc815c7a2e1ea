"""Voxel counts per label value of a Labels layer, kept up to date in a worker.

Counting 200x512x512 voxels takes 64 ms with fastremap (290 ms with
``numpy.bincount``), so it runs in a worker, slab by slab so the GUI thread gets
the interpreter between slabs, after a short pause in the edits (debounce).
napari also emits ``set_data`` when it re-slices; only one that moved the undo
history (undo, redo) changed voxels.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable

import numpy as np
from napari.layers import Labels
from napari.qt.threading import create_worker
from qtpy.QtCore import QTimer

from .._compat import history_lengths
from .._layers import layer_geometry

__all__ = ["VoxelCounter", "count_values", "voxel_volume"]

#: Voxels per slab: small enough that one slab holds the interpreter for about a millisecond.
_SLAB = 1 << 18


def count_values(data: np.ndarray) -> dict[int, int]:
    """Voxels per value, ``{value: count}``, of an integer volume (any shape)."""
    import fastremap

    arr = np.asarray(data)
    if arr.dtype == bool:
        arr = arr.view(np.uint8)
    total: Counter[int] = Counter()
    flat_rows = arr.reshape(arr.shape[0], -1) if arr.ndim > 1 else arr.reshape(1, -1)
    step = max(1, _SLAB // max(1, flat_rows.shape[1]))
    for start in range(0, flat_rows.shape[0], step):
        values, counts = fastremap.unique(flat_rows[start : start + step], return_counts=True)
        total.update(dict(zip(values.tolist(), counts.tolist(), strict=True)))
    return dict(total)


def voxel_volume(layer: Labels) -> tuple[float, str]:
    """One voxel's volume from the full geometry, and its unit: mL for mm grids, µm³ for µm."""
    geometry = layer_geometry(layer)
    voxel = abs(float(np.linalg.det(geometry.affine[:3, :3])))  # in unit³
    if geometry.unit == "mm":
        return voxel / 1000.0, "mL"
    return voxel, f"{geometry.unit}³"


class VoxelCounter:
    """Counts one layer's voxels per value after each edit; ``on_counts(counts)`` gets them."""

    def __init__(self, on_counts: Callable[[dict[int, int]], None], *, delay_ms: int = 250):
        self.on_counts = on_counts
        self.layer: Labels | None = None
        self._worker = None
        self._again = False
        self._seen = (0, 0)
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.recount)

    def _history(self) -> tuple[int, int] | None:
        return history_lengths(self.layer)

    def watch(self, layer: Labels | None) -> None:
        """Count ``layer`` now and after each of its edits (None: stop)."""
        if self.layer is not None:
            for name in ("paint", "set_data", "data"):
                getattr(self.layer.events, name).disconnect(self._edited)
        self.layer = layer
        if layer is not None:
            self._seen = self._history()
            for name in ("paint", "set_data", "data"):
                getattr(layer.events, name).connect(self._edited)
            self.recount()

    def stop(self) -> None:
        """Stop watching (a count in flight is dropped)."""
        self.watch(None)
        self.on_counts = lambda counts: None
        with contextlib.suppress(RuntimeError):  # Qt deleted it: the application is closing
            self._timer.stop()

    def _edited(self, event=None) -> None:
        state = self._history()  # None: cannot tell, count again
        if getattr(event, "type", "data") != "set_data" or state is None or state != self._seen:
            self._seen = state
            self._timer.start()

    def recount(self) -> None:
        """Count in a worker now (a request during a count runs once that one ends)."""
        if self.layer is None:
            return
        if self._worker is not None:
            self._again = True
            return
        layer = self.layer
        worker = create_worker(count_values, np.asarray(layer.data), _start_thread=False)
        worker.returned.connect(lambda counts: self._counted(layer, counts))
        worker.finished.connect(self._finished)
        self._worker = worker
        worker.start()

    def _counted(self, layer: Labels, counts: dict[int, int]) -> None:
        if layer is self.layer:
            self.on_counts(counts)

    def _finished(self) -> None:
        self._worker = None
        if self._again:
            self._again = False
            self.recount()
