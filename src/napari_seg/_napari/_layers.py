"""Layer geometry, placement of new layers on their source, and display-layer updates."""

from __future__ import annotations

import copy
from typing import Any

import napari
import numpy as np
from napari.layers import Image, Labels, Layer
from napari.utils.transforms import Affine

from ..io.geometry import MM_PER_UNIT, Geometry
from ._meta import METADATA_KEY, is_ct, kept

__all__ = [
    "camera_of",
    "check_same_grid",
    "intensity_unit",
    "is_ct",
    "layer_geometry",
    "layer_spacing",
    "length_unit",
    "placement",
    "ray_voxels",
    "upsert_labels",
    "volume_of",
]


def layer_geometry(layer: Layer | dict[str, Any], *, atol: float = 1e-4) -> Geometry:
    """The full placement of a layer's (last three) axes as a :class:`Geometry`.

    Spacing, orientation and origin come from the whole data-to-world
    transform (``scale``, ``translate``, ``rotate``, ``shear`` and ``affine``),
    so a layer placed through an affine with ``scale == 1`` (a flipped or
    oblique NIfTI file) still gets its spacing in mm. The geometry kept in
    ``metadata`` (with its NIfTI header) is used when it still places the
    layer where it is now; otherwise the current transform wins and the kept
    header only contributes codes and units.

    Parameters
    ----------
    layer : napari Layer or dict
        A layer, or the attributes of a layer data tuple (as writers get them).
    """
    if isinstance(layer, Layer):
        attributes: dict[str, Any] = {
            "scale": layer.scale,
            "translate": layer.translate,
            "rotate": layer.rotate,
            "shear": layer.shear,
            "affine": layer.affine.affine_matrix,
            "metadata": layer.metadata,
            "units": layer.units,
        }
    else:
        attributes = layer
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
    entry = kept(attributes)
    header = entry.get("nifti_header")
    unit = _unit_of(attributes)
    current = Geometry.from_napari_affine(m)
    if "affine" in entry:
        source = Geometry(np.asarray(entry["affine"]), header, unit)
        if np.allclose(source.affine, current.affine, atol=atol):
            return source
    return Geometry(current.affine, header, unit)


#: napari (pint) unit names -> :data:`~napari_seg.io.geometry.MM_PER_UNIT` names.
_PINT_UNITS = {"millimeter": "mm", "micrometer": "µm", "meter": "m"}


def _unit_of(attributes: dict[str, Any]) -> str:
    """The length unit of the spatial axes: the layer's ``units``, else the kept one, else mm."""
    units = attributes.get("units")
    if units is not None and len(units):
        name = str(units[-1])
        name = _PINT_UNITS.get(name, name)
        if name in MM_PER_UNIT:
            return name
    unit = kept(attributes).get("unit")
    return unit if unit in MM_PER_UNIT else "mm"


def _lift_2d(m: np.ndarray) -> np.ndarray:
    out = np.eye(4)
    out[1:, 1:] = m
    return out


def check_same_grid(layer: Layer, other: Layer, *, what: str) -> None:
    """Refuse ``other`` unless it lies voxel for voxel on ``layer``'s grid.

    The docks' one way to the core's grid check (the CLI's check, with its
    message), so a mask, seed, grow-over or ground-truth layer of another
    scan, spacing or placement is refused before anything runs.

    Parameters
    ----------
    layer : napari Layer
        The primary layer (the image segmented, the labels corrected, the truth).
    other : napari Layer
        The secondary layer (mask, seeds, grow-over image, prediction, ...).
    what : str
        What ``other`` is to the user, e.g. ``"mask"``; it leads the message.

    Raises
    ------
    ValueError
        The core's :class:`~napari_seg.io.geometry.GeometryError` (a ValueError):
        one line naming both layers and the shapes, or how far their affines differ.
    """
    from ..volume import Volume
    from ..volume import check_same_grid as core_check  # the one grid check

    core_check(
        Volume(other.data, layer_geometry(other)),
        Volume(layer.data, layer_geometry(layer)),
        what=f"{what} {other.name!r} and {layer.name!r}",
        hint="choose a layer on the same grid",
    )


