"""The Evaluate widget in a real viewer: table, live update after painting, overlay, jumps."""

from __future__ import annotations

import json

import numpy as np
import pytest

napari = pytest.importorskip("napari")

from napari_seg._napari._live import slices_of_atoms  # noqa: E402
from napari_seg.metrics import overlap_metrics  # noqa: E402

pytestmark = pytest.mark.viewer


@pytest.fixture
def setup(make_napari_viewer):
    viewer = make_napari_viewer()
    gt = np.zeros((12, 40, 40), np.uint8)
    gt[2:10, 5:25, 5:25] = 1
    gt[4:8, 28:36, 28:36] = 2
    pred = gt.copy()
    pred[3, 5:25, 5:10] = 0  # a miss on slice 3
    kw = {"scale": (2.0, 0.5, 0.5), "translate": (1.0, 2.0, 3.0)}
    viewer.add_labels(
        gt, name="case ground truth", metadata={"label_names": {1: "spleen", 2: "liver"}}, **kw
    )
    viewer.add_labels(pred, name="prediction", **kw)
    _, widget = viewer.window.add_plugin_dock_widget("napari-seg", "Evaluate")
    widget.reset_choices()
    widget.pred.value = viewer.layers["prediction"]
    return viewer, widget


def _dice(viewer, label):
    p, g = viewer.layers["prediction"].data, viewer.layers["case ground truth"].data
    return overlap_metrics(p, g, labels=[label])["labels"][str(label)]["dice"]


def test_ground_truth_is_the_default_and_table_fills(setup, qtbot, tmp_path):
    viewer, widget = setup
    assert widget.gt.value is viewer.layers["case ground truth"]
    widget.surface.value = True
    widget.compute()
    qtbot.waitUntil(lambda: widget.result is not None, timeout=30_000)
    table = widget.table.value
    assert list(table["columns"])[:3] == ["label", "name", "dice"]
    assert [row[1] for row in table["data"]] == ["spleen", "liver", "mean"]
    assert table["data"][0][2] == pytest.approx(_dice(viewer, 1), abs=1e-4)
    assert "hd95 (mm)" in table["columns"]
    out = widget.export(tmp_path / "scores.json")
    assert json.loads(out.read_text())["labels"]["1"]["name"] == "spleen"
    assert widget.export(tmp_path / "s.csv").read_text().startswith("label,name,dice")


def test_live_update_after_programmatic_paint(setup, qtbot):
    viewer, widget = setup
    widget.live.value = True
    qtbot.waitUntil(lambda: widget.scorer is not None, timeout=10_000)  # counted in a worker
    before = widget.result["labels"]["1"]["dice"]
    layer = viewer.layers["prediction"]
    layer.paint((3, 10, 7), 1)  # brush over the missed strip (2-D brush on slice 3)
    widget.scorer.flush()
    after = widget.result["labels"]["1"]["dice"]
    assert after > before
    assert after == pytest.approx(_dice(viewer, 1), abs=1e-12)
    layer.undo()
    widget.scorer.flush()
    assert widget.result["labels"]["1"]["dice"] == pytest.approx(before, abs=1e-12)
    layer.fill((0, 0, 0), 2)  # flood the background of slice 0 with label 2
    qtbot.waitUntil(
        lambda: widget.result["labels"]["2"]["dice"] == pytest.approx(_dice(viewer, 2), abs=1e-12),
        timeout=5000,
    )


def _wait(qtbot, widget):
    worker = widget.runner.worker
    qtbot.waitUntil(
        lambda: not worker.is_running and widget.compute_button.enabled, timeout=10_000
    )


def test_overlay_and_jumps(setup, qtbot):
    viewer, widget = setup
    widget.error_overlay()
    _wait(qtbot, widget)
    overlay = viewer.layers["errors prediction"]
    assert overlay.data[3, 5:25, 5:10].min() == 2 and overlay.data.max() == 2
    np.testing.assert_allclose(overlay.scale, (2.0, 0.5, 0.5))
    # fixed colours, not the random palette: red = extra, blue = missed
    np.testing.assert_allclose(overlay.colormap.map(2)[:3], (0, 0, 1))
    np.testing.assert_allclose(overlay.colormap.map(1)[:3], (1, 0, 0))
    assert "blue = missed" in widget.status.value
    widget.jump_to_worst_slice()
    _wait(qtbot, widget)
    assert widget.worst == 3
    assert viewer.dims.point[0] == pytest.approx(1.0 + 3 * 2.0)
    widget.jump_to_worst_component()
    _wait(qtbot, widget)
    assert widget.worst[0] == pytest.approx(3.0)


def test_pickers_never_default_to_the_same_layer(make_napari_viewer):
    viewer = make_napari_viewer()
    viewer.add_labels(np.zeros((2, 4, 4), np.uint8), name="result")
    _, widget = viewer.window.add_plugin_dock_widget("napari-seg", "Evaluate")
    viewer.add_labels(np.zeros((2, 4, 4), np.uint8), name="case ground truth")
    widget.reset_choices()
    assert widget.gt.value.name == "case ground truth" and widget.pred.value.name == "result"


def test_errors_are_one_line_in_the_status_never_a_traceback(make_napari_viewer):
    viewer = make_napari_viewer()
    _, widget = viewer.window.add_plugin_dock_widget("napari-seg", "Evaluate")
    widget.compute_button.clicked()  # no layers at all: no EmitLoopError
    assert widget.status.value == "choose two different Labels layers"


def test_slices_of_atoms():
    idx = (np.array([2, 2, 5]), np.array([0, 1, 2]), np.array([0, 0, 0]))
    assert slices_of_atoms([(idx, np.zeros(3), 1)]) == {2, 5}

    class Masked:
        slice_key = (slice(4, 7), slice(0, 3), slice(0, 3))

    assert slices_of_atoms([Masked()]) == {4, 5, 6}
    assert slices_of_atoms(["??"]) is None


def test_instances_label_groups_and_volumes_in_ml(setup, qtbot):
    """As the CLI's --instances; gt labels {1, 2} scored as one; volumes in mL as Statistics."""
    viewer, widget = setup
    widget.instances.value = True
    widget.merge.value = "1+2"
    widget.compute()
    qtbot.waitUntil(lambda: widget.result is not None, timeout=30_000)
    table = widget.table.value
    assert [row[1] for row in table["data"]] == ["spleen + liver", "mean"]
    assert "volume gt (mL)" in table["columns"]
    column = list(table["columns"]).index("volume gt (mL)")
    voxels = int((viewer.layers["case ground truth"].data > 0).sum())
    assert table["data"][0][column] == pytest.approx(voxels * 2.0 * 0.5 * 0.5 / 1000, abs=1e-4)
    assert set(widget.result["instances"]) >= {"f1", "pq", "mean_matched_iou"}
    assert "F1" in widget.accuracy.value and "PQ" in widget.accuracy.value
