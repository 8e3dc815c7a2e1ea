"""DICOM series reader: geometry against dcm2niix (the oracle), values, and one-line refusals."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from napari_seg.io.dicom import load_dicom
from napari_seg.io.dicom_series import find_series, is_dicom_path
from napari_seg.io.errors import DicomError
from tests.io._dicom_writer import write_series


def _affine(linear, origin) -> np.ndarray:
    a = np.eye(4)
    a[:3, :3], a[:3, 3] = linear, origin
    return a


_OBLIQUE = Rotation.from_euler("xyz", [20, -15, 30], degrees=True).as_matrix()
GRIDS = {
    "axial": _affine(np.diag([-0.7, -0.8, 2.0]), [10, -20, 30]),
    "coronal": _affine([[-0.7, 0, 0], [0, 0, 2.0], [0, -0.8, 0]], [5, 6, 7]),
    "sagittal": _affine([[0, 0, 1.5], [0.7, 0, 0], [0, -0.8, 0]], [5, 6, 7]),
    "oblique": _affine(_OBLIQUE @ np.diag([0.7, 0.8, 2.0]), [1, 2, 3]),
    "flipped": _affine(np.diag([0.7, 0.8, -2.0]), [10, -20, 30]),
}


@pytest.fixture
def stored():
    return np.random.default_rng(7).integers(0, 3000, (6, 5, 4)).astype(np.int16)


@pytest.mark.parametrize("grid", GRIDS)
def test_geometry_and_hu_by_construction(tmp_path, stored, grid):
    write_series(tmp_path / "s", stored, GRIDS[grid], slope=1, intercept=-1024)
    vol = load_dicom(tmp_path / "s")
    expected, affine = stored.astype(np.int32) - 1024, GRIDS[grid].copy()
    lps = np.diag([-1.0, -1.0, 1.0, 1.0]) @ affine
    if np.cross(lps[:3, 0], lps[:3, 1]) @ lps[:3, 2] < 0:  # slices run against the normal
        expected = expected[::-1]
        affine[:3, 3] += (stored.shape[0] - 1) * affine[:3, 2]
        affine[:3, 2] *= -1
    assert np.array_equal(vol.data, expected)
    np.testing.assert_allclose(vol.geometry.affine, affine, atol=1e-5)
    assert vol.source["modality"] == "CT" and len(vol.source["files"]) == 6


NO_DCM2NIIX = pytest.mark.skipif(
    shutil.which("dcm2niix") is None,
    reason="dcm2niix is not installed (Debian package dcm2niix; .ci/setup --test installs it)",
)


@NO_DCM2NIIX
@pytest.mark.parametrize("grid", GRIDS)
def test_every_voxel_agrees_with_dcm2niix(tmp_path, stored, grid):
    write_series(tmp_path / "s", stored, GRIDS[grid], slope=2, intercept=-1024)
    _agrees_with_dcm2niix(tmp_path)


@NO_DCM2NIIX
@pytest.mark.parametrize("name", ["CT_small.dcm", "MR_small.dcm", "MR_small_RLE.dcm"])
def test_real_scans_agree_with_dcm2niix(tmp_path, name):
    """Real CT and MR slices that pydicom ships (the CT is oblique-free, the MR is not axial)."""
    from pydicom.data import get_testdata_file

    (tmp_path / "s").mkdir()
    shutil.copy(get_testdata_file(name), tmp_path / "s" / name)
    _agrees_with_dcm2niix(tmp_path)


def _agrees_with_dcm2niix(tmp_path) -> None:
    import nibabel as nib

    (tmp_path / "out").mkdir()
    subprocess.run(
        ["dcm2niix", "-z", "n", "-b", "n", "-f", "x", "-o", str(tmp_path / "out"),
         str(tmp_path / "s")], check=True, capture_output=True,
    )  # fmt: skip
    oracle = nib.load(tmp_path / "out" / "x.nii")
    theirs, a_theirs = oracle.get_fdata(), oracle.affine
    ours = load_dicom(tmp_path / "s")
    a_ours = ours.geometry.affine
    ijk = np.indices(theirs.shape).reshape(3, -1).T
    world = ijk @ a_theirs[:3, :3].T + a_theirs[:3, 3]
    mine = np.rint(np.linalg.solve(a_ours[:3, :3], (world - a_ours[:3, 3]).T).T).astype(int)
    assert mine.min() >= 0 and np.all(mine.max(axis=0) < ours.data.shape[::-1])
    placed = mine @ a_ours[:3, :3].T + a_ours[:3, 3]
    assert np.abs(placed - world).max() < 1e-3  # every voxel's centre within 1 µm
    values = ours.data.T[mine[:, 0], mine[:, 1], mine[:, 2]]
    assert np.array_equal(values, theirs.reshape(-1))
    assert len(np.unique(mine, axis=0)) == theirs.size  # one-to-one


def test_single_file_and_dicomdir_open_the_series(tmp_path, stored):
    from pydicom.fileset import FileSet

    paths = write_series(tmp_path / "s", stored, GRIDS["axial"])
    write_series(
        tmp_path / "s", stored[:3], GRIDS["coronal"], description="other", seed=1, prefix="other"
    )
    assert is_dicom_path(tmp_path / "s") and is_dicom_path(paths[0])
    vol = load_dicom(paths[2])
    assert vol.data.shape == (6, 5, 4)
    fs = FileSet()
    for p in paths:
        fs.add(p)
    fs.write(tmp_path / "dd")
    vol = load_dicom(tmp_path / "dd" / "DICOMDIR")
    np.testing.assert_allclose(vol.geometry.affine, GRIDS["axial"], atol=1e-5)


def test_several_series_listed_and_picked(tmp_path, stored):
    write_series(tmp_path / "a", stored, GRIDS["axial"], description="CT ABDOMEN", number=2)
    write_series(tmp_path / "b", stored[:3], GRIDS["sagittal"], description="SCOUT", number=1)
    with pytest.raises(DicomError, match=r"holds 2 series.*\[0\] 'SCOUT'.*\[1\] 'CT ABDOMEN'"):
        load_dicom(tmp_path)
    assert load_dicom(tmp_path, series=1).data.shape == (6, 5, 4)
    uid = find_series(tmp_path)[0].uid
    assert load_dicom(tmp_path, series=uid).data.shape == (3, 5, 4)
    assert load_dicom(tmp_path, series="ct abdomen").data.shape == (6, 5, 4)
    with pytest.raises(DicomError, match="--series 7 matches 0"):
        load_dicom(tmp_path, series="7")


def _positions(paths):
    import pydicom

    return [pydicom.dcmread(p) for p in paths]


def _rewrite(ds_list, paths):
    for ds, p in zip(ds_list, paths, strict=True):
        ds.save_as(p, enforce_file_format=True)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("gap", "missing slices"),
        ("jitter", "non-uniform slice spacing"),
        ("tilt", "gantry tilt"),
        ("duplicate", "share a position"),
        ("size", "mixed series: slices differ in Rows"),
        ("orientation", "mixed series: slices differ in orientation"),
        ("no_position", "ImagePositionPatient is missing"),
    ],
)
def test_refusals_are_one_line(tmp_path, stored, damage, message):
    paths = write_series(tmp_path / "s", stored, GRIDS["axial"])
    ds = _positions(paths)
    by_z = sorted(ds, key=lambda d: float(d.ImagePositionPatient[2]))
    if damage == "gap":
        paths[[d.SOPInstanceUID for d in ds].index(by_z[3].SOPInstanceUID)].unlink()
        ds = []
    elif damage == "jitter":
        by_z[2].ImagePositionPatient[2] = float(by_z[2].ImagePositionPatient[2]) + 0.3
    elif damage == "tilt":
        for k, d in enumerate(by_z):
            d.ImagePositionPatient[1] = float(d.ImagePositionPatient[1]) + 0.5 * k
    elif damage == "duplicate":
        by_z[1].ImagePositionPatient = by_z[2].ImagePositionPatient
    elif damage == "size":
        by_z[1].Rows, by_z[1].PixelData = 4, by_z[1].PixelData[: 4 * 4 * 2]
    elif damage == "orientation":
        by_z[1].ImageOrientationPatient = [0, 1, 0, 1, 0, 0]
    elif damage == "no_position":
        del by_z[1].ImagePositionPatient
    if ds:
        _rewrite(ds, paths)
    with pytest.raises(DicomError, match=message) as info:
        load_dicom(tmp_path / "s")
    assert "\n" not in str(info.value)


def test_not_dicom(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    assert not is_dicom_path(tmp_path)
    with pytest.raises(DicomError, match="no DICOM image files"):
        load_dicom(tmp_path)
    with pytest.raises(DicomError, match="not a DICOM file"):
        load_dicom(tmp_path / "notes.txt")


@pytest.mark.parametrize(
    "syntax", ["1.2.840.10008.1.2.5", "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.90"]
)  # RLE, JPEG-LS lossless, JPEG 2000 lossless
def test_compressed_series(tmp_path, syntax):
    import pydicom

    stored = np.random.default_rng(3).integers(-1000, 3000, (3, 64, 48)).astype(np.int16)
    for path in write_series(tmp_path / "s", stored, GRIDS["axial"], intercept=0):
        ds = pydicom.dcmread(path)
        ds.compress(syntax)
        ds.save_as(path, enforce_file_format=True)
    assert pydicom.dcmread(path).file_meta.TransferSyntaxUID == syntax
    assert np.array_equal(load_dicom(tmp_path / "s").data, stored)
