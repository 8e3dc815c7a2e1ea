"""The demo table (docs/segment.md) is reproducible: each demo recipe, done step by step in the
Threshold / K-means / Watershed / Canny widgets on the sample, gives the demo's Dice."""

from __future__ import annotations

import numpy as np
import pytest

napari = pytest.importorskip("napari")

from napari_seg.cli.demo import run_demo  # noqa: E402
from napari_seg.data.recipes import RECIPES  # noqa: E402
from napari_seg.metrics import overlap_metrics  # noqa: E402
from napari_seg.segment.methods import METHODS  # noqa: E402
from tests._napari._widgets import run_widget  # noqa: E402

pytestmark = pytest.mark.viewer
PLUGIN = "napari-seg"
WIDGET = {"manual": "Threshold", "kmeans": "K-means", "watershed": "Watershed",
          "otsu": "Threshold",
          "canny": "Canny edges"}  # fmt: skip


@pytest.fixture(scope="module")
def demo_rows(tmp_path_factory):
    _, rows = run_demo(tmp_path_factory.mktemp("demo"))
    return {r.method: r for r in rows}


@pytest.mark.parametrize("name", list(RECIPES))
def test_recipe_through_widgets_gives_the_demo_dice(make_napari_viewer, qtbot, demo_rows, name):
    recipe = RECIPES[name]
    viewer = make_napari_viewer()
    viewer.open_sample(PLUGIN, "synthetic_ct")
    image = viewer.layers["synthetic CT"]
    for step in recipe.steps:
        _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, WIDGET[step.method])
        widget.reset_choices()
        widget.image.value = image if step.source == "image" else viewer.layers[step.source]
        widget.method.value = step.method
        if hasattr(widget, "mask"):
            widget.mask.value = None if step.mask is None else viewer.layers[step.mask]
        # a dock opened again is the same widget: every value is set, defaults included
        for param in METHODS[step.method].all_params:
            widget.controls[param.name].value = step.params.get(param.name, param.default)
        run_widget(qtbot, widget)
        assert "failed" not in widget.status.value, widget.status.value
        widget.output_layer.name = step.name  # as a user renames a layer to find it again
    result = np.asarray(viewer.layers[recipe.steps[-1].name].data)
    row = demo_rows[name]
    if recipe.target is None:
        assert row.objects == len(np.unique(result)) - 1
        return
    truth = np.asarray(viewer.layers[f"{recipe.target} ground truth"].data) > 0
    scores = overlap_metrics((result > 0).view(np.uint8), truth.view(np.uint8), labels=[1])
    assert scores["labels"]["1"]["dice"] == pytest.approx(row.dice, abs=1e-12)
