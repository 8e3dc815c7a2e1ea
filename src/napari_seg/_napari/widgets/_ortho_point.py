"""The orthogonal views' shared point: slicing order, crosshair, clicks, active layer.

One point (``dims.point``) for the main viewer and each side view: moving it in
one moves it in all, and the crosshair (a Vectors layer per view) is drawn
through it. A click without a drag in pan/zoom mode moves it.
"""

from __future__ import annotations

import numpy as np

from .._anatomy import apply_orientation
from .._crosshair import draw_crosshairs

__all__ = ["VIEWS", "LinkedPoint"]

#: (title, dims order of the last three axes): napari world (z, y, x) = (S, A, R) for RAS.
VIEWS = (("coronal", (1, 0, 2)), ("sagittal", (2, 0, 1)))


class LinkedPoint:
    """Mixed into :class:`.ortho.OrthoViewsWidget`: it uses the widget's ``viewer``,
    ``models`` (the side views), ``mirrors``, ``_crosses``, ``_pending``, ``_syncing``
    and ``show_cross``."""

    def _order(self, *_: object) -> None:
        n = self.viewer.dims.ndim
        lead = tuple(range(n - 3)) if n >= 3 else ()
        for (_, order), model in zip(VIEWS, self.models.values(), strict=True):
            if n >= 3:
                model.dims.order = lead + tuple(n - 3 + o for o in order)
            apply_orientation(model)  # the main viewer's convention: superior up

    def _point_changed(self, event=None) -> None:
        """The point moved in one view: move it in the others and redraw the crosshair."""
        if self._syncing:
            return
        source = getattr(event, "source", None)
        if source is not None and source is not self.viewer.dims and self._pending:
            return  # a side view still being built moves its point as its range grows
        point = (source if hasattr(source, "point") else self.viewer.dims).point
        self._syncing = True
        try:
            for model in (self.viewer, *self.models.values()):
                if model.dims.ndim == len(point) and model.dims.point != point:
                    model.dims.point = point
            draw_crosshairs(
                self.viewer, self._crosses, np.asarray(point, float),
                visible=self.show_cross.isChecked(),
            )  # fmt: skip
        finally:
            self._syncing = False

    def _active_changed(self, event) -> None:
        """The layer chosen in the main viewer is the one painted in every view."""
        active = self.viewer.layers.selection.active if event is None else event.value
        mirrors = self.mirrors.get(id(active), [None] * len(self.models))
        for mirror, model in zip(mirrors, self.models.values(), strict=True):
            model.layers.selection.active = mirror

    def _click(self, model, event):
        """A click without a drag in pan/zoom mode moves the point of every view."""
        active = model.layers.selection.active
        if event.button != 1 or getattr(active, "mode", "pan_zoom") != "pan_zoom":
            return
        if model is self.viewer and model.dims.ndisplay == 3:
            return
        yield
        moved = False
        while event.type == "mouse_move":
            moved = True
            yield
        if not moved:
            self.move_to(np.asarray(event.position, float))

    def move_to(self, world: np.ndarray) -> None:
        """Put the point (napari world order, mm) of every view at ``world``."""
        self.viewer.dims.point = tuple(float(v) for v in world)
