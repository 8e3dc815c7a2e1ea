"""Every broken or hostile NIfTI file raises NiftiError naming the file, and stays untouched."""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

import napari_seg.io.nifti as nifti_module
from napari_seg.io import NiftiError, load_nifti


def _header(shape=(4, 5, 6), dtype=np.int16) -> nib.Nifti1Header:
    h = nib.Nifti1Header()
    h.set_data_dtype(dtype)
    h.set_data_shape(shape)
    h.set_sform(np.diag([1.0, 1.0, 2.0, 1.0]), code=1)
    h.set_data_offset(352)
    return h


def _bytes(header: nib.Nifti1Header, payload: bytes | None = None) -> bytes:
    if payload is None:
        n = int(np.prod(header.get_data_shape())) * header.get_data_dtype().itemsize
        payload = bytes(n)
    return header.binaryblock + b"\0" * 4 + payload


def _write(path: Path, raw: bytes) -> Path:
    path.write_bytes(gzip.compress(raw) if path.name.endswith(".gz") else raw)
    return path


def _patch(raw: bytes, offset: int, fmt: str, value) -> bytes:
    return raw[:offset] + struct.pack(fmt, value) + raw[offset + struct.calcsize(fmt) :]


def _dims(raw: bytes, dims: list[int]) -> bytes:
    return raw[:40] + struct.pack("<8h", *dims) + raw[56:]


GOOD = _bytes(_header())


def _cases():
    good = GOOD
    return {
        "empty": (".nii", b"", "empty"),
        "bad magic": (".nii", good[:344] + b"xyz\0" + good[348:], "magic"),
        "unknown datatype": (".nii", _patch(good, 70, "<h", 9999), "header"),
        "truncated .nii": (".nii", good[:-100], "truncated"),
        "dim0 zero": (".nii", _dims(good, [0, 4, 5, 6, 1, 1, 1, 1]), "dim\\[0\\]"),
        "dim0 eight": (".nii", _dims(good, [8, 4, 5, 6, 1, 1, 1, 1]), "dim\\[0\\]"),
        "zero dim": (".nii", _dims(good, [3, 4, 0, 6, 1, 1, 1, 1]), "positive"),
        "negative dim": (".nii", _dims(good, [3, 4, -5, 6, 1, 1, 1, 1]), "positive"),
        "overflowing dims": (".nii", _dims(good, [7] + [32767] * 7), "cap"),
        "nan pixdim": (".nii", _patch(good, 80, "<f", float("nan")), "pixdim"),
        "zero pixdim": (".nii", _patch(good, 84, "<f", 0.0), "pixdim"),
        "nan sform": (".nii", _patch(good, 280, "<f", float("nan")), "finite"),
        "singular sform": (
            ".nii",
            good[:280] + struct.pack("<12f", *([0.0] * 12)) + good[328:],
            "singular",
        ),
        "inf slope": (".nii", _patch(good, 112, "<f", float("inf")), "scaling"),
        "slope with nan intercept": (
            ".nii",
            _patch(_patch(good, 112, "<f", 2.0), 116, "<f", float("nan")),
            "scaling",
        ),
    }


@pytest.mark.parametrize("name", list(_cases()))
def test_bad_nii(tmp_path, name):
    suffix, raw, match = _cases()[name]
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(raw)
    before = path.read_bytes()
    with pytest.raises(NiftiError, match=match) as info:
        load_nifti(path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == before


def test_plain_nii_named_gz(tmp_path):
    path = tmp_path / "plain.nii.gz"
    path.write_bytes(GOOD)
    with pytest.raises(NiftiError, match="not gzip"):
        load_nifti(path)


def test_gzip_named_nii(tmp_path):
    path = tmp_path / "zipped.nii"
    path.write_bytes(gzip.compress(GOOD))
    with pytest.raises(NiftiError, match="not named .gz"):
        load_nifti(path)


def test_corrupt_gzip(tmp_path):
    path = tmp_path / "corrupt.nii.gz"
    data = bytearray(gzip.compress(GOOD))
    data[12:40] = b"\xff" * 28
    path.write_bytes(bytes(data))
    with pytest.raises(NiftiError, match="gzip"):
        load_nifti(path)


def test_truncated_gz_caught_at_load(tmp_path):
    path = tmp_path / "cut.nii.gz"
    path.write_bytes(gzip.compress(GOOD)[:-30])
    with pytest.raises(NiftiError, match="truncated|corrupt"):
        load_nifti(path)


def test_missing_file(tmp_path):
    with pytest.raises(NiftiError, match="no such file"):
        load_nifti(tmp_path / "nothing.nii.gz")


def test_gzip_bomb_refused_before_decompressing(tmp_path, monkeypatch):
    # header declares 512 x 512 x 400 uint8 (100 MiB) of zeros, ~100 KB on disk
    header = _header((512, 512, 400), np.uint8)
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [comp.compress(header.binaryblock + b"\0" * 4)]
    zeros = bytes(1 << 20)
    parts += [comp.compress(zeros) for _ in range(100)]
    parts.append(comp.flush())
    path = tmp_path / "bomb.nii.gz"
    path.write_bytes(b"".join(parts))
    assert path.stat().st_size < 1_000_000

    def never(*args, **kwargs):
        raise AssertionError("the payload must not be decompressed")

    monkeypatch.setattr(nifti_module, "read_gz_payload", never)
    with pytest.raises(NiftiError, match="cap"):
        load_nifti(path, max_bytes=50 * 1024**2)


def test_nibabel_nan_scaling_means_unset_and_is_accepted(tmp_path):
    # nibabel writes scl_slope = scl_inter = NaN for unscaled data (NIfTI: 0 or NaN = none)
    path = tmp_path / "nib.nii.gz"
    nib.save(nib.Nifti1Image(np.arange(24, dtype=np.int16).reshape(2, 3, 4), np.eye(4)), path)
    vol = load_nifti(path)
    assert vol.data.dtype == np.int16 and vol.data.shape == (4, 3, 2)


def test_scaled_file_gives_float32(tmp_path):
    h = _header((2, 2, 2), np.int16)
    h["scl_slope"], h["scl_inter"] = 0.5, -10.0
    raw = _bytes(h, np.arange(8, dtype=np.int16).tobytes())
    path = _write(tmp_path / "scaled.nii", raw)
    vol = load_nifti(path)
    assert vol.data.dtype == np.float32
    np.testing.assert_allclose(np.sort(vol.data.ravel()), np.arange(8) * 0.5 - 10)


@pytest.mark.parametrize("name", ["v.nii", "v.nii.gz"])
@pytest.mark.parametrize("offset", [0.0, -352.0, float("nan"), 100.0])
def test_vox_offset_inside_the_header_is_refused(tmp_path, name, offset):
    raw = _patch(GOOD, 108, "<f", offset)  # vox_offset
    path = _write(tmp_path / name, raw)
    with pytest.raises(NiftiError, match="vox_offset") as info:
        load_nifti(path)
    assert name in str(info.value)


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
def test_scaling_that_overflows_float32_is_refused(tmp_path):
    raw = _patch(GOOD, 112, "<f", 1e38)  # scl_slope on int16 data
    with pytest.raises(NiftiError, match="overflows float32"):
        load_nifti(_write(tmp_path / "s.nii", raw))
