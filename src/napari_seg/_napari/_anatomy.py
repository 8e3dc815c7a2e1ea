"""Anatomical display on a napari viewer: camera orientation, edge letters, position readout.

:func:`attach_display` is called wherever napari-seg opens or creates layers (reader,
sample, Decathlon dock). From then on, while the viewer holds a layer with an
anatomical frame (see :attr:`napari_seg.io.Geometry.anatomical`), the camera follows
the clinical convention of :mod:`napari_seg.display` for whichever plane is displayed,
R/L/A/P/S/I letters sit at the canvas edges, and the cursor's position reads in R/A/S.
Without such a layer napari's own orientation comes back and the overlays hide.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from napari.components.overlays import TextOverlay
from napari.layers import Image, Labels, Layer
from napari.settings import get_settings

from ..display import edge_letters, format_position, screen_orientation
from ..settings import load_settings, update_settings
from ._layers import camera_of, is_ct, length_unit
from ._meta import kept, label_names

__all__ = [
    "AnatomicalDisplay",
    "anatomical_axes",
    "apply_orientation",
    "attach_display",
    "is_anatomical",
    "readout_hidden",
]

_EDGES = {"top": "top_center", "bottom": "bottom_center",
          "left": "middle_left", "right": "middle_right"}  # fmt: skip
_KEY = "napari_seg_{}"
_ATTACHED: weakref.WeakKeyDictionary[Any, AnatomicalDisplay] = weakref.WeakKeyDictionary()


def is_anatomical(layer: Layer) -> bool:
    """True for a layer napari-seg placed in patient RAS (a file with a frame, or the sample)."""
    entry = kept(layer)
    if not entry or layer.ndim < 3:
        return False
    return bool(entry.get("anatomical", "affine" in entry))


def anatomical_axes(viewer: Any) -> list[int | None]:
    """Anatomical axis (0 = S, 1 = A, 2 = R) of each displayed world dim, None where none."""
    n = viewer.dims.ndim
    return [d - (n - 3) if n >= 3 and d >= n - 3 else None for d in viewer.dims.displayed]


def apply_orientation(viewer: Any, *, convention: str | None = None) -> tuple[str, str, str]:
    """Set ``viewer``'s camera orientation for the plane it now displays; returns it."""
    convention = convention or load_settings().display_convention
    axes = anatomical_axes(viewer)
    orientation = screen_orientation(axes, convention=convention)  # type: ignore[arg-type]
    camera = camera_of(viewer)
    if tuple(str(o) for o in camera.orientation) != orientation:
        camera.orientation = orientation
    return orientation


def _napari_default() -> tuple[str, str, str]:
    app = get_settings().application
    return (
        str(app.depth_axis_orientation),
        str(app.vertical_axis_orientation),
        str(app.horizontal_axis_orientation),
    )


def _value_text(layer: Layer, value: Any) -> str | None:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    if isinstance(layer, Labels):
        if int(value) == 0:  # background: show the image below instead
            return None
        name = label_names(layer).get(int(value), "")
        return f"label {int(value)} {name}".rstrip()
    if np.ndim(value) != 0:
        return None
    unit = " HU" if is_ct(layer) else ""
    return f"{layer.name}: {float(value):.6g}{unit}"


