"""Live comparison curves: per model, the mean over seeds with a min-max band, against wall-clock.

Fed one validation point at a time by the comparison's worker; the figure is
drawn like :class:`~napari_seg._napari._curves.CurvePlot` (same theme, canvas
made with the first point).
"""

from __future__ import annotations

import napari
import numpy as np

from ._curves import CurvePlot

__all__ = ["BandPlot"]


class BandPlot(CurvePlot):
    """Training loss and validation Dice against training seconds; one colour per model."""

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        super().__init__(viewer, x_label="training wall-clock (s)")
        self.placeholder.setText(
            "per model: mean over seeds (line) and min-max band, against training seconds"
        )
        self.runs: dict[str, dict[int, list[dict]]] = {}

    def clear(self) -> None:
        self.runs.clear()
        self.redraw()

    def add_point(self, model: str, seed: int, point: dict) -> None:
        """One validation point (``seconds``, ``loss``, ``val_dice``) of ``model``'s ``seed``."""
        self.runs.setdefault(model, {}).setdefault(seed, []).append(point)
        self.build()
        self.redraw()

    def bands(self, model: str, key: str) -> tuple[np.ndarray, ...]:
        """(seconds, mean, low, high) over the seeds, per validation point seen by all of them."""
        seeds = list(self.runs.get(model, {}).values())
        n = min((len(s) for s in seeds), default=0)
        if n == 0:  # the first seed is still running: its own points
            seeds = [max(seeds, key=len)] if seeds else []
            n = len(seeds[0]) if seeds else 0
        values = np.array([[s[i][key] for i in range(n)] for s in seeds], dtype=float)
        seconds = np.array([[s[i]["seconds"] for i in range(n)] for s in seeds], dtype=float)
        if values.size == 0:
            return (np.zeros(0),) * 4
        return seconds.mean(0), values.mean(0), values.min(0), values.max(0)

    def redraw(self) -> None:
        if self.figure is None:
            return
        for ax in self.axes:
            for artist in [*ax.lines, *ax.collections]:
                artist.remove()
        for i, model in enumerate(self.runs):
            colour = f"C{i % 10}"
            for ax, key in zip(self.axes, ("loss", "val_dice"), strict=True):
                x, mean, low, high = self.bands(model, key)
                ax.plot(x, mean, "o-", color=colour, ms=3, label=model)
                ax.fill_between(x, low, high, color=colour, alpha=0.25)
        if self.runs:
            loss_ax = self.axes[0]
            legend = loss_ax.legend(fontsize=7, facecolor=loss_ax.get_facecolor())
            for t in legend.get_texts():
                t.set_color(loss_ax.xaxis.label.get_color())
        for ax in self.axes:
            ax.relim()
            ax.autoscale(enable=True, axis="x")  # the base plot fixes x to epochs 1..5
            ax.autoscale_view()
        self.canvas.draw_idle()
