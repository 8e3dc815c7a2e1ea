"""Label statistics widget: volume, surface, centroid, extent and intensity per label."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import napari
import numpy as np
from magicgui.widgets import FileEdit, PushButton, Table, create_widget
from napari.layers import Image, Labels
from qtpy.QtWidgets import QApplication

from ..._files import write_text
from ...inspect import STAT_COLUMNS, SUMMARY_COLUMNS, label_statistics
from ...io.geometry import MM_PER_UNIT
from ...metrics import jsonable, to_csv
from ...ops import get
from .._controls import control_for, full_width, set_tooltips
from .._docks import DockFrame
from .._layers import camera_of, check_same_grid, intensity_unit, layer_geometry, volume_of
from .._meta import label_names
from .._tasks import reports_errors


class StatisticsWidget(DockFrame):
    """Dock widget: per-label measurements in mm; click a row to centre the view on it."""

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        super().__init__(viewer, run="Measure")
        self.measure_button = self.run_button
        self.labels_layer = create_widget(annotation=Labels, label="labels")
        self.image = create_widget(annotation=Image | None, label="image (optional)")
        self.surfaces = control_for(get("stats").param("surfaces"))  # as `stats --no-surfaces`
        self.surfaces.text = "surface area and sphericity (meshes)"
        self.table = Table(value={"data": [], "index": [], "columns": []})
        self.table.native.setMinimumHeight(220)
        self.table.native.verticalHeader().setVisible(False)
        self.copy_button = PushButton(text="Copy table")
        self.export_path = FileEdit(mode="w", label="export", filter="*.csv *.json")
        self.export_button = PushButton(text="Export")
        self.lay_out(
            [self.labels_layer, self.image, self.surfaces],
            [self.table, self.copy_button, self.export_path, self.export_button],
        )
        full_width(self.table)
        set_tooltips(
            self,
            {
                "labels_layer": "The Labels layer to measure.",
                "image": "Intensities on the same grid (HU for a CT) for mean, std, median.",
                "run_button": "Measure every label in the background.",
                "cancel_button": "Stop measuring.",
                "copy_button": "Copy the whole table (every column) as CSV.",
                "export_path": "A .csv or .json file to write the measurements to.",
                "export_button": "Write the measurements (every column) to the export file.",
            },
        )
        self.rows: list[dict] = []
        self._intensity_unit = ""  # "HU" when the measured image is a CT, else "intensity"
        self._unit = "mm"  # the labels' length unit: the table shows lengths in it
        self.copy_button.changed.connect(self.copy)
        self.export_button.changed.connect(lambda: self.export(self.export_path.value))
        self.table.native.cellClicked.connect(lambda row, _col: self.centre_on(row))
        self.labels_layer.changed.connect(self._default_image)
        self._default_image()

    def _default_image(self, *_: object) -> None:
        """Offer the image the labels lie on (same grid), so intensities come without a click."""
        labels = self.labels_layer.value
        if labels is None or self.image.value is not None:
            return
        for layer in reversed(self.viewer.layers):  # the top-most first, as napari lists them
            if isinstance(layer, Image):
                try:
                    check_same_grid(labels, layer, what="image")
                except ValueError:
                    continue
                self.image.value = layer
                return

    @reports_errors
    def run(self, *_: object) -> None:
        """Measure in a worker and fill the table."""
        layer = self.labels_layer.value
        data = volume_of(layer, what="labels layer", needs_3d="measurements")
        geometry = layer_geometry(layer)
        image = None
        if self.image.value is not None:
            check_same_grid(layer, self.image.value, what="image")
            image = volume_of(self.image.value, what="image")
        self._intensity_unit = intensity_unit(self.image.value) if image is not None else ""
        self._unit = geometry.unit
        names = label_names(layer)
        fn = partial(
            label_statistics,
            np.asarray(data),
            geometry,
            image=image,
            label_names=names,
            surfaces=self.surfaces.value,
        )
        self.start(fn, description="statistics", on_result=self.show)

    measure = run

    def show(self, rows: list[dict]) -> str:
        self.rows = rows
        columns = [c for c in SUMMARY_COLUMNS if rows and c in rows[0]]
        factor = {c: _display_factor(c, self._unit) for c in columns}
        data = [[_cell(r[c], factor[c]) for c in columns] for r in rows]
        self.table.value = {
            "data": data,
            "index": [str(r["label"]) for r in rows],
            "columns": [_header(c, self._intensity_unit, self._unit) for c in columns],
        }
        self.table.native.resizeColumnsToContents()
        total = sum(r["volume_ml"] for r in rows)
        return f"{len(rows)} label(s), {total:.1f} mL in all"

    def centre_on(self, row: int) -> None:
        """Move the slices and the camera to the centroid of the label in ``row``."""
        if not 0 <= row < len(self.rows):
            return
        r = self.rows[row]
        world = np.array([r["centroid_z"], r["centroid_y"], r["centroid_x"]])  # napari order
        self.viewer.dims.set_point(range(self.viewer.dims.ndim - 3, self.viewer.dims.ndim), world)
        camera = camera_of(self.viewer)
        camera.center = world if self.viewer.dims.ndisplay == 3 else world[1:]
        scale = 1.0 / MM_PER_UNIT[self._unit]
        self.status.value = (
            f"label {r['label']} at (x, y, z) = "
            + ", ".join(f"{v * scale:.1f}" for v in world[::-1])
            + f" {self._unit}"
        )

    @reports_errors
    def copy(self, *_: object) -> None:
        if self.rows:
            QApplication.clipboard().setText(to_csv(self.rows, columns=list(STAT_COLUMNS)))

    @reports_errors
    def export(self, path: str | Path) -> Path:
        """Write every column as CSV (``.csv``) or JSON (any other suffix)."""
        path = Path(path)
        if not self.rows:
            raise ValueError("measure first")
        if path.suffix.lower() == ".csv":
            to_csv(self.rows, path, columns=list(STAT_COLUMNS))
        else:
            write_text(path, json.dumps(jsonable(self.rows), indent=2, allow_nan=False))
        self.status.value = f"wrote {path}"
        return path


_INTENSITY = ("mean", "std", "min", "max", "median")


def _display_factor(column: str, unit: str) -> float:
    """What a mm column is multiplied by to read in ``unit`` (µm files: µm, µm², µm³)."""
    if unit == "mm" or column in _INTENSITY:
        return 1.0
    per_mm = 1.0 / MM_PER_UNIT[unit]
    mm_unit = STAT_COLUMNS.get(column, "")
    power = {"mm": 1, "mm²": 2, "mL": 3}.get(mm_unit, 0)
    return per_mm**power * (1000.0 if mm_unit == "mL" else 1.0)


def _cell(value, factor: float):
    return round(value * factor, 3) if isinstance(value, float) else value


def _header(column: str, intensity_unit: str = "", unit: str = "mm") -> str:
    """A table heading with its unit: ``volume_ml`` -> ``volume (mL)``, ``mean (HU)`` on a CT.

    Lengths, areas and volumes read in the labels' unit when it is not mm
    (``centroid_x (µm)``, ``surface (µm²)``, ``volume (µm³)``).
    """
    mm_unit = STAT_COLUMNS[column]
    if column in _INTENSITY:
        mm_unit = intensity_unit
    elif unit != "mm" and mm_unit in ("mm", "mm²", "mL"):
        mm_unit = {"mm": unit, "mm²": f"{unit}²", "mL": f"{unit}³"}[mm_unit]
    base = column.removesuffix("_ml").removesuffix("_mm2").removesuffix("_mm3")
    return f"{base} ({mm_unit})" if mm_unit else base
