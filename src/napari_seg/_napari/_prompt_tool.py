"""The Correct dock's AI click tool: click to segment with the promptable network.

A left click adds an object (positive) prompt, Shift+click or the right button
a background (negative) one; a rectangle in a Shapes layer can start the object
(its centre is a positive prompt and the object is kept inside it, in-plane).
Every click reruns :func:`napari_seg.prompt.segment` in a worker (refining the
previous result) and shows a preview layer; Accept writes the object into the
chosen label as one undo step, honouring *preserve labels* and the locked
labels. In 3-D a click takes the first voxel along the view ray that lies in
the image's content (above Otsu's threshold: body not air, head not background).
"""

from __future__ import annotations

import time

import numpy as np
from magicgui.widgets import CheckBox, Container, Label, PushButton, create_widget
from napari.layers import Labels, Shapes

from ..edit import protect
from ._layers import layer_spacing, ray_voxels, upsert_labels
from ._results import Target, apply_edits, prepare
from ._tasks import TaskRunner, reports_errors

__all__ = ["PREVIEW", "PromptTool"]

PREVIEW = "AI object preview"


def _shifted(event) -> bool:
    return "Shift" in {getattr(m, "name", str(m)) for m in getattr(event, "modifiers", ())}


class PromptTool(Container):
    """The AI click tool of a Correct dock (``dock``: labels, image, label value, locked)."""

    def __init__(self, dock) -> None:
        super().__init__(labels=True, label="AI click")
        self.tooltip = (
            "Click to segment with napari-seg's promptable network (trained on generated "
            "data only): each click updates a preview; Accept writes it as one undo step"
        )
        self.dock, self.viewer = dock, dock.viewer
        self.enabled_box = CheckBox(
            value=False,
            text="AI click to segment (click: object, Shift+click or right click: not object)",
        )
        self.box_layer = create_widget(annotation=Shapes | None, label="box layer")
        self.box_button = PushButton(text="Segment inside the box")
        self.accept_button = PushButton(text="Accept AI object")
        self.reset_button = PushButton(text="Reset clicks")
        self.stop_button = PushButton(text="Stop")
        self.tune_button = PushButton(text="Fine-tune on accepted objects")
        self.status = Label(value="")
        self.extend(
            [
                self.enabled_box,
                self.box_layer,
                self.box_button,
                self.accept_button,
                self.reset_button,
                self.tune_button,
                self.stop_button,
                self.status,
            ]
        )
        self.runner = TaskRunner(self.accept_button, self.stop_button, self.status)
        self.enabled_box.native.setStyleSheet("QCheckBox { spacing: 6px; }")
        self.positive: list[tuple[int, int, int]] = []
        self.negative: list[tuple[int, int, int]] = []
        self.mask: np.ndarray | None = None
        self.box: tuple[np.ndarray, np.ndarray] | None = None  # in-plane (lo, hi) of a box prompt
        self.model = None  # loaded in the first worker (torch is imported there)
        self.weights = None  # None: the shipped weights; else the latest fine-tuned file
        self.examples: list[tuple] = []  # accepted objects: (image box, mask box, spacing)
        self.tune_steps = 60
        self._pending = False
        self._bound: Labels | None = None
        self.accept_button.changed.connect(self.accept)
        self.reset_button.changed.connect(self.reset)
        self.box_button.changed.connect(self.use_box)
        self.tune_button.changed.connect(self.finetune)
        self.enabled_box.changed.connect(self._bind)
        dock.labels_layer.changed.connect(self._bind)
        self.enabled_box.tooltip = "Clicks on the labels layer prompt the network; Accept writes."
        self.box_button.tooltip = "The last rectangle of the box layer: its centre is the object."

    @property
    def active(self) -> bool:
        return bool(self.enabled_box.value)

    def _bind(self, *_: object) -> None:
        if self._bound is not None and self._on_mouse in self._bound.mouse_drag_callbacks:
            self._bound.mouse_drag_callbacks.remove(self._on_mouse)
        self._bound = self.dock.labels_layer.value if self.active else None
        if self._bound is not None:
            self._bound.mouse_drag_callbacks.append(self._on_mouse)
            self._bound.mode = "pan_zoom"  # a click prompts, it does not paint

    def _on_mouse(self, layer: Labels, event) -> None:
        if event.type != "mouse_press":
            return
        point = self._clicked_voxel(event)
        if point is not None:
            self.click(point, positive=not (_shifted(event) or getattr(event, "button", 1) == 2))

    def _clicked_voxel(self, event) -> np.ndarray | None:
        image = self.dock.image.value
        if image is None:
            return None
        if len(event.dims_displayed) == 2:
            return np.rint(image.world_to_data(event.position)).astype(int)
        idx = ray_voxels(image, event)
        if idx is None:
            return None
        data = np.asarray(image.data)
        from skimage.filters import threshold_otsu  # content: above Otsu's background cut

        hit = np.flatnonzero(data[tuple(idx.T)] > threshold_otsu(data[::4, ::4, ::4]))
        return idx[hit[0]] if hit.size else None

    def click(self, point, *, positive: bool = True) -> None:
        """A prompt at data voxel ``(z, y, x)``; reruns the network (in a worker)."""
        p = tuple(int(v) for v in np.rint(np.asarray(point, float)))
        (self.positive if positive else self.negative).append(p)
        self._run()

    @reports_errors
    def use_box(self, *_: object) -> None:
        """The last rectangle of the box layer as a prompt (on the displayed slice)."""
        shapes = self.box_layer.value
        image = self.dock.image.value
        if shapes is None or not len(shapes.data) or image is None:
            raise ValueError("choose the image and a Shapes layer holding a rectangle")
        corners = np.array([image.world_to_data(shapes.data_to_world(c)) for c in shapes.data[-1]])
        lo, hi = corners.min(axis=0), corners.max(axis=0)
        self.box = (lo[1:], hi[1:])
        self.positive.append(tuple(int(v) for v in np.rint((lo + hi) / 2)))
        self._run()

    @reports_errors
    def _run(self) -> None:
        image = self.dock.image.value
        if image is None or np.asarray(image.data).ndim != 3:
            raise ValueError("choose the 3-D image to segment in")
        if not self.positive:
            self.status.value = "click on the object first (a negative click needs an object)"
            return
        if self.runner.worker is not None and self.runner.worker.is_running:
            self._pending = True  # rerun with every click once this run ends
            return
        data, spacing = np.asarray(image.data), layer_spacing(image)
        pos, neg, prev, box = list(self.positive), list(self.negative), self.mask, self.box

        def job(progress=None, should_stop=None):
            from ..prompt import load_prompt_model, segment

            if self.model is None:
                self.model = load_prompt_model(self.weights)
            t0 = time.perf_counter()
            out = segment(
                data,
                pos,
                neg,
                spacing=spacing,
                model=self.model,
                previous=prev,
                progress=progress,
                should_stop=should_stop,
            ).astype(bool)
            if box is not None:
                inside = np.zeros(out.shape[1:], bool)
                lo, hi = np.floor(box[0]).astype(int), np.ceil(box[1]).astype(int) + 1
                inside[max(lo[0], 0) : hi[0], max(lo[1], 0) : hi[1]] = True
                out &= inside[None]
            return out, time.perf_counter() - t0

        self.runner.start(job, description="AI click", on_result=self._show, on_finish=self._after)

    def _after(self) -> None:
        if self._pending:
            self._pending = False
            self._run()

    def _show(self, result) -> str:
        mask, seconds = result
        self.mask = mask
        value = int(self.dock.label_value.value) or 1
        layer = upsert_labels(
            self.viewer,
            mask.astype(np.uint8) * np.uint8(min(value, 255)),
            name=PREVIEW,
            source=self.dock.image.value,
        )
        layer.opacity, layer.contour = 0.7, 1
        if self._bound is not None:
            self.viewer.layers.selection.active = self._bound  # keep clicks going to the labels
        n_pos, n_neg = len(self.positive), len(self.negative)
        return (
            f"{int(mask.sum())} voxels from {n_pos}+/{n_neg}- clicks in {seconds:.2f} s; "
            "Accept writes it"
        )

    @reports_errors
    def accept(self, *_: object) -> None:
        """Write the previewed object into the label (one undo step)."""
        layer = self.dock.labels_layer.value
        if layer is None or self.mask is None:
            raise ValueError("choose the labels layer and click an object first")
        if layer.data.shape != self.mask.shape:
            raise ValueError(f"the labels {layer.data.shape} and image {self.mask.shape} differ")
        old, mask, value = np.asarray(layer.data), self.mask, int(self.dock.label_value.value)
        locked = [int(v) for v in self.dock.locked.value.replace(",", " ").split()]
        keep, target = bool(layer.preserve_labels), Target(layer)

        def job(progress=None, should_stop=None):
            new = old.copy()
            new[mask] = value
            return prepare(
                protect(old, new, preserve_labels=keep, locked=locked),
                target,
                overwrite_edits=True,
            )

        def write(prepared) -> str:
            target.close()
            if target.edited_during_run:
                return "the layer changed meanwhile; nothing was written"
            apply_edits(layer, prepared.edits)
            self._keep_example(mask)
            self.reset()
            return f"{prepared.changed} voxels written to label {value} (Ctrl+Z undoes)"

        self.runner.start(job, description="accept AI object", on_result=write)

    def _keep_example(self, mask: np.ndarray, margin: int = 16) -> None:
        """Keep the accepted object (and the image around it) for fine-tuning (last 20)."""
        image = self.dock.image.value
        idx = np.argwhere(mask)
        if image is None or not len(idx):
            return
        lo, hi = np.maximum(idx.min(0) - margin, 0), idx.max(0) + margin + 1
        box = tuple(slice(int(a), int(b)) for a, b in zip(lo, hi, strict=True))
        data = np.array(np.asarray(image.data)[box])
        self.examples = [*self.examples[-19:], (data, mask[box].copy(), layer_spacing(image))]

    @reports_errors
    def finetune(self, *_: object) -> None:
        """Fine-tune on the accepted objects into a new versioned file; use it from now on."""
        if not self.examples:
            raise ValueError("accept a few objects first: they are the training examples")
        from ..settings import settings_path

        folder, examples, parent = (
            settings_path().parent / "prompt",
            list(self.examples),
            self.weights,
        )

        def job(progress=None, should_stop=None):
            from ..prompt.finetune import finetune_prompt

            return finetune_prompt(
                examples,
                folder,
                init=parent,
                steps=self.tune_steps,
                progress=progress,
                should_stop=should_stop,
            )

        def done(path) -> str:
            self.weights, self.model = path, None
            return f"fine-tuned on {len(examples)} objects: {path} (the shipped weights are kept)"

        self.runner.start(job, description="fine-tune AI click", on_result=done)

    def reset(self, *_: object) -> None:
        """Forget the clicks, the box and the preview."""
        self.positive, self.negative, self.mask, self.box = [], [], None, None
        if PREVIEW in self.viewer.layers:
            self.viewer.layers.remove(PREVIEW)
