"""Object tools at a click: delete, relabel, merge, split, islands, margins, smoothing, logic.

An *object* is the connected piece (26-neighbourhood) of one label value that
contains the clicked voxel; ``whole_label=True`` acts on every voxel of that
value instead. Points are voxel coordinates ``(z, y, x)``; every size is in mm.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import ndimage as ndi
from skimage.segmentation import watershed

from ..segment._validate import SegmentationError, as_volume, check_spacing
from ..segment.components import (
    binary_closing,
    binary_opening,
    connected_components,
    remove_small,
)
from ..segment.smoothing import gaussian_mm
from ..segment.watershed import distance_mm
from ..volume import takes_volumes
from ._points import clicked_voxel

__all__ = [
    "combine",
    "delete_object",
    "keep_island",
    "label_at",
    "margin",
    "merge_labels",
    "object_mask",
    "relabel_object",
    "remove_islands",
    "smooth_label",
    "split_object",
]


@takes_volumes
def label_at(labels: np.ndarray, point: Sequence[float]) -> int:
    """The label value at a voxel coordinate (0 = background)."""
    lab = as_volume(labels, name="labels")
    return int(lab[clicked_voxel(lab.shape, point)])


@takes_volumes
def object_mask(labels: np.ndarray, point: Sequence[float], *, whole_label: bool = False):
    """Boolean mask of the clicked object (or of its whole label value).

    Raises
    ------
    SegmentationError
        The click is outside the volume or on the background.
    """
    lab = as_volume(labels, name="labels")
    value = label_at(lab, point)
    if value == 0:
        raise SegmentationError("the click is on the background: click inside an object")
    same = lab == value
    if whole_label:
        return same
    cc = connected_components(same, connectivity=26)[0]
    return cc == cc[clicked_voxel(lab.shape, point)]


@takes_volumes
def delete_object(labels, point, *, whole_label: bool = False) -> np.ndarray:
    """A copy with the clicked object (or label) set to 0."""
    out = np.array(labels, copy=True)
    out[object_mask(out, point, whole_label=whole_label)] = 0
    return out


@takes_volumes
def relabel_object(labels, point, new_label: int, *, whole_label: bool = False) -> np.ndarray:
    """A copy with the clicked object (or label) given ``new_label``."""
    out = np.array(labels, copy=True)
    if not 0 <= new_label <= np.iinfo(out.dtype).max:
        raise SegmentationError(f"label {new_label} does not fit the layer's {out.dtype}")
    out[object_mask(out, point, whole_label=whole_label)] = new_label
    return out


@takes_volumes
def merge_labels(labels, keep_point, merge_point) -> np.ndarray:
    """A copy where the label clicked second takes the label clicked first (whole labels)."""
    keep = label_at(labels, keep_point)
    if keep == 0:
        raise SegmentationError("the first click is on the background: click the label to keep")
    out = np.array(labels, copy=True)
    out[object_mask(out, merge_point, whole_label=True)] = keep
    return out


@takes_volumes
def split_object(labels, point_a, point_b, *, spacing=None, new_label: int | None = None):
    """Split the object holding both clicks in two, along its neck (distance-map watershed).

    The part on the side of ``point_b`` gets ``new_label`` (default: the largest label + 1).

    Raises
    ------
    SegmentationError
        The clicks are on the background, on different objects, or on one voxel.
    """
    lab = as_volume(labels, name="labels")
    obj = object_mask(lab, point_a)
    a, b = clicked_voxel(lab.shape, point_a), clicked_voxel(lab.shape, point_b)
    if not obj[b] or a == b:
        raise SegmentationError("click twice inside the same object, at its two ends")
    sp = check_spacing(spacing, lab.ndim)
    box = tuple(slice(int(np.min(ix)), int(np.max(ix)) + 1) for ix in np.nonzero(obj))
    sub = obj[box]
    markers = np.zeros(sub.shape, np.int32)
    markers[tuple(c - s.start for c, s in zip(a, box, strict=True))] = 1
    markers[tuple(c - s.start for c, s in zip(b, box, strict=True))] = 2
    parts = watershed(-distance_mm(sub, spacing=sp), markers, mask=sub)
    new = int(lab.max()) + 1 if new_label is None else int(new_label)
    if new > np.iinfo(lab.dtype).max:
        raise SegmentationError(f"label {new} does not fit the layer's {lab.dtype}")
    out = lab.copy()
    out[box][parts == 2] = new
    return out


@takes_volumes
def keep_island(labels, point) -> np.ndarray:
    """A copy keeping only the clicked piece of its label (the other pieces become 0)."""
    out = np.array(labels, copy=True)
    value = label_at(out, point)
    out[(out == value) & ~object_mask(out, point)] = 0
    return out


@takes_volumes
def remove_islands(labels, *, label: int, min_mm3: float, spacing=None) -> np.ndarray:
    """A copy without the pieces of ``label`` smaller than ``min_mm3``."""
    lab = as_volume(labels, name="labels")
    mine = lab == label
    kept = remove_small(mine.view(np.uint8), min_mm3=min_mm3, spacing=spacing) != 0
    out = lab.copy()
    out[mine & ~kept] = 0
    return out


def check_label_value(labels: np.ndarray, label: int) -> int:
    """``label`` as an int, or :class:`SegmentationError` if the labels' dtype cannot hold it."""
    value = int(label)
    top = 1 if labels.dtype == bool else np.iinfo(labels.dtype).max
    if not 0 <= value <= top:
        raise SegmentationError(f"label {value} does not fit the layer's {labels.dtype}")
    return value


