"""Label semantics in a real viewer: tables on layers, saved back, units, roles, Segments dock."""

from __future__ import annotations

import json

import nibabel as nib
import numpy as np
import pytest

napari = pytest.importorskip("napari")

from qtpy.QtCore import Qt  # noqa: E402

from napari_seg.io import Geometry, save_nifti  # noqa: E402

pytestmark = pytest.mark.viewer
PLUGIN = "napari-seg"

ITKSNAP = """# ITK-SnAP Label Description File
    0     0    0    0        0  0  0    "Clear Label"
    1   255    0    0        1  1  1    "Liver"
    2     0    0  255        1  1  1    "Tumour"
"""


def _labels(shape=(6, 20, 20)) -> np.ndarray:
    data = np.zeros(shape, np.uint8)
    data[1:5, 2:10, 2:10] = 1
    data[1:5, 12:18, 12:18] = 2
    return data


def test_intent_label_file_with_117_values_opens_as_labels(make_napari_viewer, tmp_path):
    data = (np.arange(8 * 8 * 8) % 117).astype(np.uint8).reshape(8, 8, 8)
    img = nib.Nifti1Image(data.T, np.eye(4))
    img.header.set_intent("label")
    nib.save(img, tmp_path / "atlas.nii.gz")
    viewer = make_napari_viewer()
    viewer.open(str(tmp_path / "atlas.nii.gz"), plugin=PLUGIN)
    assert isinstance(viewer.layers["atlas"], napari.layers.Labels)


def test_lone_labelstr_file_gets_dataset_json_names_and_outline(make_napari_viewer, tmp_path):
    task = tmp_path / "Task03_Liver"
    (task / "labelsTr").mkdir(parents=True)
    (task / "dataset.json").write_text(
        json.dumps({"labels": {"0": "background", "1": "liver", "2": "cancer"}})
    )
    save_nifti(_labels(), Geometry(np.eye(4)), task / "labelsTr" / "liver_117.nii.gz")
    viewer = make_napari_viewer()
    viewer.open(str(task / "labelsTr" / "liver_117.nii.gz"), plugin=PLUGIN)
    layer = viewer.layers["liver_117"]
    assert list(layer.features["name"]) == ["background", "liver", "cancer"]
    assert layer.metadata["label_names"][2] == "cancer"
    assert layer.contour > 0  # ground truth is drawn as an outline


def test_itksnap_table_applied_and_written_back_on_save(make_napari_viewer, tmp_path):
    save_nifti(_labels(), Geometry(np.eye(4)), tmp_path / "case.nii.gz")
    (tmp_path / "case.txt").write_text(ITKSNAP)
    viewer = make_napari_viewer()
    viewer.open(str(tmp_path / "case.nii.gz"), plugin=PLUGIN)
    layer = viewer.layers["case"]
    assert list(layer.features["name"]) == ["Clear Label", "Liver", "Tumour"]
    np.testing.assert_allclose(layer.colormap.map(np.array([1, 2]))[:, :3], [[1, 0, 0], [0, 0, 1]])
    from napari_seg.io.labeltable import LabelTable  # new in this change: imported here so
    # that the tests above fail on the old code for their own reason, not an ImportError

    out = tmp_path / "saved" / "edited.nii.gz"
    written = layer.save(str(out), plugin=PLUGIN)
    assert str(out.with_name("edited.txt")) in written
    back = LabelTable.read(out.with_name("edited.txt"))
    assert back.source_format == "itksnap" and back.names[2] == "Tumour"
    assert back.segments[1].color == (1.0, 0.0, 0.0, 1.0)


def test_micrometre_file_shows_micrometres(make_napari_viewer, tmp_path):
    img = nib.Nifti1Image(np.zeros((8, 8, 4), np.float32), np.diag([0.5, 0.5, 2.0, 1.0]))
    img.header.set_xyzt_units("micron", "sec")
    nib.save(img, tmp_path / "cells.nii.gz")
    viewer = make_napari_viewer()
    viewer.open(str(tmp_path / "cells.nii.gz"), plugin=PLUGIN)
    assert [str(u) for u in viewer.layers["cells"].units] == ["micrometer"] * 3
    assert "micrometer" in [str(u) for u in viewer.layers.units]


