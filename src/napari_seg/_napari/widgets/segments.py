"""Segments dock: the label list of a Labels layer, as 3D Slicer's segment list.

One row per segment (the table's, and any value painted in the layer): colour,
name, visible, locked, voxel count and volume. Click a row to paint with it;
edit a name, double-click a colour, Add or Remove: each is one undo step on the
layer (Ctrl+Z). Locked segments are left alone by napari's brush, fill and
eraser and by every Correct tool. Counts are made in a worker after each edit.
"""

from __future__ import annotations

from functools import partial

import napari
from magicgui.widgets import Container, PushButton, create_widget
from napari.layers import Labels
from qtpy.QtCore import Qt
from qtpy.QtGui import QColor
from qtpy.QtWidgets import QColorDialog, QHeaderView, QTableWidget, QTableWidgetItem

from .._controls import full_width, set_tooltips
from .._docks import DockFrame
from .._results import Target
from .._segments import (
    add_segment,
    current_table,
    guard_locked,
    recolour,
    removal_edits,
    remove_segment,
    rename,
    set_flags,
    shown_color,
)
from .._tasks import one_step, reports_errors
from ._segment_counts import VoxelCounter, voxel_volume

__all__ = ["COLUMNS", "SegmentsWidget"]

COLUMNS = ("", "name", "show", "lock", "voxels", "volume")
_EVENTS = ("colormap", "features")


