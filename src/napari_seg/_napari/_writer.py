"""Writer contributions: Labels and Image layers to NIfTI with their source's geometry."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..io import save_nifti
from ._labeltable import table_of
from ._layers import layer_geometry

__all__ = ["write_image", "write_labels"]


def _spatial(data: Any) -> np.ndarray:
    arr = np.asarray(data)
    return arr[None] if arr.ndim == 2 else arr


def write_labels(path: str, data: Any, attributes: dict[str, Any]) -> list[str]:
    """Write a Labels layer to ``.nii``/``.nii.gz``: exact values, smallest integer dtype.

    A layer with a label table also gets the table beside the file, in the format
    it was read in (ITK-SNAP's when it had none): ``liver.nii.gz`` -> ``liver.txt``.
    Both files are written atomically.
    """
    save_nifti(_spatial(data), layer_geometry(attributes), path, kind="labels")
    table = table_of(attributes)
    if table is None:
        return [path]
    return [path, str(table.write(table.sidecar_for(path)))]


def write_image(path: str, data: Any, attributes: dict[str, Any]) -> list[str]:
    """Write an Image layer to ``.nii``/``.nii.gz`` in its dtype (float64 as float32)."""
    save_nifti(_spatial(data), layer_geometry(attributes), path, kind="image")
    return [path]
