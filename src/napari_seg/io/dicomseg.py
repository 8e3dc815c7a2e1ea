"""DICOM Segmentation objects (highdicom): labels on a DICOM series out, and back in.

A label value becomes one segment (segment numbers 1..N in ascending label order),
with its name as ``SegmentLabel``, its colour as ``RecommendedDisplayCIELabValue``
and ``TrackingID`` ``"napari-seg label <value>"`` so that reading gives the same
label values back. The object references every slice of the source series
(``ReferencedSeriesSequence``) and lies on its frame of reference.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from .errors import DicomError
from .geometry import Geometry, GeometryError

__all__ = ["is_dicom_seg", "load_dicom_seg", "save_dicom_seg"]

_SEG_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.66.4"
_TRACKING = re.compile(r"^napari-seg label (\d+)$")
_LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])


def is_dicom_seg(path: str | os.PathLike[str]) -> bool:
    """True if ``path`` is a DICOM file of the Segmentation storage class."""
    import pydicom

    try:
        ds = pydicom.dcmread(path, stop_before_pixels=True, specific_tags=["SOPClassUID"])
    except Exception:  # not DICOM at all
        return False
    return str(ds.get("SOPClassUID", "")) == _SEG_SOP_CLASS


def _description(number: int, value: int, entry: dict[str, Any]):
    import highdicom as hd
    from pydicom.sr.codedict import codes

    from .. import __version__
    from .slicer_seg import default_color

    rgb = tuple(entry.get("color") or default_color(value))[:3]
    rgb8 = tuple(round(float(c) * 255) for c in rgb)
    return hd.seg.SegmentDescription(
        segment_number=number,
        segment_label=str(entry.get("name") or f"Segment_{value}")[:64],
        segmented_property_category=codes.SCT.Tissue,
        segmented_property_type=codes.SCT.Tissue,
        algorithm_type=hd.seg.SegmentAlgorithmTypeValues.SEMIAUTOMATIC,
        algorithm_identification=hd.AlgorithmIdentificationSequence(
            name="napari-seg", family=codes.DCM.ArtificialIntelligence, version=__version__
        ),
        tracking_uid=hd.UID(),
        tracking_id=f"napari-seg label {value}",
        display_color=hd.color.CIELabColor.from_rgb(*rgb8),
    )


def _onto(arr: np.ndarray, geometry: Geometry, source: Geometry) -> tuple[np.ndarray, Geometry]:
    """Labels shown with permuted axes (see ``world_axis_order``) back in the series' order."""
    lin = np.linalg.solve(geometry.napari_affine()[:3, :3], source.napari_affine()[:3, :3])
    order = [int(a) for a in np.argmax(np.abs(lin), axis=0)]
    if sorted(order) != [0, 1, 2] or order == [0, 1, 2]:
        return arr, geometry
    m = geometry.napari_affine()
    m[:3, :3] = m[:3, order]
    return np.transpose(arr, order), Geometry.from_napari_affine(m)


def _on_series(path: Path, arr: np.ndarray, geometry: Geometry, files: list[Path]):
    """The source series' headers and the labels in its slice order, checked on its grid."""
    import pydicom

    from .dicom import series_geometry
    from .dicom_series import SeriesInfo

    try:
        headers = [pydicom.dcmread(f, stop_before_pixels=True) for f in files]
    except Exception as exc:  # the source moved or was damaged since it was read
        raise DicomError(files[0].parent, f"cannot read the source series ({exc})") from exc
    info = SeriesInfo(str(headers[0].SeriesInstanceUID), headers=headers, files=files)
    src_geometry, order = series_geometry(info)
    if order != list(range(len(files))):
        raise DicomError(path, "the source files are not in volume order")
    arr, geometry = _onto(arr, geometry, src_geometry)
    if arr.shape[0] != len(files):
        raise DicomError(path, f"labels {arr.shape} do not lie on the {len(files)}-slice series")
    try:
        src_geometry.check_same_grid(geometry, what="the labels and the source series")
    except GeometryError as exc:
        raise DicomError(path, str(exc)) from exc
    return headers, arr


