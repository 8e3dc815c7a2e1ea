"""Make the README screenshots of the sample: the Threshold dock, the Evaluate dock in 2-D
(mm scale bar) and in 3-D, the Correct dock, surfaces with statistics, orthogonal views.

Run under a virtual display:  xvfb-run -a -s "-screen 0 1600x1000x24" \
    .venv/bin/python docs/make_screenshot.py
"""

from __future__ import annotations

import time
from pathlib import Path

import napari
import numpy as np
from qtpy.QtWidgets import QApplication

from napari_seg._napari._layers import camera_of, placement
from napari_seg.segment.recipes import RECIPES

HERE = Path(__file__).parent


def settle(until=lambda: True, seconds: float = 0.5) -> None:
    while not until():
        QApplication.processEvents()
        time.sleep(0.01)
    end = time.time() + seconds
    while time.time() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def main() -> None:
    viewer = napari.Viewer(title="napari-seg", show=True)
    viewer.window.resize(1600, 950)
    viewer.open_sample("napari-seg", "synthetic_ct")
    image = viewer.layers["synthetic CT"]
    viewer.layers["lesions ground truth"].visible = False
    # the demo's spleen recipe, done in the Threshold dock as a user would
    _, threshold = viewer.window.add_plugin_dock_widget("napari-seg", "Threshold")
    threshold.reset_choices()
    threshold.image.value = image
    threshold.method.value = "manual"
    for key, value in RECIPES["window+opening+largest"].steps[0].params.items():
        threshold.controls[key].value = value
    threshold.run()
    settle(lambda: threshold.run_button.enabled and threshold.runner.worker is not None)
    spleen = threshold.output_layer
    spleen.opacity = 0.8
    viewer.layers["spleen ground truth"].visible = False
    threshold.advanced.value = True  # the opening (mm) the recipe sets is an advanced option
    viewer.dims.set_point(0, image.data_to_world((55, 0, 0))[0])  # through the spleen
    settle()
    viewer.screenshot(str(HERE / "threshold.png"), canvas_only=False, flash=False)
    _, evaluate = viewer.window.add_plugin_dock_widget("napari-seg", "Evaluate")
    evaluate.reset_choices()
    evaluate.pred.value = spleen
    evaluate.gt.value = viewer.layers["spleen ground truth"]
    evaluate.compute()
    settle(lambda: evaluate.result is not None)
    viewer.scale_bar.visible = True  # reads mm: layers carry units
    viewer.dims.set_point(0, image.data_to_world((55, 0, 0))[0])  # through the spleen
    settle()
    viewer.screenshot(str(HERE / "screenshot-2d.png"), canvas_only=False, flash=False)
    image.rendering = "attenuated_mip"
    image.attenuation = 0.05
    image.contrast_limits = (-100, 400)
    viewer.dims.ndisplay = 3
    viewer.scale_bar.visible = False
    settle()
    scene = getattr(viewer, "scene", None)
    camera = scene.camera if scene is not None else viewer.camera
    viewer.reset_view()
    camera.angles = (0, -35, 80)
    camera.zoom = camera.zoom * 0.6  # the whole abdomen, not a window of it
    settle()
    viewer.screenshot(str(HERE / "screenshot.png"), canvas_only=False, flash=False)
    correct_dock(viewer)
    inspect_docks(viewer)
    names = "threshold, screenshot-2d, screenshot, correct, surfaces, ortho"
    print(f"wrote {names} (.png) in {HERE}")
    viewer.close()


def correct_dock(viewer: napari.Viewer) -> None:
    """The Correct dock previewing 'fill between slices' of a spleen drawn every 5th slice."""

    viewer.dims.ndisplay = 2
    truth = viewer.layers["spleen ground truth"]
    drawn = np.zeros_like(np.asarray(truth.data))
    drawn[40:74:5] = np.asarray(truth.data)[40:74:5]
    for layer in viewer.layers:
        layer.visible = layer.name == "synthetic CT"
    placed = placement(truth)
    placed.pop("metadata")
    layer = viewer.add_labels(drawn, name="spleen drawn every 5th slice", **placed)
    _, correct = viewer.window.add_plugin_dock_widget("napari-seg", "Correct")
    correct.reset_choices()
    correct.labels_layer.value = layer
    correct.tool.value = "fill between slices"
    correct.apply()
    settle(lambda: correct.apply_button.enabled and correct.pending is not None)
    viewer.reset_view()
    viewer.dims.set_point(0, truth.data_to_world((57, 0, 0))[0])  # between two drawn slices
    settle()
    viewer.screenshot(str(HERE / "correct.png"), canvas_only=False, flash=False)


def inspect_docks(viewer: napari.Viewer) -> None:
    """Surfaces of the ground truth with the Statistics table; then the orthogonal views."""
    for layer in list(viewer.layers):
        if layer.name not in ("synthetic CT", "spleen ground truth", "lesions ground truth"):
            viewer.layers.remove(layer)
    for layer in viewer.layers:
        layer.visible = True
    image, spleen = viewer.layers["synthetic CT"], viewer.layers["spleen ground truth"]
    _, surfaces = viewer.window.add_plugin_dock_widget("napari-seg", "Surfaces")
    surfaces.reset_choices()
    for labels in (spleen, viewer.layers["lesions ground truth"]):
        surfaces.labels_layer.value = labels
        surfaces.runner.worker = None
        surfaces.build()
        settle(lambda: surfaces.build_button.enabled and surfaces.runner.worker is not None)
    _, stats = viewer.window.add_plugin_dock_widget("napari-seg", "Statistics")
    stats.reset_choices()
    stats.labels_layer.value, stats.image.value = viewer.layers["lesions ground truth"], image
    stats.measure()
    settle(lambda: bool(stats.rows))
    image.opacity = 0.25
    for name in ("spleen ground truth", "lesions ground truth"):
        viewer.layers[name].visible = False
    viewer.dims.ndisplay = 3  # the dock leaves the view in 2-D unless asked
    viewer.reset_view()
    turn = np.deg2rad(30)  # the patient's front, a little from the right; superior up
    camera_of(viewer).set_view_direction(
        (0.0, -np.cos(turn), -np.sin(turn)), up_direction=(1.0, 0.0, 0.0)
    )
    settle()
    viewer.screenshot(str(HERE / "surfaces.png"), canvas_only=False, flash=False)
    for layer in list(viewer.layers):
        if layer._type_string == "surface":
            viewer.layers.remove(layer)
    image.opacity = 1.0
    viewer.layers["spleen ground truth"].visible = True
    viewer.dims.ndisplay = 2
    viewer.window.remove_dock_widget("all")
    viewer.window.resize(1600, 950)
    _, ortho = viewer.window.add_plugin_dock_widget("napari-seg", "Orthogonal views")
    settle(lambda: ortho.ready)
    ortho.move_to(spleen.data_to_world((55, 120, 150)))
    viewer.reset_view()
    settle(seconds=1.0)
    viewer.screenshot(str(HERE / "ortho.png"), canvas_only=False, flash=False)


if __name__ == "__main__":
    main()
