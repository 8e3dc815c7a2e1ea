"""Connected components and clean-up: size filters, hole filling, largest object, opening/closing.

Labelling uses ``connected-components-3d`` (cc3d), which labels a 200x512x512
mask several times faster than ``skimage.measure.label`` and returns the
smallest integer dtype that fits.
"""

from __future__ import annotations

from collections.abc import Sequence

import cc3d
import numpy as np
from scipy import ndimage as ndi

from ._validate import SegmentationError, as_volume, check_spacing
from .smoothing import ball_mm

__all__ = [
    "binary_closing",
    "binary_opening",
    "connected_components",
    "fill_holes",
    "keep_largest",
    "remove_small",
]


def _connectivity(ndim: int, connectivity: int) -> int:
    """Validate; a 3-D neighbourhood on a 2-D image means its in-plane analogue."""
    if ndim == 2 and connectivity in (6, 18, 26):
        return 4 if connectivity == 6 else 8
    allowed = {2: (4, 8), 3: (6, 18, 26)}[ndim]
    if connectivity not in allowed:
        raise SegmentationError(
            f"connectivity for {ndim}-D must be one of {allowed}, got {connectivity}"
        )
    return connectivity


def connected_components(mask: np.ndarray, *, connectivity: int = 26) -> tuple[np.ndarray, int]:
    """Instance labels ``1..N`` of the connected foreground of ``mask``.

    Parameters
    ----------
    mask : numpy.ndarray, shape (Y, X) or (Z, Y, X)
        Foreground is any non-zero voxel; labels of different values are
        treated as one foreground (use a per-label loop for multi-class).
    connectivity : int
        6, 18 or 26 in 3-D; 4 or 8 in 2-D (faces, +edges, +corners). On
        2-D input 6 means 4 and 18/26 mean 8.

    Returns
    -------
    labels : numpy.ndarray of unsigned int
        Same shape; the smallest dtype that holds N (uint8/16/32).
    n : int
        Number of components.
    """
    m = as_volume(mask, name="mask")
    conn = _connectivity(m.ndim, connectivity)
    if sum(n > 1 for n in m.shape) <= 1:
        # a line of voxels: cc3d fails on some (1, 1, N) arrays ("maximum length
        # exception", printed on stdout); every connectivity is the same along a line
        labels, n = ndi.label(m != 0)
        return labels.astype(np.uint32), int(n)
    labels, n = cc3d.connected_components(
        np.ascontiguousarray(m), connectivity=conn, binary_image=True, return_N=True
    )
    return labels, int(n)


def _sizes(labels: np.ndarray) -> np.ndarray:
    return np.bincount(labels.reshape(-1))


def remove_small(
    labels: np.ndarray,
    *,
    min_voxels: int = 0,
    min_mm3: float = 0.0,
    spacing: Sequence[float] | None = None,
    connectivity: int = 26,
) -> np.ndarray:
    """Remove connected objects smaller than ``min_voxels`` voxels or ``min_mm3`` mm³.

    Parameters
    ----------
    labels : numpy.ndarray, shape (Y, X) or (Z, Y, X)
        Integer labels (semantic or instance) or a binary mask; each label
        value's components are measured on their own.
    min_voxels : int
        Objects with fewer voxels are removed.
    min_mm3 : float
        Objects with a smaller volume (voxel count times voxel volume) are removed.
    spacing : sequence of float, optional
        Voxel size in mm per axis (needed for ``min_mm3``).
    connectivity : int
        Neighbourhood for what counts as one object.

    Returns
    -------
    numpy.ndarray
        A copy of ``labels`` with the small objects set to 0.
    """
    lab = as_volume(labels, name="labels")
    voxel_mm3 = float(np.prod(check_spacing(spacing, lab.ndim)))
    threshold = max(int(min_voxels), int(np.ceil(min_mm3 / voxel_mm3 - 1e-9)))
    out = lab.copy()
    if threshold <= 1:
        return out
    cc = cc3d.connected_components(lab, connectivity=_connectivity(lab.ndim, connectivity))
    small = _sizes(cc) < threshold
    small[0] = False
    out[small[cc]] = 0
    return out


