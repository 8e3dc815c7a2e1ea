"""Helpers that place new layers on their source and update result layers in place."""

from __future__ import annotations

import copy
from typing import Any

import napari
import numpy as np
from napari.layers import Image, Labels, Layer

from ..io import METADATA_KEY

__all__ = ["placement", "upsert_labels", "volume_of"]


def placement(source: Layer) -> dict[str, Any]:
    """Layer kwargs that put a new layer exactly where ``source`` is in world space."""
    kw: dict[str, Any] = {
        "scale": tuple(source.scale),
        "translate": tuple(source.translate),
        "rotate": np.asarray(source.rotate),
        "shear": np.asarray(source.shear),
        "affine": np.asarray(source.affine.affine_matrix),
    }
    kept = source.metadata.get(METADATA_KEY)
    kw["metadata"] = {METADATA_KEY: copy.deepcopy(kept)} if kept is not None else {}
    return kw


def volume_of(layer: Image | Labels, *, what: str = "layer") -> np.ndarray:
    """The layer's data as a 2-D or 3-D numpy array, or a clear error."""
    if layer is None:
        raise ValueError(f"choose a {what}")
    data = layer.data[0] if getattr(layer, "multiscale", False) else layer.data
    arr = np.asarray(data)
    if arr.ndim not in (2, 3) or getattr(layer, "rgb", False):
        raise ValueError(
            f"{layer.name!r} has shape {arr.shape}; pick a single-channel 2-D or 3-D layer"
        )
    return arr


def upsert_labels(
    viewer: napari.Viewer, data: np.ndarray, *, name: str, source: Layer, **kwargs: Any
) -> Labels:
    """Put ``data`` in the Labels layer called ``name`` (created on ``source`` if missing)."""
    placed = placement(source)
    if name in viewer.layers and isinstance(viewer.layers[name], Labels):
        layer = viewer.layers[name]
        layer.data = data
        for key in ("scale", "translate", "rotate", "shear", "affine"):
            setattr(layer, key, placed[key])
        layer.metadata = {**layer.metadata, **placed["metadata"], **kwargs.get("metadata", {})}
        return layer
    placed["metadata"] = {**placed["metadata"], **kwargs.pop("metadata", {})}
    return viewer.add_labels(data, name=name, **placed, **kwargs)
