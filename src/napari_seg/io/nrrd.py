"""NRRD (``.nrrd`` attached, ``.nhdr`` detached) reading and writing with exact geometry.

NRRD keeps each axis's step as a ``space directions`` vector and the first voxel's
position as ``space origin`` in a named ``space`` (3D Slicer writes
``left-posterior-superior``). Our world is RAS mm (see :mod:`.geometry`), so LPS
and LAS spaces are flipped on the way in, and files are written in LPS, as Slicer
and ITK do. Axes whose direction is ``none`` (a ``list`` axis: channels, or the
layers of a ``.seg.nrrd``) become axis 0 of the array.

Data sizes come from the header and are checked against free memory before
anything is read; compressed payloads are inflated only up to the declared size,
so a gzip bomb costs nothing.
"""

from __future__ import annotations

import io
import os
import zlib
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .._files import atomic_path
from ._nrrd_read import read_nrrd_header, read_nrrd_payload, short_reason
from .errors import NrrdError
from .geometry import Geometry, GeometryError
from .nifti import Volume

__all__ = [
    "NRRD_SUFFIXES",
    "is_nrrd_path",
    "load_nrrd",
    "nrrd_geometry",
    "read_nrrd_header",
    "read_nrrd_payload",
    "save_nrrd",
    "write_nrrd",
]

NRRD_SUFFIXES = (".nrrd", ".nhdr")

#: Sign flips from a NRRD space to RAS (x, y, z).
_TO_RAS = {
    "right-anterior-superior": (1, 1, 1), "ras": (1, 1, 1),
    "left-posterior-superior": (-1, -1, 1), "lps": (-1, -1, 1),
    "left-anterior-superior": (-1, 1, 1), "las": (-1, 1, 1),
    "scanner-xyz": (1, 1, 1), "3d-right-handed": (1, 1, 1),
}  # fmt: skip


def is_nrrd_path(path: str | os.PathLike[str]) -> bool:
    """True if ``path`` ends in ``.nrrd`` or ``.nhdr`` (any case; ``.seg.nrrd`` included)."""
    return str(path).lower().endswith(NRRD_SUFFIXES)


def nrrd_geometry(header: dict[str, Any], path: Path) -> tuple[Geometry, list[int]]:
    """RAS :class:`Geometry` of the spatial axes and the indices of the other (list) axes."""
    sizes = [int(s) for s in header["sizes"]]
    space = str(header.get("space", "")).lower()
    if space and space not in _TO_RAS:
        raise NrrdError(path, f"space {header['space']!r} is not a 3-D anatomical space")
    if "space directions" in header:
        dirs = np.asarray(header["space directions"], dtype=np.float64)
        if dirs.ndim != 2 or dirs.shape[0] != len(sizes):
            raise NrrdError(path, f"space directions {dirs.shape} do not match sizes {sizes}")
        spatial = [a for a in range(len(sizes)) if not np.all(np.isnan(dirs[a]))]
        if dirs.shape[1:] != (3,) or len(spatial) != 3:
            raise NrrdError(path, f"needs 3 spatial axes in a 3-D space, got {dirs.shape}")
        linear = dirs[spatial].T
        origin = np.asarray(header.get("space origin", np.zeros(3)), dtype=np.float64)
    else:
        spatial = (
            [a for a in range(len(sizes)) if sizes[a] > 1][:3] if len(sizes) > 3 else [0, 1, 2]
        )
        spacings = np.asarray(header.get("spacings", [1.0] * len(sizes)), dtype=np.float64)
        linear = np.diag(np.nan_to_num(spacings[spatial], nan=1.0))
        mins = header.get("axis mins", header.get("axismins"))
        origin = np.zeros(3) if mins is None else np.asarray(mins, dtype=np.float64)[spatial]
    if len(spatial) != 3 or origin.shape != (3,):
        raise NrrdError(path, f"{len(sizes)}-D data with sizes {sizes}: expected 3 spatial axes")
    affine = np.eye(4)
    affine[:3, :3], affine[:3, 3] = linear, origin
    affine = np.diag([*_TO_RAS.get(space, (1, 1, 1)), 1]) @ affine
    try:
        return Geometry(affine), [a for a in range(len(sizes)) if a not in spatial]
    except GeometryError as exc:
        raise NrrdError(path, str(exc)) from exc


def load_nrrd(path: str | os.PathLike[str]) -> Volume:
    """Load a ``.nrrd``/``.nhdr`` file in ``(z, y, x)`` order with its RAS geometry.

    Returns
    -------
    Volume
        ``data`` shaped ``(Z, Y, X)``, or ``(C, Z, Y, X)`` when one axis is a
        list (no space direction); stored dtype kept (native byte order).

    Raises
    ------
    NrrdError
        Missing, truncated or malformed files, a non-3-D space, more than one
        non-spatial axis, or data too large for memory.
    """
    header, data = _read(Path(path))
    return Volume(*_to_volume(header, data, Path(path)))


