"""Writer contributions: Labels and Image layers to NIfTI with their source's geometry."""

from __future__ import annotations

from typing import Any

import numpy as np
from napari.utils.transforms import Affine

from ..io import METADATA_KEY, Geometry, save_nifti

__all__ = ["layer_geometry", "write_image", "write_labels"]


def layer_geometry(attributes: dict[str, Any], *, atol: float = 1e-4) -> Geometry:
    """Geometry of a layer from its attributes (``scale``, ``translate``, ``affine``, ...).

    The geometry kept in ``metadata`` (with its NIfTI header) is used when it
    still places the layer where it is now; otherwise the layer's current
    transforms win, and the kept header only contributes codes and units.
    """
    ndim = len(attributes["scale"])
    data2world = Affine(
        scale=attributes["scale"],
        translate=attributes["translate"],
        rotate=attributes.get("rotate"),
        shear=attributes.get("shear"),
        ndim=ndim,
    )
    full = Affine(affine_matrix=np.asarray(attributes["affine"]), ndim=ndim).compose(data2world)
    m = full.affine_matrix[-4:, -4:] if ndim >= 3 else _lift_2d(full.affine_matrix)
    kept = attributes.get("metadata", {}).get(METADATA_KEY, {})
    header = kept.get("nifti_header")
    current = Geometry.from_napari_affine(m)
    if "affine" in kept:
        source = Geometry(np.asarray(kept["affine"]), header)
        if np.allclose(source.affine, current.affine, atol=atol):
            return source
    return Geometry(current.affine, header)


def _lift_2d(m: np.ndarray) -> np.ndarray:
    out = np.eye(4)
    out[1:, 1:] = m
    return out


def _spatial(data: Any) -> np.ndarray:
    arr = np.asarray(data)
    return arr[None] if arr.ndim == 2 else arr


def write_labels(path: str, data: Any, attributes: dict[str, Any]) -> list[str]:
    """Write a Labels layer to ``.nii``/``.nii.gz``: exact values, smallest integer dtype."""
    save_nifti(_spatial(data), layer_geometry(attributes), path, kind="labels")
    return [path]


def write_image(path: str, data: Any, attributes: dict[str, Any]) -> list[str]:
    """Write an Image layer to ``.nii``/``.nii.gz`` in its dtype (float64 as float32)."""
    save_nifti(_spatial(data), layer_geometry(attributes), path, kind="image")
    return [path]
