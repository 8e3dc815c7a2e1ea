"""Reader and writer contributions in a real viewer, and napari's world coordinates."""

from __future__ import annotations

import numpy as np
import pytest

napari = pytest.importorskip("napari")

from napari_seg._napari._layers import layer_geometry  # noqa: E402
from napari_seg.data.synthetic_task import make_synthetic_task  # noqa: E402
from napari_seg.io import Geometry, load_nifti, save_nifti  # noqa: E402
from tests._geometry import ORIENTATIONS  # noqa: E402

pytestmark = [
    pytest.mark.viewer,
    pytest.mark.filterwarnings("ignore:Non-orthogonal slicing:UserWarning"),
]


@pytest.mark.parametrize("index", range(48))
def test_napari_world_coordinate_equals_nifti_world(index):
    affine = ORIENTATIONS[index]
    layer = napari.layers.Labels(np.zeros((4, 5, 6), np.uint8), **Geometry(affine).layer_kwargs())
    for ijk in [(0, 0, 0), (5, 4, 3), (1, 2, 3)]:
        nifti_world = (affine @ [*ijk, 1])[:3]
        napari_world = layer.data_to_world(ijk[::-1])  # napari voxel order is (k, j, i)
        np.testing.assert_allclose(napari_world, nifti_world[::-1], atol=1e-9)
    # and back: the writer recovers the same affine from the layer
    attrs = layer.as_layer_data_tuple()[1]
    np.testing.assert_allclose(layer_geometry(attrs).affine, affine, atol=1e-9)


def test_open_nifti_labels_and_image(make_napari_viewer, tmp_path):
    geo = Geometry.from_spacing((2.0, 0.5, 0.5), origin=(5.0, -3.0, 1.0))
    save_nifti(
        np.arange(60, dtype=np.int16).reshape(3, 4, 5) * 10 - 300,
        geo,
        tmp_path / "ct.nii.gz",
        kind="image",
    )
    save_nifti(np.ones((3, 4, 5), np.uint8), geo, tmp_path / "ct_seg.nii.gz")
    viewer = make_napari_viewer()
    viewer.open(
        [str(tmp_path / "ct.nii.gz"), str(tmp_path / "ct_seg.nii.gz")], plugin="napari-seg"
    )
    image, labels = viewer.layers["ct"], viewer.layers["ct_seg"]
    assert isinstance(image, napari.layers.Image) and isinstance(labels, napari.layers.Labels)
    assert tuple(labels.scale) == (2.0, 0.5, 0.5) and tuple(labels.translate) == (5.0, -3.0, 1.0)
    assert "nifti_header" in labels.metadata["napari_seg"]


def test_bad_file_adds_no_layer(make_napari_viewer, tmp_path):
    bad = tmp_path / "bad.nii.gz"
    bad.write_bytes(b"not a nifti")
    viewer = make_napari_viewer()
    with pytest.raises(Exception) as info:
        viewer.open(str(bad), plugin="napari-seg")
    assert "bad.nii.gz" in str(info.value) + str(info.value.__cause__)
    assert len(viewer.layers) == 0


def test_case_with_mismatched_label_adds_no_layer(make_napari_viewer, tmp_path):
    root = make_synthetic_task(tmp_path / "Task92", cases=1, test_cases=0, shape=(8, 16, 16))
    save_nifti(
        np.zeros((8, 16, 15), np.uint8),
        Geometry(np.eye(4)),
        root / "labelsTr" / "synthetic_0.nii.gz",
    )
    viewer = make_napari_viewer()
    with pytest.raises(Exception, match="synthetic_0"):
        viewer.open(str(root), plugin="napari-seg")
    assert len(viewer.layers) == 0


def test_save_labels_restores_source_geometry_and_header(make_napari_viewer, tmp_path):
    affine = ORIENTATIONS[17]
    src = save_nifti(
        np.zeros((6, 7, 8), np.int16), Geometry(affine), tmp_path / "src.nii.gz", kind="image"
    )
    viewer = make_napari_viewer()
    viewer.open(str(src), plugin="napari-seg")
    layer = viewer.layers["src"]
    labels = viewer.add_labels(
        np.zeros((6, 7, 8), np.uint16),
        name="edit",
        affine=layer.affine,
        metadata=dict(layer.metadata),
    )
    labels.data[2, 3, 4] = 300
    out = tmp_path / "edit.nii.gz"
    napari.save_layers(str(out), [labels], plugin="napari-seg")
    back = load_nifti(out)
    assert back.data[2, 3, 4] == 300 and back.data.dtype == np.uint16
    np.testing.assert_allclose(back.geometry.affine, affine, atol=1e-5)


def test_open_multimodal_task_and_browse_cases(make_napari_viewer, qtbot, tmp_path):
    root = make_synthetic_task(
        tmp_path / "Task91_Multi", cases=2, test_cases=1, shape=(8, 16, 16), modalities=2
    )
    viewer = make_napari_viewer()
    viewer.open(str(root), plugin="napari-seg")
    names = [layer.name for layer in viewer.layers]
    assert names == ["synthetic_0 CT", "synthetic_0 CT-derived 1", "synthetic_0 ground truth"]
    gt = viewer.layers["synthetic_0 ground truth"]
    assert isinstance(gt, napari.layers.Labels)
    assert list(gt.features["name"]) == ["background", "spleen"]
    _, browser = viewer.window.add_plugin_dock_widget("napari-seg", "Decathlon cases")
    browser.reset_choices()
    assert browser.task is not None and browser.case.value == "synthetic_0"
    browser.next_button.clicked()
    qtbot.waitUntil(lambda: "synthetic_1 ground truth" in viewer.layers, timeout=20_000)
    assert "synthetic_0 CT" not in viewer.layers
    browser.case.value = "synthetic_2"  # a test case: images only
    browser.open_case()
    qtbot.waitUntil(lambda: "synthetic_2 CT" in viewer.layers, timeout=20_000)
    assert not any("ground truth" in layer.name for layer in viewer.layers)


def test_4d_files_open_as_channels_or_one_time_series(make_napari_viewer, tmp_path):
    geo = Geometry.from_spacing((2.0, 1.0, 1.0))
    rng = np.random.default_rng(0)
    mr = rng.integers(-500, 500, (2, 3, 4, 5)).astype(np.int16)
    fmri = rng.integers(-500, 500, (20, 3, 4, 5)).astype(np.int16)
    save_nifti(mr, geo, tmp_path / "mr.nii.gz", kind="image")
    save_nifti(fmri, geo, tmp_path / "fmri.nii.gz", kind="image")
    viewer = make_napari_viewer()
    viewer.open(str(tmp_path / "mr.nii.gz"), plugin="napari-seg")
    assert [layer.name for layer in viewer.layers] == ["mr [0]", "mr [1]"]
    viewer.open(str(tmp_path / "fmri.nii.gz"), plugin="napari-seg")
    series = viewer.layers["fmri"]
    assert series.data.shape == (20, 3, 4, 5) and tuple(series.scale) == (1.0, 2.0, 1.0, 1.0)
