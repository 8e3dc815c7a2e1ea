"""Each classical widget, run in a real viewer, produces a Labels layer placed on its source."""

from __future__ import annotations

import numpy as np
import pytest

napari = pytest.importorskip("napari")

from tests._napari._widgets import run_widget  # noqa: E402

pytestmark = pytest.mark.viewer
PLUGIN = "napari-seg"


@pytest.fixture
def viewer_with_ct(make_napari_viewer):
    from napari_seg.data.synthetic import make_synthetic_ct
    from napari_seg.io import Geometry

    viewer = make_napari_viewer()
    ct = make_synthetic_ct((24, 64, 64), seed=1)
    kw = Geometry.from_spacing(ct.spacing, origin=(4.0, -2.0, 7.0)).layer_kwargs()
    viewer.add_image(ct.image, name="ct", **kw)
    viewer.add_labels(ct.lesions > 0, name="lesion mask", **kw)
    return viewer


def _assert_on(layer, source):
    assert isinstance(layer, napari.layers.Labels)
    assert layer.data.shape == source.data.shape
    np.testing.assert_allclose(layer.scale, source.scale)
    np.testing.assert_allclose(layer.translate, source.translate)
    assert layer.metadata["napari_seg"]["affine"] == source.metadata["napari_seg"]["affine"]


@pytest.mark.parametrize(
    ("widget_name", "source", "setup", "output"),
    [
        ("K-means", "ct", {"k": 4}, "kmeans ct"),
        ("Canny edges", "ct", {"sigma_mm": 1.5}, "canny ct"),
        ("Watershed", "lesion mask", {"min_distance_mm": 6.0}, "watershed lesion mask"),
        ("Components and clean-up", "lesion mask", {"min_voxels": 5}, "cleanup lesion mask"),
    ],
)
def test_widget_output_is_placed_on_source(
    viewer_with_ct, qtbot, widget_name, source, setup, output
):
    viewer = viewer_with_ct
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, widget_name)
    widget.reset_choices()
    widget.image.value = viewer.layers[source]
    for name, value in setup.items():
        widget.controls[name].value = value
    run_widget(qtbot, widget)
    assert "failed" not in widget.status.value, widget.status.value
    _assert_on(viewer.layers[output], viewer.layers[source])
    assert viewer.layers[output].data.max() >= 1


def test_watershed_seeded_from_points(viewer_with_ct, qtbot):
    viewer = viewer_with_ct
    mask = viewer.layers["lesion mask"]
    from scipy import ndimage as ndi

    lab, n = ndi.label(mask.data)
    centres = [np.argwhere(lab == i).mean(axis=0) for i in range(1, n + 1)]
    world = [mask.data_to_world(c) for c in centres]
    viewer.add_points(np.asarray(world), name="seeds")
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Watershed")
    widget.reset_choices()
    widget.image.value = mask
    widget.points.value = viewer.layers["seeds"]
    widget.intensity.value = viewer.layers["ct"]
    run_widget(qtbot, widget)
    out = viewer.layers["watershed lesion mask"].data
    assert out.max() == n and not out[mask.data == 0].any()


def test_threshold_live_preview_follows_slice(viewer_with_ct):
    viewer = viewer_with_ct
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Threshold")
    widget.reset_choices()
    widget.image.value = viewer.layers["ct"]
    widget.method.value = "manual"
    widget.controls["low"].value, widget.controls["high"].value = 100, 200
    widget.preview.value = True
    preview = viewer.layers["threshold preview"]
    viewer.dims.set_current_step(0, 12)
    assert preview.data[12].any() and not preview.data[11].any()
    widget.preview.value = False
    assert "threshold preview" not in viewer.layers
