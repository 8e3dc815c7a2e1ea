"""NIfTI-1/2 reading and writing in napari's ``(z, y, x)`` axis order, with exact geometry."""

from __future__ import annotations

import io
import math
import os
from pathlib import Path
from typing import Literal

import nibabel as nib
import numpy as np

from .._files import atomic_path
from .._memory import MemoryBoundError, ensure_fits
from ..volume import Volume
from ._gzread import read_gz_payload, write_nifti1
from .errors import NiftiError
from .geometry import Geometry, GeometryError
from .validate import open_checked

__all__ = [
    "INTENT_LABEL",
    "NIFTI_SUFFIXES",
    "Volume",
    "is_nifti_path",
    "load_nifti",
    "nifti_intent",
    "nifti_stem",
    "save_nifti",
]

NIFTI_SUFFIXES = (".nii", ".nii.gz")


def nifti_stem(path: str | os.PathLike[str]) -> str:
    """File name without ``.nii.gz``/``.nii`` (any case), else without its last suffix."""
    p = Path(path)
    for suffix in NIFTI_SUFFIXES[::-1]:  # ".nii.gz" before ".nii"
        if p.name.lower().endswith(suffix):
            return p.name[: -len(suffix)]
    return p.stem


def is_nifti_path(path: str | os.PathLike[str]) -> bool:
    """True if ``path`` ends in ``.nii`` or ``.nii.gz`` (case-insensitive)."""
    return str(path).lower().endswith(NIFTI_SUFFIXES)


def load_nifti(
    path: str | os.PathLike[str],
    *,
    mmap: bool = True,
    max_bytes: int | None = None,
) -> Volume:
    """Load a NIfTI file as an array in ``(z, y, x)`` order plus its geometry.

    Parameters
    ----------
    path : path-like
        A ``.nii`` or ``.nii.gz`` file.
    mmap : bool
        Memory-map an uncompressed ``.nii`` instead of reading it (no copy).
    max_bytes : int, optional
        Refuse files whose header declares more data than this many bytes
        (a gzip bomb is refused before it is decompressed). Defaults to
        :data:`napari_seg.io.validate.DEFAULT_MAX_BYTES`.

    Returns
    -------
    Volume
        ``data`` with the NIfTI axes reversed: ``(Z, Y, X)`` for 3-D files,
        ``(C, Z, Y, X)`` for 4-D files (the 4th NIfTI axis becomes axis 0).
        Stored integers keep their dtype unless the header scales them
        (``scl_slope`` not in {0, 1} or ``scl_inter`` not 0), which gives float32.

    Raises
    ------
    NiftiError
        The file is missing, truncated, corrupt or not a valid NIfTI file; the
        message names the file and the reason.
    """
    path = Path(path)
    header = open_checked(path, max_bytes=max_bytes)
    try:
        geometry = Geometry(header.get_best_affine(), header.binaryblock, _unit(header))
    except GeometryError as exc:
        raise NiftiError(path, str(exc)) from exc
    _check_scalar(path, header)
    _ensure_fits(path, header, mmap=mmap)
    data = _read_voxels(path, header, mmap=mmap)
    slope, inter = header.get_slope_inter()
    if slope not in (None, 1.0) or inter not in (None, 0.0):
        with np.errstate(over="ignore", invalid="ignore"):
            scaled = data.astype(np.float32) * np.float32(slope or 1.0) + np.float32(inter or 0.0)
        if np.isinf(scaled).any() and not np.isinf(data).any():
            raise NiftiError(
                path, f"scaling scl_slope={slope:g} scl_inter={inter:g} overflows float32"
            )
        data = scaled
    if data.ndim == 2:
        data = data[:, :, None]
    if data.ndim > 4:
        raise NiftiError(path, f"{data.ndim}-D data is not supported (at most 4-D)")
    return Volume(data.T, geometry)


#: NIfTI ``xyzt_units`` spatial codes (as nibabel names them) -> our unit names.
_UNITS = {"mm": "mm", "micron": "µm", "meter": "m"}
#: The same by the code's value (the low 3 bits of ``xyzt_units``).
_UNIT_CODES = {1: "m", 2: "mm", 3: "µm"}

