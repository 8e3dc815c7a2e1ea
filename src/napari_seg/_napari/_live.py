"""Keep a :class:`~napari_seg.metrics.SliceConfusion` in step with a Labels layer being edited.

napari emits ``paint`` (with the edit's history atoms) for a brush, eraser or
fill stroke and for ``data_setitem``, and ``set_data`` for undo/redo (and for
slicing). Painted slices are recounted from the atoms; a ``set_data`` that
changed the lengths of the undo/redo stacks recounts the slices of the history
items that undo/redo moved. Edits made in place by a script
(``layer.data[...] = v``) are not reported by napari: press Compute. Recounting
waits for a short pause (debounce) so a stroke costs one update.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
from napari.layers import Labels
from qtpy.QtCore import QTimer

from ..metrics import SliceConfusion
from ._compat import history_lengths, history_tops

__all__ = ["LiveScorer", "slices_of_atoms"]


def slices_of_atoms(atoms: Iterable[object]) -> set[int] | None:
    """Axis-0 indices touched by napari history atoms (None if one is not understood)."""
    out: set[int] = set()
    for atom in atoms:
        key = getattr(atom, "slice_key", None)
        if key is not None:  # a masked paint atom: a bounding box
            start, stop, _ = key[0].indices(10**12)
            out.update(range(start, stop))
        elif isinstance(atom, tuple) and atom and isinstance(atom[0], tuple):
            out.update(np.unique(np.asarray(atom[0][0])).tolist())
        else:
            return None
    return out


class LiveScorer:
    """Recount changed slices of ``pred`` against ``gt``; call ``on_update`` after each batch."""

    def __init__(
        self,
        pred: Labels,
        gt: np.ndarray,
        on_update: Callable[[], None],
        *,
        delay_ms: int = 60,
        confusion: SliceConfusion | None = None,
    ) -> None:
        self.layer, self.gt, self.on_update = pred, gt, on_update
        # a full count can take a while on a big volume: callers make it in a worker
        self.confusion = confusion if confusion is not None else SliceConfusion(pred.data, gt)
        self._pending: set[int] = set()
        self._all = False
        self._seen = self._history_state()
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)
        pred.events.paint.connect(self._on_paint)
        pred.events.set_data.connect(self._on_set_data)
        pred.events.data.connect(self._on_data)

    def close(self) -> None:
        """Stop listening to the layer."""
        self._timer.stop()
        for event, slot in (
            ("paint", self._on_paint),
            ("set_data", self._on_set_data),
            ("data", self._on_data),
        ):
            getattr(self.layer.events, event).disconnect(slot)

    def _history_state(self) -> tuple[int, int] | None:
        return history_lengths(self.layer)

    def _on_paint(self, event) -> None:
        touched = slices_of_atoms(event.value)
        self._seen = self._history_state()
        if touched is None:
            self._all = True
        else:
            self._pending |= touched
        self._timer.start()

    def _on_set_data(self, event=None) -> None:
        state = self._history_state()
        if state is not None and state == self._seen:  # slicing or a refresh: no edit
            return
        self._seen = state
        # undo/redo moved one history item between the stacks: recount the slices of
        # the items at the top of both, which is where it happened; cheap and exact
        tops = history_tops(self.layer)
        for item in tops if tops is not None else [None]:  # None: unreadable, recount all
            touched = None if item is None else slices_of_atoms(item)
            if touched is None:
                self._all = True
            else:
                self._pending |= touched
        if self._pending or self._all:
            self._timer.start()

    def _on_data(self, event=None) -> None:
        self.confusion = SliceConfusion(self.layer.data, self.gt)
        self._pending.clear()
        self._all = False
        self._timer.start()

    def flush(self) -> None:
        """Recount what changed now (tests call this instead of waiting)."""
        self._timer.stop()
        if self._all:
            self.confusion.refresh_all()
        elif self._pending:
            self.confusion.refresh(self._pending)
        self._pending.clear()
        self._all = False
        self.on_update()