def keep_largest(labels: np.ndarray, *, connectivity: int = 26) -> np.ndarray:
    """Keep only the largest connected object of each non-zero label value.

    Parameters
    ----------
    labels : numpy.ndarray, shape (Y, X) or (Z, Y, X)
        Semantic labels or a binary mask.
    connectivity : int
        Neighbourhood for what counts as one object.

    Returns
    -------
    numpy.ndarray
        A copy with every smaller object of each label removed.
    """
    lab = as_volume(labels, name="labels")
    cc, n = cc3d.connected_components(
        lab, connectivity=_connectivity(lab.ndim, connectivity), return_N=True
    )
    if n == 0:
        return lab.copy()
    sizes = _sizes(cc)
    # the label value each component carries: any voxel of it will do
    flat_cc, flat_lab = cc.reshape(-1), lab.reshape(-1)
    owner = np.zeros(n + 1, dtype=lab.dtype)
    owner[flat_cc] = flat_lab
    keep = np.zeros(n + 1, dtype=bool)
    for value in np.unique(owner[1:]):
        ids = np.flatnonzero(owner == value)
        ids = ids[ids > 0]
        keep[ids[np.argmax(sizes[ids])]] = True
    return np.where(keep[cc], lab, 0).astype(lab.dtype, copy=False)


def fill_holes(labels: np.ndarray, *, per_slice: bool = False) -> np.ndarray:
    """Fill enclosed holes of each non-zero label value (in 3-D for volumes).

    Parameters
    ----------
    labels : numpy.ndarray, shape (Y, X) or (Z, Y, X)
        Semantic labels or a binary mask.
    per_slice : bool
        Fill holes in each ``Z`` slice on its own: a hole open at the top or
        bottom of an organ (a notch) is filled where every slice encloses it.

    Returns
    -------
    numpy.ndarray
        A copy with background voxels enclosed by one label set to that label.
    """
    lab = as_volume(labels, name="labels")
    out = lab.copy()
    for value in np.unique(lab):
        if value == 0:
            continue
        m = lab == value
        if per_slice and m.ndim == 3:
            filled = np.stack([ndi.binary_fill_holes(sl) for sl in m])
        else:
            filled = ndi.binary_fill_holes(m)
        out[filled & (out == 0)] = value
    return out


def _morph(mask, radius_mm, spacing, op, what) -> np.ndarray:
    m = as_volume(mask, name="mask") != 0
    if radius_mm <= 0:
        return m.view(np.uint8).copy()
    ball = ball_mm(float(radius_mm), check_spacing(spacing, m.ndim), what=what)
    return op(m, structure=ball).view(np.uint8)


def binary_opening(
    mask: np.ndarray, *, radius_mm: float, spacing: Sequence[float] | None = None
) -> np.ndarray:
    """Opening (erode then dilate) with a ball of ``radius_mm`` in mm.

    Parameters
    ----------
    mask : numpy.ndarray, shape (Y, X) or (Z, Y, X)
        Foreground is non-zero.
    radius_mm : float
        Ball radius in mm; the ball is anisotropic in voxels when spacing is.
    spacing : sequence of float, optional
        Voxel size in mm per axis (default 1 mm).

    Returns
    -------
    numpy.ndarray of uint8
        The opened mask (0/1).
    """
    return _morph(mask, radius_mm, spacing, ndi.binary_opening, "opening radius")


def binary_closing(
    mask: np.ndarray, *, radius_mm: float, spacing: Sequence[float] | None = None
) -> np.ndarray:
    """Closing (dilate, then erode) with a ball of ``radius_mm`` mm; see :func:`binary_opening`."""
    return _morph(mask, radius_mm, spacing, _closing_no_border_loss, "closing radius")


def _closing_no_border_loss(m: np.ndarray, *, structure: np.ndarray) -> np.ndarray:
    # scipy's closing erodes objects touching the border; pad so they survive
    pad = [(h // 2, h // 2) for h in structure.shape]
    return ndi.binary_closing(np.pad(m, pad), structure=structure)[
        tuple(slice(p, -p or None) for p, _ in pad)
    ]
