"""napari reader and writers for DICOM series, DICOM SEG, NRRD and 3D Slicer .seg.nrrd."""

from __future__ import annotations

import numpy as np
import pytest

napari = pytest.importorskip("napari")

from napari_seg._napari._layers import layer_geometry, placement  # noqa: E402
from napari_seg.io import Geometry, load_volume  # noqa: E402
from napari_seg.io.dicom import load_dicom  # noqa: E402
from napari_seg.io.slicer_seg import load_seg_nrrd, save_seg_nrrd  # noqa: E402
from tests.io._dicom_writer import write_series  # noqa: E402
from tests.io.test_dicom import GRIDS  # noqa: E402

pytestmark = [
    pytest.mark.viewer,
    pytest.mark.filterwarnings("ignore:Non-orthogonal slicing:UserWarning"),
]


@pytest.fixture
def two_series(tmp_path):
    stored = np.random.default_rng(1).integers(0, 2000, (6, 8, 7)).astype(np.int16)
    write_series(tmp_path / "d" / "ct", stored, GRIDS["oblique"], description="CT CHEST", number=2)
    write_series(tmp_path / "d" / "sc", stored[:2], GRIDS["coronal"], description="SCOUT",
                 number=1, seed=3)  # fmt: skip
    return tmp_path / "d"


def test_dicom_folder_opens_each_series_in_world_mm(make_napari_viewer, two_series):
    viewer = make_napari_viewer()
    viewer.open(str(two_series), plugin="napari-seg")
    assert [layer.name for layer in viewer.layers] == ["SCOUT (series 1)", "CT CHEST (series 2)"]
    ct = viewer.layers["CT CHEST (series 2)"]
    ref = load_dicom(two_series / "ct")
    assert ct.metadata["modality"] == "CT"
    assert tuple(ct.contrast_limits) == (-160.0, 240.0)  # soft-tissue window
    assert ct.metadata["napari_seg"]["dicom"]["series_uid"] == ref.source["series_uid"]
    for layer, src in ((ct, ref), (viewer.layers[0], load_dicom(two_series / "sc"))):
        # every voxel where the series puts it, whatever the order of the axes shown
        for zyx in np.ndindex(*src.data.shape):
            world = (src.geometry.affine @ [*zyx[::-1], 1])[:3][::-1]
            shown = np.rint(layer.world_to_data(world)).astype(int)
            assert layer.data[tuple(shown)] == src.data[zyx]
            np.testing.assert_allclose(layer.data_to_world(shown), world, atol=1e-6)
    scout = viewer.layers[0]  # coronal: shown with its slice axis as napari's y
    assert scout.data.shape == (8, 2, 7)


def test_labels_on_dicom_save_as_dicom_seg_and_seg_nrrd(make_napari_viewer, two_series, tmp_path):
    viewer = make_napari_viewer()
    viewer.open(str(two_series / "ct"), plugin="napari-seg")
    ct = viewer.layers[0]
    data = np.zeros(ct.data.shape, np.uint8)
    data[1:4, 2:5, 2:5], data[5, 0, 0] = 3, 1
    labels = viewer.add_labels(data, name="organs", **placement(ct))
    labels.metadata["label_names"] = {3: "heart", 1: "dot"}
    labels.colormap = {None: (0.8, 0.8, 0.8, 1), 0: (0, 0, 0, 0), 3: (1, 0, 0, 1), 1: (0, 0, 1, 1)}
    for name in ("o.dcm", "o.seg.nrrd"):
        napari.save_layers(str(tmp_path / name), [labels], plugin="napari-seg")
        back = load_volume(tmp_path / name)
        assert np.array_equal(back.data, data), name
        np.testing.assert_allclose(back.geometry.affine, layer_geometry(ct).affine, atol=1e-4)
        assert back.segments[3]["name"] == "heart" and back.segments[1]["name"] == "dot"
        np.testing.assert_allclose(back.segments[3]["color"], (1, 0, 0, 1), atol=0.02)


def test_seg_nrrd_opens_with_names_and_colours(make_napari_viewer, tmp_path):
    geo = Geometry.from_spacing((2.0, 0.5, 0.5), origin=(1.0, 2.0, 3.0))
    data = np.zeros((3, 4, 5), np.uint8)
    data[1, 1:3, 1:4] = 2
    table = {2: {"name": "kidney", "color": (0.0, 0.5, 1.0, 1.0)}}
    path = save_seg_nrrd(data, geo, tmp_path / "s.seg.nrrd", segments=table)
    viewer = make_napari_viewer()
    viewer.open(str(path), plugin="napari-seg")
    layer = viewer.layers["s"]
    assert isinstance(layer, napari.layers.Labels)
    assert layer.metadata["label_names"] == {2: "kidney"}
    np.testing.assert_allclose(layer.colormap.map(np.array([2]))[0], (0.0, 0.5, 1.0, 1.0))
    assert tuple(layer.scale) == (2.0, 0.5, 0.5) and tuple(layer.translate) == (1.0, 2.0, 3.0)
    out = tmp_path / "again.seg.nrrd"
    napari.save_layers(str(out), [layer], plugin="napari-seg")
    assert load_seg_nrrd(out).table() == load_seg_nrrd(path).table()


def test_real_slicer_ct_and_overlapping_segmentation(make_napari_viewer):
    slicerio = pytest.importorskip("slicerio", reason="slicerio ships 3D Slicer's test files")
    viewer = make_napari_viewer()
    viewer.open(slicerio.get_testdata_file("CTChest4.nrrd"), plugin="napari-seg")
    viewer.open(
        slicerio.get_testdata_file("SegmentationOverlapping.seg.nrrd"), plugin="napari-seg"
    )
    names = [layer.name for layer in viewer.layers]
    assert names == [
        "CTChest4",
        "SegmentationOverlapping [layer 0]",
        "SegmentationOverlapping [layer 1]",
    ]
    ct, first, second = viewer.layers
    assert ct.metadata.get("modality") == "CT"  # signed HU: the soft-tissue window
    assert first.metadata["label_names"][5] == "right lung"
    assert second.metadata["label_names"] == {1: "overlapping sphere"}
    np.testing.assert_allclose(layer_geometry(first).affine, layer_geometry(ct).affine, atol=1e-6)


def test_every_file_of_a_series_as_one_stack_opens_it_once(make_napari_viewer, two_series):
    viewer = make_napari_viewer()
    files = sorted(str(p) for p in (two_series / "ct").iterdir())
    viewer.open(files, plugin="napari-seg", stack=True)  # File > Open Files as Stack...
    assert [layer.name for layer in viewer.layers] == ["CT CHEST"]
