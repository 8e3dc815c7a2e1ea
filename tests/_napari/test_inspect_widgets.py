"""Surfaces, Statistics and Orthogonal views docks in a real viewer, on a flipped grid."""

from __future__ import annotations

import numpy as np
import pytest

napari = pytest.importorskip("napari")

from napari_seg.inspect import label_statistics, label_surfaces  # noqa: E402
from napari_seg.io import Geometry  # noqa: E402
from tests._geometry import LPS  # noqa: E402
from tests._napari._widgets import wait_for_worker  # noqa: E402

pytestmark = pytest.mark.viewer
PLUGIN = "napari-seg"


@pytest.fixture
def scene(make_napari_viewer):
    viewer = make_napari_viewer()
    geometry = Geometry(LPS)  # x and y flipped: the grid users' CTs come on
    lab = np.zeros((16, 40, 44), np.uint8)
    lab[4:12, 8:30, 10:34] = 1
    lab[6:10, 32:38, 4:9] = 2
    image = np.where(lab > 0, 80, -50).astype(np.int16)
    kw = geometry.layer_kwargs()
    img = viewer.add_image(image, name="ct", **kw)
    placed = {k: v for k, v in kw.items() if k != "metadata"}
    meta = {**kw.get("metadata", {}), "label_names": {1: "liver", 2: "spleen"}}
    layer = viewer.add_labels(lab, name="labels", metadata=meta, **placed)
    return viewer, geometry, img, layer


def test_surfaces_sit_on_the_voxels_and_export(scene, qtbot, tmp_path):
    viewer, geometry, _, layer = scene
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Surfaces")
    widget.reset_choices()
    widget.labels_layer.value = layer
    widget.smoothing.value = 0
    steps = viewer.dims.nsteps
    widget.runner.worker = None
    widget.build()
    wait_for_worker(qtbot, widget, timeout=60_000)
    qtbot.waitUntil(lambda: widget.adding == 0, timeout=10_000)
    surfaces = [la for la in viewer.layers if la._type_string == "surface"]
    assert [la.name for la in surfaces] == ["labels surface 1 liver", "labels surface 2 spleen"]
    assert viewer.dims.ndisplay == 2  # 3-D is offered, not forced
    viewer.dims.ndisplay = 3
    assert viewer.dims.nsteps == steps  # the sliders still step one 2.5 mm slice at a time
    origin = np.asarray(surfaces[0].data_to_world((0, 0, 0)))
    axes = [np.asarray(surfaces[0].data_to_world(e)) - origin for e in np.eye(3)]
    # a plain positive scale: with the labels' flips in its transform napari lit the
    # surface from the wrong side (half of it dark)
    assert np.allclose(axes, np.diag(np.diag(axes))) and (np.diag(axes) > 0).all()
    expected = label_surfaces(np.asarray(layer.data), geometry, smooth_passes=0)
    # every vertex is where napari puts that point of the labels: world of the data point
    verts = np.array([surfaces[0].data_to_world(v) for v in surfaces[0].data[0]])
    idx = np.argwhere(layer.data == 1)
    world = np.array([layer.data_to_world(p) for p in idx[[0, -1]]])
    assert np.allclose(verts, expected[1].napari_vertices)
    inside = (verts.min(0) <= world.min(0) + 1e-6).all() and (
        verts.max(0) >= world.max(0) - 1e-6
    ).all()
    assert inside
    assert viewer.dims.ndisplay == 3
    assert not layer.visible  # its voxels would cover the surfaces in 3-D
    viewer.dims.ndisplay = 2
    assert layer.visible  # and it is back for correcting slices
    viewer.dims.ndisplay = 3
    assert not layer.visible
    assert np.allclose(surfaces[1].colormap.colors[-1][:3], layer.get_color(2)[:3])
    viewer.layers.selection = {surfaces[0]}  # the selected surfaces only
    widget.which.value = "selected surfaces"
    assert [p.name for p in widget.export(tmp_path)] == ["labels_1_liver.stl"]
    widget.which.value = "all surfaces"  # all of ours, whatever is selected
    paths = widget.export(tmp_path / "all")
    assert sorted(p.name for p in paths) == ["labels_1_liver.stl", "labels_2_spleen.stl"]
    # a rebuild after a correction updates the same layers
    layer.data[6:10, 32:38, 4:9] = 0
    layer.refresh()
    widget.runner.worker = None
    widget.build()
    wait_for_worker(qtbot, widget, timeout=60_000)
    qtbot.waitUntil(lambda: widget.adding == 0, timeout=10_000)
    assert len([la for la in viewer.layers if la._type_string == "surface"]) == 2


