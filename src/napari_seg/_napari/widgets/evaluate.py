"""Evaluate widget: per-label scores against ground truth, live while painting, error overlay."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import cc3d
import napari
import numpy as np
from magicgui.widgets import (
    CheckBox,
    Container,
    FileEdit,
    FloatSpinBox,
    Label,
    PushButton,
    Table,
    create_widget,
)
from napari.layers import Labels
from qtpy.QtWidgets import QApplication

from ...metrics import evaluate, jsonable, table_rows, to_csv
from .._layers import layer_geometry, layer_spacing, upsert_labels
from .._live import LiveScorer
from .._tasks import TaskRunner, reports_errors


class EvaluateWidget(Container):
    """Dock widget: Dice, IoU, precision, recall, volumes (and HD95/ASSD/NSD) per label."""

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        super().__init__(labels=True)
        self.viewer = viewer
        self.pred = create_widget(annotation=Labels, label="prediction")
        self.gt = create_widget(annotation=Labels, label="ground truth")
        self.surface = CheckBox(value=False, text="surface distances (HD95, ASSD, NSD)")
        self.tolerance = FloatSpinBox(value=1.0, min=0.0, max=100.0, label="NSD tolerance (mm)")
        self.live = CheckBox(value=False, text="live (recount edited slices)")
        self.compute_button, self.cancel_button = (
            PushButton(text="Compute"),
            PushButton(text="Cancel"),
        )
        self.accuracy, self.status = Label(value=""), Label(value="")
        self.table = Table(value={"data": [], "index": [], "columns": []})
        self.table.native.setMinimumHeight(220)  # a squeezed table is unreadable in a dock
        self.table.native.verticalHeader().setVisible(False)  # the label column says it
        self.copy_button = PushButton(text="Copy table")
        self.export_path = FileEdit(mode="w", label="export", filter="*.csv *.json")
        self.export_button = PushButton(text="Export")
        self.overlay_button = PushButton(text="Error overlay")
        self.worst_slice_button = PushButton(text="Jump to worst slice")
        self.worst_component_button = PushButton(text="Jump to worst component")
        self.extend(
            [
                self.pred,
                self.gt,
                self.surface,
                self.tolerance,
                self.live,
                self.compute_button,
                self.cancel_button,
                self.accuracy,
                self.table,
                self.copy_button,
                self.export_path,
                self.export_button,
                self.overlay_button,
                self.worst_slice_button,
                self.worst_component_button,
                self.status,
            ]
        )
        self.runner = TaskRunner(self.compute_button, self.cancel_button, self.status)
        self.result: dict | None = None
        self.scorer: LiveScorer | None = None
        self.compute_button.changed.connect(self.compute)
        self.live.changed.connect(self._toggle_live)
        self.copy_button.changed.connect(self.copy)
        self.export_button.changed.connect(lambda: self.export(self.export_path.value))
        self.overlay_button.changed.connect(self.error_overlay)
        self.worst_slice_button.changed.connect(self.jump_to_worst_slice)
        self.worst_component_button.changed.connect(self.jump_to_worst_component)

    def reset_choices(self, *_: object) -> None:
        super().reset_choices()
        truths = [la for la in self.viewer.layers if la.name.endswith("ground truth")]
        current = self.gt.value
        if (
            truths
            and isinstance(truths[0], Labels)
            and current is not truths[0]
            and (current is None or not current.name.endswith("ground truth"))
        ):
            self.gt.value = truths[0]

    def _inputs(self) -> tuple[np.ndarray, np.ndarray, tuple[float, ...], dict | None]:
        p, g = self.pred.value, self.gt.value
        if p is None or g is None or p is g:
            raise ValueError("choose two different Labels layers")
        geo_p, geo_g = layer_geometry(p), layer_geometry(g)
        geo_p.check_same_grid(geo_g, what=f"{p.name!r} and {g.name!r}")
        names = g.metadata.get("label_names") or p.metadata.get("label_names")
        spacing = layer_spacing(g)
        return np.asarray(p.data), np.asarray(g.data), spacing, names

    @reports_errors
    def compute(self, *_: object) -> None:
        """Score the whole volumes in a worker and fill the table."""
        pred, gt, spacing, names = self._inputs()
        fn = partial(
            evaluate,
            pred,
            gt,
            spacing=spacing,
            surface=self.surface.value,
            tolerance_mm=self.tolerance.value,
            label_names=names,
            names=(self.pred.value.name, self.gt.value.name),
        )
        self.runner.start(fn, description="evaluate", on_result=self.show)

    def show(self, result: dict) -> None:
        """Put a result (``evaluate`` or live scores) in the table."""
        self.result = result
        rows = table_rows(result)
        columns = list(rows[0]) if rows else []
        data = [[_cell(r.get(c)) for c in columns] for r in rows]
        index = [str(r.get("label")) for r in rows]
        self.table.value = {"data": data, "index": index, "columns": columns}
        self.table.native.resizeColumnsToContents()
        self.accuracy.value = f"pixel accuracy {result['pixel_accuracy']:.4f}"

    @reports_errors
    def _toggle_live(self) -> None:
        if self.scorer is not None:
            self.scorer.close()
            self.scorer = None
        if self.live.value:
            try:
                _, gt, spacing, names = self._inputs()
            except ValueError:
                with self.live.changed.blocked():
                    self.live.value = False
                raise
            self._live_args = {"spacing": spacing, "label_names": names}
            self.scorer = LiveScorer(self.pred.value, gt, self._live_update)
            self._live_update()

    def _live_update(self) -> None:
        self.show(self.scorer.confusion.scores(**self._live_args))

    @reports_errors
    def copy(self, *_: object) -> None:
        if self.result is not None:
            QApplication.clipboard().setText(to_csv(table_rows(self.result)))

    @reports_errors
    def export(self, path: str | Path) -> Path:
        """Write the last result as CSV (``.csv``) or JSON (any other suffix)."""
        path = Path(path)
        if self.result is None:
            raise ValueError("compute the scores first")
        if path.suffix.lower() == ".csv":
            to_csv(table_rows(self.result), path)
        else:
            path.write_text(json.dumps(jsonable(self.result), indent=2), encoding="utf-8")
        self.status.value = f"wrote {path}"
        return path

    @reports_errors
    def error_overlay(self, *_: object) -> Labels:
        """Labels layer ``errors <pred>``: 1 = wrong label predicted, 2 = missed."""
        pred, gt, _, _ = self._inputs()
        errors = np.zeros(pred.shape, np.uint8)
        errors[(pred != gt) & (pred > 0)] = 1
        errors[(gt > 0) & (pred == 0)] = 2
        name = f"errors {self.pred.value.name}"
        names = {1: "false positive", 2: "missed"}
        return upsert_labels(
            self.viewer, errors, name=name, source=self.gt.value, metadata={"label_names": names}
        )

    def _jump(self, voxel: np.ndarray) -> None:
        world = self.gt.value.data_to_world(voxel)
        self.viewer.dims.set_point(range(len(world)), world)
        scene = getattr(self.viewer, "scene", None)  # napari >= 0.9 moved the camera
        camera = scene.camera if scene is not None else self.viewer.camera
        camera.center = world[-3:] if self.viewer.dims.ndisplay == 3 else world[-2:]

    @reports_errors
    def jump_to_worst_slice(self, *_: object) -> int:
        """Show the axis-0 slice with the most wrong voxels; returns its index."""
        pred, gt, _, _ = self._inputs()
        if self.scorer is not None:  # live: the per-slice counts are already there
            errors = self.scorer.confusion.errors_per_slice()
        else:
            errors = (pred != gt).reshape(pred.shape[0], -1).sum(axis=1)
        z = int(np.argmax(errors))
        self._jump(np.array([z, pred.shape[1] / 2, pred.shape[2] / 2]))
        return z

    @reports_errors
    def jump_to_worst_component(self, *_: object) -> np.ndarray | None:
        """Centre the view on the largest connected blob of wrong voxels; returns its centre."""
        pred, gt, _, _ = self._inputs()
        wrong = (pred != gt).view(np.uint8)
        cc = cc3d.connected_components(wrong, connectivity=26, binary_image=True)
        stats = cc3d.statistics(cc)
        if len(stats["voxel_counts"]) < 2:
            self.status.value = "no errors"
            return None
        biggest = 1 + int(np.argmax(stats["voxel_counts"][1:]))
        centre = np.asarray(stats["centroids"][biggest])
        self._jump(centre)
        return centre


def _cell(v: object) -> object:
    return round(v, 4) if isinstance(v, float) else v
