"""Watershed widget: split touching objects of a mask, or grow clicked seeds."""

from __future__ import annotations

from functools import partial

import napari
import numpy as np
from magicgui.widgets import FloatSpinBox, create_widget
from napari.layers import Image, Labels, Points

from ...segment.watershed import markers_from_points, seeded_watershed, split_touching
from .._layers import volume_of
from ._base import SegmentWidget


class WatershedWidget(SegmentWidget):
    """Dock widget: ``watershed <mask>`` instance labels.

    Without seeds, touching blobs of the mask are split at their necks
    (distance-seeded, spacing-aware). With a Points layer or a markers Labels
    layer, the seeds grow over the intensity image's edges (or the mask's
    distance map): click seeds, run again.
    """

    method_name = "watershed"
    source_type = Labels

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        self.min_distance = FloatSpinBox(value=5.0, min=0.1, max=1e4, label="min distance (mm)")
        self.compactness = FloatSpinBox(value=0.0, min=0.0, max=1e6, label="compactness")
        self.points = create_widget(annotation=Points | None, label="seed points")
        self.markers = create_widget(annotation=Labels | None, label="seed labels")
        self.intensity = create_widget(annotation=Image | None, label="grow over image")
        options = [self.min_distance, self.compactness, self.points, self.markers, self.intensity]
        super().__init__(viewer, options)
        self.image.label = "mask"

    def _seed_markers(self, shape: tuple[int, ...]) -> np.ndarray | None:
        mask_layer = self.image.value
        if self.markers.value is not None:
            return volume_of(self.markers.value, what="seed labels").astype(np.int32)
        pts = self.points.value
        if pts is None or len(pts.data) == 0:
            return None
        voxels = [mask_layer.world_to_data(pts.data_to_world(p)) for p in pts.data]
        return markers_from_points(np.asarray(voxels)[:, -len(shape) :], shape)

    def make_call(self, data, spacing):
        mask = data != 0
        markers = self._seed_markers(data.shape)
        if markers is None:
            return partial(
                split_touching,
                mask,
                spacing=spacing,
                min_distance_mm=self.min_distance.value,
                compactness=self.compactness.value,
            )
        image = None if self.intensity.value is None else volume_of(self.intensity.value)
        return _seeded(
            markers, image=image, mask=mask, spacing=spacing, compactness=self.compactness.value
        )


def _seeded(markers, **kwargs):
    def run(progress=None, should_stop=None):
        return seeded_watershed(markers, **kwargs)

    return run
