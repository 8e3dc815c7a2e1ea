"""Canny widget: 3-D (spacing-aware) or per-slice edges as a Labels layer."""

from __future__ import annotations

from functools import partial

import napari
from magicgui.widgets import CheckBox, ComboBox, FloatSpinBox

from ...segment.edges import canny
from ._base import SegmentWidget


class CannyWidget(SegmentWidget):
    """Dock widget: ``canny <image>`` edges (1); usable as a watershed input."""

    method_name = "canny"

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        self.sigma = FloatSpinBox(value=1.0, min=0.0, max=50.0, step=0.25, label="sigma (mm)")
        self.quantiles = CheckBox(value=True, text="thresholds are quantiles")
        self.low = FloatSpinBox(value=0.7, min=0.0, max=1e6, step=0.05, label="low")
        self.high = FloatSpinBox(value=0.9, min=0.0, max=1e6, step=0.05, label="high")
        self.mode = ComboBox(choices=("3d", "slices"), value="3d", label="mode")
        super().__init__(viewer, [self.sigma, self.quantiles, self.low, self.high, self.mode])

    def make_call(self, data, spacing):
        return partial(
            canny,
            data,
            sigma_mm=self.sigma.value,
            spacing=spacing,
            low=self.low.value,
            high=self.high.value,
            use_quantiles=self.quantiles.value,
            mode=self.mode.value,
        )