@pytest.fixture
def segments(make_napari_viewer, tmp_path):
    save_nifti(_labels(), Geometry.from_spacing((2.0, 1.0, 1.0)), tmp_path / "case.nii.gz")
    (tmp_path / "case.txt").write_text(ITKSNAP)
    viewer = make_napari_viewer()
    viewer.open(str(tmp_path / "case.nii.gz"), plugin=PLUGIN)
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Segments")
    widget.reset_choices()
    widget.labels_layer.value = viewer.layers["case"]
    return viewer, widget, viewer.layers["case"]


def test_segments_dock_lists_counts_and_volume(segments, qtbot):
    _, widget, _ = segments
    qtbot.waitUntil(lambda: widget.counts.get(1) == 256, timeout=10_000)
    assert widget.values == [1, 2]
    assert widget.table.item(0, 1).text() == "Liver"
    assert widget.table.item(0, 4).text() == "256"
    assert widget.table.item(0, 5).text() == "0.512"  # 256 voxels x 2 mm³ = 0.512 mL


def test_segments_dock_rename_recolour_add_remove_each_one_undo(segments, qtbot):
    _, widget, layer = segments
    widget.table.item(0, 1).setText("Hepar")  # typing in the name cell
    assert list(layer.features["name"])[1] == "Hepar"
    widget.recolour(2, (0, 255, 0))
    assert np.allclose(layer.colormap.map(np.array([2]))[0, :3], (0, 1, 0))
    value = widget.add()
    assert value == 3 and layer.selected_label == 3 and 3 in widget.values
    widget.remove(value=1)
    qtbot.waitUntil(lambda: not widget.remover.is_running, timeout=10_000)
    qtbot.waitUntil(lambda: 1 not in widget.values, timeout=10_000)
    assert not (np.asarray(layer.data) == 1).any() and 1 not in widget.values
    layer.undo()  # the removal: voxels and row come back together
    assert (np.asarray(layer.data) == 1).sum() == 256
    assert widget.table.item(0, 1).text() == "Hepar"
    layer.undo()  # the add
    assert 3 not in widget.values
    layer.undo()  # the colour
    assert np.allclose(layer.colormap.map(np.array([2]))[0, :3], (0, 0, 1))
    layer.undo()  # the name
    assert list(layer.features["name"])[1] == "Liver"
    layer.redo()
    assert widget.table.item(0, 1).text() == "Hepar"


def test_click_paints_with_the_segment_and_locked_segments_hold(segments, qtbot):
    from napari_seg._napari._segments import current_table

    viewer, widget, layer = segments
    widget.table.cellClicked.emit(1, 1)  # a click on the "Tumour" row
    assert layer.selected_label == 2 and layer.mode == "paint"
    assert viewer.layers.selection.active is layer
    widget.table.item(0, 3).setCheckState(Qt.CheckState.Checked)  # tick "locked" on Liver
    assert current_table(layer).locked == {1}
    before = np.asarray(layer.data).copy()
    layer.brush_size = 40
    layer.paint((2, 5, 5), 2)  # over the locked "Liver" and the background
    after = np.asarray(layer.data)
    np.testing.assert_array_equal(after[before == 1], 1)  # the locked segment is untouched
    assert (after[2][before[2] == 0] == 2).any()  # the background got painted
    layer.selected_label = 1
    layer.paint((2, 15, 15), 1)  # painting with a locked segment does nothing
    assert (np.asarray(layer.data) == 1).sum() == (before == 1).sum()
    layer.undo()
    np.testing.assert_array_equal(np.asarray(layer.data), before)
    # a view's mirror (Orthogonal views) paints the same array: the layer's locks hold there
    from napari_seg._napari._segments import guard_locked

    mirror = napari.layers.Labels(layer.data)
    guard_locked(mirror, source=layer)
    mirror.brush_size = 40
    mirror.paint((2, 5, 5), 2)
    np.testing.assert_array_equal(np.asarray(layer.data)[before == 1], 1)
    widget.set_flag(2, visible=False)  # hidden: drawn transparent, its colour kept
    assert layer.colormap.map(np.array([2]))[0, 3] == 0
    assert current_table(layer).segments[2].color[:3] == (0.0, 0.0, 1.0)


