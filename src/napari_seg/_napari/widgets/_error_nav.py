"""Evaluate's error navigation: the error overlay and the jumps to the worst slice or blob."""

from __future__ import annotations

from functools import partial

import numpy as np
from napari.utils.colormaps import DirectLabelColormap

from ...metrics import ERROR_NAMES, error_map, worst_component, worst_slice
from .._layers import camera_of, upsert_labels
from .._meta import set_label_names
from .._tasks import one_step, reports_errors

__all__ = ["ERROR_COLORS", "ErrorNavigation"]


class ErrorNavigation:
    """Buttons of the Evaluate dock that show where the prediction is wrong.

    Mixed into :class:`.evaluate.EvaluateWidget`: it uses the dock's ``_inputs``,
    ``pred``, ``gt``, ``viewer``, ``start`` and ``worst``.
    """

    @reports_errors
    def error_overlay(self, *_: object) -> None:
        """Labels layer ``errors <pred>``: red = extra (wrong label predicted), blue = missed."""
        pred, gt, _, _ = self._inputs()
        name, source = f"errors {self.pred.value.name}", self.gt.value

        def show(errors: np.ndarray) -> str:
            layer = upsert_labels(
                self.viewer, errors, name=name, source=source,
                metadata=set_label_names({}, dict(ERROR_NAMES)),
            )  # fmt: skip
            layer.colormap = ERROR_COLORS
            layer.opacity = 0.7
            return f"{name!r}: red = extra, blue = missed"

        self.start(partial(one_step, error_map, pred, gt), description="errors", on_result=show)

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
        self.start(
            partial(one_step, worst_slice, pred, gt),
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

        self.start(
            partial(one_step, worst_component, pred, gt),
            description="worst component",
            on_result=show,
        )


#: Fixed error colours (not the random Labels palette), as the status line explains.
ERROR_COLORS = DirectLabelColormap(
    color_dict={None: "transparent", 0: "transparent", 1: "red", 2: "blue"}
)
