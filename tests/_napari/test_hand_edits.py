"""A run never destroys hand corrections: undo steps, new layers, live Evaluate after undo."""

from __future__ import annotations

import numpy as np
import pytest

napari = pytest.importorskip("napari")

from napari_seg._napari._layers import layer_spacing, placement  # noqa: E402
from napari_seg.data.synthetic import make_synthetic_ct  # noqa: E402
from napari_seg.io import Geometry  # noqa: E402
from tests._napari._widgets import run_widget  # noqa: E402

pytestmark = pytest.mark.viewer
PLUGIN = "napari-seg"


@pytest.fixture
def viewer_and_widget(make_napari_viewer):
    viewer = make_napari_viewer()
    ct = make_synthetic_ct((24, 64, 64), seed=1)
    viewer.add_image(ct.image, name="ct", **Geometry.from_spacing(ct.spacing).layer_kwargs())
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Threshold")
    widget.reset_choices()
    widget.image.value = viewer.layers["ct"]
    widget.method.value = "manual"
    widget.controls["low"].value, widget.controls["high"].value = 100.0, 300.0
    return viewer, widget


def _stroke(layer, coord, value, size=5):
    """A brush stroke as napari's mouse binding makes one: paint between begin and commit,
    so the ``paint`` event comes last, after the refreshes (as in the GUI)."""
    layer.brush_size = size
    layer._begin_stroke()
    layer.paint(coord, value)
    layer._commit_stroke()


def _paint(layer, value=7):
    _stroke(layer, (12, 30, 30), value)
    return np.asarray(layer.data).copy()


def test_rerun_is_one_undo_step(viewer_and_widget, qtbot):
    viewer, widget = viewer_and_widget
    run_widget(qtbot, widget)
    out = viewer.layers["manual ct"]
    first = np.asarray(out.data).copy()
    widget.controls["low"].value = 150.0
    run_widget(qtbot, widget)
    assert viewer.layers["manual ct"] is out and len(viewer.layers) == 2
    second = np.asarray(out.data).copy()
    assert not np.array_equal(first, second)
    assert "Ctrl+Z" in widget.status.value
    out.undo()
    np.testing.assert_array_equal(out.data, first)
    out.redo()
    np.testing.assert_array_equal(out.data, second)


def test_rerun_after_paint_writes_a_new_layer(viewer_and_widget, qtbot):
    viewer, widget = viewer_and_widget
    run_widget(qtbot, widget)
    out = viewer.layers["manual ct"]
    painted = _paint(out)
    widget.controls["low"].value = 150.0
    run_widget(qtbot, widget)
    np.testing.assert_array_equal(out.data, painted)  # the hand edit is untouched
    assert "manual ct (2)" in viewer.layers
    assert "edited by hand" in widget.status.value and "manual ct (2)" in widget.status.value
    # the new layer is now the run's output: running again updates it, not the edited one
    widget.controls["low"].value = 160.0
    run_widget(qtbot, widget)
    assert len(viewer.layers) == 3
    np.testing.assert_array_equal(out.data, painted)


def test_overwrite_edits_then_undo_restores_the_painted_voxels(viewer_and_widget, qtbot):
    viewer, widget = viewer_and_widget
    run_widget(qtbot, widget)
    out = viewer.layers["manual ct"]
    painted = _paint(out)
    widget.overwrite.value = True
    widget.controls["low"].value = 150.0
    run_widget(qtbot, widget)
    assert len(viewer.layers) == 2 and not (np.asarray(out.data) == 7).any()
    out.undo()
    np.testing.assert_array_equal(out.data, painted)


def test_a_layer_we_did_not_write_is_never_written(viewer_and_widget, qtbot):
    viewer, widget = viewer_and_widget
    mine = viewer.add_labels(np.full((24, 64, 64), 3, np.uint8), name="manual ct")
    run_widget(qtbot, widget)
    assert (np.asarray(mine.data) == 3).all()
    assert "manual ct (2)" in viewer.layers


def test_live_evaluate_follows_undo(make_napari_viewer, qtbot):
    viewer = make_napari_viewer()
    ct = make_synthetic_ct((16, 48, 48), seed=5)
    kw = Geometry.from_spacing(ct.spacing).layer_kwargs()
    gt = viewer.add_labels(ct.spleen, name="spleen ground truth", **kw)
    pred = viewer.add_labels(np.zeros_like(ct.spleen), name="pred", **kw)
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Evaluate")
    widget.reset_choices()
    widget.pred.value, widget.gt.value = pred, gt
    widget.live.value = True
    qtbot.waitUntil(lambda: widget.scorer is not None, timeout=10_000)
    z, y, x = np.argwhere(ct.spleen)[len(np.argwhere(ct.spleen)) // 2]
    _stroke(pred, (z, y, x), 1, size=9)
    widget.scorer.flush()
    painted = widget.result["labels"]["1"]["dice"]
    assert painted > 0
    pred.undo()
    widget.scorer.flush()
    live = widget.result["labels"]["1"]["dice"]
    widget.live.value = False
    widget.result = None
    widget.compute()
    qtbot.waitUntil(lambda: widget.result is not None, timeout=30_000)
    assert live == widget.result["labels"]["1"]["dice"] == 0.0


def test_clicked_seeds_split_the_sample_lesions(make_napari_viewer, qtbot):
    """One click in the middle of each sample lesion gives its object (IoU > 0.7)."""
    import edt

    viewer = make_napari_viewer()
    viewer.open_sample(PLUGIN, "synthetic_ct")
    truth = viewer.layers["lesions ground truth"]
    lesions = np.asarray(truth.data)
    placed = placement(truth)
    placed.pop("metadata")
    mask = viewer.add_labels((lesions > 0).view(np.uint8), name="lesion mask", **placed)
    clicks = []
    for i in range(1, lesions.max() + 1):
        depth = edt.edt((lesions == i).view(np.uint8), anisotropy=layer_spacing(truth))
        clicks.append(truth.data_to_world(np.unravel_index(np.argmax(depth), depth.shape)))
    viewer.add_points(np.asarray(clicks), name="seeds")
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Watershed")
    widget.reset_choices()
    widget.image.value, widget.points.value = mask, viewer.layers["seeds"]
    run_widget(qtbot, widget)
    out = np.asarray(viewer.layers["watershed lesion mask"].data)
    assert len(np.unique(out)) - 1 == lesions.max() == 4
    for i in range(1, 5):
        gt = lesions == i
        label = np.bincount(out[gt]).argmax()
        iou = np.sum(gt & (out == label)) / np.sum(gt | (out == label))
        assert label > 0 and iou > 0.7, (i, iou)