def test_correct_tools_honour_segments_locked_in_the_dock(segments, qtbot):
    from tests._napari._widgets import wait_for_worker

    viewer, widget, layer = segments
    widget.set_flag(1, locked=True)
    _, correct = viewer.window.add_plugin_dock_widget(PLUGIN, "Correct")
    correct.reset_choices()
    correct.labels_layer.value = layer
    correct.tool.value = "margin"
    correct.label_value.value = 2
    correct.mm.value = 6.0
    before = np.asarray(layer.data).copy()
    correct.runner.worker = None
    correct.apply()
    wait_for_worker(qtbot, correct, timeout=60_000)
    after = np.asarray(layer.data)
    np.testing.assert_array_equal(after[before == 1], 1)
    assert (after == 2).sum() > (before == 2).sum()


def test_statistics_read_micrometres_for_a_micrometre_file(make_napari_viewer, tmp_path, qtbot):
    from tests._napari._widgets import wait_for_worker

    img = nib.Nifti1Image(_labels().T.copy(), np.diag([0.5, 0.5, 2.0, 1.0]))
    img.header.set_xyzt_units("micron", "sec")
    nib.save(img, tmp_path / "cells_seg.nii.gz")
    viewer = make_napari_viewer()
    viewer.open(str(tmp_path / "cells_seg.nii.gz"), plugin=PLUGIN)
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Statistics")
    widget.reset_choices()
    widget.labels_layer.value = viewer.layers["cells_seg"]
    widget.surfaces.value = False
    widget.runner.worker = None
    widget.measure()
    wait_for_worker(qtbot, widget, timeout=60_000)
    headers = list(widget.table.column_headers)
    assert "volume (µm³)" in headers and "centroid_x (µm)" in headers
    assert widget.rows[0]["volume_mm3"] == pytest.approx(256 * 0.5 * 0.5 * 2.0 * 1e-9)
    assert widget.table.data[0][headers.index("volume (µm³)")] == pytest.approx(128.0)


def test_roles_are_drawn_apart(make_napari_viewer):
    from napari_seg._napari._labeltable import PREVIEW_COLOR

    viewer = make_napari_viewer()
    viewer.open_sample(PLUGIN, "synthetic_ct")
    assert viewer.layers["spleen ground truth"].contour > 0  # ground truth: an outline
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Threshold")
    widget.reset_choices()
    widget.image.value = viewer.layers["synthetic CT"]
    widget.method.value = "manual"
    widget.controls["low"].value = 100.0
    widget.preview.value = True
    preview = viewer.layers["threshold preview"]
    assert preview.contour > 0
    assert np.allclose(preview.colormap.map(np.array([1]))[0], PREVIEW_COLOR)
    assert widget.controls["low"].label == "low (HU)"  # the sample is a CT


def test_outlined_ground_truth_in_3d_does_not_warn_on_every_redraw(make_napari_viewer):
    import warnings

    viewer = make_napari_viewer()
    viewer.open_sample(PLUGIN, "synthetic_ct")
    assert viewer.layers["spleen ground truth"].contour > 0
    with warnings.catch_warnings(record=True) as caught:
        viewer.dims.ndisplay = 3  # napari draws it filled in 3-D
        viewer.layers["spleen ground truth"].refresh()
    assert not [w for w in caught if "Contours" in str(w.message)]