class SegmentsWidget(DockFrame):
    """Dock widget: name, colour, visible, locked, voxels and volume per segment."""

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        super().__init__(viewer, run=None)  # edits are instant; a removal runs in a worker
        self.labels_layer = create_widget(annotation=Labels, label="labels")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for col in range(len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the name takes the rest
        self.table.setMinimumHeight(240)
        self.table.setMinimumWidth(340)  # a name of 16 characters beside the numbers
        self.table.setWordWrap(False)
        self.add_button, self.remove_button = PushButton(text="Add"), PushButton(text="Remove")
        table_widget = Container(widgets=[], labels=False)
        table_widget.native.layout().addWidget(self.table)
        self.lay_out([self.labels_layer, table_widget, self.add_button, self.remove_button])
        full_width(table_widget)
        set_tooltips(self, {
            "labels_layer": "The Labels layer whose segments to list and edit.",
            "add_button": "Add a segment with the next free value and paint with it.",
            "remove_button": "Erase the selected segment's voxels and drop it (Ctrl+Z undoes).",
        })  # fmt: skip
        table_widget.tooltip = ("Click a row to paint with it; edit a name; double-click a "
                                "colour to change it; tick show / lock.")  # fmt: skip
        self.counts: dict[int, int] = {}
        self.values: list[int] = []
        self._layer: Labels | None = None
        self.remover = None  # the worker finding a removed segment's voxels
        self.counter = VoxelCounter(self._counted)
        self.table.cellClicked.connect(lambda row, _c: self.select(self.values[row]))
        self.table.cellDoubleClicked.connect(self._double_clicked)
        self.table.itemChanged.connect(self._item_changed)
        self.add_button.changed.connect(self.add)
        self.remove_button.changed.connect(self.remove)
        self.labels_layer.changed.connect(self._bind)
        self._alive = True
        self.native.destroyed.connect(self._closed)
        self._bind()

    def _closed(self, *_: object) -> None:
        """The dock is gone: stop listening to the layer (a count in flight is dropped)."""
        self._alive = False
        self.counter.stop()
        self._unbind()

    # -- layer binding ------------------------------------------------------------------
    def _unbind(self) -> None:
        if self._layer is not None:
            for name in _EVENTS:
                getattr(self._layer.events, name).disconnect(self._changed)
        self._layer = None

    def _bind(self, *_: object) -> None:
        self._unbind()
        self._layer = self.labels_layer.value
        self.counts = {}
        if self._layer is not None:
            guard_locked(self._layer)
            for name in _EVENTS:
                getattr(self._layer.events, name).connect(self._changed)
        self.counter.watch(self._layer)
        self.refresh()

    def _changed(self, event=None) -> None:
        """Names or colours changed: new rows (voxel edits reach the counter)."""
        if self._alive:
            self.refresh()

    def _counted(self, counts: dict[int, int]) -> None:
        if not self._alive:
            return
        same_rows = {v for v, c in counts.items() if c} == {v for v, c in self.counts.items() if c}
        self.counts = counts
        if same_rows and self.table.rowCount() == len(self.values):
            self._show_counts()
        else:
            self.refresh()

    def _show_counts(self) -> None:
        """Only the voxel and volume cells (a brush stroke does not rebuild 116 rows)."""
        per_voxel, _ = voxel_volume(self._layer)
        self.table.blockSignals(True)
        try:
            for row, v in enumerate(self.values):
                n = self.counts.get(v, 0)
                self.table.item(row, 4).setText(str(n))
                self.table.item(row, 5).setText(f"{n * per_voxel:.4g}")
        finally:
            self.table.blockSignals(False)

    # -- the table ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Rebuild the rows from the layer's table and the last counts."""
        layer = self._layer
        self.table.blockSignals(True)
        try:
            self.table.setRowCount(0)
            if layer is None:
                self.values = []
                return
            table = current_table(layer)
            present = {v for v, c in self.counts.items() if c and v != 0}
            self.values = sorted((set(table.segments) - {0}) | present)
            per_voxel, unit = voxel_volume(self._layer)
            self.table.setHorizontalHeaderItem(5, QTableWidgetItem(unit))
            self.table.setRowCount(len(self.values))
            for row, v in enumerate(self.values):
                seg = table.segments.get(v)
                color = seg.color if seg is not None else shown_color(layer, v)
                self._fill_row(row, v, seg, color, per_voxel)
        finally:
            self.table.blockSignals(False)

    def _fill_row(self, row: int, value: int, seg, color, per_voxel: float) -> None:
        swatch = QTableWidgetItem(str(value))
        swatch.setBackground(QColor.fromRgbF(*color[:3], 1.0))
        swatch.setForeground(QColor("black" if sum(color[:3]) > 1.5 else "white"))
        swatch.setFlags(Qt.ItemFlag.ItemIsEnabled)
        name = QTableWidgetItem(seg.name if seg else f"label {value}")
        name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsEditable)
        items = [swatch, name]
        for flag in ((seg.visible if seg else True), (seg.locked if seg else False)):
            box = QTableWidgetItem("")
            box.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            box.setCheckState(Qt.CheckState.Checked if flag else Qt.CheckState.Unchecked)
            items.append(box)
        n = self.counts.get(value)
        items.append(QTableWidgetItem("…" if n is None and not self.counts else str(n or 0)))
        items.append(QTableWidgetItem(f"{(n or 0) * per_voxel:.4g}"))
        for col, item in enumerate(items):
            if col >= 4:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(row, col, item)

    def _item_changed(self, item: QTableWidgetItem) -> None:
        value, col = self.values[item.row()], item.column()
        if col == 1:
            if item.text().strip() != current_table(self._layer).names.get(value):
                self.rename(value, item.text())
        elif col == 2:
            self.set_flag(value, visible=item.checkState() == Qt.CheckState.Checked)
        elif col == 3:
            self.set_flag(value, locked=item.checkState() == Qt.CheckState.Checked)

    def _double_clicked(self, row: int, col: int) -> None:
        if col != 0:
            return
        value = self.values[row]
        seg = current_table(self._layer).segments.get(value)
        start = QColor.fromRgbF(*(seg.color if seg else shown_color(self._layer, value))[:3], 1.0)
        chosen = QColorDialog.getColor(start, self.native, f"Colour of segment {value}")
        if chosen.isValid():
            self.recolour(value, chosen.getRgbF()[:3])

    # -- actions (each one undo step, except the view flags) ---------------------------------
    def _layer_or_fail(self) -> Labels:
        if self._layer is None:
            raise ValueError("choose a Labels layer")
        return self._layer

    @reports_errors
    def select(self, value: int) -> None:
        """Paint with segment ``value``: it becomes the selected label, in paint mode."""
        layer = self._layer_or_fail()
        layer.selected_label = int(value)
        layer.mode = "paint"
        self.viewer.layers.selection.active = layer
        self.status.value = f"painting with {value} ({current_table(layer).names.get(value, '')})"

    @reports_errors
    def rename(self, value: int, name: str) -> None:
        """Rename segment ``value`` (one undo step)."""
        try:
            rename(self._layer_or_fail(), value, name)
        finally:
            self.refresh()  # an empty name is refused: the cell shows the name again

    @reports_errors
    def recolour(self, value: int, color) -> None:
        """Give segment ``value`` a new colour (one undo step)."""
        recolour(self._layer_or_fail(), value, color)

    @reports_errors
    def set_flag(
        self, value: int, *, visible: bool | None = None, locked: bool | None = None
    ) -> None:
        """Show/hide or lock/unlock segment ``value``."""
        set_flags(self._layer_or_fail(), value, visible=visible, locked=locked)

    @reports_errors
    def add(self, *_: object) -> int:
        """Add a segment with the next free value and paint with it (one undo step)."""
        layer = self._layer_or_fail()
        value = add_segment(layer, used=set(self.counts) if self.counts else None)
        self.select(value)
        return value

    @reports_errors
    def remove(self, *_: object, value: int | None = None) -> None:
        """Remove segment ``value`` (default: the selected row): voxels to 0, row dropped.

        The voxels are found in a worker; if the layer is edited meanwhile nothing is
        removed. One undo step (Ctrl+Z brings voxels and row back).
        """
        layer = self._layer_or_fail()
        if value is None:
            row = self.table.currentRow()
            if not 0 <= row < len(self.values):
                self.status.value = "select the segment to remove"
                return
            value = self.values[row]
        target = Target(layer)
        self.remover = self.start(
            partial(one_step, removal_edits, target.data, int(value)),
            description=f"remove segment {value}",
            on_result=partial(self._removed, target, int(value)),
            on_finish=target.close,
        )

    def _removed(self, target: Target, value: int, result: tuple[list, int]) -> str:
        if not self._alive or target.layer is not self._layer:
            return "the dock or its layer changed meanwhile; nothing was removed"
        if target.edited_during_run:
            return "the layer changed meanwhile; nothing was removed"
        edits, n = result
        remove_segment(target.layer, value, edits)
        self.counts.pop(value, None)  # known now; the recount follows
        self.refresh()
        return f"{n} voxels removed; Ctrl+Z undoes"
