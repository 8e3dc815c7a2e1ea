"""Linked orthogonal views: coronal and sagittal canvases beside napari's axial one.

Follows napari's multiple-viewer example: each extra view is a ``ViewerModel``
with its own ``QtViewer``. Its layers are mirrors of the main viewer's Image
and Labels layers built on the *same* arrays (no copy), and a mirror Labels
layer shares its original's undo/redo history, so a stroke in any view edits
the one array and is one undo step in the main viewer. One crosshair (a
Vectors layer per view) follows ``dims.point``; a click in any view (pan/zoom
mode) moves the point, and so the slices, of all three.
"""

from __future__ import annotations

import contextlib
import weakref
from functools import partial

import napari
from napari.components import ViewerModel
from napari.layers import Image, Labels, Layer, Vectors
from napari.qt import QtViewer
from qtpy.QtCore import Qt, QTimer
from qtpy.QtWidgets import QCheckBox, QLabel, QSplitter, QVBoxLayout, QWidget

from .._compat import history_lengths, share_history
from .._crosshair import (
    CROSSHAIR,
    add_crosshair,
    forget_crosshair,
    weak_click,
)
from .._segments import guard_locked
from ._ortho_point import VIEWS, LinkedPoint

#: Layer properties the mirrors follow (those a layer has).
SYNCED = ("visible", "opacity", "blending", "contrast_limits", "gamma", "colormap",
          "interpolation2d", "selected_label", "brush_size", "mode", "contour",
          "show_selected_label", "preserve_labels", "n_edit_dimensions",
          "scale", "translate", "rotate", "shear", "affine")  # fmt: skip


def _quiet_shortcuts() -> contextlib.AbstractContextManager:
    """Hold back napari's shortcut-change events while a ``QtViewer`` is made.

    Each ``QtViewer`` unbinds and binds again every shortcut from the settings, and
    each change refreshes every welcome screen and button tooltip: 0.15 s per view
    for bindings that end as they were.
    """
    try:
        from napari.utils.action_manager import action_manager

        return action_manager.events.shortcut_changed.blocker()
    except (ImportError, AttributeError):  # another napari: pay the refresh
        return contextlib.nullcontext()


def _history(layer: Labels) -> tuple[int, int] | None:
    return history_lengths(layer)


#: The dock's least width in px: each side view at least about this wide.
MIN_WIDTH = 360


