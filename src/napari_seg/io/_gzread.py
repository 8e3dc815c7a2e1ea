"""Raw NIfTI-1 payload I/O: decompress into the final array, write without a full copy.

``isal`` (Intel's ISA-L igzip) decompresses gzip 2-3x faster than zlib; the
stdlib ``gzip`` module is the fallback. Either way the voxels are written into
a pre-allocated array with ``readinto``, so the peak memory is the array
itself plus a few MB of buffers.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from .errors import NiftiError

try:  # pragma: no cover - depends on the environment
    from isal import igzip as _fast_gzip
    from isal.isal_zlib import IsalError
except ImportError:  # pragma: no cover
    _fast_gzip = None

    class IsalError(Exception):  # never raised without isal
        pass


__all__ = ["read_gz_payload", "write_nifti1"]

_WRITE_CHUNK = 1 << 24

_SKIP = 1 << 16
_READ_CHUNK = 1 << 22


def _open(path: Path):
    return (_fast_gzip or gzip).open(path, "rb")


def read_gz_payload(
    path: Path, *, offset: int, dtype: np.dtype, shape: tuple[int, ...]
) -> np.ndarray:
    """Read ``prod(shape)`` voxels of ``dtype`` starting at byte ``offset`` of the stream.

    Returns a Fortran-ordered array of ``shape`` in native byte order.
    """
    out = np.empty(shape, dtype=dtype, order="F")
    flat = out.T.reshape(-1)  # a C-contiguous view on the same memory
    view = memoryview(flat).cast("B")
    try:
        with _open(path) as f:
            while offset > 0:  # header and extensions
                skipped = len(f.read(min(offset, _SKIP)))
                if skipped == 0:
                    raise EOFError("stream ends inside the header")
                offset -= skipped
            filled = 0
            while filled < len(view):
                # bounded reads: a huge readinto makes the decompressor allocate
                # a temporary as large as the request
                n = f.readinto(view[filled : filled + _READ_CHUNK])
                if not n:
                    raise EOFError(f"stream ends after {filled:,} of {len(view):,} voxel bytes")
                filled += n
            # read to the end: the gzip trailer's CRC-32 is only checked there,
            # and a corrupt stream can inflate to the right length of wrong voxels
            while f.read(_READ_CHUNK):
                pass
    except (OSError, EOFError, zlib.error, ValueError, IsalError) as exc:
        raise NiftiError(path, f"truncated or corrupt gzip stream ({exc})") from exc
    if not out.dtype.isnative:
        out = out.byteswap().view(out.dtype.newbyteorder("="))
    return out


def write_nifti1(arr: np.ndarray, header, path: Path, *, compresslevel: int = 1) -> None:
    """Write a single-file NIfTI-1: ``header`` (348 bytes), no extension, then the voxels.

    ``arr`` is in napari order ``(z, y, x[, ...])``: its C-order bytes are the
    NIfTI (Fortran-order) payload of ``arr.T``, so nothing is transposed or
    copied unless the header's byte order differs from the machine's. A path
    ending in ``.gz`` is compressed (ISA-L when available) at ``compresslevel``.
    """
    header.set_data_offset(352)
    data = np.ascontiguousarray(arr, dtype=header.get_data_dtype())
    payload = memoryview(data.reshape(-1)).cast("B")
    gz = str(path).lower().endswith(".gz")
    opener = (_fast_gzip or gzip).open if gz else open
    kwargs = {"compresslevel": compresslevel} if gz else {}
    with opener(path, "wb", **kwargs) as f:
        f.write(header.binaryblock + b"\x00" * 4)
        for i in range(0, len(payload), _WRITE_CHUNK):
            f.write(payload[i : i + _WRITE_CHUNK])
