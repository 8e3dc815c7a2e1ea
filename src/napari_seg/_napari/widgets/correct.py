"""Correct dock: 3-D correction tools on a Labels layer, by click or by button, each one undo step.

Click tools (grow region, delete, relabel, merge, split, keep island) take clicks
on the canvas: in 2-D the clicked voxel of the displayed slice, in 3-D the first
labelled voxel along the view ray (for growing: the brightest voxel along it).
"Fill between slices" and "grow region" show a preview to Accept or Cancel, as
3D Slicer does. Every change honours the layer's *preserve labels* and the
locked labels, and is written as one napari undo step (Ctrl+Z).
"""

from __future__ import annotations

import napari
import numpy as np
from magicgui.widgets import (
    ComboBox,
    Label,
    LineEdit,
    PushButton,
    create_widget,
)
from napari.layers import Image, Labels

from ...edit import label_at
from .._controls import control_for, full_width
from .._correct_tools import TOOLS, Options, run_tool
from .._docks import DockFrame
from .._labeltable import style
from .._layers import check_same_grid, layer_spacing, ray_voxels, upsert_labels
from .._prompt_tool import PromptTool
from .._results import Target, apply_edits, prepare
from .._segments import current_table
from .._tasks import reports_errors

PREVIEW = "correction preview"

#: Keys on the labels layer being corrected and on its preview (listed in the dock).
SHORTCUTS = {"Control-Shift-A": "accept", "Control-Shift-X": "reject", "Control-Shift-F": "apply"}

#: Which axis "fill between slices" fills along: the displayed plane's, or a fixed one.
AXES = {"displayed plane": None, "axis 0": 0, "axis 1": 1, "axis 2": 2}


