"""Round trips through NIfTI for all 48 axis-aligned orientations and exact label values."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest

from napari_seg.io import Geometry, GeometryError, load_nifti, save_nifti
from napari_seg.io.validate import read_header
from tests._geometry import ORIENTATIONS


def test_there_are_48_distinct_orientations():
    codes = {nib.aff2axcodes(a) for a in ORIENTATIONS}
    assert len(ORIENTATIONS) == 48 == len(codes)


@pytest.mark.parametrize("index", range(48))
def test_roundtrip_every_orientation(tmp_path, index):
    affine = ORIENTATIONS[index]
    data = np.arange(4 * 5 * 6, dtype=np.uint8).reshape(4, 5, 6)
    geo = Geometry(affine)
    p1 = save_nifti(data, geo, tmp_path / "a.nii.gz")
    v1 = load_nifti(p1)
    assert np.array_equal(v1.data, data)
    assert np.max(np.abs(v1.geometry.affine - affine)) <= 1e-5
    p2 = save_nifti(v1.data, v1.geometry, tmp_path / "b.nii")
    v2 = load_nifti(p2)
    assert np.array_equal(v2.data, data)
    assert np.max(np.abs(v2.geometry.affine - affine)) <= 1e-5
    assert nib.aff2axcodes(nib.load(p2).affine) == nib.aff2axcodes(affine)


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        ([0, 1, 255], np.uint8),
        ([1, 255, 256, 65535], np.uint16),
        ([1, 255, 256, 65535, 65536], np.int32),
    ],
)
@pytest.mark.parametrize("suffix", [".nii", ".nii.gz"])
def test_label_values_roundtrip_exactly_in_smallest_dtype(tmp_path, values, dtype, suffix):
    data = np.zeros((3, 4, 5), dtype=np.int64)
    data.reshape(-1)[: len(values)] = values
    path = save_nifti(data, Geometry(np.eye(4)), tmp_path / f"l{suffix}", kind="labels")
    hdr = read_header(path)  # the bytes on disk: nib.load resets scaling to NaN in memory
    assert hdr.get_data_dtype() == dtype
    assert float(hdr["scl_slope"]) == 1.0 and float(hdr["scl_inter"]) == 0.0
    back = load_nifti(path).data
    assert back.dtype == dtype and np.array_equal(back, data)


def test_header_codes_are_kept(tmp_path):
    img = nib.Nifti1Image(np.zeros((3, 3, 3), np.int16), np.diag([2.0, 2.0, 3.0, 1.0]))
    img.set_sform(img.affine, code=1)
    img.set_qform(img.affine, code=4)
    img.header.set_xyzt_units("mm", "msec")
    img.header["descrip"] = b"scanner volume"
    src = tmp_path / "src.nii.gz"
    nib.save(img, src)
    vol = load_nifti(src)
    out = save_nifti(vol.data > 0, vol.geometry, tmp_path / "out.nii.gz", kind="labels")
    h = nib.load(out).header
    assert int(h["sform_code"]) == 1 and int(h["qform_code"]) == 4
    assert h.get_xyzt_units() == ("mm", "msec")
    assert bytes(h["descrip"]).rstrip(b"\0") == b"scanner volume"


def test_oblique_affine_is_kept(tmp_path):
    theta = np.deg2rad(20)
    rot = np.array(
        [[np.cos(theta), -np.sin(theta), 0], [np.sin(theta), np.cos(theta), 0], [0, 0, 1]]
    )
    a = np.eye(4)
    a[:3, :3] = rot @ np.diag([0.8, 0.8, 2.5])
    a[:3, 3] = (10, -5, 3)
    vol = load_nifti(save_nifti(np.ones((4, 5, 6), np.uint8), Geometry(a), tmp_path / "o.nii"))
    assert np.max(np.abs(vol.geometry.affine - a)) <= 1e-5
    assert "affine" in vol.geometry.layer_kwargs()


def test_saving_over_the_memory_mapped_source(tmp_path):
    path = tmp_path / "labels.nii"
    save_nifti(np.ones((8, 8, 8), np.uint8), Geometry(np.eye(4)), path)
    vol = load_nifti(path)
    assert isinstance(vol.data.base, np.memmap) or isinstance(vol.data, np.memmap)
    edited = np.array(vol.data)
    edited[0] = 7
    save_nifti(edited, vol.geometry, path)
    assert vol.data[0, 0, 0] == 1  # the old mapping still reads the old file intact
    assert load_nifti(path).data[0, 0, 0] == 7


@pytest.mark.parametrize(
    "affine",
    [np.full((4, 4), np.nan), np.zeros((4, 4)), np.eye(3)],
)
def test_bad_geometry(affine):
    with pytest.raises(GeometryError):
        Geometry(affine)


def test_check_same_grid():
    a, b = Geometry(np.eye(4)), Geometry(np.diag([1, 1, 1.01, 1]))
    a.check_same_grid(Geometry(np.eye(4)))
    with pytest.raises(GeometryError, match="not on the same grid"):
        a.check_same_grid(b)


def test_sheared_grid_gets_no_qform_and_nifti2_codes_are_kept(tmp_path):
    sheared = np.array([[1.0, 0.3, 0, 5], [0, 1.0, 0, 6], [0, 0, 2.0, 7], [0, 0, 0, 1]])
    path = save_nifti(np.zeros((3, 4, 5), np.int16), Geometry(sheared), tmp_path / "s.nii")
    h = nib.load(path).header
    assert int(h["qform_code"]) == 0 and int(h["sform_code"]) == 2
    np.testing.assert_allclose(load_nifti(path).geometry.affine, sheared, atol=1e-6)
    img = nib.Nifti2Image(np.zeros((5, 4, 3), np.int16), np.diag([0.7, 0.7, 3.0, 1.0]))
    img.header.set_sform(img.affine, code=4)
    img.header["descrip"] = b"scanner export"
    src = tmp_path / "v2.nii"
    nib.save(img, src)
    vol = load_nifti(src)
    out = save_nifti(vol.data, vol.geometry, tmp_path / "out.nii", kind="image")
    h = nib.load(out).header
    assert int(h["sform_code"]) == 4 and h["descrip"].item().startswith(b"scanner export")
    assert h.get_data_dtype() == np.int16


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize("endianness", ["<", ">"])
def test_anatomical_frame_from_header_codes(version, endianness):

    header = (nib.Nifti1Header if version == 1 else nib.Nifti2Header)(endianness=endianness)
    assert not Geometry(np.eye(4), header.binaryblock).anatomical  # codes 0: a plain array
    header.set_qform(np.eye(4), code=1)
    assert Geometry(np.eye(4), header.binaryblock).anatomical
    header.set_qform(np.eye(4), code=0)
    header.set_sform(np.eye(4), code=2)
    assert Geometry(np.eye(4), header.binaryblock).anatomical
    assert Geometry(np.eye(4)).anatomical  # no header: placed in scanner RAS by us
    assert Geometry(np.eye(4), header.binaryblock).to_metadata()["napari_seg"]["anatomical"]
