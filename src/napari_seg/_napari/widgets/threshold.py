"""Threshold widget: manual window / Otsu family, optional smoothing, ROI, clean-up, preview."""

from __future__ import annotations

import napari
import numpy as np
from magicgui.widgets import CheckBox

from ...segment.methods import run_method
from ...segment.threshold import CT_PRESETS
from .._labeltable import style
from .._layers import layer_spacing, upsert_labels
from ._base import MethodWidget

PREVIEW = "threshold preview"


class ThresholdWidget(MethodWidget):
    """Dock widget: semantic labels from a global threshold, written to ``<method> <image>``."""

    methods = ("otsu", "manual", "multiotsu", "li", "yen", "triangle", "mean")

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        self.preview = CheckBox(value=False, text="live preview (current slice)")
        self.preview.tooltip = "Threshold the displayed slice as you move the bounds or slices."
        super().__init__(viewer, [self.preview])
        self.controls["preset"].changed.connect(self._apply_preset)
        for name in ("low", "high", "smooth", "smooth_mm"):
            self.controls[name].changed.connect(self.update_preview)
        self.preview.changed.connect(self.update_preview)
        self.method.changed.connect(self.update_preview)
        viewer.dims.events.current_step.connect(self.update_preview)

    def _apply_preset(self, *_: object) -> None:
        preset = self.controls["preset"].value
        if preset in CT_PRESETS:
            self.controls["low"].value, self.controls["high"].value = CT_PRESETS[preset]

    def _show_relevant(self, *_: object) -> None:
        super()._show_relevant()
        if hasattr(self, "preview"):
            self.preview.visible = self.method.value == "manual"

    def update_preview(self, *_: object) -> None:
        """Window (and smooth, in-plane) only the displayed slice into the preview layer."""
        layer = self.image.value
        if not (self.preview.value and self.method.value == "manual") or layer is None:
            if PREVIEW in self.viewer.layers:
                self.viewer.layers.remove(PREVIEW)
            return
        data = np.asarray(layer.data)
        params = {k: self.controls[k].value for k in ("low", "high", "smooth", "smooth_mm")}
        if data.ndim != 3 or (params["low"] is None and params["high"] is None):
            return
        z = int(np.clip(self.viewer.dims.current_step[-3], 0, data.shape[0] - 1))
        if PREVIEW not in self.viewer.layers:
            upsert_labels(self.viewer, np.zeros(data.shape, np.uint8), name=PREVIEW, source=layer)
            preview = self.viewer.layers[PREVIEW]
            style(preview, "preview")  # a yellow outline: distinct from results
            self.viewer.layers.move(self.viewer.layers.index(preview), len(self.viewer.layers))
        preview = self.viewer.layers[PREVIEW]
        preview.data[:] = 0
        preview.data[z] = run_method(
            "manual", data[z], spacing=layer_spacing(layer)[1:], params=params
        )
        preview.refresh()