class OrthoViewsWidget(LinkedPoint, QWidget):
    """Dock widget: the coronal and sagittal views of what the main viewer shows."""

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        super().__init__()
        self.viewer = viewer
        self.models = {title: ViewerModel(title=title) for title, _ in VIEWS}
        # the views' canvases are made in the first turns of the event loop too (0.1-0.2 s
        # each): the dock appears at once and fills in
        self.canvases: dict[str, QtViewer] = {}
        self._unmade = list(self.models)
        self.mirrors: dict[int, list[Layer]] = {}  # id(main layer) -> its mirror in each view
        self._seen: dict[int, tuple[int, int]] = {}
        self._main_of: dict[int, Layer] = {}  # id(mirror) -> the main viewer's layer
        self._syncing = False
        # mirrors are built one per event-loop turn: each costs napari ~0.1 s of visuals,
        # and the viewer stays responsive while a dock with several layers opens
        self._pending: list[tuple[Layer | None, int]] = []  # (layer, view) or (None, cross)
        self._timer = QTimer(self)
        self._timer.setInterval(25)  # > 0: input and paints get their turn between builds
        self._timer.timeout.connect(self._pump)
        self.show_cross = QCheckBox("crosshair")
        self.show_cross.setChecked(True)
        self.show_cross.setToolTip("Lines through the current point in every view.")
        help_text = QLabel("Click in any view (pan/zoom mode) to move the crosshair; paint in "
                           "any view with the layer's paint mode.")  # fmt: skip
        help_text.setWordWrap(True)
        self._splitter = QSplitter(Qt.Orientation.Vertical)
        layout = QVBoxLayout(self)
        layout.addWidget(self.show_cross)
        layout.addWidget(help_text)
        layout.addWidget(self._splitter, 1)
        self.setMinimumHeight(500)
        self.setMinimumWidth(MIN_WIDTH)  # a narrow dock made ~170 px side views
        self._crosses: list[Vectors] = []
        self._main_cross: list[Vectors] = []  # only the main viewer's: the closure keeps it
        self._pending.append((None, 0))  # the main viewer's crosshair first, at once visible
        for layer in viewer.layers:
            self._add(layer)
        self._pending += [(None, i) for i in range(1, 1 + len(self.models))]
        self._timer.start()
        self._connect()
        self._order()
        self._point_changed()

    @property
    def ready(self) -> bool:
        """Both views are made and every layer of the main viewer has its mirrors."""
        return not self._pending and not self._unmade

    # -- wiring ---------------------------------------------------------------------------
    def _connect(self) -> None:
        v = self.viewer
        v.layers.events.inserted.connect(self._inserted)
        v.layers.events.removed.connect(self._removed)
        v.layers.events.moved.connect(self._restack)
        v.dims.events.point.connect(self._point_changed)
        v.dims.events.order.connect(self._order)
        click = weak_click(weakref.ref(self))
        v.mouse_drag_callbacks.append(click)
        v.layers.selection.events.active.connect(self._active_changed)
        for model in self.models.values():
            model.dims.events.point.connect(self._point_changed)
            model.mouse_drag_callbacks.append(self._click)
        self.show_cross.toggled.connect(self._point_changed)
        # when the dock goes, its crosshair and click handler leave the main viewer
        self.destroyed.connect(partial(forget_crosshair, weakref.ref(v), self._main_cross, click))

    def _inserted(self, event) -> None:
        self._add(event.value)

    def _removed(self, event) -> None:
        if self._main_cross and event.value is self._main_cross[0]:
            # removed with the others ("delete all"): made again with the next layer
            self._crosses.remove(event.value)
            self._main_cross.clear()
            return
        for mirror, model in zip(self.mirrors.pop(id(event.value), []), self.models.values(),
                                 strict=False):  # fmt: skip
            if mirror is not None and mirror in model.layers:
                model.layers.remove(mirror)
        self._pending = [(la, i) for la, i in self._pending if la is not event.value]

    def _add(self, layer: Layer) -> None:
        """Queue mirrors of an Image or Labels layer for every extra view."""
        if not isinstance(layer, Image | Labels) or id(layer) in self.mirrors:
            return
        lost = not self._main_cross and (None, 0) not in self._pending
        if lost and self._crosses:  # the main viewer's crosshair went with its layers
            self._pending.append((None, 0))
        self.mirrors[id(layer)] = [None] * len(self.models)
        self._pending += [(layer, i) for i in range(len(self.models))]
        self._timer.start()

    def _pump(self) -> None:
        """Make one view, or build one queued mirror (the same array, no copy)."""
        if self._unmade:
            title = self._unmade.pop(0)
            with _quiet_shortcuts():
                canvas = QtViewer(self.models[title], show_welcome_screen=False)
            canvas.setToolTip(f"{title} view")
            self._splitter.addWidget(canvas)
            self.canvases[title] = canvas
            return
        if not self._pending:
            self._timer.stop()
            for model in self.models.values():
                model.reset_view()
            self._active_changed(None)
            self._point_changed()  # every view at the main viewer's point
            return
        layer, i = self._pending.pop(0)
        if layer is None:
            model = (self.viewer, *self.models.values())[i]
            cross = add_crosshair(self.viewer, model)
            if i == 0:
                self._crosses.insert(0, cross)
                self._main_cross.append(cross)
            else:
                self._crosses.append(cross)
            self._point_changed()
            return
        mirrors = self.mirrors.get(id(layer))
        if mirrors is None:  # removed meanwhile
            return
        model = list(self.models.values())[i]
        mirror = Layer.create(*layer.as_layer_data_tuple())
        if isinstance(mirror, Labels):
            guard_locked(mirror, source=layer)  # segments locked on the layer hold here too
        model.layers.insert(self._slot(layer, model), mirror)
        mirrors[i] = mirror
        self._main_of[id(mirror)] = layer
        self._order()  # the view's dims grew with its first 3-D layer
        if all(m is not None for m in mirrors):
            self._wire(layer)

    def _slot(self, layer: Layer, model) -> int:
        """Where ``layer``'s mirror goes in ``model``: the main viewer's stacking order."""
        below = []
        for other in self.viewer.layers:
            if other is layer:
                break
            below.append(id(other))
        return sum(
            1
            for la in model.layers
            if id(self._main_of.get(id(la), la)) in below and la.name != CROSSHAIR
        )

    def _restack(self, *_: object) -> None:
        """Layers moved in the main viewer: the same order in every view (crosshair on top)."""
        order = {id(la): k for k, la in enumerate(self.viewer.layers)}
        for model in self.models.values():
            key = lambda la: order.get(id(self._main_of.get(id(la), la)), len(order))  # noqa: E731
            for target, layer in enumerate(sorted(model.layers, key=key)):
                current = model.layers.index(layer)
                if current != target:
                    model.layers.move(current, target)

    def _wire(self, layer: Layer) -> None:
        mirrors = self.mirrors[id(layer)]
        # bound methods: napari holds them weakly, so a closed dock is not kept alive
        for name in SYNCED:
            if hasattr(layer.events, name):
                getattr(layer.events, name).connect(self._on_property)
        if isinstance(layer, Labels):
            self._link(layer)
            self._seen[id(layer)] = _history(layer)
            layer.events.data.connect(self._on_new_data)
            layer.events.paint.connect(self._on_main_paint)
            layer.events.set_data.connect(self._on_set_data)
            for mirror in mirrors:
                mirror.events.paint.connect(self._on_mirror_paint)
                mirror.events.set_data.connect(self._on_set_data)

    def _main(self, layer: Layer) -> Layer:
        return self._main_of.get(id(layer), layer)

    def _on_property(self, event) -> None:
        self._sync(event.source, event.type)

    def _on_new_data(self, event) -> None:
        self._new_data(event.source)

    def _on_main_paint(self, event) -> None:
        self._refresh(event.source, skip=None)

    def _on_mirror_paint(self, event) -> None:
        self._stroke_in_mirror(self._main(event.source), event)

    def _on_set_data(self, event) -> None:
        self._history_moved(self._main(event.source))

    def _link(self, layer: Labels) -> None:
        """One undo/redo history for a Labels layer and its mirrors."""
        for mirror in self.mirrors[id(layer)]:
            share_history(mirror, layer)

    def _sync(self, layer: Layer, name: str) -> None:
        for mirror in self.mirrors.get(id(layer), []):
            if mirror is None:
                continue
            with contextlib.suppress(ValueError, TypeError, AttributeError):
                setattr(mirror, name, getattr(layer, name))  # unless the mirror cannot take it

    def _new_data(self, layer: Labels) -> None:
        """``layer.data = ...`` in the main viewer: mirror the new array and its new history."""
        for mirror in self.mirrors.get(id(layer), []):
            if mirror is not None:
                mirror.data = layer.data
        self._link(layer)
        self._seen[id(layer)] = _history(layer)

    def _stroke_in_mirror(self, layer: Labels, event) -> None:
        """A stroke in a side view: the main layer shows it and tells its listeners."""
        self._seen[id(layer)] = _history(layer)
        layer.refresh()
        layer.events.paint(value=event.value)

    def _history_moved(self, layer: Labels) -> None:
        """Undo/redo in any view: refresh the others (a refresh alone changes nothing)."""
        state = _history(layer)
        if state is None or state != self._seen.get(id(layer)):  # None: cannot tell
            self._seen[id(layer)] = state
            layer.refresh()
            self._refresh(layer, skip=None)

    def _refresh(self, layer: Labels, *, skip) -> None:
        for mirror in self.mirrors.get(id(layer), []):
            if mirror is not None and mirror is not skip:
                mirror.refresh()
