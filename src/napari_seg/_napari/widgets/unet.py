"""U-Net widget: sliding-window inference of a checkpoint, on the GPU when there is one."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import napari
import numpy as np
from magicgui.widgets import CheckBox, ComboBox, FileEdit, SpinBox

from ...deep.config import CHECKPOINT_SUFFIXES, checkpoint_info
from ...ops import get
from .._controls import control_for, full_width, set_tooltips
from .._labeltable import matching_table
from .._layers import layer_geometry, placement
from .._registry import trained_checkpoints
from ._base import SegmentWidget
from ._finetune import FinetunePanel


def dice_warning(training: dict) -> str:
    """A warning when a class the model predicts reached Dice < 0.5 in training ("" if none).

    Classes the model never predicted are named apart: their Dice of 0 says nothing
    about the classes it does segment (the mean over all classes would).
    """
    per_class = training.get("val_dice_per_class")
    never = [str(n) for n in training.get("never_predicted") or []]
    if not isinstance(per_class, dict):  # an older checkpoint: only the mean
        dice = training.get("val_dice")
        low = isinstance(dice, (int, float)) and dice < 0.5
        return f"warning: this model reached Dice {dice:.2f} in training" if low else ""
    weak = {n: d for n, d in per_class.items() if n not in never and isinstance(d, (int, float))
            and d < 0.5}  # fmt: skip
    parts = []
    if weak:
        parts.append("it reached " + ", ".join(f"{n} Dice {d:.2f}" for n, d in weak.items()))
    if never:
        parts.append(f"it never predicted {', '.join(never)}")
    return f"warning: in training {'; '.join(parts)}" if parts else ""


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
        unet = get("unet")  # limits, defaults and tooltips as `segment --method unet` declares
        self.overlap = control_for(unet.param("overlap"))
        self.sw_batch = control_for(unet.param("sw_batch_size"))
        self.sw_batch.label = "windows per batch"
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
        self.checkpoint_note = ""
        self.checkpoint.changed.connect(self._read_checkpoint)
        set_tooltips(
            self,
            {
                "checkpoint": "A .safetensors checkpoint (or a .pt state dict); weights only.",
                "device": "auto: CUDA, then Apple MPS, then the CPU.",
                "use_checkpoint_roi": "Slide the window size the network was trained with.",
                "probabilities": "Also add the foreground probability as an image layer.",
                "largest": "Keep the largest connected object of each class.",
            },
        )
        for box in self.roi:
            box.tooltip = "Sliding-window size in voxels of the network's grid."
        self.use_checkpoint_roi.changed.connect(self._show_roi)
        self._show_roi()
        if trained_checkpoints.latest is not None:
            self.checkpoint.value = trained_checkpoints.latest
        trained_checkpoints.added.connect(self._offer)
        self.finetune = FinetunePanel(self)
        self.extend(self.finetune.widgets)
        full_width(self.finetune.heading, self.finetune.status)
        self.native.layout().addWidget(self.finetune.plot.widget)

    def reset_choices(self, *_: object) -> None:
        super().reset_choices()
        if hasattr(self, "finetune"):
            self.finetune.reset_choices()

    def _show_roi(self, *_: object) -> None:
        for w in self.roi:
            w.visible = not self.use_checkpoint_roi.value

    def _read_checkpoint(self, *_: object) -> None:
        """Defaults from the checkpoint's header (no torch): overlap, largest, a Dice warning."""
        info = checkpoint_info(self.checkpoint.value) or {}
        training = info.get("training")
        training = training if isinstance(training, dict) else {}
        try:  # a header is the file's word: a hostile value is a status line, not a crash
            if "val_overlap" in training:
                self.overlap.value = float(training["val_overlap"])
            # one foreground class (an organ): one object; several classes: keep them all
            self.largest.value = int(info.get("out_channels", 0)) == 2
            self.checkpoint_note = dice_warning(training)
        except (TypeError, ValueError, OverflowError) as exc:
            self.checkpoint_note = self.status.value = (
                f"checkpoint header not used for defaults ({str(exc)[:80]})"
            )
            return
        self.status.value = self.checkpoint_note

    def _offer(self, path) -> None:
        """A checkpoint trained in this session becomes the choice at once."""
        try:
            self.checkpoint.value = path
        except RuntimeError:  # this dock was closed: its Qt widgets are gone
            trained_checkpoints.added.disconnect(self._offer)

    def make_call(self, data, spacing):
        path = Path(self.checkpoint.value)
        if not path.is_file() or path.suffix.lower() not in CHECKPOINT_SUFFIXES:
            raise ValueError("choose a checkpoint file (.safetensors or .pt)")
        layer = self.image.value
        roi = None if self.use_checkpoint_roi.value else tuple(w.value for w in self.roi)
        options = {
            "roi_size": roi,
            "overlap": self.overlap.value,
            "sw_batch_size": self.sw_batch.value,
            "probabilities": self.probabilities.value,
            "cleanup": {"largest": True} if self.largest.value else None,
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

    def output_table(self, source):
        """The checkpoint's class names, in the colours of a ground truth naming the same."""
        labels = (checkpoint_info(self.checkpoint.value) or {}).get("labels") or {}
        try:
            names = {int(v): str(n) for v, n in labels.items()}
        except (TypeError, ValueError):
            return None
        return matching_table(self.viewer, names) if names else None

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
        return "; ".join(
            [*result.notes, note, *([self.checkpoint_note] * bool(self.checkpoint_note))]
        )

    def _load_and_predict(
        self, data, geometry, checkpoint, device, options, *, progress=None, should_stop=None
    ):
        """Runs in the worker: torch, MONAI and the checkpoint load there, never on the GUI."""
        from ...deep.cache import ModelCache
        from ...deep.segment_unet import segment_unet
        from ...volume import Volume

        if self.cache is None:
            self.cache = ModelCache(size=1)
        return segment_unet(
            Volume(data, geometry),
            checkpoint,
            cache=self.cache,
            device=device,
            progress=progress,
            should_stop=should_stop,
            **options,
        )
