"""A crosshair through ``dims.point``: one Vectors layer per view, drawn in world mm."""

from __future__ import annotations

import weakref

import numpy as np
from napari.layers import Image, Labels, Vectors

__all__ = ["CROSSHAIR", "add_crosshair", "draw_crosshairs", "forget_crosshair", "weak_click"]

CROSSHAIR = "crosshair"


def _volumes(viewer) -> list:
    return [la for la in viewer.layers if isinstance(la, Image | Labels)]


def add_crosshair(viewer, model) -> Vectors:
    """An empty crosshair layer in ``model`` (``viewer`` or a side view), on the slices' step
    and in their units; the user's active layer and slice stay as they were."""
    others = _volumes(viewer)
    kw = {}
    if others:
        kw["units"] = tuple(others[0].units)[-3:]
        kw["scale"] = np.asarray(viewer.layers.get_extent(others).step, float)[-3:]
    layer = Vectors(
        np.zeros((0, 2, 3)),
        name=CROSSHAIR,
        edge_width=1.0,
        edge_color="yellow",
        vector_style="line",
        opacity=0.8,
        **kw,
    )
    active, point = model.layers.selection.active, model.dims.point
    model.layers.append(layer)
    model.layers.selection.active = active
    if model is viewer:
        model.dims.point = point
    return layer


def draw_crosshairs(viewer, crosses: list[Vectors], point: np.ndarray, *, visible: bool) -> None:
    """Three lines through ``point`` (napari world order) across the scene, in every layer."""
    others = [la for la in viewer.layers if la.name != CROSSHAIR]
    if len(point) < 3 or not others:
        return
    extent = viewer.layers.get_extent(others)
    lo, hi = np.asarray(extent.world)[:, -3:]
    # the crosshair takes the slices' step as its scale, or napari would step the
    # sliders by its 1 mm (2.5 clicks per CT slice)
    step = np.asarray(extent.step, float)[-3:]
    p = np.asarray(point, float)[-3:]
    units = next((la.units for la in others if isinstance(la, Image | Labels)), None)
    vectors = []
    for axis in range(3):
        start, span = p.copy(), np.zeros(3)
        start[axis], span[axis] = lo[axis], hi[axis] - lo[axis]
        vectors.append([start, span])
    data = np.asarray(vectors) / step if visible else np.zeros((0, 2, 3))
    for cross in crosses:
        if not np.allclose(cross.scale, step):
            cross.scale = step
        if units is not None and tuple(cross.units) != tuple(units)[-3:]:
            cross.units = tuple(units)[-3:]  # one unit in the scene: the scale bar says mm
        cross.data = data


def weak_click(ref: weakref.ref):
    """A drag callback for the main viewer that calls ``ref()._click`` without keeping it alive."""

    def click(model, event):
        widget = ref()
        if widget is not None:
            yield from widget._click(model, event) or ()

    return click


def forget_crosshair(viewer_ref: weakref.ref, crosses: list[Vectors], click, *_: object) -> None:
    """Take a closed dock's crosshair layer and click callback off the main viewer."""
    viewer = viewer_ref()
    if viewer is None:
        return
    if click in viewer.mouse_drag_callbacks:
        viewer.mouse_drag_callbacks.remove(click)
    if crosses and crosses[0] in viewer.layers:
        viewer.layers.remove(crosses[0])
