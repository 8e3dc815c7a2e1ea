"""Checks that run before nibabel touches a NIfTI file's voxel data.

Every failure is a :class:`~napari_seg.io.errors.NiftiError` naming the file
and the reason, raised before any decompression of the voxel data, so a
malicious or broken file costs a header read and nothing more.
"""

from __future__ import annotations

import gzip
import io
import math
import struct
import zlib
from pathlib import Path

import nibabel as nib
import numpy as np

from .errors import NiftiError

__all__ = ["DEFAULT_MAX_BYTES", "open_checked", "read_header"]

#: Largest uncompressed voxel payload a file may declare (8 GiB); pass
#: ``max_bytes`` to :func:`napari_seg.io.load_nifti` to change it.
DEFAULT_MAX_BYTES = 8 * 1024**3

_GZIP_MAGIC = b"\x1f\x8b"
_XFORM_CODES = range(6)  # unknown, scanner, aligned, Talairach, MNI, template


def _read_start(path: Path, n: int) -> bytes:
    """First ``n`` bytes of the (decompressed) file."""
    if not path.is_file():
        raise NiftiError(path, "no such file")
    with open(path, "rb") as f:
        raw = f.read(2)
    if not raw:
        raise NiftiError(path, "the file is empty")
    gz = str(path).lower().endswith(".gz")
    if gz and raw != _GZIP_MAGIC:
        raise NiftiError(path, "named .gz but is not gzip-compressed")
    if not gz and raw == _GZIP_MAGIC:
        raise NiftiError(path, "gzip-compressed but not named .gz")
    try:
        if gz:
            with gzip.open(path, "rb") as f:
                return f.read(n)
        with open(path, "rb") as f:
            return f.read(n)
    except (OSError, EOFError, zlib.error) as exc:
        raise NiftiError(path, f"corrupt gzip stream ({exc})") from exc


def read_header(path: Path) -> nib.Nifti1Header | nib.Nifti2Header:
    """Parse and sanity-check the header, without reading voxel data."""
    start = _read_start(path, 540)
    if len(start) < 348:
        raise NiftiError(path, f"too short for a NIfTI header ({len(start)} bytes)")
    sizeof = {struct.unpack("<i", start[:4])[0], struct.unpack(">i", start[:4])[0]}
    if 348 in sizeof and start[344:348] in (b"n+1\x00", b"ni1\x00"):
        if start[344:348] == b"ni1\x00":
            raise NiftiError(path, "a .hdr/.img pair header; open the .img pair, not supported")
        klass: type = nib.Nifti1Header
    elif 540 in sizeof and start[4:8] == b"n+2\x00" and len(start) >= 540:
        klass = nib.Nifti2Header
    else:
        raise NiftiError(path, "bad magic: not a NIfTI-1 or NIfTI-2 file")
    try:
        header = klass.from_fileobj(io.BytesIO(start), check=False)
        header.get_data_dtype()
    except Exception as exc:  # nibabel raises several types for unknown codes
        raise NiftiError(path, f"unreadable header ({exc})") from exc
    return header


def _check_dims(path: Path, header: nib.Nifti1Header, max_bytes: int) -> int:
    """Validate dim/pixdim/scaling; return the declared payload end offset in bytes."""
    dim = [int(d) for d in header["dim"]]
    if not 1 <= dim[0] <= 7:
        raise NiftiError(path, f"dim[0] = {dim[0]} is outside 1..7")
    shape = dim[1 : dim[0] + 1]
    if any(d <= 0 for d in shape):
        raise NiftiError(path, f"dimensions must be positive, got {shape}")
    itemsize = header.get_data_dtype().itemsize
    nbytes = math.prod(shape) * itemsize  # Python ints: no overflow
    if nbytes > max_bytes:
        raise NiftiError(
            path,
            f"declares {nbytes:,} bytes of voxel data ({shape}), more than the cap of "
            f"{max_bytes:,} bytes; refused before decompressing",
        )
    pixdim = np.asarray(header["pixdim"][1 : min(dim[0], 3) + 1], dtype=np.float64)
    if not np.all(np.isfinite(pixdim)) or np.any(pixdim == 0):
        raise NiftiError(path, f"pixdim (voxel size) must be finite and non-zero, got {pixdim}")
    slope, inter = float(header["scl_slope"]), float(header["scl_inter"])
    # NaN or 0 slope means "no scaling" (nibabel writes NaN for unset); anything
    # else must be a usable pair of finite numbers.
    if math.isinf(slope) or (math.isfinite(slope) and slope != 0 and not math.isfinite(inter)):
        raise NiftiError(path, f"invalid scaling scl_slope={slope}, scl_inter={inter}")
    dtype = header.get_data_dtype()
    if math.isfinite(slope) and slope != 0 and dtype.kind in "iu":
        info = np.iinfo(dtype)
        top = max(abs(info.min), abs(info.max)) * abs(slope) + abs(inter)
        if top > np.finfo(np.float32).max:  # every voxel would read as ±inf
            raise NiftiError(
                path, f"scaling scl_slope={slope:g} scl_inter={inter:g} overflows float32"
            )
    offset = float(header["vox_offset"])
    if not math.isfinite(offset) or offset < int(header["sizeof_hdr"]):
        # the header's own bytes would be read as voxels
        raise NiftiError(path, f"vox_offset {offset:g} lies inside the header")
    return int(offset) + nbytes


def _check_length(path: Path, expected: int) -> None:
    """Refuse a truncated ``.nii`` (a ``.nii.gz`` is checked as it is decompressed)."""
    size = path.stat().st_size
    if size < expected:
        raise NiftiError(path, f"truncated: {size:,} bytes, the header needs {expected:,}")


def open_checked(
    path: Path, *, max_bytes: int | None = None
) -> nib.Nifti1Header | nib.Nifti2Header:
    """Validate ``path``'s header (and a ``.nii``'s length); return the header."""
    header = read_header(path)
    expected = _check_dims(path, header, DEFAULT_MAX_BYTES if max_bytes is None else max_bytes)
    for key in ("qform_code", "sform_code"):
        code = int(header[key])
        if code not in _XFORM_CODES:  # nibabel would fail on it with a KeyError
            raise NiftiError(path, f"{key} {code} is not a NIfTI transform code (0-5)")
    if not str(path).lower().endswith(".gz"):
        _check_length(path, expected)
    return header