@takes_volumes
def margin(labels, *, label: int, mm: float, spacing=None) -> np.ndarray:
    """Grow (``mm > 0``, into background only) or shrink (``mm < 0``) one label by a ball in mm.

    Exactly a dilation/erosion by the ellipsoid of radius ``|mm|``, computed with a
    Euclidean distance transform on the label's box (memory and time O(box voxels),
    whatever the radius).
    """
    lab = as_volume(labels, name="labels")
    sp = np.asarray(check_spacing(spacing, lab.ndim), float)
    if not np.isfinite(mm) or abs(mm) > 50:
        raise SegmentationError(f"margin must be within ±50 mm, got {mm}")
    label = check_label_value(lab, label)
    mask = lab == label
    out = lab.copy()
    if mm == 0 or not mask.any():
        return out
    reach = np.floor(abs(mm) / sp + 1e-9).astype(int) + 1 if mm > 0 else np.ones(lab.ndim, int)
    box = _box(mask, reach)
    sub = mask[box]
    if mm > 0:
        dist = ndi.distance_transform_edt(~sub, sampling=sp)
        grown = dist**2 <= mm**2 + 1e-9
        view = out[box]
        view[grown & (lab[box] == 0)] = label
    else:
        dist = ndi.distance_transform_edt(sub, sampling=sp)  # to the nearest voxel outside
        view = out[box]
        view[sub & (dist**2 <= mm**2 + 1e-9)] = 0
    return out


def _box(mask: np.ndarray, reach: np.ndarray) -> tuple[slice, ...]:
    """The bounding box of ``mask`` widened by ``reach`` voxels per axis (inside the array)."""
    box = []
    for axis, r in enumerate(reach):
        hit = np.flatnonzero(mask.any(axis=tuple(a for a in range(mask.ndim) if a != axis)))
        box.append(
            slice(max(int(hit[0]) - int(r), 0), min(int(hit[-1]) + int(r) + 1, mask.shape[axis]))
        )
    return tuple(box)


@takes_volumes
def smooth_label(labels, *, label: int, method: str, mm: float, spacing=None) -> np.ndarray:
    """Smooth one label: ``closing`` (fills dents), ``opening`` (cuts spurs) or ``gaussian``.

    Voxels the smoothed label gains are taken from the background only.
    """
    lab = as_volume(labels, name="labels")
    label = check_label_value(lab, label)
    mask = lab == label
    if method == "closing":
        smooth = binary_closing(mask, radius_mm=mm, spacing=spacing) != 0
    elif method == "opening":
        smooth = binary_opening(mask, radius_mm=mm, spacing=spacing) != 0
    elif method == "gaussian":
        smooth = gaussian_mm(mask.view(np.uint8), sigma_mm=mm, spacing=spacing) >= 0.5
    else:
        raise SegmentationError(f"unknown smoothing {method!r}: closing, opening or gaussian")
    out = lab.copy()
    out[mask & ~smooth] = 0
    out[smooth & (lab == 0)] = label
    return out


@takes_volumes
def combine(target, other, *, op: str, label: int, other_label: int | None = None):
    """Logical operation between a label of ``target`` and ``other`` (another labels volume).

    ``union`` adds the other's voxels to ``label`` (background only), ``intersect``
    keeps ``label`` only where the other is set, ``subtract`` removes them.
    ``other_label`` picks one label of ``other`` (default: any non-zero).
    """
    lab = as_volume(target, name="labels")
    label = check_label_value(lab, label)
    oth = as_volume(other, name="other labels")
    if oth.shape != lab.shape:
        raise SegmentationError(f"the other labels {oth.shape} are not on this grid {lab.shape}")
    theirs = oth != 0 if other_label is None else oth == other_label
    mine = lab == label
    out = lab.copy()
    if op == "union":
        out[theirs & (lab == 0)] = label
    elif op == "intersect":
        out[mine & ~theirs] = 0
    elif op == "subtract":
        out[mine & theirs] = 0
    else:
        raise SegmentationError(f"unknown operation {op!r}: union, intersect or subtract")
    return out
