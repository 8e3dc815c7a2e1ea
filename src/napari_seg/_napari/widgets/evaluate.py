"""Evaluate widget: per-label scores against ground truth, live while painting, error overlay."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import napari
import numpy as np
from magicgui.widgets import (
    CheckBox,
    FileEdit,
    FloatSpinBox,
    Label,
    LineEdit,
    PushButton,
    Table,
    create_widget,
)
from napari.layers import Labels
from qtpy.QtWidgets import QApplication

from ..._files import write_text
from ...metrics import (
    SliceConfusion,
    evaluate,
    group_names,
    jsonable,
    merge_groups,
    parse_groups,
    table_rows,
    to_csv,
)
from .._controls import full_width
from .._docks import DockFrame
from .._layers import check_same_grid, layer_spacing
from .._live import LiveScorer
from .._meta import case_key, is_ground_truth, label_names
from .._score_table import cell, heading
from .._tasks import one_step, reports_errors
from ._error_nav import ErrorNavigation

TOOLTIPS = {
    "pred": "The labels to score (for example a segmentation result).",
    "gt": "The reference labels, on the same grid (the file's label of the prediction's case "
    "is chosen for you).",
    "surface": "Also HD95, ASSD and normalised surface Dice, in mm (slower).",
    "tolerance": "Surface distance counted as agreement for NSD, in mm.",
    "instances": "Also match the two volumes' labels as instances (as the CLI's "
    "--instances): matched F1, panoptic quality and mean matched IoU.",
    "merge": "Label groups scored as one label, e.g. 1+2 (liver including tumour); "
    "several: 1+2, 3+4.",
    "live": "Recount the edited slices after every brush, fill, undo or re-run.",
    "run_button": "Score the whole volumes in the background.",
    "cancel_button": "Stop the computation.",
    "copy_button": "Copy the table as CSV.",
    "export_path": "A .csv or .json file to write the scores to.",
    "export_button": "Write the last scores to the export file.",
    "overlay_button": "Add 'errors <prediction>': red = extra, blue = missed.",
    "worst_slice_button": "Show the slice with the most wrong voxels.",
    "worst_component_button": "Centre the view on the largest blob of errors.",
}


class EvaluateWidget(ErrorNavigation, DockFrame):
    """Dock widget: Dice, IoU, precision, recall, volumes (and HD95/ASSD/NSD) per label.

    The ground truth is the layer the reader or the sample marked so (its
    ``role``), of the prediction's case (:func:`.._meta.case_key`); a layer from
    elsewhere counts when its name ends in "ground truth".
    """

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        super().__init__(viewer, run="Compute")
        self.compute_button = self.run_button
        self.pred = create_widget(annotation=Labels, label="prediction")
        self.gt = create_widget(annotation=Labels, label="ground truth")
        self.surface = CheckBox(value=False, text="surface distances (HD95, ASSD, NSD)")
        self.tolerance = FloatSpinBox(value=1.0, min=0.0, max=100.0, label="NSD tolerance (mm)")
        self.instances = CheckBox(value=False, text="instances (F1, PQ, matched IoU)")
        self.merge = LineEdit(value="", label="score as one")
        self.live = CheckBox(value=False, text="live (recount edited slices)")
        self.accuracy = Label(value="")
        self.table = Table(value={"data": [], "index": [], "columns": []})
        self.table.native.setMinimumHeight(220)  # a squeezed table is unreadable in a dock
        self.table.native.verticalHeader().setVisible(False)  # the label column says it
        self.copy_button = PushButton(text="Copy table")
        self.export_path = FileEdit(mode="w", label="export", filter="*.csv *.json")
        self.export_button = PushButton(text="Export")
        self.overlay_button = PushButton(text="Error overlay")
        self.worst_slice_button = PushButton(text="Jump to worst slice")
        self.worst_component_button = PushButton(text="Jump to worst component")
        self.lay_out(
            [self.pred, self.gt, self.surface, self.tolerance, self.instances, self.merge,
             self.live],
            [self.accuracy, self.table, self.copy_button, self.export_path, self.export_button,
             self.overlay_button, self.worst_slice_button, self.worst_component_button],
            tooltips=TOOLTIPS,
        )  # fmt: skip
        full_width(self.accuracy, self.table)
        self.result: dict | None = None
        self.worst: int | np.ndarray | None = None
        self.scorer: LiveScorer | None = None
        self.live.changed.connect(self._toggle_live)
        self.copy_button.changed.connect(self.copy)
        self.export_button.changed.connect(lambda: self.export(self.export_path.value))
        self.overlay_button.changed.connect(self.error_overlay)
        self.worst_slice_button.changed.connect(self.jump_to_worst_slice)
        self.worst_component_button.changed.connect(self.jump_to_worst_component)
        self.pred.changed.connect(self._pair)

    def reset_choices(self, *_: object) -> None:
        """Ground truth defaults to a marked one, of the prediction's case; the prediction
        to the newest other layer, never the truth itself."""
        super().reset_choices()
        labels = [la for la in self.viewer.layers if isinstance(la, Labels)]
        truths = [la for la in labels if is_ground_truth(la)]
        if truths and (self.gt.value is None or not is_ground_truth(self.gt.value)):
            self.gt.value = truths[0]
        if self.pred.value is self.gt.value:
            others = [la for la in labels if la is not self.gt.value]
            preferred = [la for la in others if not is_ground_truth(la)] or others
            if preferred:
                self.pred.value = preferred[-1]  # the newest: usually the result to score
        self._pair()

    def _pair(self, *_: object) -> None:
        """The ground truth follows the prediction's case when a truth of that case is open."""
        pred, gt = self.pred.value, self.gt.value
        key = None if pred is None else case_key(pred)
        if key is None or (gt is not None and gt is not pred and case_key(gt) == key):
            return
        for layer in self.viewer.layers:
            if (isinstance(layer, Labels) and layer is not pred and is_ground_truth(layer)
                    and case_key(layer) == key):  # fmt: skip
                self.gt.value = layer
                return

    def _inputs(self) -> tuple[np.ndarray, np.ndarray, tuple[float, ...], dict | None]:
        p, g = self.pred.value, self.gt.value
        if p is None or g is None or p is g:
            raise ValueError("choose two different Labels layers")
        check_same_grid(g, p, what="prediction")
        names = label_names(g) or label_names(p) or None
        spacing = layer_spacing(g)
        groups = parse_groups(self.merge.value)
        pred, gt = np.asarray(p.data), np.asarray(g.data)
        if groups:
            pred, gt = merge_groups(pred, groups), merge_groups(gt, groups)
            names = group_names(names, groups)
        return pred, gt, spacing, names

    @reports_errors
    def run(self, *_: object) -> None:
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
        self.start(fn, description="evaluate", on_result=self.show)

    compute = run

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

        self.start(
            partial(one_step, SliceConfusion, pred, gt), description="live", on_result=started
        )

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
