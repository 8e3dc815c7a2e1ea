"""Bounded NRRD header and payload reading (pynrrd parses; sizes are checked first).

The header is read line by line up to its blank line (at most 10,000 lines of at
most 1 MiB); the declared data size is checked against free memory before
anything is allocated, and gzip/bzip2 payloads are inflated only up to that size.
"""

from __future__ import annotations

import bz2
import math
import os
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from .._memory import MemoryBoundError, ensure_fits
from ._compat_nrrd import nrrd_dtype
from .errors import NrrdError

__all__ = ["read_nrrd_header", "read_nrrd_payload", "short_reason"]

_CHUNK = 1 << 22


def short_reason(exc: BaseException) -> str:
    """First line of an exception's text (at most 200 characters)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def read_nrrd_header(path: str | os.PathLike[str]) -> tuple[dict[str, Any], int]:
    """The parsed header of a NRRD file (pynrrd's dict) and the byte offset of its data."""
    import nrrd

    path = Path(path)
    try:
        with open(path, "rb") as f:
            lines = _HeaderLines(f)
            return nrrd.read_header(lines), lines.data_offset
    except OSError as exc:
        raise NrrdError(path, f"cannot open ({exc.strerror or exc})") from exc
    except Exception as exc:  # pynrrd raises many types for broken headers
        raise NrrdError(path, f"not a valid NRRD header ({short_reason(exc)})") from exc


class _HeaderLines:
    """Header lines of an open file, stopping at the blank line; remembers where data start."""

    def __init__(self, f) -> None:
        self.f, self.data_offset, self.count = f, 0, 0

    def __iter__(self):
        for raw in iter(self.f.readline, b""):
            self.count += 1
            if self.count > 10_000 or len(raw) > 1 << 20:
                raise ValueError("header longer than 10,000 lines or a 1 MiB line")
            line = raw.decode("latin-1")
            self.data_offset = self.f.tell()
            if not line.strip():
                return
            yield line


def read_nrrd_payload(path: Path, header: dict[str, Any], data_offset: int) -> np.ndarray:
    """The voxels as pynrrd's Fortran-order array, inflating at most the declared size."""
    import nrrd

    sizes = [int(s) for s in header["sizes"]]
    if len(sizes) > 5 or min(sizes, default=0) < 1 or int(header["dimension"]) != len(sizes):
        raise NrrdError(path, f"sizes {sizes} are not a 3-D to 5-D grid of its dimension")
    dtype = nrrd_dtype(header)
    nbytes = math.prod(sizes) * dtype.itemsize
    encoding = str(header.get("encoding", "")).lower()
    datafile = header.get("data file", header.get("datafile"))
    stored = path.stat().st_size if encoding == "raw" and not datafile else 0
    try:
        ensure_fits(max(nbytes, stored), str(path), copies=2)
    except MemoryBoundError as exc:
        raise NrrdError(path, str(exc).split(": ", 1)[1]) from exc
    if encoding not in ("gzip", "gz", "bzip2", "bz2"):
        with open(path, "rb") as fh:
            fh.seek(data_offset)
            return nrrd.read_data(header, fh, str(path))
    source = path.parent / datafile if datafile else path
    if datafile and not source.is_file():
        raise NrrdError(path, f"its data file {datafile!r} does not exist")
    skip = int(header.get("byte skip", header.get("byteskip", 0)))
    if int(header.get("line skip", header.get("lineskip", 0))) or skip < -1:
        raise NrrdError(
            path, "line skip / negative byte skip with compressed data is not supported"
        )
    raw = _inflate(source, 0 if datafile else data_offset, encoding, max(skip, 0) + nbytes)
    raw = raw[max(skip, 0) :] if skip >= 0 else raw[-nbytes:]
    if len(raw) != nbytes:
        raise NrrdError(path, f"compressed data hold {len(raw)} bytes, the header needs {nbytes}")
    return np.frombuffer(raw, dtype).reshape(sizes, order="F")


def _inflate(source: Path, offset: int, encoding: str, limit: int) -> bytearray:
    """Decompress at most ``limit`` bytes of the stream that starts at ``offset``."""
    gz = encoding in ("gzip", "gz")
    dec = zlib.decompressobj(zlib.MAX_WBITS | 32) if gz else bz2.BZ2Decompressor()
    out = bytearray()
    with open(source, "rb") as fh:
        fh.seek(offset)
        pending = b""
        while len(out) < limit:
            chunk = pending or fh.read(_CHUNK)
            if not chunk:
                break
            if gz:
                out += dec.decompress(chunk, limit - len(out))
                pending = dec.unconsumed_tail
                if dec.eof:
                    break
            else:
                out += dec.decompress(chunk, max_length=limit - len(out))
                pending = b""
                if dec.eof:
                    break
    return out
