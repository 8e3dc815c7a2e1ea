"""Radiological display in a real viewer: camera, edge letters, readout, sample anatomy."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest

napari = pytest.importorskip("napari")

from napari_seg._napari._anatomy import attach_display, set_convention  # noqa: E402
from napari_seg._napari._layers import camera_of  # noqa: E402
from napari_seg._napari._menus import switch_convention, toggle_orientation_markers  # noqa: E402
from napari_seg.io import Geometry, save_nifti  # noqa: E402
from tests._geometry import LPS  # noqa: E402

pytestmark = pytest.mark.viewer

RAS = np.diag([0.9, 0.9, 2.0, 1.0])
AXIAL = {"top": "A", "bottom": "P", "left": "R", "right": "L"}


@pytest.fixture(autouse=True)
def _own_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("NAPARI_SEG_CONFIG_DIR", str(tmp_path / "settings"))


def _write(path, affine, *, codes=True):
    data = np.zeros((10, 12, 14), np.int16)
    data[5, 3:6, 2:4] = 100
    header = None
    if not codes:
        header = nib.Nifti1Header()
        header.set_qform(None, code=0)
        header.set_sform(None, code=0)
        header = header.binaryblock
    save_nifti(data, Geometry(affine, header), path, kind="image")
    if not codes:  # save_nifti gives codes 2 when unset; a microscopy file has none
        img = nib.load(path)
        img.header.set_qform(None, code=0)
        img.header.set_sform(None, code=0)
        nib.save(nib.Nifti1Image(np.asarray(img.dataobj), None, img.header), path)
    return str(path)


def _orientation(viewer):
    return tuple(str(o) for o in camera_of(viewer).orientation)


@pytest.mark.parametrize("affine", [RAS, LPS], ids=["RAS", "LPS"])
def test_files_open_radiological_and_roll_to_coronal(make_napari_viewer, tmp_path, affine):
    viewer = make_napari_viewer()
    viewer.open(_write(tmp_path / "scan.nii.gz", affine), plugin="napari-seg")
    display = attach_display(viewer)
    assert tuple(str(o) for o in camera_of(viewer).orientation2d) == ("up", "left")
    assert display.letters() == AXIAL
    viewer.dims.order = (1, 0, 2)  # coronal: superior up, the patient's right on the left
    assert tuple(str(o) for o in camera_of(viewer).orientation2d) == ("up", "left")
    assert display.letters() == {"top": "S", "bottom": "I", "left": "R", "right": "L"}
    viewer.dims.order = (2, 0, 1)  # sagittal: anterior on the left
    assert display.letters() == {"top": "S", "bottom": "I", "left": "A", "right": "P"}
    viewer.dims.ndisplay = 3
    assert _orientation(viewer) == ("away", "up", "left")  # from the feet: a rotation
    assert display.letters() == {}  # letters are for slices


def test_screen_left_is_patient_right_in_pixels(make_napari_viewer, tmp_path, qtbot):
    """On screen, a bright block on the patient's right is drawn in the canvas's left half."""
    data = (np.arange(3 * 40 * 40) % 97).astype(np.int16).reshape(3, 40, 40)  # an image
    data[:, 15:25, 30:38] = 1000  # i (x) 30..37 -> high R on a RAS grid
    viewer = make_napari_viewer(show=True)  # a hidden canvas renders black
    path = tmp_path / "ras.nii.gz"
    save_nifti(data, Geometry(np.diag([1.0, 1.0, 1.0, 1.0])), path, kind="image")
    viewer.open(str(path), plugin="napari-seg")
    viewer.dims.set_point(0, 1)
    viewer.reset_view()
    shot = np.asarray(viewer.screenshot(canvas_only=True, flash=False))[..., :3].mean(-1)
    cols = np.nonzero(shot.max(axis=0) > 200)[0]
    assert len(cols) and cols.mean() < shot.shape[1] / 2


def test_sample_opens_in_true_anatomy(make_napari_viewer):
    viewer = make_napari_viewer()
    viewer.open_sample("napari-seg", "synthetic_ct")
    display = attach_display(viewer)
    assert display.letters() == AXIAL
    spleen = viewer.layers["spleen ground truth"]
    centre = spleen.data_to_world(np.argwhere(spleen.data).mean(axis=0))
    assert centre[-1] < 0  # world R < 0: the patient's left
    text = display.readout(centre)
    assert text.startswith(f"R {centre[-1]:.1f}") and "label 1 spleen" in text
    image_only = display.readout((centre[0], 0.0, 60.0))  # liver side: background label
    assert "synthetic CT:" in image_only and image_only.endswith(" HU")


def test_unframed_file_keeps_napari_default(make_napari_viewer, tmp_path):
    viewer = make_napari_viewer()
    viewer.open(_write(tmp_path / "stack.nii.gz", RAS, codes=False), plugin="napari-seg")
    display = attach_display(viewer)
    assert not display.active
    assert _orientation(viewer) == ("towards", "down", "right")
    assert display.letters() == {}


def test_default_returns_when_anatomical_layers_go(make_napari_viewer, tmp_path):
    viewer = make_napari_viewer()
    viewer.open(_write(tmp_path / "scan.nii.gz", LPS), plugin="napari-seg")
    assert _orientation(viewer) == ("away", "up", "left")
    viewer.layers.clear()
    assert _orientation(viewer) == ("towards", "down", "right")
    viewer.add_image(np.zeros((4, 5, 6)))  # a plain array: napari's own orientation
    assert _orientation(viewer) == ("towards", "down", "right")


def test_menu_switches_convention_and_markers_and_keeps_them(make_napari_viewer, tmp_path):
    from napari_seg.settings import load_settings

    viewer = make_napari_viewer()
    viewer.open(_write(tmp_path / "scan.nii.gz", RAS), plugin="napari-seg")
    display = attach_display(viewer)
    switch_convention(viewer)
    assert load_settings().display_convention == "neurological"
    assert _orientation(viewer) == ("towards", "up", "right")
    assert display.letters() == {"top": "A", "bottom": "P", "left": "L", "right": "R"}
    toggle_orientation_markers(viewer)
    assert display.letters() == {} and not load_settings().orientation_markers
    toggle_orientation_markers(viewer)
    set_convention("radiological")
    assert display.letters() == AXIAL


def test_orthogonal_views_and_snapshot_follow_the_convention(make_napari_viewer, qtbot):
    from napari_seg._napari._snapshot import slice_views

    viewer = make_napari_viewer(show=True)
    viewer.open_sample("napari-seg", "synthetic_ct")
    labels = viewer.layers["spleen ground truth"]
    shots = slice_views(viewer, labels, size=(240, 240))
    # axial shot: the spleen outline (dark orange, label 1) sits in the right half
    r, g, b = np.moveaxis(shots[0].astype(int), -1, 0)
    cols = np.nonzero(((r - g > 30) & (r - b > 40)).any(axis=0))[0]
    assert len(cols) and cols.min() > 120
    assert tuple(str(o) for o in camera_of(viewer).orientation2d) == ("up", "left")  # restored
    widget = viewer.window.add_plugin_dock_widget("napari-seg", "Orthogonal views")[1]
    qtbot.waitUntil(lambda: not getattr(widget, "_pending", True), timeout=10000)
    for model in widget.models.values():
        assert tuple(str(o) for o in camera_of(model).orientation2d) == ("up", "left")


def _screen_frame(viewer, layer, points) -> np.ndarray:
    """Where the R, A and S ends of ``points`` land: rows right, up, towards the viewer."""
    node = viewer.window._qt_viewer.canvas.layer_to_visual[layer].node  # test-only private
    tr = node.get_transform("visual", "render")
    ndc = np.array([tr.map(np.r_[p[::-1], 1.0]) for p in points])
    ndc = ndc[:, :3] / ndc[:, 3:]
    centre = ndc[0]
    cols = [ndc[i] - centre for i in (1, 2, 3)]  # +R, +A, +S
    frame = np.stack(cols, axis=1)
    frame[2] *= -1  # GL depth grows away from the viewer
    return frame


@pytest.mark.parametrize("convention", ["radiological", "neurological"])
@pytest.mark.parametrize(
    "angles", [None, (0.0, 0.0, 90.0), (30.0, -40.0, 75.0)], ids=["reset", "rolled", "turned"]
)
def test_3d_view_is_never_a_mirror_image_of_the_patient(
    make_napari_viewer, qtbot, tmp_path, convention, angles
):
    """Rendered 3-D view: the patient's (R, A, S) frame maps to the screen by a rotation."""
    viewer = make_napari_viewer(show=True)
    set_convention(convention)
    viewer.open(_write(tmp_path / "scan.nii.gz", LPS), plugin="napari-seg")  # stored as a CT
    ct = viewer.layers[0]
    c = np.asarray(ct.data_to_world(np.array(ct.data.shape) / 2))
    pts = c + np.array([[0, 0, 0], [0, 0, 50], [0, 50, 0], [50, 0, 0]])  # napari (S, A, R)
    layer = viewer.add_points(pts, size=2)
    viewer.dims.ndisplay = 3
    viewer.reset_view()
    if angles is not None:
        camera_of(viewer).angles = angles
    qtbot.wait(50)
    frame = _screen_frame(viewer, layer, pts)
    assert np.linalg.det(frame) > 0, frame  # a mirror image has a negative determinant


def test_readout_hides_when_the_view_turns_3d(make_napari_viewer, tmp_path):
    viewer = make_napari_viewer()
    viewer.open(_write(tmp_path / "scan.nii.gz", LPS), plugin="napari-seg")
    display = attach_display(viewer)
    readout = viewer.canvas.overlays[next(k for k in viewer.canvas.overlays if "readout" in k)]
    readout.text, readout.visible = display.readout((5, 5, 5)), True  # as after a mouse move
    viewer.dims.ndisplay = 3
    assert not readout.visible  # before any mouse move in 3-D
