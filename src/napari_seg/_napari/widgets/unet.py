"""U-Net widget: sliding-window inference of a checkpoint, on the GPU when there is one."""

from __future__ import annotations

from functools import partial

import napari
import numpy as np
from magicgui.widgets import CheckBox, ComboBox, FileEdit, FloatSpinBox, SpinBox

from .._layers import layer_geometry, placement
from .._registry import trained_checkpoints
from ._base import SegmentWidget


class UNetWidget(SegmentWidget):
    """Dock widget: ``unet <image>`` labels (and optionally ``unet <image> probabilities``)."""

    method_name = "unet"

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        self.checkpoint = FileEdit(mode="r", label="checkpoint", filter="*.safetensors *.pt *.pth")
        self.device = ComboBox(
            choices=("auto", "cpu", "cuda", "mps"), value="auto", label="device"
        )
        self.roi = [SpinBox(value=96, min=8, max=1024, step=16, label=f"ROI {a}") for a in "ZYX"]
        self.use_checkpoint_roi = CheckBox(value=True, text="ROI from the checkpoint")
        self.overlap = FloatSpinBox(value=0.5, min=0.0, max=0.95, step=0.05, label="overlap")
        self.sw_batch = SpinBox(value=4, min=1, max=64, label="windows per batch")
        self.probabilities = CheckBox(value=False, text="add probabilities layer")
        self.largest = CheckBox(value=False, text="keep largest per class")
        options = [
            self.checkpoint,
            self.device,
            self.use_checkpoint_roi,
            *self.roi,
            self.overlap,
            self.sw_batch,
            self.probabilities,
            self.largest,
        ]
        super().__init__(viewer, options)
        self.cache = None  # this widget's ModelCache, made in the worker (torch loads there)
        if trained_checkpoints.latest is not None:
            self.checkpoint.value = trained_checkpoints.latest
        trained_checkpoints.added.connect(self._offer)

    def _offer(self, path) -> None:
        """A checkpoint trained in this session becomes the choice at once."""
        self.checkpoint.value = path

    def make_call(self, data, spacing):
        layer = self.image.value
        roi = None if self.use_checkpoint_roi.value else tuple(w.value for w in self.roi)
        options = {
            "roi_size": roi,
            "overlap": self.overlap.value,
            "sw_batch_size": self.sw_batch.value,
            "probabilities": self.probabilities.value,
            "largest_component": self.largest.value,
        }
        geometry = layer_geometry(layer)
        return partial(
            self._load_and_predict,
            data,
            geometry,
            self.checkpoint.value,
            self.device.value,
            options,
        )

    def labels_of(self, result):
        return result.labels

    def _show(self, name, source, target, payload):
        note = super()._show(name, source, target, payload)
        result = payload[0]
        if result.probabilities is not None:
            prob_name = f"{name} probabilities"
            foreground = np.asarray(result.probabilities[1:].sum(axis=0), np.float32)
            if prob_name in self.viewer.layers:
                self.viewer.layers[prob_name].data = foreground
            else:
                self.viewer.add_image(
                    foreground,
                    name=prob_name,
                    colormap="magma",
                    blending="additive",
                    contrast_limits=(0, 1),
                    **placement(source),
                )
        return "; ".join([*result.notes, note])

    def _load_and_predict(
        self, data, geometry, checkpoint, device, options, *, progress=None, should_stop=None
    ):
        """Runs in the worker: torch, MONAI and the checkpoint load there, never on the GUI."""
        from ...deep.cache import ModelCache
        from ...deep.inference import predict

        if self.cache is None:
            self.cache = ModelCache(size=1)
        model, meta, dev = self.cache.get(checkpoint, device)
        return predict(
            data,
            geometry,
            model,
            meta,
            device=dev,
            progress=progress,
            should_stop=should_stop,
            **options,
        )