class CorrectWidget(DockFrame):
    """Dock widget: pick the labels (and image), a tool, then click or press Apply."""

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        super().__init__(viewer, run="Apply", cancel="Stop")
        self.apply_button = self.run_button
        self.labels_layer = create_widget(annotation=Labels, label="labels")
        self.image = create_widget(annotation=Image | None, label="image")
        self.tool = ComboBox(choices=tuple(TOOLS), value="fill between slices", label="tool")
        declared = {t: TOOLS[t].operation for t in ("relabel", "smooth", "combine")}
        self.label_value = control_for(declared["relabel"].param("label"))
        self.label_value.label = "label"
        self.axis = ComboBox(choices=tuple(AXES), value="displayed plane", label="slices along")
        # each tool's size with its own unit and limits, from the registry (edit/tools.py)
        self.margin_mm, self.min_mm3, self.smooth_mm = (
            control_for(TOOLS[t].operation.param(n))
            for t, n in (("margin", "margin_mm"), ("remove islands", "min_mm3"),
                         ("smooth", "smooth_mm"))
        )  # fmt: skip
        self.whole = control_for(declared["relabel"].param("whole_label"))
        self.whole.text = "whole label, not only the clicked piece"
        self.smoothing = control_for(declared["smooth"].param("smooth"))
        self.smoothing.label = "smoothing"
        self.other = create_widget(annotation=Labels | None, label="other labels / scribbles")
        self.op = control_for(declared["combine"].param("op"))
        self.op.label = "operation"
        self.locked = LineEdit(value="", label="locked labels")
        self.help = Label(value="")
        self.keys = Label(
            value="keys on the layer: Ctrl+Shift+F apply, Ctrl+Shift+A accept, "
            "Ctrl+Shift+X cancel the preview; Ctrl+Z undo"
        )
        self.accept_button = PushButton(text="Accept preview")
        self.reject_button = PushButton(text="Cancel preview")
        self.lay_out([self.labels_layer, self.image, self.tool, self.help, self.label_value,
                      self.axis, self.margin_mm, self.min_mm3, self.smooth_mm,
                      self.whole, self.smoothing, self.other, self.op, self.locked],
                     [self.accept_button, self.reject_button, self.keys])  # fmt: skip
        self.help.native.setWordWrap(True)
        self.keys.native.setWordWrap(True)
        full_width(self.help, self.keys)
        self.clicks: list[np.ndarray] = []
        self.pending: tuple | None = None  # (target, prepared) of a preview
        self._bound: Labels | None = None
        self.accept_button.changed.connect(self.accept)
        self.reject_button.changed.connect(self.reject)
        self.tool.changed.connect(self._tool_changed)
        self.labels_layer.changed.connect(self._bind)
        self._set_tooltips()
        self._tool_changed()
        self.prompt = PromptTool(self)  # the AI click tool (issue 25): its own module
        self.append(self.prompt)

    @property
    def mm(self):
        """The shown tool's size control (the old single ``mm`` field; kept for scripts)."""
        return {"remove islands": self.min_mm3, "smooth": self.smooth_mm}.get(
            self.tool.value, self.margin_mm
        )

    def _set_tooltips(self) -> None:
        self.labels_layer.tooltip = (
            "The Labels layer to correct (its preserve-labels box is honoured)."
        )
        self.image.tooltip = "The image 'grow region' follows."
        self.tool.tooltip = "; ".join(f"{k}: {t.help}" for k, t in TOOLS.items())
        self.axis.tooltip = (
            "Fill between slices drawn across this axis; 'displayed plane': the slices you are "
            "painting on (the axis the slider moves through)."
        )
        self.other.tooltip = "combine: the other operand; grow from seeds: the scribbles."
        self.locked.tooltip = (
            "Comma-separated labels no tool may change, e.g. 2, 3 "
            "(segments locked in the Segments dock are locked too)."
        )
        self.apply_button.tooltip = "Run the tool (button tools) in the background."
        self.cancel_button.tooltip = "Stop the running tool; nothing is written."
        self.accept_button.tooltip = "Write the preview into the layer (one undo step)."
        self.reject_button.tooltip = "Drop the preview; the layer is unchanged."

    def _tool_changed(self, *_: object) -> None:
        tool = TOOLS[self.tool.value]
        self.clicks.clear()
        how = f"click {tool.clicks}x on the canvas" if tool.clicks else "press Apply"
        self.help.value = f"{tool.help} ({how})"
        name = self.tool.value
        self.margin_mm.visible = name == "margin"
        self.min_mm3.visible = name == "remove islands"
        self.smooth_mm.visible = name == "smooth"
        self.axis.visible = name == "fill between slices"
        self.whole.visible = name in ("delete", "relabel")
        self.smoothing.visible = name == "smooth"
        self.other.visible = name in ("combine", "grow from seeds")
        self.op.visible = name == "combine"
        self.image.visible = name in ("grow region", "grow from seeds")
        self._bind()

    def _bind(self, *_: object) -> None:
        """Route canvas clicks on the chosen labels layer to the click tools."""
        if self._bound is not None and self._on_mouse in self._bound.mouse_drag_callbacks:
            self._bound.mouse_drag_callbacks.remove(self._on_mouse)
        self._bound = self.labels_layer.value
        if self._bound is not None:
            self._bound.mouse_drag_callbacks.append(self._on_mouse)
            self._bind_keys(self._bound)
            if TOOLS[self.tool.value].clicks:
                self._bound.mode = "pan_zoom"  # a click selects, it does not paint

    def _bind_keys(self, layer: Labels) -> None:
        for key, action in SHORTCUTS.items():
            handler = getattr(self, action)
            layer.bind_key(key, lambda _layer, h=handler: h(), overwrite=True)

    def slice_axis(self, layer: Labels) -> int:
        """The axis "fill between slices" works along (by default the displayed plane's)."""
        chosen = AXES[self.axis.value]
        if chosen is not None:
            return chosen
        order = list(self.viewer.dims.order)
        offset = self.viewer.dims.ndim - layer.ndim  # the layer's axes are the viewer's last
        depth = order[-3] if len(order) >= 3 else 0  # the axis the slider moves through
        return int(min(max(depth - offset, 0), layer.ndim - 1))

    def _on_mouse(self, layer: Labels, event) -> None:
        if event.type != "mouse_press" or not TOOLS[self.tool.value].clicks or self.prompt.active:
            return
        point = self._clicked_voxel(layer, event)
        if point is not None:
            self.click(point)

    def _clicked_voxel(self, layer: Labels, event) -> np.ndarray | None:
        if len(event.dims_displayed) == 2:
            return np.asarray(layer.world_to_data(event.position))
        idx = ray_voxels(layer, event)
        if idx is None:
            return None
        if self.tool.value == "grow region" and self.image.value is not None:
            values = np.asarray(self.image.value.data)[tuple(idx.T)]
            return idx[int(np.argmax(values))]
        hit = np.flatnonzero(np.asarray(layer.data)[tuple(idx.T)] != 0)
        return idx[hit[0]] if hit.size else None

    @reports_errors
    def click(self, point) -> None:
        """A click in data coordinates ``(z, y, x)`` (what a canvas click calls)."""
        layer = self.labels_layer.value
        if layer is None:
            raise ValueError("choose the labels layer to correct")
        if self.tool.value != "grow region" and label_at(np.asarray(layer.data), point) == 0:
            raise ValueError("the click is on the background: click inside an object")
        self.clicks.append(np.asarray(point, dtype=float))
        needed = TOOLS[self.tool.value].clicks
        if len(self.clicks) < needed:
            self.status.value = f"{self.tool.value}: click {needed - len(self.clicks)} more"
            return
        clicks, self.clicks = self.clicks[:needed], []
        self._start(clicks)

    @reports_errors
    def run(self, *_: object) -> None:
        """Run a button tool (no clicks): what Apply does."""
        if TOOLS[self.tool.value].clicks:
            raise ValueError(f"{self.tool.value}: click on the canvas instead")
        self._start([])

    apply = run

    def _options(self, layer: Labels) -> Options:
        image, other = self.image.value, self.other.value
        if image is not None and self.tool.value in ("grow region", "grow from seeds"):
            check_same_grid(layer, image, what="image")  # intensities of another grid mislead
        if other is not None and self.tool.value in ("combine", "grow from seeds"):
            check_same_grid(layer, other, what="other labels")
        return Options(
            spacing=layer_spacing(layer),
            label=int(self.label_value.value),
            margin_mm=float(self.margin_mm.value),
            min_mm3=float(self.min_mm3.value),
            smooth_mm=float(self.smooth_mm.value),
            whole_label=self.whole.value,
            smoothing=self.smoothing.value,
            op=self.op.value,
            axis=self.slice_axis(layer),
            image=None if image is None else np.asarray(image.data),
            other=None if other is None else np.asarray(other.data),
        )

    def _start(self, clicks: list) -> None:
        layer = self.labels_layer.value
        if layer is None:
            raise ValueError("choose the labels layer to correct")
        if self.pending is not None:
            raise ValueError("accept or cancel the preview first")
        old = np.asarray(layer.data)
        locked = [int(v) for v in self.locked.value.replace(",", " ").split()]
        locked = sorted(set(locked) | current_table(layer).locked)  # the Segments dock's locks
        protection = {"preserve_labels": bool(layer.preserve_labels), "locked": locked}
        name, options, target = self.tool.value, self._options(layer), Target(layer)

        preview = TOOLS[name].preview

        def job(progress=None, should_stop=None):
            new = run_tool(name, old, clicks, options, **protection)
            prepared = prepare(new, target, overwrite_edits=True)
            # the preview's voxels are found here, not on the GUI thread (52M voxels: ~0.3 s)
            shown = np.where(old != prepared.labels, prepared.labels, 0) if preview else None
            return prepared, shown

        self.start(job, description=name, on_result=lambda r: self._done(target, *r))

    def _done(self, target: Target, prepared, shown: np.ndarray | None = None) -> str:
        if target.edited_during_run:
            target.close()
            message = "the layer changed while the tool ran; nothing was written"
            self.fail(message)
            return message
        if not prepared.changed:
            target.close()
            return "nothing to change"
        if TOOLS[self.tool.value].preview:
            self.pending = (target, prepared)
            if shown is None:
                shown = np.where(np.asarray(target.data) != prepared.labels, prepared.labels, 0)
            preview = upsert_labels(self.viewer, shown, name=PREVIEW, source=target.layer)
            style(preview, "preview")  # a yellow outline over the labels being corrected
            self._bind_keys(preview)  # it becomes the active layer: the keys must work there too
            return f"preview of {prepared.changed} voxels: Accept or Cancel"
        apply_edits(target.layer, prepared.edits)
        target.close()
        return f"{prepared.changed} voxels changed (Ctrl+Z undoes)"

    @reports_errors
    def accept(self, *_: object) -> None:
        """Write the previewed change (one undo step), unless the layer changed meanwhile."""
        if self.pending is None:
            raise ValueError("there is no preview to accept")
        target, prepared = self.pending
        self.reject()
        if target.edited_during_run:
            raise ValueError("the layer changed since the preview; run the tool again")
        apply_edits(target.layer, prepared.edits)
        self.status.value = f"{prepared.changed} voxels changed (Ctrl+Z undoes)"

    def reject(self, *_: object) -> None:
        """Drop the preview; the labels are unchanged."""
        if self.pending is not None:
            self.pending[0].close()
        self.pending = None
        if PREVIEW in self.viewer.layers:
            self.viewer.layers.remove(PREVIEW)
        self.status.value = "preview cancelled"
