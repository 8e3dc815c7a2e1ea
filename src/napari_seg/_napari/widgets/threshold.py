"""Threshold widget: manual window / Otsu family, optional ROI, clean-up, in a worker."""

from __future__ import annotations

from functools import partial

import napari
from magicgui.widgets import (
    CheckBox,
    ComboBox,
    Container,
    FloatSpinBox,
    Label,
    PushButton,
    SpinBox,
    create_widget,
)
from napari.layers import Image, Labels

from ...segment.pipeline import Cleanup, threshold_pipeline
from ...segment.threshold import CT_PRESETS, METHODS
from .._layers import upsert_labels, volume_of
from .._tasks import TaskRunner


class ThresholdWidget(Container):
    """Dock widget: semantic labels from a global threshold, written to ``<method> <image>``."""

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        super().__init__(labels=True)
        self.viewer = viewer
        self.image = create_widget(annotation=Image, label="image")
        self.method = ComboBox(choices=METHODS, value="otsu", label="method")
        self.preset = ComboBox(choices=("custom", *CT_PRESETS), value="custom", label="CT preset")
        self.low = FloatSpinBox(value=100.0, min=-1e9, max=1e9, step=10, label="low (HU)")
        self.high = FloatSpinBox(value=300.0, min=-1e9, max=1e9, step=10, label="high (HU)")
        self.classes = SpinBox(value=3, min=2, max=10, label="classes")
        self.mask = create_widget(annotation=Labels | None, label="mask / ROI")
        self.min_size = SpinBox(value=0, min=0, max=10**9, label="min size (voxels)")
        self.fill = CheckBox(value=False, text="fill holes")
        self.largest = CheckBox(value=False, text="keep largest")
        self.instances = CheckBox(value=False, text="split into components")
        self.run_button = PushButton(text="Run")
        self.cancel_button = PushButton(text="Cancel")
        self.status = Label(value="")
        self.extend(
            [
                self.image, self.method, self.preset, self.low, self.high, self.classes,
                self.mask, self.min_size, self.fill, self.largest, self.instances,
                self.run_button, self.cancel_button, self.status,
            ]
        )  # fmt: skip
        self.runner = TaskRunner(self.run_button, self.cancel_button, self.status)
        self.run_button.changed.connect(self.run)
        self.preset.changed.connect(self._apply_preset)
        self.method.changed.connect(self._show_relevant)
        self._show_relevant()

    def _apply_preset(self) -> None:
        if self.preset.value in CT_PRESETS:
            self.low.value, self.high.value = CT_PRESETS[self.preset.value]

    def _show_relevant(self) -> None:
        manual = self.method.value == "manual"
        for w in (self.preset, self.low, self.high):
            w.visible = manual
        self.classes.visible = self.method.value == "multiotsu"

    def output_name(self) -> str:
        return f"{self.method.value} {self.image.value.name}"

    def run(self) -> None:
        """Start thresholding the chosen image in a worker."""
        layer = self.image.value
        data = volume_of(layer, what="image layer")
        mask_layer = self.mask.value
        mask = None if mask_layer is None else volume_of(mask_layer, what="mask") != 0
        manual = self.method.value == "manual"
        fn = partial(
            threshold_pipeline,
            data,
            method=self.method.value,
            low=self.low.value if manual else None,
            high=self.high.value if manual else None,
            classes=self.classes.value,
            mask=mask,
            spacing=tuple(abs(s) for s in layer.scale[-data.ndim :]),
            post=Cleanup(
                min_voxels=self.min_size.value,
                fill_holes=self.fill.value,
                largest=self.largest.value,
                components=self.instances.value,
            ),
        )
        name = self.output_name()
        self.runner.start(
            fn,
            description=f"threshold ({self.method.value})",
            on_result=lambda labels: upsert_labels(self.viewer, labels, name=name, source=layer),
        )
