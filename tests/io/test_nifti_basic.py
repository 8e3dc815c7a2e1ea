from __future__ import annotations

import numpy as np
import pytest

from napari_seg.io import Geometry, NiftiError, load_nifti, save_nifti


@pytest.mark.parametrize("suffix", [".nii", ".nii.gz"])
@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32])
def test_roundtrip_voxels_and_spacing(tmp_path, suffix, dtype, rng):
    data = (rng.random((5, 6, 7)) * 100).astype(dtype)
    geo = Geometry.from_spacing((2.5, 0.8, 0.7), origin=(-10.0, 20.0, 30.0))
    path = save_nifti(data, geo, tmp_path / f"vol{suffix}", kind="image")
    vol = load_nifti(path)
    assert vol.data.shape == data.shape and vol.data.dtype == dtype
    assert np.array_equal(vol.data, data)
    np.testing.assert_allclose(vol.geometry.affine, geo.affine, atol=1e-5)
    kw = vol.geometry.layer_kwargs()
    np.testing.assert_allclose(kw["scale"], (2.5, 0.8, 0.7), atol=1e-6)
    np.testing.assert_allclose(kw["translate"], (-10.0, 20.0, 30.0), atol=1e-5)


def test_written_file_is_world_readable_like_a_normal_file(tmp_path):
    path = save_nifti(np.zeros((2, 2, 2), np.uint8), Geometry(np.eye(4)), tmp_path / "a.nii.gz")
    assert path.stat().st_mode & 0o044 == 0o044
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_bad_suffix_refused(tmp_path):
    with pytest.raises(NiftiError, match="must end in"):
        save_nifti(np.zeros((2, 2, 2)), Geometry(np.eye(4)), tmp_path / "a.tif")