def save_dicom_seg(
    labels: np.ndarray,
    geometry: Geometry,
    path: str | os.PathLike[str],
    *,
    source: dict[str, Any] | None,
    segments: dict[int, dict[str, Any]] | None = None,
) -> Path:
    """Write a ``(Z, Y, X)`` labelmap on a DICOM series as a DICOM SEG file.

    Parameters
    ----------
    labels : numpy.ndarray of int, shape (Z, Y, X)
        Labels on the grid of the source series (0 = background).
    geometry : Geometry
        Their placement; must be the source series' grid.
    path : path-like
        Output ``.dcm`` file (written atomically).
    source : dict
        ``files``: the series' slice files in volume order (as the DICOM reader
        gives them in ``source``).
    segments : dict, optional
        Label value -> ``{"name", "color"}``.

    Raises
    ------
    DicomError
        No DICOM source, labels not on its grid, or nothing to write.
    """
    import highdicom as hd

    from .. import __version__
    from .._files import atomic_path

    path = Path(path)
    files = [Path(f) for f in (source or {}).get("files", [])]
    if not files:
        raise DicomError(path, "DICOM SEG needs labels on an image read from a DICOM series")
    arr = np.asarray(labels)
    if arr.ndim != 3 or len(files) not in arr.shape or arr.dtype.kind not in "iub":
        raise DicomError(path, f"labels {arr.shape} {arr.dtype} are not integer on the "
                         f"{len(files)}-slice source series")  # fmt: skip
    headers, arr = _on_series(path, arr, geometry, files)
    values = [int(v) for v in np.unique(arr) if v != 0]
    if not values:
        raise DicomError(path, "the labels are empty; a DICOM SEG needs at least one segment")
    numbered = np.zeros(arr.shape, dtype=np.uint16 if len(values) > 255 else np.uint8)
    for number, value in enumerate(values, start=1):
        numbered[arr == value] = number
    table = segments or {}
    seg = hd.seg.Segmentation(
        source_images=headers,
        pixel_array=numbered,
        segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=[
            _description(n, v, table.get(v, {})) for n, v in enumerate(values, start=1)
        ],
        series_instance_uid=hd.UID(),
        series_number=int(headers[0].get("SeriesNumber", 0) or 0) + 1000,
        sop_instance_uid=hd.UID(),
        instance_number=1,
        manufacturer="napari-seg",
        manufacturer_model_name="napari-seg",
        software_versions=__version__,
        device_serial_number="0",
        omit_empty_frames=False,  # every slice, so that reading gives the full grid back
        series_description=f"napari-seg labels of {headers[0].get('SeriesDescription', '')}"[:64],
    )
    with atomic_path(path, suffix=".dcm") as tmp:
        seg.save_as(tmp, enforce_file_format=True)
    return path


def _ensure_fits(path: Path) -> None:
    """Refuse a SEG whose frames (decoded, combined, relabelled) would not fit in memory."""
    import pydicom

    from .._memory import MemoryBoundError, ensure_fits

    try:
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        frames, rows, cols = (int(ds.get(k) or 1) for k in ("NumberOfFrames", "Rows", "Columns"))
    except Exception as exc:  # pydicom raises many types for a damaged header
        raise DicomError(path, f"not a readable DICOM SEG header ({exc})") from exc
    try:  # bit-packed frames, their uint8 decoding, the int64 relabelled volume
        ensure_fits(max(frames, 1) * max(rows, 1) * max(cols, 1), str(path), copies=10)
    except MemoryBoundError as exc:
        raise DicomError(path, str(exc).split(": ", 1)[1]) from exc


def load_dicom_seg(path: str | os.PathLike[str]):
    """Read a DICOM SEG as labels ``(Z, Y, X)``, RAS geometry and a segment table.

    Segments written by :func:`save_dicom_seg` get their label values back; other
    segments get their segment number. Overlapping segments keep the higher number.

    Returns
    -------
    Loaded
        ``segments`` holds the names and colours.
    """
    import highdicom as hd

    from .formats import Loaded

    path = Path(path)
    _ensure_fits(path)
    try:
        seg = hd.seg.segread(path)
        numbers = list(seg.segment_numbers)
        vol = seg.get_volume(combine_segments=True, skip_overlap_checks=True)
    except Exception as exc:  # highdicom raises many types for unusable objects
        text = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise DicomError(path, f"not a usable DICOM SEG ({text})") from exc
    lut = np.zeros(max(numbers) + 1, dtype=np.int64)
    table: dict[int, dict[str, Any]] = {}
    for n in numbers:
        desc = seg.get_segment_description(n)
        m = _TRACKING.match(str(desc.get("TrackingID", "")))
        value = int(m.group(1)) if m else n
        lut[n] = value
        lab = desc.get("RecommendedDisplayCIELabValue")
        rgb = hd.color.CIELabColor.from_dicom_value(lab).to_rgb() if lab else (128, 128, 128)
        table[value] = {"name": str(desc.SegmentLabel), "color": (*(c / 255 for c in rgb), 1.0)}
    labels = lut[np.asarray(vol.array, dtype=np.int64)]
    lps = np.array(vol.affine, dtype=np.float64)  # (slice, row, column) -> LPS
    if np.cross(lps[:3, 2], lps[:3, 1]) @ lps[:3, 0] < 0:  # slices along the normal, as a series
        labels = labels[::-1]
        lps[:3, 3] += (labels.shape[0] - 1) * lps[:3, 0]
        lps[:3, 0] *= -1
    reverse = np.zeros((4, 4))
    reverse[[0, 1, 2, 3], [2, 1, 0, 3]] = 1.0  # (column, row, slice) -> (slice, row, column)
    affine = _LPS_TO_RAS @ lps @ reverse
    from .nifti import _smallest_label_dtype

    try:
        geometry = Geometry(affine)
    except GeometryError as exc:
        raise DicomError(path, str(exc)) from exc
    return Loaded(labels.astype(_smallest_label_dtype(labels)), geometry, table)
