"""Watershed: split touching objects (distance-seeded) and seeded correction.

The distance-seeded split works per connected component on its bounding box,
with the ``edt`` package's anisotropic distance transform, so a mostly empty
200x512x512 volume costs little more than its components. Peaks are local
maxima of the distance map at least ``min_distance_mm`` apart *in mm*.
"""

from __future__ import annotations

from collections.abc import Sequence

import cc3d
import edt
import numpy as np
from scipy import ndimage as ndi
from scipy.spatial import cKDTree
from skimage.segmentation import watershed

from ..progress import ProgressCallback, Steps, StopCallback
from ._validate import SegmentationError, as_volume, check_mask, check_spacing
from .seeds import default_seed_radius_mm, grow_markers, markers_from_points
from .smoothing import gaussian_mm, gradient_mm

__all__ = [
    "default_seed_radius_mm",
    "distance_mm",
    "grow_markers",
    "markers_from_points",
    "seeded_watershed",
    "split_touching",
]


def distance_mm(mask: np.ndarray, *, spacing: Sequence[float] | None = None) -> np.ndarray:
    """Euclidean distance in mm from each foreground voxel to the background.

    Parameters
    ----------
    mask : numpy.ndarray, shape (Y, X) or (Z, Y, X)
        Foreground is non-zero.
    spacing : sequence of float, optional
        Voxel size in mm per axis (default 1 mm).

    Returns
    -------
    numpy.ndarray of float32, same shape (0 on the background)
    """
    m = as_volume(mask, name="mask")
    sp = check_spacing(spacing, m.ndim)
    return edt.edt(np.ascontiguousarray(m != 0), anisotropy=sp, black_border=False, parallel=0)


def _peaks(dist: np.ndarray, comp: np.ndarray, sp: tuple[float, ...], min_mm: float) -> np.ndarray:
    """Voxel coordinates of distance maxima at least ``min_mm`` apart, highest first."""
    size = [2 * max(1, int(np.ceil(min_mm / s))) + 1 for s in sp]
    local = np.where(comp, dist, 0)
    is_max = (local == ndi.maximum_filter(local, size=size, mode="constant")) & (local > 0)
    coords = np.argwhere(is_max)
    if len(coords) <= 1:
        return coords
    coords = coords[np.argsort(-local[tuple(coords.T)], kind="stable")]
    tree = cKDTree(coords * np.asarray(sp))
    keep = np.ones(len(coords), bool)
    for i in range(len(coords)):
        if keep[i]:
            near = tree.query_ball_point(coords[i] * np.asarray(sp), r=min_mm - 1e-9)
            keep[[j for j in near if j > i]] = False
    return coords[keep]


def _box_distance(m: np.ndarray, box: tuple[slice, ...], sp: tuple[float, ...]) -> np.ndarray:
    """The mask's distance map (mm) inside ``box``, computed on the box grown by one voxel.

    Equal to the whole-volume map there: a component's nearest background voxel
    always lies within one voxel of its bounding box. Per box, because ``edt``
    holds the GIL (0.75 s on a 200x512x512 mask would freeze the viewer) and
    most of a sparse mask is background.
    """
    grown = tuple(
        slice(max(b.start - 1, 0), min(b.stop + 1, n)) for b, n in zip(box, m.shape, strict=True)
    )
    dist = distance_mm(m[grown], spacing=sp)
    inner = tuple(
        slice(b.start - g.start, b.stop - g.start) for b, g in zip(box, grown, strict=True)
    )
    return dist[inner]


