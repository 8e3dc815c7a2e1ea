"""The segmentation docks: source picker and safe output on the shared :class:`DockFrame`.

:class:`SegmentWidget` reads the source layer and its spacing from the full
layer geometry, refuses a mask, seed or grow-over layer on another grid
(:func:`.._layers.check_same_grid`), runs the bound core function in a worker,
and writes the result so that a hand edit is never lost (:mod:`.._results`).
:class:`MethodWidget` builds its controls from the method registry.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import napari
import numpy as np
from magicgui.widgets import CheckBox, ComboBox, Widget, create_widget
from napari.layers import Image, Labels, Points

from ...io.labeltable import LabelTable
from ...segment.methods import METHODS, run_method
from .._controls import control_for
from .._docks import DockFrame
from .._labeltable import apply_table, table_of
from .._layers import check_same_grid, intensity_unit, is_ct, layer_spacing, volume_of
from .._results import find_target, prepare, write
from .._tasks import reports_errors

__all__ = ["MethodWidget", "SegmentWidget"]


class SegmentWidget(DockFrame):
    """Base dock widget: subclasses add option widgets and implement :meth:`make_call`.

    ``make_call(data, spacing)`` returns a function taking ``progress`` and
    ``should_stop`` (a core function with its options bound); its result goes
    to the Labels layer ``<method> <source>``, placed on the source.
    """

    method_name = "segment"
    source_type: type = Image

    def __init__(self, viewer: napari.viewer.Viewer, options: list[Widget]) -> None:
        super().__init__(viewer)
        self.image = create_widget(annotation=self.source_type, label="image")
        self.overwrite = CheckBox(value=False, text="overwrite hand edits (undoable)")
        self.overwrite.tooltip = (
            "Off: if the output layer was edited since the last run, write a new layer. "
            "On: write over the edits; Ctrl+Z on the layer brings them back."
        )
        tips = {
            "image": "The layer to segment; its full placement gives the spacing in mm.",
            "run_button": "Run in the background; the result goes to '<method> <source>'.",
            "cancel_button": "Stop the run at its next step; no layer is changed.",
        }
        self.lay_out([self.image, *options, self.overwrite], tooltips=tips)

    def output_name(self) -> str:
        return f"{self.method_name} {self.image.value.name}"

    def make_call(self, data: np.ndarray, spacing: tuple[float, ...]) -> Callable[..., Any]:
        raise NotImplementedError

    def labels_of(self, result: Any) -> np.ndarray:
        """The labels volume in what the core function returned."""
        return result

    @reports_errors
    def run(self, *_: object) -> None:
        """Read the source layer, then run the bound core function in a worker."""
        layer = self.image.value
        data = volume_of(layer, what=self.image.label + " layer")
        fn = self.make_call(data, layer_spacing(layer))
        name = self.output_name()
        target = find_target(self.viewer, name)
        overwrite = self.overwrite.value
        labels_of = self.labels_of

        def job(progress=None, should_stop=None):
            result = fn(progress=progress, should_stop=should_stop)
            return result, prepare(labels_of(result), target, overwrite_edits=overwrite)

        self.start(
            job,
            description=f"{self.method_name} ({layer.name})",
            on_result=partial(self._show, name, layer, target),
            on_finish=target.close,
        )

    def _show(self, name: str, source: Any, target, payload) -> str:
        _, prepared = payload
        self.output_layer, note = write(self.viewer, prepared, target, name=name, source=source)
        table = self.output_table(source)
        if table is not None:
            apply_table(self.output_layer, table)
        return note

    def output_table(self, source: Any) -> LabelTable | None:
        """Names and colours for the result (None: napari's own colours)."""
        return None

    def on_grid(self, widget: Widget, *, what: str) -> np.ndarray | None:
        """The volume of the layer chosen in ``widget`` (None if none), refused unless it
        lies on the source layer's grid (:func:`~.._layers.check_same_grid`)."""
        layer = widget.value
        if layer is None:
            return None
        check_same_grid(self.image.value, layer, what=what)
        return volume_of(layer, what=what)


class MethodWidget(SegmentWidget):
    """A widget for one or more registry methods: controls come from their declarations."""

    methods: tuple[str, ...] = ()

    def __init__(self, viewer: napari.viewer.Viewer, extra: list[Widget] | None = None) -> None:
        specs = [METHODS[m] for m in self.methods]
        self.source_type = Labels if specs[0].source_kind == "labels" else Image
        self.method = ComboBox(choices=self.methods, value=self.methods[0], label="method")
        self.method.visible = len(self.methods) > 1
        # the methods' own options first, then smoothing, then clean-up (the order they run)
        own = {p.name: p for s in specs for p in s.params}
        params = {**own, **{p.name: p for s in specs for p in s.all_params if p.name not in own}}
        self.params = params
        self.controls = {name: control_for(p) for name, p in params.items()}
        self.inputs: list[Widget] = []
        if any(s.uses_mask for s in specs):
            self.mask = create_widget(annotation=Labels | None, label="mask / ROI")
            self.mask.tooltip = (
                "Only voxels inside this Labels layer (non-zero) count and get labels."
            )
            self.inputs.append(self.mask)
        if "watershed" in self.methods:
            self.points = create_widget(annotation=Points | None, label="seed points")
            self.markers = create_widget(annotation=Labels | None, label="seed labels")
            self.intensity = create_widget(annotation=Image | None, label="grow over image")
            self.points.tooltip = "One click inside each object: each becomes a seed ball."
            self.markers.tooltip = "Seed labels: each non-zero value grows into one object."
            self.intensity.tooltip = "Seeds grow over this image's edges (else the mask's shape)."
            self.inputs += [self.points, self.markers, self.intensity]
        self.advanced = CheckBox(value=False, text="show advanced options")
        self.advanced.tooltip = "Show the rarer options (opening, closing, sizes, connectivity)."
        self.method.tooltip = "; ".join(f"{m}: {METHODS[m].help}" for m in self.methods)
        options = [self.method, *self.inputs, *self.controls.values(), *(extra or [])]
        super().__init__(viewer, [*options, self.advanced])
        if specs[0].source_kind == "labels":
            self.image.label = "labels" if self.methods == ("cleanup",) else "mask"
        self.method.changed.connect(self._show_relevant)
        self.advanced.changed.connect(self._show_relevant)
        self.image.changed.connect(self._show_relevant)
        self._show_relevant()

    @property
    def method_name(self) -> str:  # type: ignore[override]
        return self.method.value

    def _show_relevant(self, *_: object) -> None:
        spec = METHODS[self.method.value]
        mine = {p.name for p in spec.all_params}
        image = self.image.value if self.source_type is Image else None
        ct = is_ct(image)
        for name, widget in self.controls.items():
            widget.visible = (
                name in mine
                and (self.advanced.value or not self.params[name].advanced)
                and (ct or image is None or name != "preset")  # CT windows: CT only
            )
        if image is not None and not ct and "preset" in self.controls:
            self.controls["preset"].value = None
        self._intensity_labels(intensity_unit(image) if image is not None else "HU")
        if hasattr(self, "mask"):
            self.mask.visible = spec.uses_mask

    def _intensity_labels(self, unit: str) -> None:
        """Options declared in HU read "(intensity)" for an image that is not a CT."""
        for name, param in self.params.items():
            if param.unit == "HU":
                widget = self.controls[name]
                widget.label = param.label.replace("(HU)", f"({unit})")
                widget.tooltip = widget.tooltip.replace("(HU)", f"({unit})").replace(
                    "(intensity)", f"({unit})"
                )

    def output_table(self, source: Any) -> LabelTable | None:
        """The source's table when the method keeps its label values (clean-up)."""
        spec = METHODS[self.method.value]
        if spec.keeps_ids and not self.current_params().get("components"):
            return table_of(source) if isinstance(source, Labels) else None
        return None

    def current_params(self) -> dict[str, Any]:
        """Values of the current method's controls, by parameter name."""
        return {p.name: self.controls[p.name].value for p in METHODS[self.method.value].all_params}

    def _seeds(self) -> dict[str, Any]:
        if self.method.value != "watershed":
            return {}
        source = self.image.value
        out: dict[str, Any] = {}
        markers = self.on_grid(self.markers, what="seed labels")
        if markers is not None:
            out["markers"] = markers.astype(np.int32)
        pts = self.points.value
        if pts is not None and len(pts.data):
            voxels = [source.world_to_data(pts.data_to_world(p)) for p in pts.data]
            out["points"] = np.asarray(voxels)[:, -source.ndim :]
        intensity = self.on_grid(self.intensity, what="grow-over image")
        if intensity is not None:
            out["image"] = intensity
        return out

    def make_call(self, data, spacing):
        spec = METHODS[self.method.value]
        mask = self.on_grid(self.mask, what="mask") if spec.uses_mask else None
        mask = None if mask is None else mask != 0
        return partial(
            run_method,
            spec.name,
            data,
            spacing=spacing,
            params=self.current_params(),
            mask=mask,
            **self._seeds(),
        )