#: NIfTI intent code of a label volume (``NIFTI_INTENT_LABEL``).
INTENT_LABEL = 1002


def _unit(header: nib.Nifti1Header) -> str:
    """The grid's length unit from ``xyzt_units``; unknown (0) or invalid codes read as mm,
    as viewers do (nibabel's ``get_xyzt_units`` raises on an invalid code: read the bits)."""
    return _UNIT_CODES.get(int(header["xyzt_units"]) & 0x07, "mm")


def nifti_intent(geometry: Geometry) -> int:
    """The NIfTI ``intent_code`` kept in a loaded volume's header (0 if none is kept)."""
    raw = geometry.header
    if raw is None or len(raw) not in (348, 540):
        return 0
    cls = nib.Nifti1Header if len(raw) == 348 else nib.Nifti2Header
    return int(cls.from_fileobj(io.BytesIO(raw), check=False)["intent_code"])


def _check_scalar(path: Path, header: nib.Nifti1Header) -> None:
    """Refuse RGB/RGBA and complex voxels: every tool here measures one real value per voxel."""
    dtype = header.get_data_dtype()
    if dtype.fields is not None or dtype.kind not in "biuf":
        kind = "RGB colour" if dtype.fields is not None else "complex" if dtype.kind == "c" else ""
        code = int(header["datatype"])
        raise NiftiError(
            path,
            f"{kind or str(dtype)} voxels (NIfTI datatype {code}) are not supported; "
            "convert to one grey value per voxel (integer or float)",
        )


def _ensure_fits(path: Path, header: nib.Nifti1Header, *, mmap: bool) -> None:
    """Refuse a file whose voxels (and their float32 copy if scaled) exceed free memory."""
    n = math.prod(int(s) for s in header.get_data_shape())
    itemsize = header.get_data_dtype().itemsize
    mapped = mmap and not str(path).lower().endswith(".gz")
    slope, inter = header.get_slope_inter()
    scaled = slope not in (None, 1.0) or inter not in (None, 0.0)
    nbytes = (0 if mapped else n * itemsize) + (4 * n if scaled else 0)
    try:
        ensure_fits(nbytes, str(path))
    except MemoryBoundError as exc:
        raise NiftiError(path, str(exc).split(": ", 1)[1]) from exc


def _read_voxels(path: Path, header: nib.Nifti1Header, *, mmap: bool) -> np.ndarray:
    """Raw stored voxels in NIfTI order ``(i, j, k[, t])``."""
    shape = tuple(int(s) for s in header.get_data_shape())
    if str(path).lower().endswith(".gz"):
        return read_gz_payload(
            path, offset=int(header.get_data_offset()), dtype=header.get_data_dtype(), shape=shape
        )
    try:
        img = nib.load(path, mmap="c" if mmap else False)
        return np.asanyarray(img.dataobj.get_unscaled())
    except Exception as exc:  # nibabel raises many types for broken files
        raise NiftiError(path, f"cannot read the voxel data ({exc})") from exc


def _smallest_label_dtype(data: np.ndarray) -> np.dtype:
    lo, hi = (int(data.min()), int(data.max())) if data.size else (0, 0)
    if lo >= 0 and hi <= np.iinfo(np.uint8).max:
        return np.dtype(np.uint8)
    if lo >= 0 and hi <= np.iinfo(np.uint16).max:
        return np.dtype(np.uint16)
    if lo >= np.iinfo(np.int32).min and hi <= np.iinfo(np.int32).max:
        return np.dtype(np.int32)
    raise NiftiError("<labels>", f"label values {lo}..{hi} do not fit in int32")


