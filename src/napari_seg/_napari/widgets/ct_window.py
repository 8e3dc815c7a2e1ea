"""CT window widget: named W/L windows (soft tissue, liver, bone, lung, brain) or custom."""

from __future__ import annotations

import napari
from magicgui.widgets import ComboBox, FloatSpinBox, create_widget
from napari.layers import Image

from ...io.kinds import CT_WINDOWS, window_limits
from .._docks import DockFrame
from .._layers import is_ct


class CTWindowWidget(DockFrame):
    """Dock widget: set an Image layer's contrast limits from a CT window (HU)."""

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        super().__init__(viewer, run=None)  # instant: no Run, no worker
        self.image = create_widget(annotation=Image, label="image")
        self.window = ComboBox(
            choices=(*CT_WINDOWS, "custom"), value="soft tissue", label="window"
        )
        self.ww = FloatSpinBox(value=400.0, min=1.0, max=5000.0, step=10.0, label="width (HU)")
        self.wl = FloatSpinBox(value=40.0, min=-2000.0, max=4000.0, step=10.0, label="level (HU)")
        self.window.tooltip = "Radiology display windows as width / level in Hounsfield units."
        self.image.tooltip = "The CT image layer whose contrast limits to set."
        self.ww.tooltip = "Window width in HU: the range of values shown from black to white."
        self.wl.tooltip = "Window level in HU: the value shown as mid-grey."
        self.note = self.status  # why there are no windows for an image that is not a CT
        self.lay_out([self.image, self.window, self.ww, self.wl])
        self.window.changed.connect(self._preset)
        self.ww.changed.connect(self.apply)
        self.wl.changed.connect(self.apply)
        self.image.changed.connect(self._image_changed)
        self._image_changed()

    def _image_changed(self, *_: object) -> None:
        """CT: the HU windows. Anything else: say so, and leave its contrast alone."""
        layer = self.image.value
        ct = layer is None or is_ct(layer)
        for widget in (self.window, self.ww, self.wl):
            widget.visible = ct
        self.note.value = (
            ""
            if ct
            else (
                f"{layer.name!r} is not a CT: its values are not Hounsfield units, so there are "
                "no CT windows; set its contrast in the layer controls."
            )
        )
        if layer is not None and ct:
            self.apply()

    def _preset(self, *_: object) -> None:
        if self.window.value in CT_WINDOWS:
            width, level = CT_WINDOWS[self.window.value]
            with self.ww.changed.blocked(), self.wl.changed.blocked():
                self.ww.value, self.wl.value = width, level
            self.apply()

    def apply(self, *_: object) -> None:
        """Set the chosen layer's contrast limits; a hand-typed W/L makes the window custom."""
        layer = self.image.value
        if layer is None or not is_ct(layer):
            return
        width, level = float(self.ww.value), float(self.wl.value)
        if CT_WINDOWS.get(self.window.value) != (width, level):
            with self.window.changed.blocked():
                self.window.value = "custom"
        low, high = window_limits(width, level)
        layer.contrast_limits_range = (
            min(low, layer.contrast_limits_range[0]),
            max(high, layer.contrast_limits_range[1]),
        )
        layer.contrast_limits = (low, high)
