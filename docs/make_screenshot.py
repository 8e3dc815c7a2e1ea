"""Make docs/screenshot.png: the sample in 3-D with a segmentation, the Evaluate table and docks.

Run under a virtual display:  xvfb-run -a -s "-screen 0 1600x1000x24" \
    .venv/bin/python docs/make_screenshot.py
"""

from __future__ import annotations

from pathlib import Path

import napari
from qtpy.QtWidgets import QApplication

from napari_seg._napari._layers import layer_spacing
from napari_seg.segment.recipes import run_recipe

OUT = Path(__file__).with_name("screenshot.png")


def main() -> None:
    viewer = napari.Viewer(title="napari-seg", show=True)
    viewer.window.resize(1600, 950)
    viewer.open_sample("napari-seg", "synthetic_ct")
    image = viewer.layers["synthetic CT"]
    results = run_recipe("window+opening+largest", image.data, spacing=layer_spacing(image))
    labels = results["spleen"]
    viewer.add_labels(labels, name="spleen (threshold)", scale=image.scale, opacity=0.8)
    viewer.layers["spleen ground truth"].visible = False
    viewer.window.add_plugin_dock_widget("napari-seg", "Threshold")
    _, evaluate = viewer.window.add_plugin_dock_widget("napari-seg", "Evaluate")
    evaluate.reset_choices()
    evaluate.pred.value = viewer.layers["spleen (threshold)"]
    evaluate.gt.value = viewer.layers["spleen ground truth"]
    evaluate.compute()
    while evaluate.result is None:  # scored in a worker
        QApplication.processEvents()
    image.rendering = "attenuated_mip"
    image.attenuation = 0.05
    image.contrast_limits = (-100, 400)
    viewer.dims.ndisplay = 3
    viewer.reset_view()
    scene = getattr(viewer, "scene", None)
    (scene.camera if scene is not None else viewer.camera).angles = (0, -35, 80)
    QApplication.processEvents()
    viewer.screenshot(str(OUT), canvas_only=False, flash=False)
    print(f"wrote {OUT}")
    viewer.close()


if __name__ == "__main__":
    main()
