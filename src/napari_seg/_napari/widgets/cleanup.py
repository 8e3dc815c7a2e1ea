"""Components and clean-up widget: size filter, holes, largest object, opening/closing in mm."""

from __future__ import annotations

from functools import partial

import napari
from magicgui.widgets import CheckBox, ComboBox, FloatSpinBox, SpinBox
from napari.layers import Labels

from ...segment.pipeline import Cleanup, cleanup_labels
from ._base import SegmentWidget


class CleanupWidget(SegmentWidget):
    """Dock widget: ``clean-up <labels>``, applied in the order shown."""

    method_name = "clean-up"
    source_type = Labels

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        self.open_mm = FloatSpinBox(value=0.0, min=0.0, max=1e3, label="opening radius (mm)")
        self.close_mm = FloatSpinBox(value=0.0, min=0.0, max=1e3, label="closing radius (mm)")
        self.min_voxels = SpinBox(value=0, min=0, max=10**9, label="min size (voxels)")
        self.min_mm3 = FloatSpinBox(value=0.0, min=0.0, max=1e9, label="min size (mm³)")
        self.fill = CheckBox(value=False, text="fill holes")
        self.largest = CheckBox(value=False, text="keep largest")
        self.components = CheckBox(value=True, text="connected components (instances)")
        self.connectivity = ComboBox(choices=(6, 18, 26), value=26, label="connectivity")
        options = [
            self.open_mm,
            self.close_mm,
            self.min_voxels,
            self.min_mm3,
            self.fill,
            self.largest,
            self.components,
            self.connectivity,
        ]
        super().__init__(viewer, options)
        self.image.label = "labels"

    def make_call(self, data, spacing):
        post = Cleanup(
            open_mm=self.open_mm.value,
            close_mm=self.close_mm.value,
            min_voxels=self.min_voxels.value,
            min_mm3=self.min_mm3.value,
            fill_holes=self.fill.value,
            largest=self.largest.value,
            components=self.components.value,
            connectivity=int(self.connectivity.value),
        )
        return partial(cleanup_labels, data, post, spacing=spacing)
