"""DICOM SEG (highdicom): labels on a DICOM series out and back, exactly."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest

from napari_seg.io import DicomError, Geometry, load_volume, save_volume
from napari_seg.io.geometry import world_axis_order
from tests.io._dicom_writer import write_series
from tests.io.test_dicom import GRIDS


@pytest.fixture(params=["oblique", "coronal", "flipped"])
def source(request, tmp_path):
    stored = np.random.default_rng(2).integers(0, 2000, (5, 6, 7)).astype(np.int16)
    write_series(tmp_path / "s", stored, GRIDS[request.param])
    return load_volume(tmp_path / "s")


def _labels(shape) -> np.ndarray:
    labels = np.zeros(shape, np.uint16)
    labels[1:3, 2:4, 1:5], labels[4, 5, 6], labels[0, 0, 0] = 7, 300, 2
    return labels


def test_roundtrip_values_names_colours_and_reference(source, tmp_path):
    labels = _labels(source.data.shape)
    table = {7: {"name": "liver", "color": (1.0, 0.5, 0.0, 1.0)}, 300: {"name": "lesion"}}
    path = save_volume(labels, source.geometry, tmp_path / "seg.dcm", segments=table,
                       source=source.source)  # fmt: skip
    back = load_volume(path)
    assert np.array_equal(back.data, labels)
    np.testing.assert_allclose(back.geometry.affine, source.geometry.affine, atol=1e-5)
    assert [back.segments[v]["name"] for v in (2, 7, 300)] == ["Segment_2", "liver", "lesion"]
    np.testing.assert_allclose(back.segments[7]["color"], (1.0, 0.5, 0.0, 1.0), atol=0.01)
    ds = pydicom.dcmread(path)
    assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.66.4"
    ref = ds.ReferencedSeriesSequence[0]
    assert ref.SeriesInstanceUID == source.source["series_uid"]
    src_uids = {str(pydicom.dcmread(f).SOPInstanceUID) for f in source.source["files"]}
    assert {str(r.ReferencedSOPInstanceUID) for r in ref.ReferencedInstanceSequence} == src_uids
    assert ds.FrameOfReferenceUID == pydicom.dcmread(source.source["files"][0]).FrameOfReferenceUID


def test_labels_shown_in_world_axis_order_go_back_to_the_series(source, tmp_path):
    labels = _labels(source.data.shape)
    shown, geometry = world_axis_order(labels, source.geometry)
    path = save_volume(shown, geometry, tmp_path / "seg.dcm", source=source.source)
    assert np.array_equal(load_volume(path).data, labels)


def test_refusals(source, tmp_path):
    labels = _labels(source.data.shape)
    with pytest.raises(DicomError, match="needs labels on an image read from a DICOM series"):
        save_volume(labels, source.geometry, tmp_path / "a.dcm")
    with pytest.raises(DicomError, match="empty"):
        save_volume(labels * 0, source.geometry, tmp_path / "a.dcm", source=source.source)
    shifted = source.geometry.affine.copy()
    shifted[:3, 3] += 5.0
    moved = Geometry(shifted)
    with pytest.raises(DicomError, match="not on the same grid"):
        save_volume(labels, moved, tmp_path / "a.dcm", source=source.source)
    assert not list(tmp_path.glob("*.dcm"))
