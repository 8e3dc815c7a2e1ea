"""Training curves in a dock: loss and validation Dice per epoch, drawn without freezing napari.

matplotlib's Qt backend takes ~0.4 s to import and holds the GIL while it loads,
which would freeze napari when the dock opens (a background thread does not help).
So it is imported by the training worker (:func:`import_plotting`) and the canvas
is made when the first epoch arrives. Each epoch extends the lines and draws when
Qt is idle.
"""

from __future__ import annotations

import importlib
from typing import Any

import napari
from napari.utils.theme import get_theme
from qtpy.QtWidgets import QLabel, QVBoxLayout, QWidget

__all__ = ["CurvePlot", "import_plotting"]

_MODULES = ("matplotlib.figure", "matplotlib.backends.backend_qtagg")


def import_plotting() -> None:
    """Import matplotlib's Qt canvas (call from a worker, before the first epoch)."""
    for name in _MODULES:
        importlib.import_module(name)


class CurvePlot:
    """Two stacked axes (training loss, validation Dice) that follow napari's theme."""

    def __init__(
        self, viewer: napari.viewer.Viewer, *, x_label: str = "epoch", dice: bool = True
    ) -> None:
        self.viewer = viewer
        self.x_label, self.dice = x_label, dice
        self.widget = QWidget()
        self.widget.setMinimumHeight(320)  # keeps its height when another dock is added below
        self.layout = QVBoxLayout(self.widget)
        what = "training loss and validation Dice appear" if dice else "the training loss appears"
        self.placeholder = QLabel(f"{what} here, per {x_label}")
        self.placeholder.setWordWrap(True)
        self.layout.addWidget(self.placeholder)
        self.figure: Any = None
        self.axes: Any = ()
        self.curves: dict[str, list[dict]] = {}
        self.lines: dict[str, tuple] = {}
        viewer.events.theme.connect(self.style)

    def build(self) -> None:
        """Make the figure and canvas (quick once :func:`import_plotting` has run)."""
        if self.figure is not None:
            return
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=(4, 4), constrained_layout=True)
        rows = 2 if self.dice else 1
        self.axes = list(self.figure.subplots(rows, 1, sharex=True, squeeze=False)[:, 0])
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.layout.replaceWidget(self.placeholder, self.canvas)
        self.placeholder.deleteLater()
        if self.dice:
            self.axes[1].set_ylim(0.0, 1.0)  # Dice; the loss axis scales to its data
        self.axes[-1].set_xlim(0.5, 5.5)
        self.style()
        self.redraw()

    def style(self, *_: object) -> None:
        """Follow napari's theme (dark by default): background, text and grid colours."""
        if self.figure is None:
            return
        theme = get_theme(self.viewer.theme)
        back, text = theme.background.as_hex(), theme.text.as_hex()
        self.figure.set_facecolor(back)
        for ax in self.axes:
            ax.set_facecolor(back)
            ax.tick_params(colors=text, labelsize=8)
            ax.grid(alpha=0.25, color=text)
            for spine in ax.spines.values():
                spine.set_color(text)
            ax.yaxis.label.set_color(text)
            ax.xaxis.label.set_color(text)
        self.axes[0].set_ylabel("training loss")
        if self.dice:
            self.axes[1].set_ylabel("validation Dice")
        self.axes[-1].set_xlabel(self.x_label)
        self.canvas.draw_idle()

    def clear(self) -> None:
        self.curves.clear()
        for lines in self.lines.values():
            for line in lines:
                line.remove()
        self.lines.clear()

    def add(self, model: str, record: dict) -> None:
        """Append one epoch's record (``epoch``, ``loss``, ``val_dice``) of ``model``."""
        self.curves.setdefault(model, []).append(record)
        self.build()
        self.redraw()

    def redraw(self) -> None:
        """Extend each model's lines and draw when Qt is idle (no axes rebuilt per epoch)."""
        if self.figure is None:
            return
        for name, recs in self.curves.items():
            if name not in self.lines:
                self.lines[name] = tuple(ax.plot([], [], "o-", label=name)[0] for ax in self.axes)
                loss_ax = self.axes[0]
                legend = loss_ax.legend(fontsize=7, facecolor=loss_ax.get_facecolor())
                for t in legend.get_texts():
                    t.set_color(loss_ax.xaxis.label.get_color())
            loss_line, *dice_line = self.lines[name]
            loss_line.set_data([r["epoch"] for r in recs], [r["loss"] for r in recs])
            val = [r for r in recs if r["val_dice"] is not None]
            for line in dice_line:
                line.set_data([r["epoch"] for r in val], [r["val_dice"] for r in val])
        for ax in self.axes:
            ax.relim()
            ax.autoscale_view()
        last = max((r["epoch"] for recs in self.curves.values() for r in recs), default=5)
        self.axes[-1].set_xlim(0.5, max(float(last), 5.0) + 0.5)  # follows the data past 5
        self.canvas.draw_idle()
