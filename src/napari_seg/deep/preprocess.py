"""Put a volume into the network's frame (orientation, spacing, intensities) and back.

Everything here works on napari-order arrays ``(C, Z, Y, X)`` and a
:class:`~napari_seg.io.Geometry`. Orientation changes are flips and axis
permutations (views, no copy); resampling uses trilinear interpolation on
the chosen device; the way back lands exactly on the input's voxel grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from nibabel import orientations as ornt

from .._memory import ensure_fits
from ..io import Geometry

__all__ = ["Frame", "frame_options", "from_network_frame", "scale_intensity", "to_network_frame"]

_IDENTITY = np.array([[0, 1], [1, 1], [2, 1]], dtype=float)  # keep every axis as it is


@dataclass(frozen=True)
class Frame:
    """How an input was moved into the network's frame (to undo it exactly)."""

    transform: np.ndarray  # nibabel orientation transform, NIfTI axis order
    oriented_shape: tuple[int, int, int]  # napari order, after reorientation
    resampled_shape: tuple[int, int, int]  # napari order, fed to the network


def _orientation_transform(geometry: Geometry, axcodes: str) -> np.ndarray:
    current = ornt.io_orientation(geometry.affine)
    return ornt.ornt_transform(current, ornt.axcodes2ornt(tuple(axcodes)))


def _apply(volume: np.ndarray, transform: np.ndarray) -> np.ndarray:
    """Reorient a napari-order ``(C, Z, Y, X)`` array (through NIfTI order and back)."""
    return ornt.apply_orientation(volume.T, transform).T  # .T: (C, Z, Y, X) <-> (X, Y, Z, C)


def scale_intensity(x: torch.Tensor, window: tuple[float, float] | None) -> torch.Tensor:
    """Map ``[low, high]`` linearly to ``[0, 1]`` and clip (identity when ``window`` is None)."""
    if window is None:
        return x
    lo, hi = float(window[0]), float(window[1])
    return ((x - lo) / (hi - lo)).clamp_(0.0, 1.0)


def frame_options(meta: Any) -> dict[str, Any]:
    """:func:`to_network_frame`'s options from a checkpoint's metadata (as it was trained)."""
    return {
        "orientation": meta.orientation,
        "target_spacing": meta.target_spacing,
        "window": meta.intensity_window,
        "out_channels": meta.out_channels,
    }


def to_network_frame(
    image: np.ndarray,
    geometry: Geometry,
    *,
    orientation: str | None,
    target_spacing: tuple[float, float, float] | None,
    window: tuple[float, float] | None,
    device: torch.device,
    out_channels: int = 2,
) -> tuple[torch.Tensor, Frame]:
    """``(1, C, Z', Y', X')`` float32 tensor on ``device`` and the :class:`Frame` to undo it.

    Parameters
    ----------
    image : numpy.ndarray, shape (C, Z, Y, X)
        Channels first, napari order.
    geometry : Geometry
        The image's placement.
    orientation : str, optional
        Axis codes of the network's frame ("RAS", "LPS", ...); None keeps the array as is.
    target_spacing : tuple of float, optional
        Voxel size ``(dz, dy, dx)`` in mm to resample to (in the reoriented frame).
    window : tuple of float, optional
        Intensity window mapped to ``[0, 1]``.
    device : torch.device
        Where the tensor (and the resampling) lives.
    out_channels : int
        Channels the network predicts: its output is held in memory at the
        resampled size too, so it counts in the memory check.
    """
    transform = _orientation_transform(geometry, orientation) if orientation else _IDENTITY
    oriented = _apply(image, transform)
    shape = tuple(int(s) for s in oriented.shape[1:])
    x = torch.from_numpy(np.ascontiguousarray(oriented, dtype=np.float32))[None].to(device)
    x = scale_intensity(x, window)
    resampled = shape
    if target_spacing is not None:
        # voxel size of the reoriented grid, napari order
        to_original = ornt.inv_ornt_aff(transform, image.shape[1:][::-1])
        spacing = np.linalg.norm((geometry.affine @ to_original)[:3, :3], axis=0)[::-1]
        resampled = tuple(
            max(1, round(n * s / t))
            for n, s, t in zip(shape, spacing, target_spacing, strict=True)
        )
        # the checkpoint's spacing sets this size: bound it before allocating
        ensure_fits(
            4 * math.prod(resampled) * (image.shape[0] + out_channels + 1),
            f"resampling to the checkpoint's target_spacing {tuple(target_spacing)} mm "
            f"({shape} -> {resampled} voxels)",
        )
        if resampled != shape:
            x = F.interpolate(x, size=resampled, mode="trilinear", align_corners=False)
    return x, Frame(transform, shape, resampled)


def from_network_frame(probabilities: torch.Tensor, frame: Frame) -> np.ndarray:
    """Class probabilities ``(1, K, Z', Y', X')`` back on the input grid as ``(K, Z, Y, X)``."""
    p = probabilities
    if tuple(p.shape[2:]) != frame.oriented_shape:
        p = F.interpolate(
            p.float(), size=frame.oriented_shape, mode="trilinear", align_corners=False
        )
    arr = p[0].float().cpu().numpy()
    return np.ascontiguousarray(_apply(arr, _invert(frame.transform)))


def _invert(transform: np.ndarray) -> np.ndarray:
    """The orientation transform that undoes ``transform``."""
    inverse = np.zeros_like(transform)
    for src, (dst, flip) in enumerate(transform):
        inverse[int(dst)] = (src, flip)
    return inverse
