"""Threshold widget: manual window / Otsu family, optional ROI, clean-up, live slice preview."""

from __future__ import annotations

from functools import partial

import napari
import numpy as np
from magicgui.widgets import CheckBox, ComboBox, FloatSpinBox, SpinBox, create_widget
from napari.layers import Labels

from ...segment.pipeline import Cleanup, threshold_pipeline
from ...segment.threshold import CT_PRESETS, METHODS, threshold
from .._layers import upsert_labels
from ._base import SegmentWidget

PREVIEW = "threshold preview"


class ThresholdWidget(SegmentWidget):
    """Dock widget: semantic labels from a global threshold, written to ``<method> <image>``."""

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        self.method = ComboBox(choices=METHODS, value="otsu", label="method")
        self.preset = ComboBox(choices=("custom", *CT_PRESETS), value="custom", label="CT preset")
        self.low = FloatSpinBox(value=100.0, min=-1e9, max=1e9, step=10, label="low (HU)")
        self.high = FloatSpinBox(value=300.0, min=-1e9, max=1e9, step=10, label="high (HU)")
        self.preview = CheckBox(value=False, text="live preview (current slice)")
        self.classes = SpinBox(value=3, min=2, max=10, label="classes")
        self.mask = create_widget(annotation=Labels | None, label="mask / ROI")
        self.min_size = SpinBox(value=0, min=0, max=10**9, label="min size (voxels)")
        self.fill = CheckBox(value=False, text="fill holes")
        self.largest = CheckBox(value=False, text="keep largest")
        self.instances = CheckBox(value=False, text="split into components")
        options = [
            self.method,
            self.preset,
            self.low,
            self.high,
            self.preview,
            self.classes,
            self.mask,
            self.min_size,
            self.fill,
            self.largest,
            self.instances,
        ]
        super().__init__(viewer, options)
        self.preset.changed.connect(self._apply_preset)
        self.method.changed.connect(self._show_relevant)
        for w in (self.low, self.high, self.preview):
            w.changed.connect(self.update_preview)
        viewer.dims.events.current_step.connect(self.update_preview)
        self._show_relevant()

    @property
    def method_name(self) -> str:  # type: ignore[override]
        return self.method.value

    def _apply_preset(self) -> None:
        if self.preset.value in CT_PRESETS:
            self.low.value, self.high.value = CT_PRESETS[self.preset.value]

    def _show_relevant(self) -> None:
        manual = self.method.value == "manual"
        for w in (self.preset, self.low, self.high, self.preview):
            w.visible = manual
        self.classes.visible = self.method.value == "multiotsu"

    def update_preview(self, *_: object) -> None:
        """Threshold only the displayed slice into the preview layer (cheap, so no worker)."""
        layer = self.image.value
        if not (self.preview.value and self.method.value == "manual") or layer is None:
            if PREVIEW in self.viewer.layers:
                self.viewer.layers.remove(PREVIEW)
            return
        data = np.asarray(layer.data)
        if data.ndim != 3:
            return
        z = int(np.clip(self.viewer.dims.current_step[-3], 0, data.shape[0] - 1))
        if PREVIEW not in self.viewer.layers:
            upsert_labels(self.viewer, np.zeros(data.shape, np.uint8), name=PREVIEW, source=layer)
        preview = self.viewer.layers[PREVIEW]
        preview.data[:] = 0
        preview.data[z] = threshold(
            data[z], method="manual", low=self.low.value, high=self.high.value
        )
        preview.refresh()

    def make_call(self, data, spacing):
        manual = self.method.value == "manual"
        return partial(
            threshold_pipeline,
            data,
            method=self.method.value,
            low=self.low.value if manual else None,
            high=self.high.value if manual else None,
            classes=self.classes.value,
            mask=self.optional_mask(self.mask),
            spacing=spacing,
            post=Cleanup(
                min_voxels=self.min_size.value,
                fill_holes=self.fill.value,
                largest=self.largest.value,
                components=self.instances.value,
            ),
        )