def split_touching(
    mask: np.ndarray,
    *,
    spacing: Sequence[float] | None = None,
    min_distance_mm: float = 5.0,
    compactness: float = 0.0,
    connectivity: int = 26,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
) -> np.ndarray:
    """Instance labels that split touching blobs of ``mask`` at their necks.

    Parameters
    ----------
    mask : numpy.ndarray, shape (Y, X) or (Z, Y, X)
        Foreground is non-zero.
    spacing : sequence of float, optional
        Voxel size in mm per axis; distances and ``min_distance_mm`` are in mm.
    min_distance_mm : float
        Minimum distance between two object centres (distance-map peaks). A
        component smaller than a ball of this radius is never split.
    compactness : float
        scikit-image compact watershed parameter (0 = classic watershed).
    connectivity : int
        Neighbourhood for components: 6, 18 or 26 (4 or 8 in 2-D).
    progress, should_stop : callable, optional
        Progress per component; see :mod:`napari_seg.progress`.

    Returns
    -------
    numpy.ndarray of int32, same shape; 0 background, objects 1..N
    """
    m = as_volume(mask, name="mask") != 0
    sp = check_spacing(spacing, m.ndim)
    if min_distance_mm <= 0:
        raise SegmentationError(f"min_distance_mm must be positive, got {min_distance_mm}")
    conn = connectivity if m.ndim == 3 else (4 if connectivity in (4, 6) else 8)
    hops = {4: 1, 6: 1, 8: 2, 18: 2, 26: 3}[conn]  # scikit-image's connectivity: max hops
    cc, n = cc3d.connected_components(m, connectivity=conn, binary_image=True, return_N=True)
    steps = Steps(n + 1, progress=progress, should_stop=should_stop)
    out = np.zeros(m.shape, np.int32)
    if n == 0:
        return out
    steps.step()
    ball = (4 / 3 if m.ndim == 3 else 1.0) * np.pi * min_distance_mm**m.ndim / np.prod(sp)
    stats = cc3d.statistics(cc)
    next_label = 1
    for i in range(1, n + 1):
        box = tuple(stats["bounding_boxes"][i])
        comp = cc[box] == i
        if comp.sum() < ball:
            peaks: list | np.ndarray = []
        else:
            dist = _box_distance(m, box, sp)
            peaks = _peaks(dist, comp, sp, min_distance_mm)
        if len(peaks) <= 1:
            out[box][comp] = next_label
            next_label += 1
        else:
            markers = np.zeros(comp.shape, np.int32)
            markers[tuple(np.asarray(peaks).T)] = np.arange(next_label, next_label + len(peaks))
            # flood with the components' own neighbourhood, or diagonal-only links stay 0
            ws = watershed(-dist, markers, mask=comp, compactness=compactness, connectivity=hops)
            out[box][comp] = ws[comp]
            next_label += len(peaks)
        steps.step()
    return out


def seeded_watershed(
    markers: np.ndarray,
    *,
    image: np.ndarray | None = None,
    mask: np.ndarray | None = None,
    spacing: Sequence[float] | None = None,
    sigma_mm: float = 1.0,
    compactness: float = 0.0,
    progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
) -> np.ndarray:
    """Grow labelled seeds over the image's gradient (or the mask's distance map).

    Parameters
    ----------
    markers : numpy.ndarray of int, shape (Y, X) or (Z, Y, X)
        Seeds: non-zero voxels keep their value and grow.
    image : numpy.ndarray, optional
        Intensities; the landscape is its gradient magnitude (HU/mm) after
        Gaussian smoothing of ``sigma_mm``, so regions stop at edges.
    mask : numpy.ndarray, optional
        Growth stays inside the mask. Without ``image``, the landscape is the
        negated distance map of the mask (the split-touching landscape).
    spacing : sequence of float, optional
        Voxel size in mm per axis.
    sigma_mm : float
        Smoothing before the gradient, in mm.
    compactness : float
        scikit-image compact watershed parameter.
    progress, should_stop : callable, optional
        Three steps (smoothing, gradient or distance, flooding); Cancel is
        honoured between them (the flooding itself cannot be interrupted).

    Returns
    -------
    numpy.ndarray of int32, same shape as ``markers``

    Raises
    ------
    SegmentationError
        There is no seed, no landscape (neither image nor mask), or shapes differ.
    """
    mk = as_volume(markers, name="markers").astype(np.int32)
    sp = check_spacing(spacing, mk.ndim)
    if not mk.any():
        raise SegmentationError("seeded watershed needs at least one seed (markers are all 0)")
    m = check_mask(mask, mk.shape)
    if image is None and m is None:
        raise SegmentationError("seeded watershed needs an image or a mask to grow over")
    steps = Steps(3, progress=progress, should_stop=should_stop)
    if image is not None:
        img = as_volume(image)
        if img.shape != mk.shape:
            raise SegmentationError(f"image shape {img.shape} differs from markers {mk.shape}")
        smooth = gaussian_mm(img, sigma_mm=sigma_mm, spacing=sp)
        steps.step()
        _, landscape = gradient_mm(smooth, spacing=sp)
    else:
        steps.step()
        landscape = -distance_mm(m, spacing=sp)
    steps.step()
    out = watershed(landscape, mk, mask=m, compactness=compactness).astype(np.int32)
    steps.step()
    return out
