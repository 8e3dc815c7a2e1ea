"""DICOM image series to a volume in RAS world mm (pydicom).

Slices are sorted by their position along the slice normal (never by file name
or InstanceNumber). The grid comes from ``ImagePositionPatient``,
``ImageOrientationPatient`` and ``PixelSpacing`` in DICOM's LPS patient space and
is turned into RAS, oblique orientations included. Voxels are stored values
times ``RescaleSlope`` plus ``RescaleIntercept`` (HU for CT).

Refused, each with a one-line :class:`~napari_seg.io.errors.DicomError`: mixed
series (slices of different size, orientation or pixel spacing), duplicate
positions (several echoes or time points), missing slices, non-uniform slice
spacing beyond ``spacing_tolerance``, gantry tilt (the slices are not stacked
along their normal; we do not resample: convert such series with dcm2niix
first), multi-frame and colour images.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .._memory import MemoryBoundError, ensure_fits
from .dicom_series import SeriesInfo, pick_series
from .errors import DicomError
from .geometry import Geometry, GeometryError

__all__ = ["DicomVolume", "load_dicom", "read_series", "series_geometry"]

_LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])


class DicomVolume(NamedTuple):
    """A loaded series: ``data`` ``(Z, Y, X)``, its RAS geometry, and where it came from.

    ``source`` holds ``series_uid``, ``description``, ``modality`` and ``files``
    (the slice files in volume order, for writers such as DICOM SEG).
    """

    data: np.ndarray
    geometry: Geometry
    source: dict[str, Any]


def _floats(ds, key: str, n: int, where: Path) -> np.ndarray:
    value = ds.get(key)
    try:
        arr = np.asarray([float(v) for v in value], dtype=np.float64)
    except (TypeError, ValueError):
        arr = np.empty(0)
    if arr.shape != (n,) or not np.all(np.isfinite(arr)):
        raise DicomError(where, f"{key} is missing or not {n} numbers ({value!r})")
    return arr


def _check_same(info: SeriesInfo, where: Path) -> None:
    first = info.headers[0]
    for key in ("Rows", "Columns", "SamplesPerPixel", "BitsAllocated", "PixelRepresentation"):
        values = {str(ds.get(key, "")) for ds in info.headers}
        if len(values) > 1:
            raise DicomError(where, f"mixed series: slices differ in {key} ({sorted(values)[:4]})")
    if int(first.get("SamplesPerPixel", 1)) != 1:
        raise DicomError(where, "colour (RGB) images are not supported, only greyscale series")
    if any(int(ds.get("NumberOfFrames", 1) or 1) > 1 for ds in info.headers):
        raise DicomError(
            where, "multi-frame (enhanced) DICOM is not supported; export single frames"
        )


def series_geometry(
    info: SeriesInfo, *, spacing_tolerance: float = 0.01
) -> tuple[Geometry, list[int]]:
    """RAS geometry of a series and the order of its files along the slice normal.

    ``spacing_tolerance`` is the largest deviation (as a share of the slice
    spacing, at least 0.01 mm) of any slice from a uniform grid.
    """
    where = info.files[0].parent
    _check_same(info, where)
    pairs = list(zip(info.headers, info.files, strict=True))
    iop = [_floats(ds, "ImageOrientationPatient", 6, f) for ds, f in pairs]
    ipp = np.array([_floats(ds, "ImagePositionPatient", 3, f) for ds, f in pairs])
    px = [_floats(ds, "PixelSpacing", 2, f) for ds, f in pairs]
    if (
        np.max(np.abs(np.array(iop) - iop[0])) > 1e-4
        or np.max(np.abs(np.array(px) - px[0])) > 1e-4
    ):
        raise DicomError(where, "mixed series: slices differ in orientation or pixel spacing")
    row, col = iop[0][:3], iop[0][3:]
    if (
        abs(np.linalg.norm(row) - 1) > 1e-3
        or abs(np.linalg.norm(col) - 1) > 1e-3
        or abs(row @ col) > 1e-3
    ):
        raise DicomError(
            where, f"ImageOrientationPatient {iop[0].tolist()} is not two unit vectors at 90°"
        )
    if np.any(px[0] <= 0):
        raise DicomError(where, f"PixelSpacing {px[0].tolist()} must be positive")
    normal = np.cross(row, col)
    along = ipp @ normal
    order = np.argsort(along, kind="stable")
    along, ipp = along[order], ipp[order]
    step = _slice_step(info, ipp, along, normal, spacing_tolerance, where)
    lps = np.eye(4)
    lps[:3, 0], lps[:3, 1], lps[:3, 2], lps[:3, 3] = row * px[0][1], col * px[0][0], step, ipp[0]
    try:
        return Geometry(_LPS_TO_RAS @ lps), [int(i) for i in order]
    except GeometryError as exc:
        raise DicomError(where, str(exc)) from exc


def _slice_step(
    info: SeriesInfo,
    ipp: np.ndarray,
    along: np.ndarray,
    normal: np.ndarray,
    tol: float,
    where: Path,
) -> np.ndarray:
    """The vector from one slice to the next, after the checks on the stack."""
    n = len(along)
    if n == 1:
        ds = info.headers[0]
        thick = ds.get("SpacingBetweenSlices") or ds.get("SliceThickness") or 1.0
        return normal * abs(float(thick))
    gaps = np.diff(along)
    if np.min(gaps) < 1e-3:
        raise DicomError(
            where, f"{int(np.sum(gaps < 1e-3)) + 1} slices share a position: several echoes, "
            "time points or acquisitions in one series are not supported",
        )  # fmt: skip
    spacing = float(np.median(gaps))
    allowed = max(0.01, tol * spacing)
    if np.max(gaps) > 1.5 * spacing:
        k = int(np.argmax(gaps))
        raise DicomError(
            where, f"missing slices: a gap of {gaps[k]:.3g} mm between slices at "
            f"{along[k]:.2f} and {along[k + 1]:.2f} mm where the spacing is {spacing:.3g} mm",
        )  # fmt: skip
    step = (ipp[-1] - ipp[0]) / (n - 1)
    tilt = step - (step @ normal) * normal
    if np.linalg.norm(tilt) > allowed:
        angle = np.degrees(np.arctan2(np.linalg.norm(tilt), abs(step @ normal)))
        raise DicomError(
            where, f"gantry tilt of {angle:.2f}°: slices are sheared, not stacked along their "
            "normal; not supported (resample it first, e.g. with dcm2niix)",
        )  # fmt: skip
    off = np.max(np.abs(along - (along[0] + np.arange(n) * (step @ normal))))
    if off > allowed:
        raise DicomError(
            where, f"non-uniform slice spacing: a slice lies {off:.3g} mm off a uniform "
            f"{spacing:.3g} mm grid (tolerance {allowed:.3g} mm)",
        )  # fmt: skip
    return step


def _number(ds, key: str, default: float, where: Path) -> float:
    value = ds.get(key)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise DicomError(where, f"{key} {value!r} is not a number") from exc


def _scaling(info: SeriesInfo, where: Path) -> tuple[np.ndarray, np.ndarray, np.dtype]:
    slopes = np.array([_number(ds, "RescaleSlope", 1.0, where) for ds in info.headers])
    inters = np.array([_number(ds, "RescaleIntercept", 0.0, where) for ds in info.headers])
    if not (np.all(np.isfinite(slopes)) and np.all(np.isfinite(inters))) or np.any(slopes == 0):
        raise DicomError(where, "RescaleSlope/RescaleIntercept are not finite non-zero numbers")
    first = info.headers[0]
    signed = int(first.get("PixelRepresentation", 0)) == 1
    bits = int(first.get("BitsStored", first.get("BitsAllocated", 16)) or 16)
    lo = -(2 ** (bits - 1)) if signed else 0
    hi = 2 ** (bits - 1) - 1 if signed else 2**bits - 1
    ints = np.all(slopes == np.round(slopes)) and np.all(inters == np.round(inters))
    if np.all(slopes == 1) and np.all(inters == 0) and bits <= 32:
        dtype = np.dtype(
            f"{'i' if signed else 'u'}{max(1, int(first.get('BitsAllocated', 16)) // 8)}"
        )
    elif ints:
        ends = np.concatenate([slopes * lo + inters, slopes * hi + inters])
        fits16 = ends.min() >= -(2**15) and ends.max() < 2**15
        dtype = np.dtype(
            np.int16 if fits16 else np.int32 if abs(ends).max() < 2**31 else np.float64
        )
    else:
        dtype = np.dtype(np.float32)
    return slopes, inters, dtype


def load_dicom(
    path: str | os.PathLike[str],
    *,
    series: str | int | None = None,
    spacing_tolerance: float = 0.01,
) -> DicomVolume:
    """Load one DICOM image series as a ``(Z, Y, X)`` volume with its RAS geometry.

    Parameters
    ----------
    path : path-like
        A folder (searched recursively), a DICOMDIR, or one file of the series.
    series : str or int, optional
        Which series when there are several: index in the listing, UID or UID prefix.
    spacing_tolerance : float
        Largest deviation of a slice from a uniform grid, as a share of the spacing.

    Returns
    -------
    DicomVolume
        ``data`` ``(Z, Y, X)``: slice ``z`` is the ``z``-th along the normal,
        ``data[z, j, i]`` is row ``j``, column ``i`` of that slice. Values are
        rescaled (HU for CT): integers when slope and intercept are integers
        (int16 when the range fits), else float32.

    Raises
    ------
    DicomError
        See the module docstring; also files that cannot be decoded and
        volumes that do not fit in memory.
    """
    return read_series(pick_series(path, series), spacing_tolerance=spacing_tolerance)


def read_series(info: SeriesInfo, *, spacing_tolerance: float = 0.01) -> DicomVolume:
    """Load a series that :func:`~.dicom_series.find_series` found; see :func:`load_dicom`."""
    try:
        return _read_series(info, spacing_tolerance)
    except DicomError:
        raise
    except Exception as exc:
        # pydicom parses values lazily: a damaged element fails where it is first read,
        # with any of many types (ValueError, NotImplementedError for an unknown VR, ...)
        text = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
        raise DicomError(info.files[0].parent, f"unusable header value ({text})") from exc


def _read_series(info: SeriesInfo, spacing_tolerance: float) -> DicomVolume:
    geometry, order = series_geometry(info, spacing_tolerance=spacing_tolerance)
    where = info.files[0].parent
    slopes, inters, dtype = _scaling(info, where)
    rows, cols = int(info.headers[0].Rows), int(info.headers[0].Columns)
    try:
        ensure_fits(rows * cols * len(order) * dtype.itemsize, str(where))
    except MemoryBoundError as exc:
        raise DicomError(where, str(exc).split(": ", 1)[1]) from exc
    data = np.empty((len(order), rows, cols), dtype=dtype)
    for z, i in enumerate(order):
        raw = _pixels(info.files[i], rows, cols)
        if dtype.kind == "f" or raw.dtype.kind == "f":  # in float64, then rounded once
            data[z] = raw * slopes[i] + inters[i] if slopes[i] != 1 or inters[i] else raw
            continue
        data[z] = raw  # integers: the output dtype holds the rescaled range (see _scaling)
        if slopes[i] != 1:
            data[z] *= data.dtype.type(slopes[i])
        if inters[i]:
            data[z] += data.dtype.type(inters[i])
    source = {
        "series_uid": info.uid, "description": info.description, "modality": info.modality,
        "files": [str(info.files[i]) for i in order],
    }  # fmt: skip
    return DicomVolume(data, geometry, source)


def _pixels(path: Path, rows: int, cols: int) -> np.ndarray:
    import pydicom

    try:
        ds = pydicom.dcmread(path)
        arr = ds.pixel_array
    except Exception as exc:  # decoders raise many types (missing codec, damaged stream)
        text = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
        raise DicomError(path, f"cannot decode the pixel data ({text})") from exc
    if arr.shape != (rows, cols):
        raise DicomError(path, f"pixel data shaped {arr.shape}, the series has {rows}x{cols}")
    return arr
