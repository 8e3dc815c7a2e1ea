"""The one place that touches a private name of pynrrd (core side; no napari here).

:func:`nrrd_dtype` is pynrrd's ``nrrd.reader._determine_datatype`` on the pynrrd
versions it was checked on (:data:`TESTED_PYNRRD`), so the dtype is the one
``nrrd.read_data`` reads with. On another version, or when the name is gone, the
same rule is applied from the NRRD specification (type names and ``endian``):
pynrrd has no public function for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__ = ["TESTED_PYNRRD", "nrrd_dtype", "private_determine_datatype"]

#: pynrrd major versions whose private ``_determine_datatype`` is used.
TESTED_PYNRRD = (1,)

#: NRRD type names (NRRD0005 specification) by NumPy code.
_NAMES = {
    "i1": "signed char, int8, int8_t",
    "u1": "uchar, unsigned char, uint8, uint8_t",
    "i2": "short, short int, signed short, signed short int, int16, int16_t",
    "u2": "ushort, unsigned short, unsigned short int, uint16, uint16_t",
    "i4": "int, signed int, int32, int32_t",
    "u4": "uint, unsigned int, uint32, uint32_t",
    "i8": "longlong, long long, long long int, signed long long, signed long long int, "
    "int64, int64_t",
    "u8": "ulonglong, unsigned long long, unsigned long long int, uint64, uint64_t",
    "f4": "float",
    "f8": "double",
    "V": "block",
}
_TYPES = {name.strip(): code for code, names in _NAMES.items() for name in names.split(",")}
_TEXT = ("ascii", "text", "txt")


def private_determine_datatype() -> Callable[[Any], np.dtype] | None:
    """pynrrd's private ``_determine_datatype`` on a tested version, else None."""
    try:
        import nrrd
        from nrrd import reader
    except ImportError:  # pragma: no cover - pynrrd is a dependency
        return None
    major = str(getattr(nrrd, "__version__", "0")).split(".")[0]
    if not major.isdigit() or int(major) not in TESTED_PYNRRD:
        return None
    return getattr(reader, "_determine_datatype", None)


def _from_spec(header: Mapping[str, Any]) -> np.dtype:
    from nrrd import NRRDError

    code = _TYPES.get(str(header.get("type", "")))
    if code is None:
        raise NRRDError(f"unknown NRRD type {header.get('type')!r}")
    if np.dtype(code).itemsize > 1 and str(header.get("encoding", "")).lower() not in _TEXT:
        endian = header.get("endian")
        if endian not in ("big", "little"):
            raise NRRDError(f"a {header['type']} NRRD needs endian big or little, got {endian!r}")
        code = (">" if endian == "big" else "<") + code
    return np.dtype(code)


def nrrd_dtype(header: Mapping[str, Any]) -> np.dtype:
    """The NumPy dtype of a NRRD payload from its header (type, encoding, endian).

    Raises
    ------
    nrrd.NRRDError
        An unknown type, or a multi-byte binary type without a valid ``endian``.
    """
    private = private_determine_datatype()
    return private(header) if private is not None else _from_spec(header)
