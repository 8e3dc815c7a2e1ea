"""One entry point for every volume format, so every command and the napari reader agree.

========================  =====  =====  =================================================
format                    read   write  kept
========================  =====  =====  =================================================
NIfTI ``.nii(.gz)``       yes    yes    affine (sform/qform), header codes and units
NRRD ``.nrrd``/``.nhdr``  yes    yes    space directions + origin (LPS/RAS/LAS), dtype
3D Slicer ``.seg.nrrd``   yes    yes    geometry, segment names, colours, label values
DICOM series              yes    no     IPP/IOP/PixelSpacing (oblique), HU, series UID
DICOM SEG ``.dcm``        yes    yes    source series reference, segment names, colours
========================  =====  =====  =================================================

At this module's boundary a segment (label) table is ``dict[int, dict]``: label
value -> ``{"name": str, "color": (r, g, b, a)}`` with floats 0..1.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np

from .dicom_series import is_dicom_path
from .geometry import Geometry
from .nifti import is_nifti_path, load_nifti, nifti_stem, save_nifti
from .nrrd import is_nrrd_path, load_nrrd, save_nrrd
from .slicer_seg import SEG_NRRD_SUFFIX, is_seg_nrrd_path, load_seg_nrrd, save_seg_nrrd

__all__ = [
    "OUTPUT_SUFFIXES",
    "Loaded",
    "holds_segments",
    "is_volume_path",
    "load_volume",
    "save_volume",
    "volume_stem",
]

#: What ``save_volume`` writes, by the end of the file name.
OUTPUT_SUFFIXES = (".nii.gz", ".nii", SEG_NRRD_SUFFIX, ".nrrd", ".nhdr", ".dcm")


class Loaded(NamedTuple):
    """A volume from any format.

    ``data`` is ``(Z, Y, X)`` (or ``(C, Z, Y, X)``); ``segments`` the file's label
    table (``.seg.nrrd``, DICOM SEG) or None; ``source`` the DICOM series it came
    from (``series_uid``, ``description``, ``modality``, ``files``) or None.
    """

    data: np.ndarray
    geometry: Geometry
    segments: dict[int, dict[str, Any]] | None = None
    source: dict[str, Any] | None = None


def holds_segments(path: str | os.PathLike[str]) -> bool:
    """True for formats that keep segment names and colours inside the file
    (``.seg.nrrd``, DICOM SEG); other labels get a label-table file beside them."""
    p = Path(path)
    return is_seg_nrrd_path(p) or p.name.lower().endswith(".dcm")


def is_volume_path(path: str | os.PathLike[str]) -> bool:
    """True for NIfTI and NRRD names and for DICOM files, DICOMDIRs and DICOM folders."""
    return is_nifti_path(path) or is_nrrd_path(path) or is_dicom_path(path)


def volume_stem(path: str | os.PathLike[str]) -> str:
    """A file's name without its format suffix (``a.seg.nrrd`` -> ``a``); a folder's name."""
    p = Path(path)
    lower = p.name.lower()
    for suffix in (SEG_NRRD_SUFFIX, ".nrrd", ".nhdr", ".dcm"):
        if lower.endswith(suffix):
            return p.name[: -len(suffix)]
    if p.name.upper() == "DICOMDIR":
        return p.resolve().parent.name
    return nifti_stem(p)


def load_volume(path: str | os.PathLike[str], *, series: str | int | None = None) -> Loaded:
    """Load a NIfTI, NRRD, ``.seg.nrrd``, DICOM series or DICOM SEG as a :class:`Loaded`.

    Parameters
    ----------
    path : path-like
        A file, a DICOM folder (searched recursively) or a DICOMDIR. Names the
        formats above do not claim go to the NIfTI reader (its error names the file).
    series : str or int, optional
        Which DICOM series when ``path`` holds several (index, UID or UID prefix).

    Raises
    ------
    NiftiError, NrrdError, DicomError
        The file (or series) cannot be read; one line naming it and the reason.
    """
    p = Path(path)
    if is_seg_nrrd_path(p):
        seg = load_seg_nrrd(p)
        data, table = seg.merged()
        return Loaded(data, seg.geometry, table)
    if is_nrrd_path(p):
        return Loaded(*load_nrrd(p))
    if not is_nifti_path(p) and is_dicom_path(p):
        from .dicom import load_dicom
        from .dicomseg import is_dicom_seg, load_dicom_seg

        if p.is_file() and is_dicom_seg(p):
            return load_dicom_seg(p)
        vol = load_dicom(p, series=series)
        return Loaded(vol.data, vol.geometry, None, vol.source)
    return Loaded(*load_nifti(p))


def save_volume(
    data: np.ndarray,
    geometry: Geometry,
    path: str | os.PathLike[str],
    *,
    kind: Literal["auto", "labels", "image"] = "auto",
    segments: dict[int, dict[str, Any]] | None = None,
    source: dict[str, Any] | None = None,
) -> Path:
    """Write ``data`` in the format its name asks for, atomically, with its geometry.

    ``.seg.nrrd`` and ``.dcm`` (DICOM SEG) hold labels with ``segments`` (names and
    colours); DICOM SEG also needs ``source``, the DICOM series the labels lie on
    (as :class:`Loaded` gives it). Other names: see :func:`save_nifti`/:func:`save_nrrd`.
    """
    p = Path(path)
    if holds_segments(p):
        if kind == "image":
            raise ValueError(f"{p}: .seg.nrrd and DICOM SEG hold labels, not images")
        if is_seg_nrrd_path(p):
            return save_seg_nrrd(data, geometry, p, segments=segments)
        from .dicomseg import save_dicom_seg

        return save_dicom_seg(data, geometry, p, source=source, segments=segments)
    if is_nrrd_path(p):
        return save_nrrd(data, geometry, p, kind=kind)
    if not is_nifti_path(p):
        raise ValueError(f"{p}: unknown output format; the name must end in "
                         f"{', '.join(OUTPUT_SUFFIXES)}")  # fmt: skip
    return save_nifti(data, geometry, p, kind=kind)
