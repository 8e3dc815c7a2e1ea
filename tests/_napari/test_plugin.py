"""Real-viewer tests: manifest, sample data through napari's plugin machinery, widgets."""

from __future__ import annotations

import time

import numpy as np
import pytest

pytestmark = pytest.mark.viewer

napari = pytest.importorskip("napari")

from napari_seg._napari._layers import layer_geometry  # noqa: E402
from tests._napari._widgets import run_widget, wait_for_worker  # noqa: E402

npe2 = pytest.importorskip("npe2")

PLUGIN = "napari-seg"


def _manifest():
    return npe2.PluginManifest.from_distribution(PLUGIN)


def test_manifest_is_valid_and_complete():
    mf = _manifest()
    ids = {c.id for c in mf.contributions.commands}
    for w in mf.contributions.widgets:
        assert w.command in ids
    for s in mf.contributions.sample_data:
        assert s.command in ids
    # every command's python_name resolves to a callable
    for c in mf.contributions.commands:
        module, attr = c.python_name.split(":")
        assert callable(getattr(__import__(module, fromlist=[attr]), attr))


def test_npe2_validate_passes():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "npe2", "validate", PLUGIN], capture_output=True, text=True
    )
    assert out.returncode == 0 and "valid" in out.stdout, out.stdout + out.stderr


def test_sample_data_opens_through_plugin(make_napari_viewer):
    viewer = make_napari_viewer()
    viewer.open_sample(PLUGIN, "synthetic_ct")
    names = [layer.name for layer in viewer.layers]
    assert names == ["synthetic CT", "spleen ground truth", "lesions ground truth"]
    image, spleen = viewer.layers["synthetic CT"], viewer.layers["spleen ground truth"]
    assert isinstance(spleen, napari.layers.Labels)
    geometry = layer_geometry(image)
    assert geometry.spacing == (2.5, 0.8, 0.8)
    np.testing.assert_allclose(layer_geometry(spleen).affine, geometry.affine)
    assert image.data.shape == (96, 192, 192)


def test_every_widget_opens_by_name(make_napari_viewer):
    viewer = make_napari_viewer()
    for w in _manifest().contributions.widgets:
        _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, w.display_name)
        assert widget is not None, w.display_name


def test_3d_screenshot_is_not_blank(make_napari_viewer):
    viewer = make_napari_viewer(show=True)  # a hidden canvas renders black
    viewer.open_sample(PLUGIN, "synthetic_ct")
    viewer.dims.ndisplay = 3
    shot = viewer.screenshot(canvas_only=True, flash=False)
    assert shot.ndim == 3 and shot.shape[2] in (3, 4)
    rgb = shot[..., :3].astype(float)
    assert rgb.std() > 5, "3-D rendering is blank"
    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) > 50


def test_threshold_widget_places_labels_on_source(make_napari_viewer, qtbot):
    viewer = make_napari_viewer()
    viewer.open_sample(PLUGIN, "synthetic_ct")
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Threshold")
    widget.reset_choices()
    widget.image.value = viewer.layers["synthetic CT"]
    widget.method.value = "manual"
    widget.controls["low"].value, widget.controls["high"].value = 105, 150
    widget.controls["largest"].value = True
    run_widget(qtbot, widget)
    out = viewer.layers["manual synthetic CT"]
    assert isinstance(out, napari.layers.Labels)
    src = viewer.layers["synthetic CT"]
    assert np.allclose(out.scale, src.scale) and np.allclose(out.translate, src.translate)
    np.testing.assert_allclose(out.affine.affine_matrix, src.affine.affine_matrix)
    assert out.data.shape == src.data.shape and out.data.max() == 1
    # running again updates the same layer instead of adding one
    n_layers = len(viewer.layers)
    widget.controls["largest"].value = False
    run_widget(qtbot, widget)
    assert len(viewer.layers) == n_layers


def test_cancel_stops_work_and_adds_no_layer(make_napari_viewer, qtbot):
    from napari_seg._napari.widgets.threshold import ThresholdWidget

    viewer = make_napari_viewer()
    widget = ThresholdWidget(viewer)
    calls = []

    def slow(progress=None, should_stop=None):
        from napari_seg.progress import Steps

        steps = Steps(1000, progress=progress, should_stop=should_stop)
        for _ in range(1000):
            time.sleep(0.01)
            steps.step()
        return np.zeros((4, 4), np.uint8)

    widget.runner.start(slow, description="slow", on_result=calls.append)
    qtbot.waitUntil(lambda: widget.runner.worker.is_running, timeout=5000)
    t0 = time.perf_counter()
    widget.cancel_button.clicked()
    wait_for_worker(qtbot, widget, timeout=5000)
    assert time.perf_counter() - t0 < 1.0
    assert calls == [] and "cancelled" in widget.status.value
    assert len(viewer.layers) == 0
