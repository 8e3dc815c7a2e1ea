"""Evaluate widget: per-label scores against ground truth, live while painting, error overlay."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import napari
import numpy as np
from magicgui.widgets import (
    CheckBox,
    Container,
    FileEdit,
    FloatSpinBox,
    Label,
    LineEdit,
    PushButton,
    Table,
    create_widget,
)
from napari.layers import Labels
from napari.utils.colormaps import DirectLabelColormap
from qtpy.QtWidgets import QApplication

from ..._files import write_text
from ...metrics import (
    ERROR_NAMES,
    SliceConfusion,
    error_map,
    evaluate,
    group_names,
    jsonable,
    merge_groups,
    parse_groups,
    table_rows,
    to_csv,
    worst_component,
    worst_slice,
)
from .._controls import full_width, set_tooltips
from .._docks import tabify_with_siblings
from .._layers import camera_of, layer_geometry, layer_spacing, upsert_labels
from .._live import LiveScorer
from .._score_table import cell, heading
from .._tasks import TaskRunner, reports_errors


class EvaluateWidget(Container):
    """Dock widget: Dice, IoU, precision, recall, volumes (and HD95/ASSD/NSD) per label."""

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        super().__init__(labels=True)
        tabify_with_siblings(self.native)
        self.viewer = viewer
        self.pred = create_widget(annotation=Labels, label="prediction")
        self.gt = create_widget(annotation=Labels, label="ground truth")
        self.surface = CheckBox(value=False, text="surface distances (HD95, ASSD, NSD)")
        self.tolerance = FloatSpinBox(value=1.0, min=0.0, max=100.0, label="NSD tolerance (mm)")
        self.instances = CheckBox(value=False, text="instances (F1, PQ, matched IoU)")
        self.merge = LineEdit(value="", label="score as one")
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
                self.instances,
                self.merge,
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
        full_width(self.accuracy, self.table)
        self.runner = TaskRunner(self.compute_button, self.cancel_button, self.status)
        set_tooltips(
            self,
            {
                "pred": "The labels to score (for example a segmentation result).",
                "gt": "The reference labels, on the same grid.",
                "surface": "Also HD95, ASSD and normalised surface Dice, in mm (slower).",
                "tolerance": "Surface distance counted as agreement for NSD, in mm.",
                "instances": "Also match the two volumes' labels as instances (as the CLI's "
                "--instances): matched F1, panoptic quality and mean matched IoU.",
                "merge": "Label groups scored as one label, e.g. 1+2 (liver including tumour); "
                "several: 1+2, 3+4.",
                "live": "Recount the edited slices after every brush, fill, undo or re-run.",
                "compute_button": "Score the whole volumes in the background.",
                "cancel_button": "Stop the computation.",
                "copy_button": "Copy the table as CSV.",
                "export_path": "A .csv or .json file to write the scores to.",
                "export_button": "Write the last scores to the export file.",
                "overlay_button": "Add 'errors <prediction>': red = extra, blue = missed.",
                "worst_slice_button": "Show the slice with the most wrong voxels.",
                "worst_component_button": "Centre the view on the largest blob of errors.",
            },
        )
        self.result: dict | None = None
        self.worst: int | np.ndarray | None = None
        self.scorer: LiveScorer | None = None
        self.compute_button.changed.connect(self.compute)
        self.live.changed.connect(self._toggle_live)
        self.copy_button.changed.connect(self.copy)
        self.export_button.changed.connect(lambda: self.export(self.export_path.value))
        self.overlay_button.changed.connect(self.error_overlay)
        self.worst_slice_button.changed.connect(self.jump_to_worst_slice)
        self.worst_component_button.changed.connect(self.jump_to_worst_component)

    def reset_choices(self, *_: object) -> None:
        """Ground truth defaults to a ``... ground truth`` layer; prediction never to the same."""
        super().reset_choices()
        labels = [la for la in self.viewer.layers if isinstance(la, Labels)]
        truths = [la for la in labels if la.name.endswith("ground truth")]
        current = self.gt.value
        if (
            truths
            and current is not truths[0]
            and (current is None or not current.name.endswith("ground truth"))
        ):
            self.gt.value = truths[0]
        if self.pred.value is self.gt.value:
            others = [la for la in labels if la is not self.gt.value]
            preferred = [la for la in others if not la.name.endswith("ground truth")] or others
            if preferred:
                self.pred.value = preferred[-1]  # the newest: usually the result to score

    def _inputs(self) -> tuple[np.ndarray, np.ndarray, tuple[float, ...], dict | None]:
        p, g = self.pred.value, self.gt.value
        if p is None or g is None or p is g:
            raise ValueError("choose two different Labels layers")
        geo_p, geo_g = layer_geometry(p), layer_geometry(g)
        geo_p.check_same_grid(geo_g, what=f"{p.name!r} and {g.name!r}")
        names = g.metadata.get("label_names") or p.metadata.get("label_names")
        spacing = layer_spacing(g)
        groups = parse_groups(self.merge.value)
        pred, gt = np.asarray(p.data), np.asarray(g.data)
        if groups:
            pred, gt = merge_groups(pred, groups), merge_groups(gt, groups)
            names = group_names(names, groups)
        return pred, gt, spacing, names

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
            instances=self.instances.value,
            label_names=names,
            names=(self.pred.value.name, self.gt.value.name),
        )
        self.runner.start(fn, description="evaluate", on_result=self.show)

    def show(self, result: dict) -> None:
        """Put a result (``evaluate`` or live scores) in the table."""
        self.result = result
        rows = table_rows(result)
        columns = list(rows[0]) if rows else []
        data = [[cell(c, r.get(c)) for c in columns] for r in rows]
        index = [str(r.get("label")) for r in rows]
        headings = [heading(c) for c in columns]
        self.table.value = {"data": data, "index": index, "columns": headings}
        self.table.native.resizeColumnsToContents()
        text = f"pixel accuracy {result['pixel_accuracy']:.4f}"
        inst = result.get("instances")
        if inst:
            text += (f"; instances: F1 {inst['f1']:.3f}, PQ {inst['pq']:.3f}, matched IoU "
                     f"{inst['mean_matched_iou']:.3f} (TP {inst['tp']}, FP {inst['fp']}, "
                     f"FN {inst['fn']})")  # fmt: skip
        self.accuracy.value = text

    @reports_errors
    def _toggle_live(self, *_: object) -> None:
        """Live on: count every slice once in a worker, then follow edits on the GUI thread."""
        if self.scorer is not None:
            self.scorer.close()
            self.scorer = None
        if not self.live.value:
            return
        try:
            pred, gt, spacing, names = self._inputs()
        except ValueError:
            with self.live.changed.blocked():
                self.live.value = False
            raise
        layer = self.pred.value
        self._live_args = {"spacing": spacing, "label_names": names}

        def started(confusion) -> str:
            if self.live.value and self.pred.value is layer:
                self.scorer = LiveScorer(layer, gt, self._live_update, confusion=confusion)
                self._live_update()
            return "following your edits"

        self.runner.start(partial(_count_slices, pred, gt), description="live", on_result=started)

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
            write_text(path, json.dumps(jsonable(self.result), indent=2))
        self.status.value = f"wrote {path}"
        return path

    @reports_errors
    def error_overlay(self, *_: object) -> None:
        """Labels layer ``errors <pred>``: red = extra (wrong label predicted), blue = missed."""
        pred, gt, _, _ = self._inputs()
        name, source = f"errors {self.pred.value.name}", self.gt.value

        def show(errors: np.ndarray) -> str:
            layer = upsert_labels(
                self.viewer, errors, name=name, source=source,
                metadata={"label_names": dict(ERROR_NAMES)},
            )  # fmt: skip
            layer.colormap = ERROR_COLORS
            layer.opacity = 0.7
            return f"{name!r}: red = extra, blue = missed"

        self.runner.start(
            partial(_steps, error_map, pred, gt), description="errors", on_result=show
        )

    def _jump(self, voxel: np.ndarray) -> None:
        world = self.gt.value.data_to_world(voxel)
        self.viewer.dims.set_point(range(len(world)), world)
        camera = camera_of(self.viewer)
        camera.center = world[-3:] if self.viewer.dims.ndisplay == 3 else world[-2:]

    @reports_errors
    def jump_to_worst_slice(self, *_: object) -> None:
        """Show the axis-0 slice with the most wrong voxels (``self.worst`` holds its index)."""
        pred, gt, _, _ = self._inputs()
        if self.scorer is not None:  # live: the per-slice counts are already there
            self._to_slice(int(np.argmax(self.scorer.confusion.errors_per_slice())))
            return
        self.runner.start(
            partial(_steps, worst_slice, pred, gt),
            description="worst slice",
            on_result=self._to_slice,
        )

    def _to_slice(self, z: int) -> str:
        shape = self.gt.value.data.shape
        self.worst = z
        self._jump(np.array([z, shape[1] / 2, shape[2] / 2]))
        return f"worst slice {z}"

    @reports_errors
    def jump_to_worst_component(self, *_: object) -> None:
        """Centre the view on the largest blob of wrong voxels (``self.worst`` holds it)."""
        pred, gt, _, _ = self._inputs()

        def show(centre) -> str:
            self.worst = centre
            if centre is None:
                return "no errors"
            self._jump(centre)
            return "worst component at voxel " + ", ".join(f"{c:.0f}" for c in centre)

        self.runner.start(
            partial(_steps, worst_component, pred, gt),
            description="worst component",
            on_result=show,
        )


#: Fixed error colours (not the random Labels palette), as the status line explains.
ERROR_COLORS = DirectLabelColormap(
    color_dict={None: "transparent", 0: "transparent", 1: "red", 2: "blue"}
)


def _steps(fn, *args, progress=None, should_stop=None):
    """Run a one-step core function under the worker protocol."""
    out = fn(*args)
    if progress is not None:
        progress(1, 1)
    return out


def _count_slices(pred, gt, *, progress=None, should_stop=None) -> SliceConfusion:
    return _steps(SliceConfusion, pred, gt, progress=progress)
