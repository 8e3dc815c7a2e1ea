"""Writer contributions: Labels and Image layers with their source's geometry.

The file name picks the format (:func:`napari_seg.io.save_volume`): NIfTI, NRRD/.nhdr,
3D Slicer ``.seg.nrrd`` and DICOM SEG ``.dcm`` (labels on a DICOM-sourced image).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..io import save_volume
from ..io.formats import holds_segments
from ._labeltable import table_of
from ._layers import layer_geometry
from ._meta import dicom_source, label_names

__all__ = ["layer_segments", "write_image", "write_labels"]


def _spatial(data: Any) -> np.ndarray:
    arr = np.asarray(data)
    return arr[None] if arr.ndim == 2 else arr


def layer_segments(data: np.ndarray, attributes: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Segment table (value -> ``{"name", "color"}``) of a Labels layer's non-zero values.

    Names from ``metadata["label_names"]``, colours from the layer's colormap.
    """
    names = label_names(attributes)
    values = [int(v) for v in np.unique(data) if v != 0]
    colormap = attributes.get("colormap")
    colors = np.asarray(colormap.map(np.array(values))) if values and colormap is not None else []
    table = {}
    for i, v in enumerate(values):
        entry: dict[str, Any] = {"name": names.get(v) or f"Segment_{v}"}
        if len(colors):
            entry["color"] = tuple(float(c) for c in colors[i])
        table[v] = entry
    return table


def write_labels(path: str, data: Any, attributes: dict[str, Any]) -> list[str]:
    """Write a Labels layer: exact values, smallest integer dtype.

    Names and colours go inside ``.seg.nrrd`` and DICOM SEG files (the latter on the
    DICOM series the layer came from). Other formats get the layer's label table beside
    the file, in the format it was read in (ITK-SNAP's when it had none):
    ``liver.nii.gz`` -> ``liver.txt``. Every file is written atomically.
    """
    arr = _spatial(data)
    table = table_of(attributes)
    segments = layer_segments(arr, attributes)
    if table is not None:  # the table's names and colours win over the colormap's
        for value, entry in segments.items():
            entry["name"] = table.names.get(value, entry["name"])
            entry["color"] = tuple(float(c) for c in table.color_of(value))
    source = dicom_source(attributes)
    out = save_volume(
        arr, layer_geometry(attributes), path, kind="labels", segments=segments, source=source
    )
    if table is None or holds_segments(out):
        return [path]
    return [path, str(table.write(table.sidecar_for(path)))]


def write_image(path: str, data: Any, attributes: dict[str, Any]) -> list[str]:
    """Write an Image layer to NIfTI or NRRD in its dtype (float64 as float32 in NIfTI)."""
    save_volume(_spatial(data), layer_geometry(attributes), path, kind="image")
    return [path]
