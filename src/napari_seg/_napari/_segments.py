"""Edits of a Labels layer's segments (rename, recolour, add, remove, lock), each one undo step.

napari's Labels history holds voxel edits only. A table edit is recorded in the
same history as an atom that changes no voxel: its "values" are the tables before
and after, which put themselves on the layer when napari replays the atom (napari
writes them through ``numpy.asarray``, which calls :meth:`_TableState.__array__`).
So Ctrl+Z on the layer undoes a rename as it undoes a brush stroke, and removing
a segment (its voxels set to 0 and its row dropped) is one step.

Locked segments: :func:`guard_locked` makes napari's own brush, fill, polygon and
eraser skip the voxels of locked segments, and refuse to paint with a locked one.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
from napari.layers import Labels
from napari.utils.colormaps import DirectLabelColormap

from ..io.labeltable import LabelTable
from ._compat import MaskedPaintAtom, save_history, wrap_paint_mask
from ._labeltable import apply_table, table_of
from ._meta import label_names
from ._results import _bbox, write_edits

__all__ = ["add_segment", "current_table", "guard_locked", "recolour", "removal_edits",
           "remove_segment", "rename", "set_flags", "shown_color"]  # fmt: skip

_EMPTY = np.empty(0, np.intp)
#: Layers whose painting already skips locked segments.
_GUARDED: weakref.WeakSet[Labels] = weakref.WeakSet()


class _TableState:
    """A table as a history "value": applying it (napari's replay) puts it on the layer."""

    def __init__(self, layer: Labels, table: LabelTable) -> None:
        self._layer = weakref.ref(layer)
        self.table = table

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        layer = self._layer()
        if layer is not None:
            apply_table(layer, self.table)
        return np.empty(0, dtype or np.uint8)

    def __len__(self) -> int:
        return 0


def current_table(layer: Labels) -> LabelTable:
    """The layer's table, else one made from its ``label_names``, else an empty one."""
    table = table_of(layer)
    if table is not None:
        return table
    names = label_names(layer)
    # in the colours napari shows now, so a first edit changes no colour on screen
    return LabelTable.from_dict(
        {v: {"name": n, "color": shown_color(layer, v)} for v, n in names.items()}
    )


def shown_color(layer: Labels, value: int) -> tuple[float, float, float, float]:
    """The colour napari draws ``value`` in on ``layer`` now (RGBA 0..1)."""
    rgba = np.asarray(layer.colormap.map(np.array([int(value)])), float).reshape(-1)[:4]
    return (float(rgba[0]), float(rgba[1]), float(rgba[2]), float(rgba[3]))


def _record(layer: Labels, before: LabelTable, after: LabelTable, edits=()) -> None:
    """Apply ``after`` (and voxel ``edits``) as one undo step."""
    atom = ((_EMPTY,) * layer.data.ndim, _TableState(layer, before), _TableState(layer, after))
    with layer.block_history():
        write_edits(layer, list(edits))
        save_history(layer, atom)  # False on an unchecked napari: applied, not undoable
    apply_table(layer, after)
    if edits:
        layer.refresh()


def rename(layer: Labels, value: int, name: str) -> None:
    """Call segment ``value`` ``name`` (one undo step)."""
    before = current_table(layer)
    _record(layer, before, before.renamed(value, name))


def recolour(layer: Labels, value: int, color: Any) -> None:
    """Draw segment ``value`` in ``color`` (RGB(A), 0..1 or 0..255; one undo step)."""
    before = current_table(layer)
    _record(layer, before, before.recoloured(value, color))


def add_segment(layer: Labels, name: str | None = None, *, used: set[int] | None = None) -> int:
    """Add a segment with the smallest value neither the table nor the voxels use (one undo
    step); returns it. ``used``: the values in the voxels when known (the dock's counts)."""
    before = current_table(layer)
    if used is None:
        used = {int(v) for v in np.unique(np.asarray(layer.data))}
    value = before.next_free(used)
    after = before.with_segment(value, name)
    if not isinstance(layer.colormap, DirectLabelColormap):  # napari's colours: keep them
        after = after.recoloured(value, shown_color(layer, value))
    _record(layer, before, after)
    return value


def removal_edits(data: np.ndarray, value: int) -> tuple[list[tuple], int]:
    """The edits that set ``value``'s voxels to 0 (bounding box, mask, old values), and their
    count; safe to run in a worker (0.4 s for 200x512x512)."""
    mask = np.asarray(data) == value
    n = int(np.count_nonzero(mask))
    if not n:
        return [], 0
    if MaskedPaintAtom is None:
        index = np.nonzero(mask)
        return [(index, None, np.asarray(data)[index], 0)], n
    box = _bbox(mask)
    sub = mask[box]
    return [(box, sub, np.asarray(data)[box][sub], 0)], n


def remove_segment(layer: Labels, value: int, edits: list[tuple] | None = None) -> int:
    """Erase segment ``value``'s voxels and drop its row (one undo step); returns voxels erased.

    ``edits`` from :func:`removal_edits` (made in a worker) are used when given.
    """
    before = current_table(layer)
    if edits is None:
        edits, _ = removal_edits(layer.data, value)
    n = sum(int(np.count_nonzero(m)) if m is not None else len(old) for _, m, old, _ in edits)
    _record(layer, before, before.without(value), edits)
    return n


def set_flags(layer: Labels, value: int, *, visible: bool | None = None,
              locked: bool | None = None) -> None:  # fmt: skip
    """Show/hide or lock/unlock segment ``value`` (a view setting: not an undo step)."""
    apply_table(layer, current_table(layer).with_flags(value, visible=visible, locked=locked))
    if locked:
        guard_locked(layer)


def guard_locked(layer: Labels, *, source: Labels | None = None) -> None:
    """Make napari's painting on ``layer`` leave locked segments alone (idempotent).

    Brush, eraser, fill and polygon all write through one napari hook
    (:func:`._compat.wrap_paint_mask`); the guard removes the voxels of locked
    segments from the mask, and paints nothing with a locked segment's value.
    ``source``: the layer whose table says what is locked (a view's mirror of it
    paints into the same array).
    """
    if layer in _GUARDED:
        return
    owner = weakref.ref(source if source is not None else layer)

    def wrap(original):
        def guarded(data, mask, new_label, volume_slice):
            table = table_of(owner()) if owner() is not None else None
            locked = table.locked if table is not None else set()
            if locked:
                if int(new_label) in locked:
                    return None
                mask = np.asarray(mask) & ~np.isin(data, sorted(locked))
            return original(data, mask, new_label, volume_slice)

        return guarded

    if wrap_paint_mask(layer, wrap):
        _GUARDED.add(layer)
