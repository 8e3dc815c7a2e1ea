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
    assert "hd95" in table["columns"]
    out = widget.export(tmp_path / "scores.json")
    assert json.loads(out.read_text())["labels"]["1"]["name"] == "spleen"
    assert widget.export(tmp_path / "s.csv").read_text().startswith("label,name,dice")


def test_live_update_after_programmatic_paint(setup, qtbot):
    viewer, widget = setup
    widget.live.value = True
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


def test_overlay_and_jumps(setup):
    viewer, widget = setup
    overlay = widget.error_overlay()
    assert overlay.data[3, 5:25, 5:10].min() == 2 and overlay.data.max() == 2
    np.testing.assert_allclose(overlay.scale, (2.0, 0.5, 0.5))
    assert widget.jump_to_worst_slice() == 3
    assert viewer.dims.point[0] == pytest.approx(1.0 + 3 * 2.0)
    centre = widget.jump_to_worst_component()
    assert centre[0] == pytest.approx(3.0)


def test_slices_of_atoms():
    idx = (np.array([2, 2, 5]), np.array([0, 1, 2]), np.array([0, 0, 0]))
    assert slices_of_atoms([(idx, np.zeros(3), 1)]) == {2, 5}

    class Masked:
        slice_key = (slice(4, 7), slice(0, 3), slice(0, 3))

    assert slices_of_atoms([Masked()]) == {4, 5, 6}
    assert slices_of_atoms(["??"]) is None