class AnatomicalDisplay:
    """Keeps one viewer's camera, edge letters and readout anatomical (see module doc)."""

    def __init__(self, viewer: Any) -> None:
        self._viewer = weakref.ref(viewer)
        self.active = False
        self._ours: tuple[str, str, str] | None = None
        self.settings = load_settings()
        for edge, position in _EDGES.items():
            viewer.canvas.overlays[_KEY.format(edge)] = TextOverlay(
                text="", position=position, visible=False, font_size=14, color="yellow"
            )
        viewer.canvas.overlays[_KEY.format("readout")] = TextOverlay(
            text="", position="top_left", visible=False, font_size=9
        )
        viewer.layers.events.inserted.connect(self.update)
        viewer.layers.events.removed.connect(self.update)
        viewer.dims.events.order.connect(self.update)
        viewer.dims.events.ndisplay.connect(self.update)
        viewer.cursor.events.position.connect(self._on_cursor)
        self.update()

    @property
    def viewer(self) -> Any:
        return self._viewer()

    def _overlay(self, name: str) -> TextOverlay:
        return self.viewer.canvas.overlays[_KEY.format(name)]

    def update(self, event: Any = None) -> None:
        """Re-apply orientation, letters and readout after layers or dims changed."""
        viewer = self.viewer
        if viewer is None:
            return
        settings = self.settings = load_settings()
        self.active = any(is_anatomical(layer) for layer in viewer.layers)
        if self.active:
            self._ours = apply_orientation(viewer, convention=settings.display_convention)
        elif self._ours is not None:
            if tuple(str(o) for o in camera_of(viewer).orientation) == self._ours:
                camera_of(viewer).orientation = _napari_default()
            self._ours = None
        self._update_letters(settings.orientation_markers)
        if not (self.active and settings.position_readout) or viewer.dims.ndisplay != 2:
            self._overlay("readout").visible = False  # a 3-D view has no single cursor depth

    def _update_letters(self, wanted: bool) -> None:
        viewer = self.viewer
        show = wanted and self.active and viewer.dims.ndisplay == 2
        letters: dict[str, str] = {}
        if show:
            axes = anatomical_axes(viewer)
            letters = edge_letters(axes, camera_of(viewer).orientation2d)
        for edge in _EDGES:
            overlay = self._overlay(edge)
            overlay.text = letters.get(edge, "")
            overlay.visible = edge in letters

    def letters(self) -> dict[str, str]:
        """The letters now shown at the canvas edges (empty when hidden)."""
        return {e: self._overlay(e).text for e in _EDGES if self._overlay(e).visible}

    def readout(self, position: Any = None) -> str:
        """The position (R, A, S in the layers' unit) and the value under it."""
        viewer = self.viewer
        point = np.asarray(viewer.cursor.position if position is None else position, float)
        if point.size < 3 or not np.all(np.isfinite(point[-3:])):
            return ""
        layers = [la for la in viewer.layers if la.visible and is_anatomical(la)]
        if not layers:
            return ""
        value = None
        for layer in reversed(layers):  # the top layer that has a value here
            if isinstance(layer, Image | Labels):
                value = _value_text(layer, layer.get_value(point, world=True))
                if value is not None:
                    break
        ras = point[-1], point[-2], point[-3]
        return format_position(ras, unit=length_unit(layers[-1]), value=value)

    def _on_cursor(self, event: Any = None) -> None:
        if not self.active or not self.settings.position_readout:
            return
        if self.viewer.dims.ndisplay != 2:  # a 3-D cursor has no single depth
            self._overlay("readout").visible = False
            return
        overlay = self._overlay("readout")
        overlay.text = self.readout()
        overlay.visible = bool(overlay.text)


@contextmanager
def readout_hidden(viewer: Any) -> Iterator[None]:
    """Hide the cursor readout while report pictures are taken (it follows the mouse)."""
    overlay = viewer.canvas.overlays.get(_KEY.format("readout"))
    shown = overlay is not None and overlay.visible
    if shown:
        overlay.visible = False
    try:
        yield
    finally:
        if shown:
            overlay.visible = True


def attach_display(viewer: Any | None) -> AnatomicalDisplay | None:
    """The viewer's :class:`AnatomicalDisplay`, made on first call; None without a viewer."""
    if viewer is None:
        return None
    display = _ATTACHED.get(viewer)
    if display is None:
        display = _ATTACHED[viewer] = AnatomicalDisplay(viewer)
    return display


def displays() -> list[AnatomicalDisplay]:
    """Every attached display whose viewer is still alive."""
    return [d for d in list(_ATTACHED.values()) if d.viewer is not None]


def set_convention(convention: str) -> None:
    """Switch every viewer to ``convention`` and keep it for later sessions."""
    update_settings(display_convention=convention)
    for display in displays():
        display.update()


def toggle_markers() -> bool:
    """Show or hide the edge letters in every viewer (kept for later sessions)."""
    shown = not load_settings().orientation_markers
    update_settings(orientation_markers=shown)
    for display in displays():
        display.update()
    return shown