def layer_spacing(layer: Layer) -> tuple[float, ...]:
    """Voxel size in mm of each data axis of a 2-D or 3-D layer, from its full geometry."""
    spacing = layer_geometry(layer).spacing_mm  # a µm layer's options are still in mm
    return spacing[-layer.ndim :] if layer.ndim < 3 else spacing


def placement(source: Layer) -> dict[str, Any]:
    """Layer kwargs that put a new layer exactly where ``source`` is in world space."""
    kw: dict[str, Any] = {
        "scale": tuple(source.scale),
        "translate": tuple(source.translate),
        "rotate": np.asarray(source.rotate),
        "shear": np.asarray(source.shear),
        "affine": np.asarray(source.affine.affine_matrix),
        "units": tuple(str(u) for u in source.units),
        "axis_labels": tuple(source.axis_labels),
    }
    entry = kept(source)
    kw["metadata"] = {METADATA_KEY: copy.deepcopy(entry)} if entry else {}
    return kw


def volume_of(
    layer: Image | Labels, *, what: str = "layer", needs_3d: str | None = None
) -> np.ndarray:
    """The layer's data as a 2-D or 3-D numpy array, or a clear error.

    ``needs_3d`` names what needs a volume (``"surfaces"``): a 2-D layer is refused.
    """
    if layer is None:
        raise ValueError(f"choose the {what} (no such layer is selected)")
    data = layer.data[0] if getattr(layer, "multiscale", False) else layer.data
    arr = np.asarray(data)
    if arr.ndim not in (2, 3) or getattr(layer, "rgb", False):
        raise ValueError(
            f"{layer.name!r} has shape {arr.shape}; pick a single-channel 2-D or 3-D layer"
        )
    if needs_3d and arr.ndim != 3:
        raise ValueError(f"{layer.name!r} is 2-D; {needs_3d} need a 3-D {what}")
    return arr


def upsert_labels(
    viewer: napari.Viewer, data: np.ndarray, *, name: str, source: Layer, **kwargs: Any
) -> Labels:
    """Put ``data`` in the Labels layer called ``name`` (created on ``source`` if missing)."""
    placed = placement(source)
    if name in viewer.layers and isinstance(viewer.layers[name], Labels):
        layer = viewer.layers[name]
        layer.data = data
        for key in ("scale", "translate", "rotate", "shear", "affine", "units", "axis_labels"):
            setattr(layer, key, placed[key])
        layer.metadata = {**layer.metadata, **placed["metadata"], **kwargs.get("metadata", {})}
        return layer
    placed["metadata"] = {**placed["metadata"], **kwargs.pop("metadata", {})}
    return viewer.add_labels(data, name=name, **placed, **kwargs)


def length_unit(layer: Layer) -> str:
    """The length unit (``"mm"``, ``"µm"``, ``"m"``) of a layer's spatial axes."""
    return _unit_of({"units": layer.units, "metadata": layer.metadata})


def intensity_unit(layer: Layer | None) -> str:
    """``"HU"`` for a CT image, else ``"intensity"`` (MRI, microscopy: arbitrary units)."""
    return "HU" if is_ct(layer) else "intensity"


def camera_of(viewer: Any) -> Any:
    """The viewer's camera (``viewer.scene.camera`` since napari 0.9, ``viewer.camera`` before)."""
    scene = getattr(viewer, "scene", None)
    return scene.camera if scene is not None else viewer.camera


def ray_voxels(layer: Layer, event: Any) -> np.ndarray | None:
    """Data voxels ``(n, 3)`` of ``layer`` along a 3-D click's view ray, near to far.

    Sampled at half-voxel steps between the ray's entry into and exit from the
    layer's box; None when the ray misses the layer.
    """
    near, far = layer.get_ray_intersections(
        event.position, event.view_direction, event.dims_displayed, world=True
    )
    if near is None or far is None:
        return None
    ray = np.linspace(near, far, 2 * int(np.ceil(np.linalg.norm(far - near))) + 2)
    return np.clip(np.rint(ray).astype(int), 0, np.asarray(layer.data.shape) - 1)
