"""K-means widget: cluster intensities into k classes (label 1 darkest)."""

from __future__ import annotations

from functools import partial

import napari
from magicgui.widgets import SpinBox, create_widget
from napari.layers import Labels

from ...segment.kmeans import kmeans
from ._base import SegmentWidget


class KMeansWidget(SegmentWidget):
    """Dock widget: ``kmeans <image>`` labels 1..k ordered by mean intensity."""

    method_name = "kmeans"

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        self.k = SpinBox(value=3, min=2, max=64, label="classes (k)")
        self.seed = SpinBox(value=0, min=0, max=2**31 - 1, label="seed")
        self.mask = create_widget(annotation=Labels | None, label="mask / ROI")
        super().__init__(viewer, [self.k, self.seed, self.mask])

    def make_call(self, data, spacing):
        return partial(
            kmeans, data, self.k.value, mask=self.optional_mask(self.mask), seed=self.seed.value
        )
