"""3D Slicer files, read and written, against slicerio (Slicer's own Python reader/writer).

The slicerio wheel ships files that 3D Slicer wrote: a chest CT (``CTChest4.nrrd``) and
its segmentations, one of them with two layers (overlapping segments).
"""

from __future__ import annotations

import numpy as np
import pytest

slicerio = pytest.importorskip(
    "slicerio", reason="slicerio is not installed (pip install slicerio; in the test extra)"
)

from napari_seg.io import load_volume  # noqa: E402
from napari_seg.io.nrrd import load_nrrd, save_nrrd  # noqa: E402
from napari_seg.io.slicer_seg import load_seg_nrrd, save_seg_nrrd  # noqa: E402

RAS = np.diag([-1.0, -1.0, 1.0, 1.0])  # LPS <-> RAS


@pytest.mark.parametrize("name", ["Segmentation.seg.nrrd", "SegmentationOverlapping.seg.nrrd"])
def test_slicer_written_segmentations_read_like_slicerio(name):
    path = slicerio.get_testdata_file(name)
    theirs = slicerio.read_segmentation(path)
    ours = load_seg_nrrd(path)
    np.testing.assert_allclose(ours.geometry.affine, RAS @ theirs["ijkToLPS"], atol=1e-9)
    voxels = theirs["voxels"]
    layers = [voxels] if voxels.ndim == 3 else list(voxels)
    assert len(ours.layers()) == len(layers)
    for mine, their in zip(ours.layers(), layers, strict=True):
        assert np.array_equal(mine, their.T)  # ours (z, y, x), theirs (i, j, k)
    got = [(s.name, s.label, s.layer, s.id) for s in ours.segments]
    assert got == [(s["name"], s["labelValue"], s["layer"], s["id"]) for s in theirs["segments"]]
    for mine, their in zip(ours.segments, theirs["segments"], strict=True):
        assert mine.color == (*their["color"], 1.0)


def test_our_segmentation_reads_in_slicerio_and_round_trips(tmp_path):
    src = load_seg_nrrd(slicerio.get_testdata_file("Segmentation.seg.nrrd"))
    path = save_seg_nrrd(src.data, src.geometry, tmp_path / "ours.seg.nrrd", segments=src.table())
    theirs = slicerio.read_segmentation(str(path))
    assert np.array_equal(theirs["voxels"], src.data.T)
    np.testing.assert_allclose(RAS @ theirs["ijkToLPS"], src.geometry.affine, atol=1e-9)
    assert [(s["name"], s["labelValue"], s["layer"]) for s in theirs["segments"]] == [
        (s.name, s.label, 0) for s in src.segments
    ]
    assert [tuple(s["color"]) for s in theirs["segments"]] == [s.color[:3] for s in src.segments]
    for s in theirs["segments"]:  # the extent of each segment, in the file's i j k
        i, j, k = np.nonzero(theirs["voxels"] == s["labelValue"])
        assert s["extent"] == [i.min(), i.max(), j.min(), j.max(), k.min(), k.max()]
    again = load_seg_nrrd(path)
    assert np.array_equal(again.data, src.data) and again.table() == src.table()
    assert np.array_equal(again.geometry.affine, src.geometry.affine)


def test_slicer_ct_reads_like_slicerio_and_round_trips(tmp_path):
    path = slicerio.get_testdata_file("CTChest4.nrrd")
    theirs = slicerio.read_volume(path)
    ours = load_nrrd(path)
    assert np.array_equal(ours.data, theirs["voxels"].T)
    np.testing.assert_allclose(ours.geometry.affine, RAS @ theirs["ijkToLPS"], atol=1e-9)
    for suffix in (".nrrd", ".nhdr"):
        out = save_nrrd(ours.data, ours.geometry, tmp_path / f"ct{suffix}", kind="image")
        back = slicerio.read_volume(str(out))
        assert np.array_equal(back["voxels"], theirs["voxels"])
        np.testing.assert_allclose(back["ijkToLPS"], theirs["ijkToLPS"], atol=1e-9)
    assert load_volume(path).data.dtype == ours.data.dtype
