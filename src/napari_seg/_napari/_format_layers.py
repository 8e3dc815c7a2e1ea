"""Layers for NRRD, 3D Slicer ``.seg.nrrd``, DICOM series and DICOM SEG files.

A folder with several DICOM series opens one image layer per series (named after
its description); a series that cannot be read is skipped with a warning, unless
none can. Segment tables become the Labels layer's ``colormap`` and
``metadata["label_names"]``; the DICOM source (series UID and files) is kept in
``metadata["napari_seg"]["dicom"]`` so a DICOM SEG can be written on it. Volumes
are shown with their axes permuted towards world ``(z, y, x)``
(:func:`~napari_seg.io.geometry.world_axis_order`): a coronal or sagittal series
opens in napari's 2-D view, every voxel where the file puts it.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from napari.types import LayerDataTuple

from .._errors import one_line
from ..io import Volume, is_nifti_path, volume_stem
from ..io.dicom_series import find_series, is_dicom_path
from ..io.geometry import world_axis_order
from ..io.kinds import Kind
from ..io.labeltable import LabelTable
from ..io.nrrd import is_nrrd_path, load_nrrd
from ..io.slicer_seg import is_seg_nrrd_path, load_seg_nrrd
from ._meta import with_kept
from ._reader import _base_kwargs, _image_kwargs, _label_kwargs, volume_layer

__all__ = ["format_layers", "is_other_format", "one_file_per_series"]


def is_other_format(path: str) -> bool:
    """True for paths this module opens (NRRD, DICOM); NIfTI and Decathlon are elsewhere."""
    return is_nrrd_path(path) or (not is_nifti_path(path) and is_dicom_path(path))


def one_file_per_series(paths: list[str]) -> list[str]:
    """``paths`` with the DICOM image files of a series that is already listed left out.

    The 300 files of a series opened as one stack (File > Open Files as Stack...) open
    the series once. (Opened one by one, napari calls the reader per file and each file
    opens its whole series: open the folder or one file instead.)
    """
    import pydicom

    seen: set[str] = set()
    kept = []
    for p in paths:
        if Path(p).is_file() and not is_nifti_path(p) and not is_nrrd_path(p):
            try:
                ds = pydicom.dcmread(
                    p, stop_before_pixels=True, specific_tags=["SeriesInstanceUID"]
                )
                uid = str(ds.get("SeriesInstanceUID", ""))
            except Exception:  # not readable here: the reader reports it
                uid = ""
            if uid and uid in seen:
                continue
            seen.add(uid)
        kept.append(p)
    return kept


def _segments_kwargs(kw: dict[str, Any], table: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The file's segment names and colours as the layer's label table."""
    return _label_kwargs(kw, LabelTable.from_dict(table) if table else None)


def _shown(vol: Volume) -> Volume:
    return Volume(*world_axis_order(vol.data, vol.geometry))


def _labels_layer(vol: Volume, path: Path, table, name: str) -> LayerDataTuple:
    vol = _shown(vol)
    kw = _segments_kwargs(_base_kwargs(vol, path, 3), table)
    return (vol.data, {**kw, "name": name}, "labels")


def format_layers(path: str, *, kind: Kind | None = None) -> list[LayerDataTuple]:
    """Layers for one NRRD file, ``.seg.nrrd``, DICOM SEG, DICOM file, DICOMDIR or folder."""
    p = Path(path)
    if is_seg_nrrd_path(p):
        seg = load_seg_nrrd(p)
        layers = seg.layers()
        return [
            _labels_layer(
                Volume(data, seg.geometry),
                p,
                seg.table(i),
                volume_stem(p) + (f" [layer {i}]" if len(layers) > 1 else ""),
            )
            for i, data in enumerate(layers)
        ]
    if is_nrrd_path(p):
        vol = load_nrrd(p)
        return volume_layer(_shown(vol) if vol.data.ndim == 3 else vol, p, kind=kind)
    from ..io.dicomseg import is_dicom_seg, load_dicom_seg

    if p.is_file() and is_dicom_seg(p):
        seg = load_dicom_seg(p)
        vol = Volume(seg.data, seg.geometry)
        return [_labels_layer(vol, p, seg.segments or {}, volume_stem(p))]
    return _series_layers(p)


def _series_layers(p: Path) -> list[LayerDataTuple]:
    from ..io.dicom import read_series

    found = find_series(p)
    layers: list[LayerDataTuple] = []
    errors: list[Exception] = []
    for s in found:
        try:
            vol = read_series(s)
        except ValueError as exc:  # one bad series (a scout, a mixed one) spares the others
            errors.append(exc)
            continue
        shown = _shown(Volume(vol.data, vol.geometry))
        kw = _base_kwargs(shown, p, 3)
        kw["metadata"] = with_kept(kw["metadata"], dicom=vol.source)
        kw = _image_kwargs(kw, shown.data, vol.source["modality"] or None)
        name = s.description or volume_stem(p)
        if len(found) > 1:
            name = f"{name} (series {s.number or '?'})"
        layers.append((shown.data, {**kw, "name": name}, "image"))
    if not layers:
        raise errors[0]
    for exc in errors:
        warnings.warn(f"skipped a DICOM series: {one_line(exc)}", stacklevel=2)
    return layers