def _read(path: Path) -> tuple[dict[str, Any], np.ndarray]:
    import nrrd

    header, offset = read_nrrd_header(path)
    try:
        data = read_nrrd_payload(path, header, offset)
    except (NrrdError, MemoryError):
        raise
    except (nrrd.NRRDError, ValueError, OSError, KeyError, TypeError, EOFError, zlib.error) as exc:
        raise NrrdError(path, f"cannot read the voxel data ({short_reason(exc)})") from exc
    return header, data


def _to_volume(
    header: dict[str, Any], data: np.ndarray, path: Path
) -> tuple[np.ndarray, Geometry]:
    geometry, others = nrrd_geometry(header, path)
    if len(others) > 1:
        raise NrrdError(path, f"{data.ndim}-D data with {len(others)} non-spatial axes")
    if others:
        data = np.moveaxis(data, others[0], -1)  # list axis last, so .T puts it first
    data = data.T
    if not data.dtype.isnative:
        data = data.astype(data.dtype.newbyteorder("="))
    return data, geometry


def nrrd_header_for(
    arr: np.ndarray, geometry: Geometry, *, layers: bool = False
) -> dict[str, Any]:
    """pynrrd header for ``arr`` (napari order) placed by ``geometry``, in LPS space."""
    lps = np.diag([-1.0, -1.0, 1.0, 1.0]) @ geometry.affine
    dirs = lps[:3, :3].T
    kinds = ["domain"] * 3
    if layers:
        dirs = np.vstack([np.full(3, np.nan), dirs])
        kinds = ["list", *kinds]
    return {
        "type": arr.dtype.name, "dimension": arr.ndim, "space": "left-posterior-superior",
        "space directions": dirs, "space origin": lps[:3, 3], "kinds": kinds,
        "endian": "little", "encoding": "gzip",
    }  # fmt: skip


def write_nrrd(path: Path, arr: np.ndarray, header: dict[str, Any]) -> Path:
    """Write ``arr`` (napari order) atomically; ``.nhdr`` gets a ``.raw.gz`` beside it."""
    import nrrd

    arr = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
    buffer = io.BytesIO()
    try:
        nrrd.write(buffer, np.ascontiguousarray(arr).T, dict(header), compression_level=1)
    except Exception as exc:  # pynrrd raises several types for unwritable headers
        raise NrrdError(path, f"cannot encode ({short_reason(exc)})") from exc
    blob = buffer.getvalue()
    try:
        if path.name.lower().endswith(".nhdr"):
            cut = blob.index(b"\n\n") + 1
            datafile = path.with_name(path.name[: -len(".nhdr")] + ".raw.gz")
            with atomic_path(datafile, suffix=".gz") as tmp:
                tmp.write_bytes(blob[cut + 1 :])
            blob = blob[:cut] + f"data file: {datafile.name}\n".encode()
        with atomic_path(path, suffix=path.suffix) as tmp:
            tmp.write_bytes(blob)
    except OSError as exc:
        raise NrrdError(path, f"cannot write ({exc})") from exc
    return path


def save_nrrd(
    data: np.ndarray,
    geometry: Geometry,
    path: str | os.PathLike[str],
    *,
    kind: Literal["auto", "labels", "image"] = "auto",
) -> Path:
    """Write a ``(Z, Y, X)`` (or ``(C, Z, Y, X)``) array to ``.nrrd``/``.nhdr`` with its geometry.

    Parameters
    ----------
    data : numpy.ndarray, shape (Z, Y, X) or (C, Z, Y, X)
        Voxels in napari order; a leading channel axis is written as a ``list`` axis.
    geometry : Geometry
        RAS placement; written as LPS ``space directions`` and ``space origin``.
    path : path-like
        Ends in ``.nrrd`` (attached, gzip) or ``.nhdr`` (header plus ``.raw.gz``).
    kind : {"auto", "labels", "image"}
        ``"labels"`` stores integers exactly in the smallest dtype that fits.

    Returns
    -------
    pathlib.Path
        The written path (the header file for ``.nhdr``).
    """
    from .nifti import _smallest_label_dtype

    path = Path(path)
    if not is_nrrd_path(path):
        raise NrrdError(path, "the file name must end in .nrrd or .nhdr")
    arr = np.asarray(data)
    if arr.ndim not in (3, 4):
        raise NrrdError(path, f"expected a 3-D or 4-D array, got shape {arr.shape}")
    integer = arr.dtype == bool or np.issubdtype(arr.dtype, np.integer)
    if kind == "labels" and not integer:
        raise NrrdError(path, f"labels must be integers, got dtype {arr.dtype}")
    if integer and (kind == "labels" or (kind == "auto" and (arr.size == 0 or arr.min() >= 0))):
        arr = arr.astype(_smallest_label_dtype(arr), copy=False)
    elif arr.dtype == np.float16 or arr.dtype.kind == "c":
        raise NrrdError(path, f"dtype {arr.dtype} cannot be stored in NRRD")
    return write_nrrd(path, arr, nrrd_header_for(arr, geometry, layers=arr.ndim == 4))
