"""The U-Net dock's "Fine-tune on this correction" panel (human in the loop).

After correcting a prediction, the user fine-tunes the checkpoint on it in a
worker with a live loss curve; the new checkpoint (``<name>.ft<N>.safetensors``,
the old file untouched) becomes the dock's choice, so *Run* predicts with it.
The correction itself is saved first, next to the checkpoint.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
from magicgui.widgets import FileEdit, Label, PushButton, Widget, create_widget
from napari.layers import Labels
from napari.utils.notifications import show_info
from superqt.utils import ensure_main_thread

from ...ops import get
from .._controls import control_for, set_tooltips
from .._curves import CurvePlot, import_plotting
from .._layers import check_same_grid, layer_geometry, volume_of
from .._tasks import TaskRunner, reports_errors

__all__ = ["FinetunePanel"]


class FinetunePanel:
    """Corrected labels, steps, optional replay task, a button and a loss curve.

    Its controls go straight into the U-Net dock (:attr:`widgets`), under a heading.
    """

    def __init__(self, dock) -> None:
        self.dock = dock  # the U-Net widget: its image, checkpoint, device, Cancel
        self.heading = Label(value="<b>Fine-tune on a corrected prediction</b>")
        self.corrected = create_widget(
            annotation=Labels, label="corrected labels", name="corrected"
        )
        self.steps = control_for(get("finetune").param("steps"))  # as `napari-seg finetune`
        self.steps.label = "fine-tune steps"
        self.replay = FileEdit(mode="d", label="replay task", name="replay")
        self.button = PushButton(text="Fine-tune on this correction", name="finetune_button")
        self.rerun = PushButton(text="Predict again with the fine-tuned model", name="rerun")
        self.rerun.visible = False  # offered once a fine-tune has finished
        self.rerun.changed.connect(self._rerun)
        self.status = Label(value="")
        self.plot = CurvePlot(dock.viewer, x_label="step", dice=False)
        self.runner = TaskRunner(self.button, dock.cancel_button, self.status)
        set_tooltips(
            self,
            {
                "corrected": "The U-Net result after your corrections (same grid as the image).",
                "replay": "Optional: a Decathlon task whose cases are mixed in, so the model does "
                "not forget them (leave empty for the correction alone).",
                "button": "Save the correction next to the checkpoint, fine-tune a copy of the "
                "checkpoint on it, and make the copy the dock's checkpoint.",
                "rerun": "Run the U-Net again with the new checkpoint; your corrected layer is "
                "kept (the new prediction goes to a new layer).",
            },
        )
        self.button.changed.connect(self.start)

    @property
    def widgets(self) -> list[Widget]:
        return [self.heading, self.corrected, self.steps, self.replay, self.button, self.rerun,
                self.status]  # fmt: skip

    def reset_choices(self, *_: object) -> None:
        """The prediction ``unet <image>`` is the default layer to learn from."""
        self.corrected.reset_choices()
        image = self.dock.image.value
        name = f"unet {image.name}" if image is not None else None
        if name and name in self.dock.viewer.layers:
            current = self.corrected.value
            if current is None or not current.name.startswith("unet "):
                self.corrected.value = self.dock.viewer.layers[name]

    @reports_errors
    def start(self, *_: object) -> None:
        """Fine-tune in a worker; the loss of every step goes to the curve."""
        from ...deep.config import CHECKPOINT_SUFFIXES

        ckpt = Path(str(self.dock.checkpoint.value))
        if not ckpt.is_file() or ckpt.suffix.lower() not in CHECKPOINT_SUFFIXES:
            raise ValueError("choose the checkpoint that made the prediction")
        image_layer, labels_layer = self.dock.image.value, self.corrected.value
        if labels_layer is None:
            raise ValueError("choose the corrected labels layer")
        image = volume_of(image_layer, what="image")
        check_same_grid(image_layer, labels_layer, what="corrected labels")
        geometry = layer_geometry(image_layer)
        replay = str(self.replay.value)
        self.plot.clear()
        fn = partial(
            _run,
            str(ckpt),
            np.asarray(image),
            np.asarray(labels_layer.data).copy(),
            geometry,
            steps=int(self.steps.value),
            replay=replay if replay not in ("", ".") else None,
            device=self.dock.device.value,
            case=image_layer.name,
            on_step=self._step,
        )
        self.runner.start(fn, description="fine-tune", on_result=self._done)

    @ensure_main_thread
    def _step(self, record: dict) -> None:
        self.plot.add(
            "fine-tune", {"epoch": record["step"], "loss": record["loss"], "val_dice": None}
        )

    def _done(self, result) -> str:
        self.dock.checkpoint.value = result.checkpoint  # Run now predicts with the new one
        self.rerun.visible = True
        note = (
            f"saved {result.checkpoint.name} ({len(result.losses)} steps, loss "
            f"{result.losses[0]:.3f} -> {result.losses[-1]:.3f}); the correction is in "
            f"{result.correction}; predict again to see what it learned"
        )
        show_info(note)
        return note

    def _rerun(self, *_: object) -> None:
        """Predict with the fine-tuned checkpoint; hand edits are never written over."""
        self.rerun.visible = False
        self.dock.run()


def _run(checkpoint, image, labels, geometry, *, progress=None, should_stop=None, **kw):
    """In the worker: matplotlib and torch load here, never on the GUI thread."""
    import_plotting()
    from ...deep.finetune import finetune

    return finetune(
        checkpoint, image, labels, geometry, progress=progress, should_stop=should_stop, **kw
    )