def _header_for(arr: np.ndarray, geometry: Geometry) -> nib.Nifti1Header:
    """The source header (if kept) updated for ``arr`` (napari order) and the geometry.

    Codes, units, description and intent of the source (NIfTI-1 or NIfTI-2) are
    kept; shape, dtype, affine (sform and qform, codes kept or 2 "aligned" when
    unset; qform code 0 for a sheared grid, which a qform cannot represent) and
    scaling (slope 1, intercept 0) are set for the data being written.
    """
    kept = geometry.header
    if kept is not None and len(kept) == 348:
        header = nib.Nifti1Header.from_fileobj(io.BytesIO(kept), check=False)
    else:
        header = nib.Nifti1Header()
        unit = {v: k for k, v in _UNITS.items()}[geometry.unit]
        header.set_xyzt_units(unit, "sec")
        if kept is not None and len(kept) == 540:  # a NIfTI-2 source: keep what NIfTI-1 holds
            source = nib.Nifti2Header.from_fileobj(io.BytesIO(kept), check=False)
            for key in ("sform_code", "qform_code", "xyzt_units", "descrip", "intent_code",
                        "intent_name", "aux_file"):  # fmt: skip
                header[key] = source[key]
    header.set_data_dtype(arr.dtype)
    header.set_data_shape(arr.shape[::-1])
    header.set_sform(geometry.affine, code=int(header["sform_code"]) or 2)
    linear = geometry.affine[:3, :3] / np.linalg.norm(geometry.affine[:3, :3], axis=0)
    if np.allclose(linear.T @ linear, np.eye(3), atol=1e-6):
        header.set_qform(geometry.affine, code=int(header["qform_code"]) or 2)
    else:  # a sheared grid: a qform cannot hold it, so only the sform (exact) is valid
        header.set_qform(None, code=0)
    header["scl_slope"], header["scl_inter"] = 1.0, 0.0
    header["cal_min"] = header["cal_max"] = 0.0
    return header


def save_nifti(
    data: np.ndarray,
    geometry: Geometry,
    path: str | os.PathLike[str],
    *,
    kind: Literal["auto", "labels", "image"] = "auto",
) -> Path:
    """Write a ``(z, y, x)`` (or ``(c, z, y, x)``) array to NIfTI with its geometry.

    The file is written to a temporary file in the same folder and then moved
    over ``path`` with :func:`os.replace`, so a failed write never leaves a
    half-written file, and saving over a memory-mapped source is safe.

    Parameters
    ----------
    data : numpy.ndarray, shape (Z, Y, X) or (C, Z, Y, X)
        Voxels in napari order.
    geometry : Geometry
        Placement; its kept header (if any) restores codes and units.
    path : path-like
        Destination ending in ``.nii`` or ``.nii.gz`` (gzip level 1, for speed).
    kind : {"auto", "labels", "image"}
        ``"labels"`` stores integers exactly in the smallest dtype that fits
        (uint8, uint16, then int32); ``"auto"`` does so for non-negative
        integer or bool data and keeps any other dtype (float64 becomes float32).

    Returns
    -------
    pathlib.Path
        The written path.
    """
    path = Path(path)
    if not is_nifti_path(path):
        raise NiftiError(path, "the file name must end in .nii or .nii.gz")
    arr = np.asarray(data)
    if arr.ndim not in (3, 4):
        raise NiftiError(path, f"expected a 3-D or 4-D array, got shape {arr.shape}")
    integer = arr.dtype == bool or np.issubdtype(arr.dtype, np.integer)
    as_labels = kind == "labels" or (
        kind == "auto" and integer and (arr.size == 0 or int(arr.min()) >= 0)
    )
    if as_labels:
        if not integer:
            raise NiftiError(path, f"labels must be integers, got dtype {arr.dtype}")
        arr = arr.astype(_smallest_label_dtype(arr), copy=False)
    elif arr.dtype == np.float64:
        arr = arr.astype(np.float32)
    header = _header_for(arr, geometry)
    return _atomic_save(arr, header, path)


def _atomic_save(arr: np.ndarray, header: nib.Nifti1Header, path: Path) -> Path:
    suffix = ".nii.gz" if str(path).lower().endswith(".gz") else ".nii"
    try:
        with atomic_path(path, suffix=suffix) as tmp:
            write_nifti1(arr, header, tmp)
    except OSError as exc:
        raise NiftiError(path, f"cannot write ({exc})") from exc
    return path
