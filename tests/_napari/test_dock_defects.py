"""Dock defects a new user hit (issue 21), each in a real viewer."""

from __future__ import annotations

import numpy as np
import pytest

napari = pytest.importorskip("napari")

pytestmark = pytest.mark.viewer
PLUGIN = "napari-seg"


def test_training_curves_x_axis_follows_the_epochs(make_napari_viewer):
    from napari_seg._napari._curves import CurvePlot, import_plotting

    viewer = make_napari_viewer()
    import_plotting()
    plot = CurvePlot(viewer)
    for epoch in range(1, 13):
        plot.add("unet", {"epoch": epoch, "loss": 1.0 / epoch, "val_dice": 0.05 * epoch})
    low, high = plot.axes[-1].get_xlim()
    assert low <= 1 and high >= 12  # step 6 onwards is visible


def test_surfaces_export_all_with_safe_names_and_3d_is_offered(
    make_napari_viewer, qtbot, tmp_path
):
    from tests._napari._widgets import wait_for_worker

    viewer = make_napari_viewer()
    lab = np.zeros((12, 30, 60), np.uint8)
    for k in range(6):
        lab[3:9, 8:20, 2 + 10 * k : 8 + 10 * k] = k + 1
    layer = viewer.add_labels(lab, name="case labels (corrected)")
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Surfaces")
    widget.reset_choices()
    widget.labels_layer.value = layer
    widget.runner.worker = None
    widget.build()
    wait_for_worker(qtbot, widget, timeout=60_000)
    qtbot.waitUntil(lambda: widget.adding == 0, timeout=20_000)
    assert viewer.dims.ndisplay == 2  # not switched to 3-D by itself
    assert viewer.layers.selection.active._type_string == "surface"  # napari selects the newest
    paths = widget.export(tmp_path)
    assert len(paths) == 6 and all(" " not in p.name and "(" not in p.name for p in paths)
    widget.show_3d.value = True
    widget.runner.worker = None
    widget.build()
    wait_for_worker(qtbot, widget, timeout=60_000)
    qtbot.waitUntil(lambda: widget.adding == 0, timeout=20_000)
    assert viewer.dims.ndisplay == 3  # when asked for


def test_unet_warning_uses_the_classes_the_model_predicts(make_napari_viewer, tmp_path):
    pytest.importorskip("torch")
    from napari_seg.deep.checkpoint import CheckpointMeta, save_checkpoint

    training = {"val_dice": 0.38, "val_dice_per_class": {"liver": 0.75, "tumour": 0.0},
                "never_predicted": ["tumour"]}  # fmt: skip
    meta = CheckpointMeta(config="fast", out_channels=3, roi_size=(32, 32, 32), training=training,
                          labels={"0": "background", "1": "liver", "2": "tumour"})  # fmt: skip
    path = save_checkpoint(meta.build(), meta, tmp_path / "liver.safetensors")
    viewer = make_napari_viewer()
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "U-Net")
    widget.checkpoint.value = path
    assert "0.38" not in widget.status.value  # not the mean with a never-predicted class
    assert "never predicted tumour" in widget.status.value
    assert "liver" not in widget.status.value  # liver at 0.75 is no cause for a warning


def test_train_dock_offers_fold_all_and_a_worker_error_is_a_status_line(
    make_napari_viewer, qtbot, tmp_path
):
    """One labelled case: fold 0 fails as one line (no re-raise into Qt), fold all is chosen."""
    pytest.importorskip("torch")
    from napari_seg.data.synthetic_task import make_synthetic_task
    from tests._napari._widgets import wait_for_worker

    root = make_synthetic_task(tmp_path / "Task98_One", cases=1, test_cases=0,
                               shape=(24, 48, 48), spacing=(5.0, 3.2, 3.2))  # fmt: skip
    viewer = make_napari_viewer()
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Train")
    assert "all" in widget.fold.choices
    widget.task.value = root
    assert widget.fold.value == "all"  # a one-case task can only train on "all"
    widget.out.value = tmp_path / "out"
    widget.fold.value = "0"  # the user insists: the worker's error must be one status line
    widget.runner.worker = None
    widget.run()
    wait_for_worker(qtbot, widget, timeout=60_000)
    qtbot.waitUntil(lambda: "failed" in widget.status.value, timeout=10_000)
    assert "fold all" in widget.status.value


def test_orthogonal_views_are_wide_enough_and_the_crosshair_comes_back(make_napari_viewer, qtbot):
    viewer = make_napari_viewer(show=True)
    viewer.add_image(np.random.default_rng(0).normal(size=(20, 40, 40)), name="ct")
    viewer.add_labels(np.zeros((20, 40, 40), np.uint8), name="labels")
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Orthogonal views")
    qtbot.waitUntil(lambda: widget.ready, timeout=30_000)
    qtbot.waitUntil(lambda: widget.canvases["coronal"].width() > 0, timeout=5_000)
    assert widget.canvases["coronal"].width() >= 300  # not the ~170 px of a narrow dock
    viewer.layers.select_all()
    viewer.layers.remove_selected()  # every layer, the crosshair too
    assert "crosshair" not in viewer.layers
    viewer.add_image(np.zeros((10, 30, 30)), name="new ct")
    viewer.add_labels(np.zeros((10, 30, 30), np.uint8), name="new labels")
    qtbot.waitUntil(lambda: widget.ready, timeout=30_000)
    assert "crosshair" in viewer.layers and len(viewer.layers["crosshair"].data) == 3
    assert viewer.layers[-1].name == "crosshair"  # on top


def test_snapshot_renders_in_steps_whole_3d_panel_and_restores_visibility(
    make_napari_viewer, qtbot, tmp_path
):
    import imageio.v3 as iio
    from qtpy.QtCore import QTimer

    from tests._napari._widgets import wait_for_worker

    viewer = make_napari_viewer(show=True)
    lab = np.zeros((60, 40, 40), np.uint8)
    lab[2:58, 12:28, 12:28] = 1  # tall: 140 mm superior-inferior, 13 mm across
    viewer.add_image(lab * 100.0, name="ct", scale=(2.5, 0.8, 0.8))
    layer = viewer.add_labels(lab, name="labels", scale=(2.5, 0.8, 0.8))
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Surfaces")
    widget.reset_choices()
    widget.labels_layer.value = layer
    widget.runner.worker = None
    widget.build()
    wait_for_worker(qtbot, widget, timeout=60_000)
    qtbot.waitUntil(lambda: widget.adding == 0, timeout=20_000)
    viewer.dims.ndisplay = 3  # the labels hide behind their surface in 3-D
    assert not layer.visible
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(0)  # fires on every turn of the event loop (a 1 ms timer can miss turns)
    widget.snapshot(tmp_path / "report.png")
    qtbot.waitUntil(lambda: not getattr(widget, "snapshotting", False), timeout=60_000)
    timer.stop()
    assert len(ticks) >= 4  # the event loop ran between the views
    picture = iio.imread(tmp_path / "report.png")[..., :3]
    top = picture[:800]
    drawn = np.abs(top.astype(int) - top[0, 0].astype(int)).sum(axis=2) > 30
    rows = np.flatnonzero(drawn.any(axis=1))
    assert rows.size and rows[0] > 5 and rows[-1] < 795  # the whole surface, not cropped
    assert viewer.dims.ndisplay == 3 and not layer.visible
    viewer.dims.ndisplay = 2
    assert layer.visible  # back for correcting slices, not left hidden