def test_statistics_table_and_click_to_centre(scene, qtbot, tmp_path):
    viewer, geometry, img, layer = scene
    shifted = viewer.add_image(np.zeros((16, 40, 44)), name="elsewhere", translate=(0, 0, 9))
    viewer.layers.selection.active = layer
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Statistics")
    widget.reset_choices()
    assert widget.labels_layer.value is layer
    assert widget.image.value is img  # the image on the labels' grid, not the shifted one
    viewer.layers.remove(shifted)
    img.metadata["modality"] = "CT"  # as the reader marks a CT: intensities are HU
    widget.runner.worker = None
    widget.measure()
    wait_for_worker(qtbot, widget, timeout=60_000)
    expected = label_statistics(np.asarray(layer.data), geometry, image=np.asarray(img.data))
    assert [r["volume_ml"] for r in widget.rows] == [r["volume_ml"] for r in expected]
    assert widget.rows[1]["name"] == "spleen" and widget.rows[0]["mean"] == 80
    assert widget.table.native.rowCount() == 2
    headers = list(widget.table.column_headers)
    assert "volume (mL)" in headers and "surface (mm²)" in headers and "extent_z (mm)" in headers
    assert "mean (HU)" in headers and "median (HU)" in headers
    widget.centre_on(1)
    z, y, x = (widget.rows[1][f"centroid_{a}"] for a in "zyx")
    assert np.allclose(viewer.dims.point[-3:], (z, y, x), atol=1.5)  # on the nearest slice
    out = widget.export(tmp_path / "stats.csv")
    assert out.read_text().startswith("label,name,voxels")


def test_orthogonal_views_share_data_click_and_paint(scene, qtbot):
    viewer, _, img, layer = scene
    _, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Orthogonal views")
    qtbot.waitUntil(lambda: widget.ready, timeout=30_000)  # mirrors are built one per turn
    coronal = widget.models["coronal"]
    mirror = coronal.layers["labels"]
    assert mirror.data is layer.data and coronal.layers["ct"].data is img.data  # no copies
    assert tuple(coronal.dims.order)[-3:] == (1, 0, 2)
    assert [la.name for la in coronal.layers] == ["ct", "labels", "crosshair"]  # main's stacking
    viewer.layers.move(1, 0)  # labels under the CT in the main viewer: the same in the views
    assert [la.name for la in coronal.layers][:2] == ["labels", "ct"]
    viewer.layers.move(1, 0)
    # a click in the coronal view sets the axial slice (z) of the main viewer: the same
    # drag callback napari calls (press, no move, release)
    target = np.array(layer.data_to_world((11, 20, 20)))

    class Click:
        button, type, position = 1, "mouse_press", tuple(target)

    press = Click()
    gen = widget._click(coronal, press)
    next(gen)
    press.type = "mouse_release"
    with pytest.raises(StopIteration):
        next(gen)
    assert round(layer.world_to_data(viewer.dims.point)[0]) == 11  # the axial slice shown
    assert np.allclose(coronal.dims.point, viewer.dims.point)
    # a stroke in the coronal view edits the shared array and is one undo step in napari
    before = np.asarray(layer.data).copy()
    mirror.selected_label = 2
    mirror.brush_size = 3
    mirror.paint((11, 20, 20), 2)
    assert layer.data[11, 20, 20] == 2 and (layer.data != before).any()
    layer.undo()
    assert np.array_equal(layer.data, before)
    # the crosshair passes through the point in every view
    cross = widget._crosses[1].data
    world = cross[0][0] * widget._crosses[1].scale
    assert len(cross) == 3 and np.allclose(world[1:], np.asarray(viewer.dims.point)[1:])
    assert viewer.dims.nsteps[0] == 16  # the crosshair does not refine the slider
